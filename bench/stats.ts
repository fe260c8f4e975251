/** Small helpers shared by the benchmark parts: percentiles, rounding, bounded loops. */

/** Nearest-rank percentile (p in 0..100) of an unsorted list; NaN when empty. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function summarise(values: ArrayLike<number>): { p50: number; p95: number; p99: number; max: number; mean: number } {
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    sum += v;
    if (v > max) max = v;
  }
  return {
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    max: round(values.length ? max : Number.NaN),
    mean: round(values.length ? sum / values.length : Number.NaN),
  };
}

export function round(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `task(i)` for i = 0..count−1 with at most `concurrency` in flight, and stops starting new ones once
 * `timeLimitMs` has passed. Returns how many were started and the wall time.
 */
export async function runBounded(
  count: number,
  concurrency: number,
  timeLimitMs: number,
  task: (i: number) => Promise<void>,
): Promise<{ started: number; wallMs: number; timedOut: boolean }> {
  const t0 = performance.now();
  const deadline = t0 + timeLimitMs;
  let next = 0;
  let timedOut = false;
  const worker = async () => {
    for (;;) {
      if (next >= count) return;
      if (performance.now() > deadline) {
        timedOut = true;
        return;
      }
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return { started: next, wallMs: performance.now() - t0, timedOut };
}

/** Mulberry32 (shared/domain/random.ts): deterministic inputs for the benchmarks. */
export { mulberry32 } from '../shared/domain/random.ts';
