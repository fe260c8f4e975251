/** One Secrets Manager secret per manifest secret: a generated placeholder, the real value put by hand. */
import type { Stack } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { secrets as manifestSecrets, type SecretName } from '../../shared/topology.ts';
import { acknowledge } from './nag.ts';
import { pascal } from './names.ts';

export function createSecrets(stack: Stack): Record<SecretName, Secret> {
  const secrets = {} as Record<SecretName, Secret>;
  for (const name of manifestSecrets) {
    const secret = new Secret(stack, pascal(name.toLowerCase()) + 'Secret', {
      description: `Collections ${name}: a generated placeholder; put the real value after the first deploy.`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      `${name} is a credential issued and rotated by its owner (payment provider, bank or operators) and written ` +
        'here by hand; Secrets Manager has no rotation function that could issue a new one.',
    );
    secrets[name] = secret;
  }
  return secrets;
}
