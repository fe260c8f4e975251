/**
 * Runs the whole local stack (`local/start.ts`, as `npm start` does) as a child process on free ports, in memory,
 * with schedules fired only by hand — for the test suite and the benchmark — and tells how to reach it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { queues, queueUrlEnvVar, type QueueId } from '../shared/topology.ts';
import { freePort } from './emulators.ts';

export interface StackSecrets {
  ADMIN_API_KEY: string;
  STRIPE_WEBHOOK_SECRET: string;
  BANK_WEBHOOK_SECRET: string;
  LINK_SIGNING_SECRET: string;
}

export interface StackInfo {
  apiUrl: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  sesEndpoint: string;
  tableName: string;
  adminKey: string;
  stripeWebhookSecret: string;
  bankWebhookSecret: string;
  linkSigningSecret: string;
  paymentsQueueUrl: string;
  /** Every manifest queue's URL, by queue id. */
  queueUrls: Record<string, string>;
  logFile: string;
}

export interface ChildStack {
  info: StackInfo;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startChildStack(options: {
  name: string;
  tableName: string;
  secrets: StackSecrets;
  readyTimeoutMs?: number;
  /** More environment for the stack (e.g. STRIPE_API_BASE for a Stripe stand-in). */
  env?: Record<string, string>;
}): Promise<ChildStack> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const [port, dynamodbPort, sqsPort, sesPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const logFile = join(tmpdir(), `collections-${options.name}-stack-${process.pid}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--in-memory', '--no-schedules'], {
    env: {
      ...process.env,
      ...options.secrets,
      ...options.env,
      PORT: String(port),
      DYNAMODB_PORT: String(dynamodbPort),
      SQS_PORT: String(sqsPort),
      SES_PORT: String(sesPort),
      TABLE_NAME: options.tableName,
      // Links in its mails point at this stack (not at a stack whose env the parent process carries).
      PUBLIC_BASE_URL: `http://localhost:${port}`,
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.pipe(log);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    log.end();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`local stack not ready within ${readyTimeoutMs / 1000} s; see ${logFile}`)), readyTimeoutMs);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        log.write(d);
        if (out.includes('\nREADY')) return;
        out += d.toString();
        if (out.includes('\nREADY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`local stack exited with ${code} before it was ready; see ${logFile}`));
      });
    });
    const sqsEndpoint = `http://127.0.0.1:${sqsPort}`;
    const sqs = new SQSClient({ endpoint: sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const queueUrls: Record<string, string> = {};
    for (const id of Object.keys(queues)) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: id }));
      queueUrls[id] = new URL(new URL(QueueUrl as string).pathname, sqsEndpoint).href;
    }
    sqs.destroy();
    return {
      child,
      stop,
      info: {
        apiUrl: `http://127.0.0.1:${port}`,
        dynamodbEndpoint: `http://127.0.0.1:${dynamodbPort}`,
        sqsEndpoint,
        sesEndpoint: `http://127.0.0.1:${sesPort}`,
        tableName: options.tableName,
        adminKey: options.secrets.ADMIN_API_KEY,
        stripeWebhookSecret: options.secrets.STRIPE_WEBHOOK_SECRET,
        bankWebhookSecret: options.secrets.BANK_WEBHOOK_SECRET,
        linkSigningSecret: options.secrets.LINK_SIGNING_SECRET,
        paymentsQueueUrl: queueUrls.payments as string,
        queueUrls,
        logFile,
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The environment that points this process's AWS clients and store modules at a child stack's emulators. */
export function clientEnv(info: StackInfo): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: info.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SQS: info.sqsEndpoint,
    AWS_ENDPOINT_URL_SESV2: info.sesEndpoint,
    TABLE_NAME: info.tableName,
    MAIL_FROM: 'billing@example.com',
    ...Object.fromEntries(Object.entries(info.queueUrls).map(([id, url]) => [queueUrlEnvVar(id as QueueId), url])),
    EVENT_BUS_NAME: 'local',
    ADMIN_API_KEY: info.adminKey,
    STRIPE_WEBHOOK_SECRET: info.stripeWebhookSecret,
    BANK_WEBHOOK_SECRET: info.bankWebhookSecret,
    LINK_SIGNING_SECRET: info.linkSigningSecret,
    STRIPE_API_KEY: 'sk_test_placeholder',
    PUBLIC_BASE_URL: info.apiUrl,
    PAYEE_ACCOUNT: 'DE89 3704 0044 0532 0130 00',
    // As the local runtime sets it: a test's webhook subscriber listens on 127.0.0.1.
    WEBHOOK_ALLOW_LOOPBACK: 'true',
  };
}
