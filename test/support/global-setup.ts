/**
 * Starts the whole local stack once for the test run — the same `local/start.ts` that `npm start` runs, on free
 * ports, in memory, with schedules fired only by hand — and hands its endpoints to the tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freePort } from '../../local/emulators.ts';

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
  logFile: string;
  paymentsQueueUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

let child: ChildProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  const [port, dynamodbPort, sqsPort, sesPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const logFile = join(tmpdir(), `collections-test-stack-${process.pid}.log`);
  const secrets = {
    ADMIN_API_KEY: 'test-admin-key',
    STRIPE_WEBHOOK_SECRET: 'whsec_test_secret',
    BANK_WEBHOOK_SECRET: 'test-bank-secret',
    LINK_SIGNING_SECRET: 'test-link-secret',
  };
  const log = createWriteStream(logFile);
  child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--in-memory', '--no-schedules'], {
    env: {
      ...process.env,
      ...secrets,
      PORT: String(port),
      DYNAMODB_PORT: String(dynamodbPort),
      SQS_PORT: String(sqsPort),
      SES_PORT: String(sesPort),
      TABLE_NAME: 'collections-test',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.pipe(log);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local stack not ready within 90 s; see ${logFile}`)), 90_000);
    let out = '';
    child?.stdout?.on('data', (d: Buffer) => {
      log.write(d);
      out += d.toString();
      if (out.includes('\nREADY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child?.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local stack exited with ${code} before it was ready; see ${logFile}`));
    });
  });
  const sqsEndpoint = `http://127.0.0.1:${sqsPort}`;
  const sqs = new SQSClient({ endpoint: sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'payments' }));
  sqs.destroy();
  project.provide('stack', {
    paymentsQueueUrl: new URL(new URL(QueueUrl as string).pathname, sqsEndpoint).href,
    apiUrl: `http://127.0.0.1:${port}`,
    dynamodbEndpoint: `http://127.0.0.1:${dynamodbPort}`,
    sqsEndpoint: `http://127.0.0.1:${sqsPort}`,
    sesEndpoint: `http://127.0.0.1:${sesPort}`,
    tableName: 'collections-test',
    adminKey: secrets.ADMIN_API_KEY,
    stripeWebhookSecret: secrets.STRIPE_WEBHOOK_SECRET,
    bankWebhookSecret: secrets.BANK_WEBHOOK_SECRET,
    linkSigningSecret: secrets.LINK_SIGNING_SECRET,
    logFile,
  });
}

export async function teardown(): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child?.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}
