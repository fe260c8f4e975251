import { describe, expect, it } from 'vitest';
import { adaptiveCadenceSchema, adaptLadder, cadenceFor, DEFAULT_ADAPTIVE_CADENCE, planOfferFirst, type CadenceCustomer } from '../../shared/domain/adaptive-cadence.ts';
import { escalationDecision, firstActionAt, planDunning, type CollectionsCustomer } from '../../shared/domain/collections.ts';
import { DEFAULT_LADDER } from '../../shared/domain/dunning.ts';
import { renderReminder } from '../../shared/domain/reminder-mail.ts';
import { collectionsInvoice as inv } from '../support/domain-fixtures.ts';

type Behaviour = NonNullable<CadenceCustomer['paymentBehaviour']>;
const behaviour = (fields: Partial<Behaviour>): Behaviour => ({
  riskBand: 'medium',
  invoicesObserved: 12,
  onTimeRate: 0.5,
  medianDaysLate: 5,
  trend: 'stable',
  asOf: '2027-04-01',
  ...fields,
});
const reliable = behaviour({ riskBand: 'low', onTimeRate: 0.92, medianDaysLate: 0 });
const lateRisk = behaviour({ riskBand: 'high', onTimeRate: 0.1, medianDaysLate: 38, trend: 'worsening' });
const customer = (b?: Behaviour, dunning?: CollectionsCustomer['dunning']): CollectionsCustomer => ({
  id: 'cus_1',
  timeZone: 'Europe/Berlin',
  ...(b ? { paymentBehaviour: b } : {}),
  ...(dunning ? { dunning } : {}),
});
/** 10:00 in Berlin on a weekday. */
const at = (date: string) => new Date(`${date}T08:00:00Z`);

