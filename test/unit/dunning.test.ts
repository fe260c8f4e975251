import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LADDER,
  dueStep,
  dunningMailKey,
  groupForCustomer,
  isSendingTime,
  ladderForCustomer,
  localParts,
  nextSendingTime,
  timeZoneOffsetMs,
  zonedInstant,
  type DueStepInput,
  type DunningStep,
} from '../../shared/domain/dunning.ts';

const HOUR = 3_600_000;

/** Independent of the module under test: local date, hour and weekday via Intl. */
function local(instant: Date, timeZone: string): { date: string; hour: number; weekday: string } {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    weekday: 'short',
  });
  const parts = Object.fromEntries(f.formatToParts(instant).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour), weekday: String(parts.weekday) };
}

type Base = Omit<DueStepInput, 'now' | 'lastStepSent'>;

function baseInput(over: Partial<Base> = {}): Base {
  return {
    ladder: DEFAULT_LADDER,
    dueDate: '2026-03-22',
    timeZone: 'Europe/Berlin',
    holds: { active: false },
    disputed: false,
    balance: 100_000,
    currency: 'EUR',
    minimumAmounts: { EUR: 500 },
    ...over,
  };
}

interface Sent {
  id: string;
  date: string;
  hour: number;
}

/** An hourly scheduler from `start` for `days` days; `down(now)` skips a run (outage). */
function simulate(input: Base, start: string, days: number, down: (now: Date) => boolean = () => false) {
  const sent: Sent[] = [];
  const sentAt: Date[] = [];
  const waits: { at: Date; until: Date | undefined }[] = [];
  let last: string | undefined;
  const t0 = Date.parse(start);
  for (let h = 0; h <= days * 24; h++) {
    const now = new Date(t0 + h * HOUR);
    if (down(now)) continue;
    const d = dueStep({ ...input, now, ...(last ? { lastStepSent: last } : {}) });
    if (d.action === 'send') {
      const l = local(now, input.timeZone);
      sent.push({ id: d.step.id, date: l.date, hour: l.hour });
      sentAt.push(now);
      last = d.step.id;
    } else if (d.action === 'wait') {
      waits.push({ at: now, until: d.until });
    }
  }
  return { sent, sentAt, waits };
}

