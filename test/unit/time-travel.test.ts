/**
 * Time travel's shortcut (local/time-travel.ts, local/scheduler.ts): a sweep with nothing due is not run, and a replay
 * skips such runs without asking the stack again until something changes. Skipping is only sound if "nothing due" is
 * exactly the sweep's own due slice — these pin the boundaries and the replay's bookkeeping.
 */
import { describe, expect, it } from 'vitest';
import { sweepWouldFind } from '../../shared/services/collections.ts';
import { Replay, type FireOutcome, type StackDriver } from '../../local/time-travel.ts';

describe('sweepWouldFind: the due slice of a run at `now`, given the index’s earliest key', () => {
  it('the reminder index is keyed by instant: due from that instant on, not a second before', () => {
    const key = '2027-03-24T13:00:00.000Z#inv_1';
    expect(sweepWouldFind('dunning', key, new Date('2027-03-24T12:59:59Z'))).toBe(false);
    expect(sweepWouldFind('dunning', key, new Date('2027-03-24T13:00:00Z'))).toBe(true);
    expect(sweepWouldFind('dunning', key, new Date('2027-05-01T00:00:00Z'))).toBe(true);
  });

  it('the interest and escalation indexes are keyed by local date: due once it is that date anywhere (UTC+14)', () => {
    for (const kind of ['interest', 'escalation'] as const) {
      const key = '2027-05-15#inv_1';
      expect(sweepWouldFind(kind, key, new Date('2027-05-14T09:59:59Z'))).toBe(false);
      expect(sweepWouldFind(kind, key, new Date('2027-05-14T10:00:00Z'))).toBe(true);
    }
  });

  it('an empty index finds nothing, whenever', () => {
    expect(sweepWouldFind('dunning', undefined, new Date('2099-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('a replay', () => {
  /** A driver whose stack has one reminder due at 13:00 until a run sends it (then nothing is due). */
  function fakeDriver() {
    const asked: string[] = [];
    let earliestKey: string | undefined = '2027-03-24T13:00:00.000Z#inv_1';
    const driver = {
      async fire(name: string, time: Date | string): Promise<FireOutcome> {
        const now = new Date(time);
        asked.push(`${name} ${now.toISOString().slice(11, 16)}`);
        if (sweepWouldFind('dunning', earliestKey, now)) {
          earliestKey = undefined;
          return { ran: true };
        }
        return { ran: false, sweep: 'dunning', earliestKey };
      },
    } as unknown as StackDriver;
    return { driver, asked };
  }

  it('asks the stack once, skips the runs the earliest key shows would find nothing, runs the due one', async () => {
    const { driver, asked } = fakeDriver();
    const replay = new Replay(driver);
    for (let h = 0; h < 24; h += 3) await replay.fire('reminders', `2027-03-24T${String(h).padStart(2, '0')}:00:00Z`);
    // 00:00 asks (skipped, key 13:00); 03:00–12:00 skipped without asking; 15:00 runs; 18:00 asks again after the run.
    expect(asked).toEqual(['reminders 00:00', 'reminders 15:00', 'reminders 18:00']);
  });

  it('asks again after changed(), and never skips another schedule on a sweep’s key', async () => {
    const { driver, asked } = fakeDriver();
    const replay = new Replay(driver);
    await replay.fire('reminders', '2027-03-24T01:00:00Z');
    await replay.fire('reminders', '2027-03-24T02:00:00Z');
    replay.changed();
    await replay.fire('reminders', '2027-03-24T03:00:00Z');
    await replay.fire('statements', '2027-03-24T04:00:00Z');
    expect(asked).toEqual(['reminders 01:00', 'reminders 03:00', 'statements 04:00']);
  });
});
