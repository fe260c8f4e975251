/**
 * `npm start`: the whole backend on this machine — DynamoDB Local, the SQS and SES emulators, the HTTP gateway,
 * the queue pollers and the schedules — all built from shared/topology.ts, the same definition CDK deploys.
 *
 * Flags: --in-memory (nothing kept in .data/), --no-schedules (fire schedules only by hand), --throttle (per-route
 * throttling as deployed: 429 once a route's token bucket is empty).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Server } from 'node:http';
import { env, functions, queueUrlEnvVar, secrets, topics, type QueueId, type TopicId } from '../shared/topology.ts';
import { loadConfig, type LocalConfig } from './config.ts';
import { checkNode, PrerequisiteError, startEmulators } from './emulators.ts';
import { startGateway } from './gateway.ts';
import { startPollers } from './poller.ts';
import { createQueues, createTable } from './provision.ts';
import { startScheduler } from './scheduler.ts';
import { startStreamPollers } from './streams.ts';
import { subscribers } from './sns.ts';
import { addStaffMember, newStaffMemberSchema } from '../shared/services/console-auth.ts';
import { Conflict } from '../shared/services/errors.ts';

export interface LocalStack {
  apiUrl: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  sesEndpoint: string;
  queueUrls: Record<QueueId, string>;
  stop(): Promise<void>;
}

/**
 * The environment every handler sees locally: the SDK's own service-specific endpoint variables point every client
 * at the emulators, and secrets come from env vars of the same name (in AWS: Secrets Manager).
 */
export function localEnv(
  config: LocalConfig,
  endpoints: { dynamodbEndpoint: string; sqsEndpoint: string; sesEndpoint: string },
): Record<string, string> {
  return {
    AWS_REGION: config.region,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SQS: endpoints.sqsEndpoint,
    AWS_ENDPOINT_URL_SESV2: endpoints.sesEndpoint,
    [env.tableName]: config.tableName,
    [env.mailFrom]: config.mailFrom,
    [env.payeeAccount]: config.payeeAccount,
    [env.eventBusName]: config.eventBusName,
    ...(config.accountTerms !== undefined ? { [env.accountTerms]: config.accountTerms } : {}),
    [env.publicBaseUrl]: process.env.PUBLIC_BASE_URL ?? `http://localhost:${config.port}`,
    POWERTOOLS_SERVICE_NAME: 'collections',
    // Webhook subscribers on this machine (http://127.0.0.1:…) may be subscribed; in AWS only https to public hosts.
    [env.webhookAllowLoopback]: process.env.WEBHOOK_ALLOW_LOOPBACK ?? 'true',
    // Business metrics (EMF lines on stdout, shared/metrics.ts) only when asked: POWERTOOLS_METRICS_DISABLED=false.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    ...Object.fromEntries(secrets.map((name) => [name, config.secrets[name]])),
  };
}

