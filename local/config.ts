/**
 * Local configuration: every value from an environment variable with a documented default (README →
 * Configuration). Nothing here is used in AWS.
 */
import { resolve } from 'node:path';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return n;
}

/** A JSON env var, checked now so a typo is one clear sentence at start, not an error in some handler later. */
function json(name: string): string | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    JSON.parse(raw);
  } catch {
    throw new Error(`${name} must be JSON, got "${raw}"`);
  }
  return raw;
}

export interface LocalConfig {
  port: number;
  dynamodbPort: number;
  sqsPort: number;
  sesPort: number;
  dataDir: string;
  inMemory: boolean;
  tableName: string;
  region: string;
  secrets: {
    ADMIN_API_KEY: string;
    STRIPE_API_KEY: string;
    STRIPE_WEBHOOK_SECRET: string;
    BANK_WEBHOOK_SECRET: string;
    LINK_SIGNING_SECRET: string;
  };
  mailFrom: string;
  payeeAccount: string;
  /** `EVENT_BUS_NAME`: `local` (the default) records `collections.*` events instead of putting them on EventBridge. */
  eventBusName: string;
  /** `ACCOUNT_TERMS` (JSON), passed through when set; unset = the terms' defaults. */
  accountTerms?: string;
  /** Fire schedules on their cron (off in tests, which fire them by hand with POST /local/schedules/{name}/fire). */
  schedules: boolean;
  /** Per-route throttling as deployed (shared/topology.ts throttle classes): `--throttle` or LOCAL_THROTTLE=true. */
  throttle: boolean;
  /** Queue poll wait (seconds); long polling. */
  pollWaitSeconds: number;
  /**
   * `DYNAMODB_JVM_OPTIONS`: DynamoDB Local's JVM options; unset = local/emulators.ts's, for a stack that runs long (a
   * dev session, the test suite's shared stack).
   */
  dynamodbJvmOptions?: string;
}

export function loadConfig(argv: readonly string[] = process.argv.slice(2)): LocalConfig {
  const inMemory = argv.includes('--in-memory') || process.env.LOCAL_IN_MEMORY === 'true';
  const accountTerms = json('ACCOUNT_TERMS');
  return {
    port: port('PORT', 3000),
    dynamodbPort: port('DYNAMODB_PORT', 8000),
    sqsPort: port('SQS_PORT', 4566),
    sesPort: port('SES_PORT', 8005),
    dataDir: resolve(process.env.DATA_DIR ?? '.data'),
    inMemory,
    tableName: process.env.TABLE_NAME ?? 'collections',
    region: process.env.AWS_REGION ?? 'us-east-1',
    secrets: {
      ADMIN_API_KEY: process.env.ADMIN_API_KEY ?? 'local-admin-key',
      STRIPE_API_KEY: process.env.STRIPE_API_KEY ?? 'sk_test_local_placeholder',
      STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_local_development_secret',
      BANK_WEBHOOK_SECRET: process.env.BANK_WEBHOOK_SECRET ?? 'local-bank-webhook-secret',
      LINK_SIGNING_SECRET: process.env.LINK_SIGNING_SECRET ?? 'local-link-signing-secret',
    },
    mailFrom: process.env.MAIL_FROM ?? 'billing@example.com',
    payeeAccount: process.env.PAYEE_ACCOUNT ?? 'DE89 3704 0044 0532 0130 00',
    eventBusName: process.env.EVENT_BUS_NAME || 'local',
    ...(accountTerms !== undefined ? { accountTerms } : {}),
    schedules: !(argv.includes('--no-schedules') || process.env.LOCAL_SCHEDULES === 'false'),
    throttle: argv.includes('--throttle') || process.env.LOCAL_THROTTLE === 'true',
    pollWaitSeconds: 1,
    ...(process.env.DYNAMODB_JVM_OPTIONS ? { dynamodbJvmOptions: process.env.DYNAMODB_JVM_OPTIONS } : {}),
  };
}
