/**
 * Starts the local stack for the benchmark as a child process — the same `local/start.ts` as `npm start`, on free
 * ports, in memory, schedules off — exactly as test/support/global-setup.ts does, and stops it again.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freePort } from '../local/emulators.ts';

export interface BenchStack {
  apiUrl: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  sesEndpoint: string;
  tableName: string;
  adminKey: string;
  stripeWebhookSecret: string;
  paymentsQueueUrl: string;
  logFile: string;
  startupMs: number;
  /** CPU seconds used so far by the stack's Node process, by DynamoDB Local (Java) and by this process (Linux /proc). */
  cpu(): CpuSample;
  stop(): Promise<void>;
}

export interface CpuSample {
  at: number;
  stackNode?: number;
  dynamodbLocal?: number;
  bench: number;
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** [ppid, cpu seconds, command name] of a process from /proc/<pid>/stat, or undefined. */
function procStat(pid: number): [number, number, string] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[1]), (Number(fields[11]) + Number(fields[12])) / clockTicks(), name];
  } catch {
    return undefined;
  }
}

function sampleCpu(stackPid: number | undefined): CpuSample {
  const own = process.cpuUsage();
  const sample: CpuSample = { at: performance.now(), bench: (own.user + own.system) / 1e6 };
  if (stackPid === undefined) return sample;
  sample.stackNode = procStat(stackPid)?.[1];
  try {
    let java = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const st = procStat(Number(entry));
      if (st && st[0] === stackPid && st[2] === 'java') java += st[1];
    }
    sample.dynamodbLocal = java;
  } catch {
    sample.dynamodbLocal = undefined;
  }
  return sample;
}

/** Share of one CPU each process used between two samples (1 = one core busy). */
export function cpuBetween(a: CpuSample, b: CpuSample): { stackNode?: number; dynamodbLocal?: number; bench: number; wallS: number } {
  const wall = (b.at - a.at) / 1000;
  const share = (x?: number, y?: number) => (x === undefined || y === undefined ? undefined : Math.round(((y - x) / wall) * 100) / 100);
  return {
    stackNode: share(a.stackNode, b.stackNode),
    dynamodbLocal: share(a.dynamodbLocal, b.dynamodbLocal),
    bench: share(a.bench, b.bench) as number,
    wallS: Math.round(wall * 10) / 10,
  };
}

const SECRETS = {
  ADMIN_API_KEY: 'bench-admin-key',
  STRIPE_WEBHOOK_SECRET: 'whsec_bench_secret',
  BANK_WEBHOOK_SECRET: 'bench-bank-secret',
};
const TABLE = 'collections-bench';

export async function startBenchStack(readyTimeoutMs = 90_000): Promise<BenchStack> {
  const started = performance.now();
  const [port, dynamodbPort, sqsPort, sesPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const logFile = join(tmpdir(), `collections-bench-stack-${process.pid}.log`);
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--in-memory', '--no-schedules'], {
    env: {
      ...process.env,
      ...SECRETS,
      PORT: String(port),
      DYNAMODB_PORT: String(dynamodbPort),
      SQS_PORT: String(sqsPort),
      SES_PORT: String(sesPort),
      TABLE_NAME: TABLE,
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
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'payments' }));
    sqs.destroy();
    return {
      apiUrl: `http://127.0.0.1:${port}`,
      dynamodbEndpoint: `http://127.0.0.1:${dynamodbPort}`,
      sqsEndpoint,
      sesEndpoint: `http://127.0.0.1:${sesPort}`,
      tableName: TABLE,
      adminKey: SECRETS.ADMIN_API_KEY,
      stripeWebhookSecret: SECRETS.STRIPE_WEBHOOK_SECRET,
      paymentsQueueUrl: new URL(new URL(QueueUrl as string).pathname, sqsEndpoint).href,
      logFile,
      startupMs: performance.now() - started,
      cpu: () => sampleCpu(child.pid),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