export async function startLocalStack(config: LocalConfig, log: (line: string) => void = console.log): Promise<LocalStack> {
  checkNode();
  const emulators = await startEmulators(config);
  const stops: (() => Promise<void> | void)[] = [() => emulators.stop()];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    Object.assign(process.env, localEnv(config, emulators));

    const dynamo = new DynamoDBClient({ endpoint: emulators.dynamodbEndpoint });
    await createTable(dynamo, config.tableName);
    const sqs = new SQSClient({ endpoint: emulators.sqsEndpoint });
    const queueUrls = await createQueues(sqs, emulators.sqsEndpoint);
    for (const [id, url] of Object.entries(queueUrls)) process.env[queueUrlEnvVar(id as QueueId)] = url;

    const gateway: Server = await startGateway(config.port, undefined, { throttle: config.throttle });
    stops.push(() => new Promise<void>((r) => gateway.close(() => r())));
    const address = gateway.address();
    const apiUrl = `http://localhost:${typeof address === 'object' && address ? address.port : config.port}`;

    const pollers = startPollers(sqs, queueUrls, config.region, config.pollWaitSeconds, log);
    stops.push(() => pollers.stop());
    // The table's stream → the outbox relay (and any other stream trigger), as Lambda's event source mapping does.
    const streamPollers = startStreamPollers({ dynamo, endpoint: emulators.dynamodbEndpoint, tableName: config.tableName, region: config.region, log });
    stops.push(() => streamPollers.stop());
    const scheduler = config.schedules ? startScheduler(log) : undefined;
    if (scheduler) stops.push(() => scheduler.stop());

    const consoleStaff = await localStaffMember(log);

    const routes = functions.flatMap((f) => f.triggers.flatMap((t) => (t.type === 'http' ? [`${t.method} ${t.path} → ${f.name}`] : [])));
    log(
      [
        '',
        'Collections backend is running locally',
        `  API               ${apiUrl}   (GET ${apiUrl}/health)`,
        ...routes.map((r) => `                      ${r}`),
        `  Customer portal   ${apiUrl}/portal/login   (sign in with a customer's e-mail; the link arrives in the SES inbox below)`,
        `  Staff console     ${apiUrl}/console/login   (${consoleStaff ? `sign in as ${consoleStaff} (CONSOLE_STAFF_EMAIL)` : 'no member added: CONSOLE_STAFF_EMAIL is empty; add one with POST /staff'}; the link arrives in the SES inbox below)`,
        `  Queue workers     ${functions.filter((f) => f.triggers.some((t) => t.type === 'queue')).map((f) => f.name).join(', ')} ← ${Object.keys(queueUrls).join(', ')} (DLQ after maxReceiveCount)`,
        `  Schedules         ${scheduler ? scheduler.jobs.map((j) => `${j.name} [${j.cron} UTC]`).join(', ') : 'off (--no-schedules)'}`,
        `                      fire by hand: curl -X POST ${apiUrl}/local/schedules/reminders/fire -d '{"time":"2026-01-31T09:00:00Z"}'`,
        `  SNS topics        ${Object.keys(topics).map((t) => `${t} → ${subscribers(t as TopicId).map((f) => f.name).join(', ')}`).join('; ')}`,
        `                      publish by hand: curl -X POST ${apiUrl}/local/sns/ses-events -H 'content-type: application/json' -d @notification.json`,
        `  Events out        outbox → table stream → ${functions.filter((f) => f.triggers.some((t) => t.type === 'stream')).map((f) => f.name).join(', ')} → ${config.eventBusName === 'local' ? 'the local bus (no EventBridge locally): what left, in order' : `EventBridge bus ${config.eventBusName}`}`,
        `                      curl '${apiUrl}/local/events?customerId=&type=&since='`,
        `  DynamoDB Local    ${emulators.dynamodbEndpoint}   table "${config.tableName}"`,
        `  SQS (fauxqs)      ${emulators.sqsEndpoint}`,
        `  SES (inbox)       ${emulators.sesEndpoint}   (sent mail: ${emulators.sesEndpoint}/store)`,
        `  Data              ${config.inMemory ? 'in memory (--in-memory)' : config.dataDir}`,
        `  Throttling        ${config.throttle ? 'per route, as deployed (webhook / admin / public classes)' : 'off (--throttle to apply the deployed per-route limits)'}`,
        '',
        'Local secrets (set the env vars to change them):',
        `  ADMIN_API_KEY=${config.secrets.ADMIN_API_KEY}`,
        `  STRIPE_WEBHOOK_SECRET=${config.secrets.STRIPE_WEBHOOK_SECRET}`,
        `  BANK_WEBHOOK_SECRET=${config.secrets.BANK_WEBHOOK_SECRET}`,
        '',
        'Forward real Stripe test-mode events (the CLI prints its own signing secret: start with STRIPE_WEBHOOK_SECRET=<that>):',
        `  stripe listen --forward-to localhost:${new URL(apiUrl).port}/webhooks/stripe`,
        '',
        `Try: curl -H "Authorization: Bearer ${config.secrets.ADMIN_API_KEY}" -H 'content-type: application/json' \\`,
        `       -d '{"name":"Ada","email":"ada@example.com"}' ${apiUrl}/customers`,
        'Ctrl-C stops everything.',
        'READY',
      ].join('\n'),
    );
    return { apiUrl, ...emulators, queueUrls, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The staff member a developer signs in to the console as: `CONSOLE_STAFF_EMAIL` (default ar@example.com; empty: none),
 * a collector, added once (the directory is idempotent by address; a member already there is left as it is).
 */
async function localStaffMember(log: (line: string) => void): Promise<string | undefined> {
  const email = (process.env.CONSOLE_STAFF_EMAIL ?? 'ar@example.com').trim();
  if (!email) return undefined;
  const input = newStaffMemberSchema.safeParse({ email, name: process.env.CONSOLE_STAFF_NAME?.trim() || 'AR team', role: 'collector' });
  if (!input.success) {
    log(`Staff console: CONSOLE_STAFF_EMAIL is not an e-mail address; no member added`);
    return undefined;
  }
  try {
    await addStaffMember(input.data, new Date());
  } catch (error) {
    // Already a member under another name or role (changed by hand): kept as it is.
    if (!(error instanceof Conflict)) throw error;
    log(`Staff console: ${email} is already a member (${error.message}); left as it is`);
  }
  return email;
}

async function main(): Promise<void> {
  let stack: LocalStack | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    stack = await startLocalStack(loadConfig());
  } catch (error) {
    if (error instanceof PrerequisiteError) {
      console.error(error.message);
    } else {
      console.error(`Could not start the local stack: ${(error as Error).message}`);
    }
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