describe('cadenceFor', () => {
  it('calls a low-risk customer with enough history reliable, a high-risk one likely late, and says why', () => {
    const r = cadenceFor(customer(reliable));
    expect(r).toMatchObject({ policy: 'reliable', riskBand: 'low', assessedAsOf: '2027-04-01' });
    expect(r.reason).toContain('reliable payer');
    expect(r.reason).toContain('92 % on time');
    expect(r.changes).toEqual(['no heads-up before the due date', 'no gentle nudge']);
    const h = cadenceFor(customer(lateRisk));
    expect(h).toMatchObject({ policy: 'likely_late', riskBand: 'high' });
    expect(h.reason).toContain('median 38 days after due');
    expect(h.changes[0]).toBe('heads-up 10 days before the due date');
  });

  it('keeps the standard ladder for medium risk, no assessment, too little history, staff cadence or when turned off', () => {
    expect(cadenceFor(customer(behaviour({})))).toMatchObject({ policy: 'standard', riskBand: 'medium' });
    expect(cadenceFor(customer())).toMatchObject({ policy: 'standard', reason: 'no payment behaviour assessed yet' });
    expect(cadenceFor(customer({ ...reliable, invoicesObserved: 2 })).policy).toBe('standard');
    // Low risk of 30+ days late, but a week late every time (or getting worse): keeps the nudges.
    expect(cadenceFor(customer({ ...reliable, onTimeRate: 0.3, medianDaysLate: 8 })).reason).toContain('not reliably on time');
    expect(cadenceFor(customer({ ...reliable, onTimeRate: 0.55, medianDaysLate: 1 })).policy).toBe('reliable');
    expect(cadenceFor(customer({ ...reliable, trend: 'worsening' })).policy).toBe('standard');
    expect(cadenceFor(customer(lateRisk, { cadence: 'default' })).policy).toBe('standard');
    expect(cadenceFor(customer(lateRisk, { adaptive: false })).reason).toBe('adaptive cadence turned off for this customer');
    const off = { ...DEFAULT_ADAPTIVE_CADENCE, enabled: false };
    expect(cadenceFor(customer(lateRisk), off).reason).toBe('adaptive cadence turned off for the account');
    // A customer may opt in where the account is off.
    expect(cadenceFor(customer(lateRisk, { adaptive: true }), off).policy).toBe('likely_late');
  });

  it('reads its settings with defaults, and names a bad field', () => {
    expect(adaptiveCadenceSchema.parse({})).toEqual(DEFAULT_ADAPTIVE_CADENCE);
    expect(adaptiveCadenceSchema.parse({ highRiskHeadsUpDays: 14 }).highRiskHeadsUpDays).toBe(14);
    const bad = adaptiveCadenceSchema.safeParse({ highRiskHeadsUpDays: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['highRiskHeadsUpDays']);
  });
});

describe('adaptLadder', () => {
  it('reliable: the minimal steps; likely late: only the heads-up moves earlier; escalation steps never move', () => {
    expect(adaptLadder(DEFAULT_LADDER, { policy: 'reliable' }).map((s) => s.id)).toEqual(['due-day', 'firm', 'final-notice', 'legal-handover']);
    const late = adaptLadder(DEFAULT_LADDER, { policy: 'likely_late' });
    expect(late.map((s) => [s.id, s.offsetDays])).toEqual([
      ['heads-up', -10],
      ['due-day', 0],
      ['gentle', 3],
      ['firm', 14],
      ['final-notice', 30],
      ['legal-handover', 45],
    ]);
    for (const policy of ['standard', 'reliable', 'likely_late'] as const) {
      for (const step of adaptLadder(DEFAULT_LADDER, { policy })) {
        if (step.kind === 'heads_up') continue;
        expect(step.offsetDays).toBe(DEFAULT_LADDER.find((s) => s.id === step.id)?.offsetDays);
      }
    }
    // A heads-up configured earlier than the policy's stays where it is.
    const earlier = adaptLadder([{ id: 'h', offsetDays: -20, tone: 'friendly', channel: 'email', kind: 'heads_up' }], { policy: 'likely_late' });
    expect(earlier[0]?.offsetDays).toBe(-20);
  });

  it('leads with the plan offer only on a likely-late payer’s first reminder', () => {
    expect(planOfferFirst({ policy: 'likely_late' }, [{}])).toBe(true);
    expect(planOfferFirst({ policy: 'likely_late' }, [{ lastStepSent: 'heads-up' }])).toBe(false);
    expect(planOfferFirst({ policy: 'standard' }, [{}])).toBe(false);
  });
});

describe('planDunning with the adaptive cadence', () => {
  const due = '2027-04-23'; // a Friday

  it('a high-risk payer’s invoice comes back 10 days before due; the heads-up then leads with the plan offer', () => {
    const issued = at('2027-03-24');
    expect(firstActionAt(customer(lateRisk), inv({ dueDate: due }), issued)).toBe('2027-04-13T07:00:00.000Z');
    expect(firstActionAt(customer(behaviour({})), inv({ dueDate: due }), issued)).toBe('2027-04-16T07:00:00.000Z');
    const plan = planDunning(customer(lateRisk), [inv({ dueDate: due })], at('2027-04-13'));
    expect(plan.mail?.step.id).toBe('heads-up');
    expect(plan.mail?.planOfferFirst).toBe(true);
    expect(plan.mail?.cadence?.policy).toBe('likely_late');
    // The standard customer gets nothing on that day.
    expect(planDunning(customer(behaviour({})), [inv({ dueDate: due })], at('2027-04-13')).mail).toBeUndefined();
  });

  it('a reliable payer gets no heads-up and no gentle nudge: first the due day, then +14', () => {
    const c = customer(reliable);
    expect(firstActionAt(c, inv({ dueDate: due }), at('2027-03-24'))).toBe('2027-04-23T07:00:00.000Z');
    expect(planDunning(c, [inv({ dueDate: due })], at('2027-04-16')).mail).toBeUndefined();
    const dueDay = planDunning(c, [inv({ dueDate: due })], at('2027-04-23'));
    expect(dueDay.mail?.step.id).toBe('due-day');
    expect(dueDay.mail?.cadence?.changes).toContain('no gentle nudge');
    const after = planDunning(c, [inv({ dueDate: due, lastStepSent: 'due-day' })], at('2027-04-27'));
    expect(after.mail).toBeUndefined();
    expect(after.updates[0]?.nextActionAt).toBe('2027-05-07T07:00:00.000Z'); // +14
  });

  it('leaves a high-risk payer alone while disputed, on hold, in a plan or under a promise to pay', () => {
    const c = customer(lateRisk);
    const day = at('2027-04-13');
    const dispute = { id: 'd', status: 'open' as const, source: 'customer' as const, reason: 'x', openedAt: '2027-04-01T00:00:00Z' };
    expect(planDunning(c, [inv({ dueDate: due, dispute })], day).mail).toBeUndefined();
    expect(planDunning(c, [inv({ dueDate: due, planId: 'plan_1' })], day).mail).toBeUndefined();
    const held = { ...c, holds: [{ id: 'h', reason: 'hardship', createdAt: '2027-04-01T00:00:00Z' }] };
    expect(planDunning(held, [inv({ dueDate: due })], day).mail).toBeUndefined();
    const promise = {
      id: 'pr_1',
      date: '2027-04-20',
      status: 'open' as const,
      madeAt: '2027-04-01T00:00:00Z',
      source: 'portal' as const,
      keptAtBalance: 0,
      until: '2027-04-21T22:00:00.000Z',
    };
    const promised = planDunning(c, [inv({ dueDate: due, promise })], day);
    expect(promised.mail).toBeUndefined();
    expect(promised.updates[0]?.nextActionAt).toBe(promise.until);
  });

  it('never escalates earlier than the terms allow', () => {
    const invoice = inv({ dueDate: '2027-03-01', lastStepSent: 'final-notice' });
    for (const b of [reliable, lateRisk]) {
      expect(escalationDecision(invoice, customer(b), at('2027-04-14'))).toMatchObject({ escalate: false, retryOn: '2027-04-15' });
      expect(escalationDecision(invoice, customer(b), at('2027-04-15'))).toEqual({ escalate: true });
    }
  });

  it('the mail leads with the plan offer when asked', () => {
    const base = {
      customerName: 'Ada',
      locale: 'en-GB',
      timeZone: 'Europe/London',
      tone: 'friendly' as const,
      kind: 'heads_up' as const,
      items: [{ invoiceNumber: 'INV-1', currency: 'EUR', balanceDue: 1000, dueDate: due, paymentReference: 'RF18539007547034', payLink: 'https://x/pay' }],
      payeeAccount: 'DE89',
      planRequestLink: 'https://x/plan',
    };
    const first = renderReminder({ ...base, planOfferFirst: true }).text;
    const normal = renderReminder(base).text;
    expect(first.indexOf('payment plan')).toBeLessThan(first.indexOf('INV-1'));
    expect(normal.indexOf('payment plan')).toBeGreaterThan(normal.indexOf('INV-1'));
  });
});