describe('dueStep: a 30-day invoice over 80 days of hourly runs', () => {
  it('Europe/Berlin: exactly the ladder, on the right local days, at the start of business hours (across DST)', () => {
    // Issued Fri 2026-02-20, due Sun 2026-03-22; DST starts Sun 2026-03-29.
    const input = baseInput({ dueDate: '2026-03-22', timeZone: 'Europe/Berlin' });
    const { sent } = simulate(input, '2026-02-20T00:00:00Z', 80);
    expect(sent).toEqual([
      { id: 'heads-up', date: '2026-03-16', hour: 9 }, // due −7 = Sun 03-15 → Mon
      { id: 'due-day', date: '2026-03-23', hour: 9 }, // Sun 03-22 → Mon
      { id: 'gentle', date: '2026-03-25', hour: 9 }, // Wed, CET
      { id: 'firm', date: '2026-04-06', hour: 9 }, // Sun 04-05 → Mon, CEST
      { id: 'final-notice', date: '2026-04-21', hour: 9 }, // Tue
      { id: 'legal-handover', date: '2026-05-06', hour: 9 }, // Wed
    ]);
  });

  it('America/Los_Angeles: exactly the ladder across the end of DST (2026-11-01)', () => {
    const input = baseInput({ dueDate: '2026-10-28', timeZone: 'America/Los_Angeles', currency: 'USD', minimumAmounts: { USD: 500 } });
    const { sent, sentAt } = simulate(input, '2026-09-28T00:00:00Z', 80);
    expect(sent).toEqual([
      { id: 'heads-up', date: '2026-10-21', hour: 9 },
      { id: 'due-day', date: '2026-10-28', hour: 9 },
      { id: 'gentle', date: '2026-11-02', hour: 9 }, // Sat 10-31 → Mon, now PST
      { id: 'firm', date: '2026-11-11', hour: 9 },
      { id: 'final-notice', date: '2026-11-27', hour: 9 },
      { id: 'legal-handover', date: '2026-12-14', hour: 9 }, // Sat 12-12 → Mon
    ]);
    // 09:00 PDT = 16:00Z, 09:00 PST = 17:00Z
    expect(sentAt.map((d) => d.toISOString().slice(11, 13))).toEqual(['16', '16', '17', '17', '17', '17']);
  });

  it("every 'wait until' is exactly the next send (the sparse next-action index never misses or wastes a run)", () => {
    for (const [tz, due, start] of [
      ['Europe/Berlin', '2026-03-22', '2026-02-20T00:00:00Z'],
      ['America/Los_Angeles', '2026-10-28', '2026-09-28T00:00:00Z'],
    ] as const) {
      const { sentAt, waits } = simulate(baseInput({ dueDate: due, timeZone: tz }), start, 80);
      for (const w of waits) {
        const next = sentAt.find((s) => s.getTime() >= w.at.getTime());
        expect(w.until?.toISOString()).toBe(next?.toISOString());
      }
    }
  });

  it('a five-day outage sends only the step now due, never the skipped ones', () => {
    const input = baseInput();
    const outage = (now: Date) => now >= new Date('2026-03-21T00:00:00Z') && now < new Date('2026-03-26T00:00:00Z');
    const { sent } = simulate(input, '2026-02-20T00:00:00Z', 80, outage);
    expect(sent.map((s) => `${s.id} ${s.date} ${s.hour}`)).toEqual([
      'heads-up 2026-03-16 9',
      'gentle 2026-03-26 9', // due-day (03-23) and gentle (03-25) were both missed: only gentle goes out
      'firm 2026-04-06 9',
      'final-notice 2026-04-21 9',
      'legal-handover 2026-05-06 9',
    ]);
  });

  it('an extension moves the whole ladder', () => {
    const { sent } = simulate(baseInput({ extendedDueDate: '2026-04-22' }), '2026-02-20T00:00:00Z', 110);
    expect(sent).toEqual([
      { id: 'heads-up', date: '2026-04-15', hour: 9 },
      { id: 'due-day', date: '2026-04-22', hour: 9 },
      { id: 'gentle', date: '2026-04-27', hour: 9 }, // Sat 04-25 → Mon
      { id: 'firm', date: '2026-05-06', hour: 9 },
      { id: 'final-notice', date: '2026-05-22', hour: 9 },
      { id: 'legal-handover', date: '2026-06-08', hour: 9 }, // Sat 06-06 → Mon
    ]);
  });

  it('the minimal cadence sends only due-day, +14, +30, +45', () => {
    const { sent } = simulate(baseInput({ ladder: ladderForCustomer({ cadence: 'minimal' }) }), '2026-02-20T00:00:00Z', 80);
    expect(sent.map((s) => s.id)).toEqual(['due-day', 'firm', 'final-notice', 'legal-handover']);
  });

  it('quiet hours push the send to the first allowed hour', () => {
    const { sent } = simulate(baseInput({ quietHours: { startHour: 20, endHour: 11 } }), '2026-02-20T00:00:00Z', 80);
    expect(sent.every((s) => s.hour === 11)).toBe(true);
    expect(sent).toHaveLength(6);
  });
});

