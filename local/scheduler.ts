/** Fires scheduled functions on their manifest cron, with an EventBridge-shaped event whose `time` is the firing time. */
import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import { functions, scheduledEvent, type CronSpec, type FunctionSpec } from '../shared/topology.ts';
import { invoke } from './invoke.ts';

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

/** Invokes a scheduled function as if fired at `time`; undefined if no such scheduled function. */
export async function fireSchedule(name: string, time: Date): Promise<unknown> {
  const entry = scheduledFunctions().find((s) => s.fn.name === name);
  if (!entry) return undefined;
  const event = scheduledEvent({
    name,
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
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
