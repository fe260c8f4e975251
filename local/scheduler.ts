/** Fires scheduled functions on their manifest cron, with an EventBridge-shaped event whose `time` is the firing time. */
import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import { functions, scheduledEvent, type CronSpec, type FunctionSpec } from '../shared/topology.ts';
import type { SweepKind } from '../shared/handlers/scheduled.ts';
import { invoke, loadHandler } from './invoke.ts';

/** EventBridge cron fields → a 5-field cron for croner (`?` means "any"; `0/5` is "every 5 from 0"). */
export function toCronExpression(spec: CronSpec): string {
  const max = [59, 23, 31, 12, 7];
  const field = (v: string | undefined, i: number) => {
    if (v === undefined || v === '?') return '*';
    // EventBridge "start/step" → "start-max/step" (croner wants a range or * before a step).
    return v.replace(/^(\d+)\/(\d+)$/, (_m, start: string, step: string) => `${start}-${max[i]}/${step}`);
  };
  return [spec.minute, spec.hour, spec.day, spec.month, spec.weekDay].map(field).join(' ');
}

function scheduledFunctions(): { fn: FunctionSpec; cron: CronSpec }[] {
  return functions.flatMap((fn) => fn.triggers.flatMap((t) => (t.type === 'schedule' ? [{ fn, cron: t.cron }] : [])));
}

/**
 * Invokes a scheduled function as if fired at `time`; undefined if no such scheduled function. With `ifDue`, a sweep
 * (reminders, interest, escalation) whose index has nothing due at `time` is not invoked: such a run only fans empty
 * pages out to the collections worker, so skipping it changes nothing — and time travel replays hundreds of hours in
 * which nothing is due. The answer then names the sweep's index and its earliest key (`sweepWouldFind`: local/time-
 * travel.ts skips later runs with it until something changes). Other schedules always run.
 */
export async function fireSchedule(name: string, time: Date, options: { ifDue?: boolean } = {}): Promise<unknown> {
  const entry = scheduledFunctions().find((s) => s.fn.name === name);
  if (!entry) return undefined;
  // EventBridge's `time` has whole seconds: the run's "now".
  const eventTime = time.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const sweep = options.ifDue ? ((await loadHandler(entry.fn)) as { sweep?: SweepKind }).sweep : undefined;
  if (sweep) {
    // Loaded when first asked, as the handlers are (after the stack's environment is set).
    const { sweepEarliestKey, sweepWouldFind } = await import('../shared/services/collections.ts');
    const earliestKey = await sweepEarliestKey(sweep);
    if (!sweepWouldFind(sweep, earliestKey, new Date(eventTime))) return { skipped: 'nothing due', sweep, earliestKey: earliestKey ?? null };
  }
  const event = scheduledEvent({
    name,
    time: eventTime,
    scheduleArn: `arn:aws:scheduler:local:000000000000:schedule/default/${name}`,
    executionId: randomUUID(),
  });
  return (await invoke(entry.fn, event)) ?? null;
}

export function startScheduler(log: (line: string) => void): { stop(): void; jobs: { name: string; cron: string; next: Date | null }[] } {
  const crons: Cron[] = [];
  const jobs = scheduledFunctions().map(({ fn, cron }) => {
    const expression = toCronExpression(cron);
    const job = new Cron(expression, { timezone: 'UTC', protect: true }, async (self: Cron) => {
      const time = self.currentRun() ?? new Date();
      try {
        const result = await fireSchedule(fn.name, time);
        log(`[schedule] ${fn.name} fired for ${time.toISOString()}: ${JSON.stringify(result)}`);
      } catch (error) {
        log(`[schedule] ${fn.name} failed: ${(error as Error).message}`);
      }
    });
    crons.push(job);
    return { name: fn.name, cron: expression, next: job.nextRun() };
  });
  return { stop: () => crons.forEach((c) => c.stop()), jobs };
}
