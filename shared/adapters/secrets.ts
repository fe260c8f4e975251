import { getSecret as getSecretFromSecretsManager } from '@aws-lambda-powertools/parameters/secrets';
import { secretSource } from '../config/runtime.ts';
import type { SecretName } from '../topology.ts';

/**
 * Secrets come from Secrets Manager in AWS (`<NAME>_SECRET_ARN`, cached for 5 minutes) and from the env var of the
 * same name locally. Values are trimmed (a trailing newline in a pasted secret breaks signature checks) and never
 * logged.
 */
export async function getSecret(name: SecretName): Promise<string> {
  const source = secretSource(name);
  const raw = 'arn' in source ? await getSecretFromSecretsManager(source.arn, { maxAge: 300 }) : source.value;
  const value = typeof raw === 'string' ? raw.trim() : '';
  if (!value) {
    throw new Error(`Secret ${name} is not configured (set ${name}_SECRET_ARN in AWS or ${name} locally)`);
  }
  return value;
}