describe('dueStep: local days and DST', () => {
  it('decides the day by the customer local date, not UTC', () => {
    // Due Fri 2026-03-27; gentle (+3) falls on Mon 2026-03-30, the day after DST started in Berlin.
    const input = baseInput({ dueDate: '2026-03-27' });
    const at = (iso: string, last?: string) => dueStep({ ...input, now: new Date(iso), ...(last ? { lastStepSent: last } : {}) });
    // 2026-03-30T06:59Z = 08:59 CEST: the day is right but it is before business hours
    expect(at('2026-03-30T06:59:00Z', 'due-day')).toEqual({
      action: 'wait',
      until: new Date('2026-03-30T07:00:00Z'),
      reason: "step gentle is due; outside the customer's sending hours",
    });
    expect(at('2026-03-30T07:00:00Z', 'due-day')).toMatchObject({ action: 'send', step: { id: 'gentle' } });
    // Sunday 2026-03-29 14:00 local: nothing is due yet; wait until Monday 09:00 CEST
    expect(at('2026-03-29T12:00:00Z', 'due-day')).toMatchObject({ action: 'wait', until: new Date('2026-03-30T07:00:00Z') });
  });

  it('overdue starts the next local day: in Los Angeles the evening of the due date is still the due date', () => {
    const input = baseInput({ dueDate: '2026-11-02', timeZone: 'America/Los_Angeles', currency: 'USD', minimumAmounts: {} });
    const ladder: DunningStep[] = [{ id: 'day-1', offsetDays: 1, tone: 'neutral', channel: 'email', kind: 'reminder' }];
    // 2026-11-03T07:30Z = 2026-11-02 23:30 PST (UTC already says the 3rd)
    expect(dueStep({ ...input, ladder, now: new Date('2026-11-03T07:30:00Z') })).toMatchObject({
      action: 'wait',
      until: new Date('2026-11-03T17:00:00Z'), // 09:00 PST on the 3rd
    });
    expect(dueStep({ ...input, ladder, now: new Date('2026-11-03T17:00:00Z') })).toMatchObject({ action: 'send' });
  });

  it('computes zone instants across DST gaps and overlaps', () => {
    expect(zonedInstant('2026-03-30', 9, 'Europe/Berlin').toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(zonedInstant('2026-03-27', 9, 'Europe/Berlin').toISOString()).toBe('2026-03-27T08:00:00.000Z');
    // 02:00 does not exist on 2026-03-29 in Berlin: the jump instant (01:00Z, local 03:00)
    expect(zonedInstant('2026-03-29', 2, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // 02:00 happens twice on 2026-10-25 in Berlin: the first (CEST) one
    expect(zonedInstant('2026-10-25', 2, 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:00:00.000Z');
    expect(zonedInstant('2026-03-08', 2, 'America/Los_Angeles').toISOString()).toBe('2026-03-08T10:00:00.000Z');
    expect(zonedInstant('2026-11-01', 1, 'America/Los_Angeles').toISOString()).toBe('2026-11-01T08:00:00.000Z');
    expect(zonedInstant('2026-06-01', 9, 'Asia/Kolkata').toISOString()).toBe('2026-06-01T03:30:00.000Z');
    expect(timeZoneOffsetMs(new Date('2026-07-01T00:00:00Z'), 'Europe/Berlin')).toBe(2 * HOUR);
    expect(timeZoneOffsetMs(new Date('2026-01-01T00:00:00Z'), 'America/Los_Angeles')).toBe(-8 * HOUR);
    expect(localParts(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2026-10-25', hour: 2, minute: 30 });
  });

  it('finds the next sending time over weekends and inside an open window', () => {
    // Fri 2026-03-27 17:30 CET → Mon 2026-03-30 09:00 CEST
    expect(nextSendingTime(new Date('2026-03-27T16:30:00Z'), '2026-03-27', 'Europe/Berlin').toISOString()).toBe('2026-03-30T07:00:00.000Z');
    // inside business hours: now itself
    expect(nextSendingTime(new Date('2026-03-27T10:15:00Z'), '2026-03-27', 'Europe/Berlin').toISOString()).toBe('2026-03-27T10:15:00.000Z');
    expect(isSendingTime(new Date('2026-03-27T15:59:00Z'), 'Europe/Berlin')).toBe(true); // 16:59
    expect(isSendingTime(new Date('2026-03-27T16:00:00Z'), 'Europe/Berlin')).toBe(false); // 17:00
    expect(() => nextSendingTime(new Date('2026-03-27T10:00:00Z'), '2026-03-27', 'UTC', { startHour: 9, endHour: 17, days: [] })).toThrow(/no time/);
  });
});

describe('dueStep: when nothing is sent', () => {
  const now = new Date('2026-04-06T08:00:00Z'); // Mon 10:00 CEST, firm is due
  const due = baseInput();

  it('sends the due step when nothing blocks it', () => {
    expect(dueStep({ ...due, now, lastStepSent: 'gentle' })).toMatchObject({ action: 'send', step: { id: 'firm' } });
  });

  it.each([
    ['paid', { balance: 0 }, 'paid'],
    ['disputed', { disputed: true }, 'disputed'],
    ['held', { holds: { active: true } }, 'on hold'],
    ['excluded', { excluded: true }, 'excluded'],
    ['below the minimum', { balance: 499 }, 'below the EUR minimum of 500'],
  ] as const)('%s → none', (_name, over, reason) => {
    const d = dueStep({ ...due, ...over, now, lastStepSent: 'gentle' });
    expect(d.action).toBe('none');
    expect(d.reason).toContain(reason);
  });

  it('a hold pauses until it expires', () => {
    const holds = { active: true, expiresAt: new Date('2026-04-06T09:00:00Z') };
    expect(dueStep({ ...due, holds, now, lastStepSent: 'gentle' })).toMatchObject({ action: 'none', reason: expect.stringContaining('on hold') });
    expect(dueStep({ ...due, holds, now: new Date('2026-04-06T09:00:00Z'), lastStepSent: 'gentle' })).toMatchObject({
      action: 'send',
      step: { id: 'firm' },
    });
  });

  it('the ladder finished → none; never a step at or before the last one sent', () => {
    expect(dueStep({ ...due, now: new Date('2026-06-01T08:00:00Z'), lastStepSent: 'legal-handover' })).toEqual({
      action: 'none',
      reason: 'ladder finished',
    });
    // firm already sent: on the same day the answer is to wait for final-notice
    expect(dueStep({ ...due, now, lastStepSent: 'firm' })).toMatchObject({ action: 'wait', until: new Date('2026-04-21T07:00:00Z') });
    expect(() => dueStep({ ...due, now, lastStepSent: 'nope' })).toThrow(/not a step/);
  });

  it('a last step from another cadence is placed by its offset', () => {
    const minimal = ladderForCustomer({ cadence: 'minimal' });
    expect(dueStep({ ...due, ladder: minimal, now, lastStepSent: 'gentle' })).toMatchObject({ action: 'send', step: { id: 'firm' } });
  });

  it('re-anchors to the oldest unpaid amount', () => {
    // After a partial payment the oldest unpaid amount is due 2026-04-01: firm (+14) is not due before 04-15.
    const d = dueStep({ ...due, anchorDate: '2026-04-01', now, lastStepSent: 'gentle' });
    expect(d).toMatchObject({ action: 'wait', until: new Date('2026-04-15T07:00:00Z') });
  });
});

describe('ladder and grouping', () => {
  it('applies tone overrides to emails only and rejects duplicate ids', () => {
    const ladder = ladderForCustomer({ tone: 'friendly' });
    expect(ladder.map((s) => s.tone)).toEqual(['friendly', 'friendly', 'friendly', 'friendly', 'formal', 'formal']);
    expect(DEFAULT_LADDER[3]?.tone).toBe('firm'); // the default is not mutated
    expect(() => ladderForCustomer({ cadence: [DEFAULT_LADDER[0] as DunningStep, DEFAULT_LADDER[0] as DunningStep] })).toThrow(/duplicate/);
    expect(ladderForCustomer({ cadence: [DEFAULT_LADDER[2] as DunningStep, DEFAULT_LADDER[0] as DunningStep] }).map((s) => s.id)).toEqual(['heads-up', 'gentle']);
  });

  it('one mail per customer per run, with the most advanced step', () => {
    const [headsUp, dueDay, gentle, firm] = DEFAULT_LADDER as [DunningStep, DunningStep, DunningStep, DunningStep];
    const batches = groupForCustomer([
      { invoiceId: 'i1', customerId: 'c1', step: gentle },
      { invoiceId: 'i2', customerId: 'c2', step: headsUp },
      { invoiceId: 'i3', customerId: 'c1', step: firm },
      { invoiceId: 'i4', customerId: 'c1', step: dueDay },
    ]);
    expect(batches.map((b) => ({ c: b.customerId, step: b.step.id, items: b.items.map((i) => i.invoiceId) }))).toEqual([
      { c: 'c1', step: 'firm', items: ['i1', 'i3', 'i4'] },
      { c: 'c2', step: 'heads-up', items: ['i2'] },
    ]);
    expect(groupForCustomer([])).toEqual([]);
    expect(dunningMailKey('i1', 'firm')).toBe('dunning#i1#firm');
  });
});

describe('dueStep: property over random outages and time zones', () => {
  const zones = ['Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/St_Johns', 'Pacific/Chatham', 'UTC', 'Asia/Tokyo'];

  it('sends in increasing ladder order, never twice, only in business hours, never before the step is due', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 364 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 80 * 24 }), fc.integer({ min: 1, max: 10 * 24 })), { maxLength: 4 }),
        fc.integer({ min: 0, max: 59 }),
        (timeZone, dayOfYear, outages, minute) => {
          const issue = new Date(Date.UTC(2026, 0, 1 + dayOfYear));
          const dueDate = new Date(issue.getTime() + 30 * 24 * HOUR).toISOString().slice(0, 10);
          const start = new Date(issue.getTime() + minute * 60_000).toISOString();
          const down = (now: Date) => {
            const h = Math.floor((now.getTime() - Date.parse(start)) / HOUR);
            return outages.some(([s, len]) => h >= s && h < s + len);
          };
          const { sent, sentAt, waits } = simulate(baseInput({ timeZone, dueDate }), start, 80, down);
          const positions = sent.map((s) => DEFAULT_LADDER.findIndex((l) => l.id === s.id));
          for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1] as number);
          for (const s of sent) {
            const step = DEFAULT_LADDER.find((l) => l.id === s.id) as DunningStep;
            const stepDate = new Date(Date.parse(dueDate) + step.offsetDays * 24 * HOUR).toISOString().slice(0, 10);
            expect(s.date >= stepDate).toBe(true);
            expect(s.hour).toBeGreaterThanOrEqual(9);
            expect(s.hour).toBeLessThan(17);
            const weekday = new Date(`${s.date}T12:00:00Z`).getUTCDay();
            expect([1, 2, 3, 4, 5]).toContain(weekday);
          }
          // Without an outage the whole ladder goes out.
          if (outages.length === 0) {
            expect(sent.map((s) => s.id)).toEqual(DEFAULT_LADDER.map((l) => l.id));
            // The next-action time is never after the next send, and that send is the first run at or after it.
            for (const w of waits) {
              const next = sentAt.find((s) => s.getTime() >= w.at.getTime());
              if (!next || !w.until) continue;
              expect(w.until.getTime()).toBeLessThanOrEqual(next.getTime());
              expect(next.getTime() - w.until.getTime()).toBeLessThan(HOUR);
            }
          }
          // The last step is always reached when the final outage ends early enough.
          const lastDown = Math.max(0, ...outages.map(([s, len]) => s + len));
          if (lastDown < 60 * 24) expect(sent.at(-1)?.id).toBe('legal-handover');
        },
      ),
      { numRuns: 40 },
    );
  });
});
