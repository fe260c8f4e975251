/**
 * Starts the local stack for the benchmark as a child process (local/child-stack.ts, as the tests do) and samples
 * the CPU its processes use.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { startChildStack, type StackInfo } from '../local/child-stack.ts';

export interface BenchStack extends StackInfo {
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

export async function startBenchStack(readyTimeoutMs = 90_000): Promise<BenchStack> {
  const started = performance.now();
  const stack = await startChildStack({
    name: 'bench',
    tableName: 'collections-bench',
    secrets: {
      ADMIN_API_KEY: 'bench-admin-key',
      STRIPE_WEBHOOK_SECRET: 'whsec_bench_secret',
      BANK_WEBHOOK_SECRET: 'bench-bank-secret',
      LINK_SIGNING_SECRET: 'bench-link-secret',
    },
    readyTimeoutMs,
  });
  return { ...stack.info, startupMs: performance.now() - started, cpu: () => sampleCpu(stack.child.pid), stop: stack.stop };
}
