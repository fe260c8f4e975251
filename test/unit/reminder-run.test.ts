import { describe, expect, it } from 'vitest';
import {
  effectiveDueDate,
  pendingLateFee,
  planDunning,
  type CollectionsCustomer,
  type DunningPlan,
  type IndexUpdate,
} from '../../shared/domain/collections.ts';
import { DEFAULT_LADDER, type DunningStep } from '../../shared/domain/dunning.ts';
import {
  discountShown,
  interestAnnounced,
  lateFeeAnnounced,
  MAX_ITEMS_PER_MAIL,
  REMINDER_RUN_ACTIONS,
  reminderItem,
  reminderRunWrites,
  sendsLetter,
} from '../../shared/domain/reminder-run.ts';
import { DEFAULT_TERMS, type PaymentTerms } from '../../shared/domain/terms.ts';
import { collectionsInvoice } from '../support/domain-fixtures.ts';

const berlin: CollectionsCustomer = { id: 'cus_1', timeZone: 'Europe/Berlin' };
/** Tuesday 13 April 2027, 10:00 in Berlin. */
const tuesday10 = new Date('2027-04-13T08:00:00Z');
const step = (id: string) => DEFAULT_LADDER.find((s) => s.id === id) as DunningStep;

const inv = collectionsInvoice;

const update = (invoiceId: string, fields: Partial<IndexUpdate> = {}): IndexUpdate => ({
  invoiceId,
  expectedVersion: 1,
  expectedLastStep: undefined,
  nextActionAt: '2027-04-20T07:00:00.000Z',
  ...fields,
});

/** A plan with `sent` invoices sent `stepId` (with an escalation marker each when `escalate`) and `waiting` others. */
function planOf(sent: number, waiting: number, opts: { stepId?: string; escalate?: boolean } = {}): DunningPlan {
  const s = step(opts.stepId ?? 'firm');
  const sentIds = Array.from({ length: sent }, (_, i) => `s${String(i).padStart(3, '0')}`);
  const waitIds = Array.from({ length: waiting }, (_, i) => `w${String(i).padStart(3, '0')}`);
  return {
    ...(sent ? { mail: { step: s, items: sentIds.map((id) => ({ invoice: inv({ id }), step: s })) } } : {}),
    updates: [
      ...sentIds.map((id) => update(id, { sentStep: s.id, ...(opts.escalate ? { escalateOn: '2027-05-01' } : {}) })),
      ...waitIds.map((id) => update(id)),
    ],
  };
}

/** Actions the store's commitDunning writes for these updates (mail + letter counted as 2 when there is a mail). */
function actions(changed: readonly IndexUpdate[], mail: boolean): number {
  return (mail ? 2 : 0) + changed.reduce((n, u) => n + 1 + (u.escalateOn ? 1 : 0), 0);
}

describe('reminderRunWrites: per-mail cap and write budget', () => {
  it('sends at most MAX_ITEMS_PER_MAIL (40) invoices; the rest lose their step and stay due at now', () => {
    const plan = planOf(55, 0, { escalate: true });
    const run = reminderRunWrites(plan, new Map(), tuesday10);
    expect(MAX_ITEMS_PER_MAIL).toBe(40);
    expect(run.mail?.items).toHaveLength(40);
    const sent = run.changed.filter((u) => u.sentStep);
    expect(sent.map((u) => u.invoiceId)).toEqual(run.mail?.items.map((i) => i.invoice.id));
    const deferred = run.changed.filter((u) => !u.sentStep);
    expect(deferred).toHaveLength(15);
    for (const u of deferred) {
      expect(u.escalateOn).toBeUndefined();
      expect(u.nextActionAt).toBe(tuesday10.toISOString());
    }
    // The caller's plan is not changed.
    expect(plan.updates.filter((u) => u.sentStep)).toHaveLength(55);
  });

  it('writes only what changes: an invoice already at its place in the index is not written', () => {
    const plan = planOf(1, 2);
    const indexed = new Map<string, string | null>([
      ['w000', '2027-04-20T07:00:00.000Z'], // unchanged
      ['w001', '2027-04-19T07:00:00.000Z'], // moves
    ]);
    const run = reminderRunWrites(plan, indexed, tuesday10);
    expect(run.changed.map((u) => u.invoiceId)).toEqual(['s000', 'w001']);
  });

  it('never exceeds one transaction: steps sent first, index moves while REMINDER_RUN_ACTIONS (99) last', () => {
    expect(REMINDER_RUN_ACTIONS).toBeLessThan(100);
    for (const [sent, waiting, escalate] of [
      [40, 200, true],
      [40, 200, false],
      [60, 10, true],
      [0, 250, false],
      [3, 0, true],
    ] as const) {
      const run = reminderRunWrites(planOf(sent, waiting, { escalate }), new Map(), tuesday10);
      const total = actions(run.changed, run.mail !== undefined);
      expect(total).toBeLessThanOrEqual(REMINDER_RUN_ACTIONS);
      // Every step sent is written, before any index move.
      const firstMove = run.changed.findIndex((u) => !u.sentStep);
      const lastSent = run.changed.map((u) => !!u.sentStep).lastIndexOf(true);
      if (firstMove >= 0) expect(lastSent).toBeLessThan(firstMove);
      expect(run.changed.filter((u) => u.sentStep)).toHaveLength(Math.min(sent, MAX_ITEMS_PER_MAIL));
      // The budget is used up when there is more to write than it holds.
      if (sent + waiting > 60) expect(total).toBeGreaterThanOrEqual(REMINDER_RUN_ACTIONS - 1);
    }
  });

  it('with 40 items and 40 escalation markers the mail still fits (2 + 80 actions) and moves fill the rest', () => {
    const run = reminderRunWrites(planOf(40, 100, { escalate: true }), new Map(), tuesday10);
    expect(run.changed.filter((u) => u.sentStep)).toHaveLength(40);
    expect(run.changed.filter((u) => !u.sentStep)).toHaveLength(REMINDER_RUN_ACTIONS - 82);
  });

  it('no mail: only index moves, up to the whole budget', () => {
    const run = reminderRunWrites(planOf(0, 150), new Map(), tuesday10);
    expect(run.mail).toBeUndefined();
    expect(run.changed).toHaveLength(REMINDER_RUN_ACTIONS);
  });

  it('agrees with planDunning end to end: one due invoice is one item and one write', () => {
    const plan = planDunning(berlin, [inv({ id: 'a', dueDate: '2027-04-09' })], tuesday10);
    const run = reminderRunWrites(plan, new Map(), tuesday10);
    expect(run.mail?.step.id).toBe('gentle');
    expect(run.changed.map((u) => [u.invoiceId, u.sentStep])).toEqual([['a', 'gentle']]);
  });
});

describe('sendsLetter: formal notices by post', () => {
  const withLetters = { dunning: { letters: true }, postalAddress: ['Acme GmbH', 'Hauptstr. 1', '10115 Berlin'] };
  it('a final notice or the handover goes by post when the customer asked for letters and an address is on file', () => {
    expect(sendsLetter(step('final-notice'), withLetters)).toBe(true);
    expect(sendsLetter(step('legal-handover'), withLetters)).toBe(true);
  });
  it('email steps never; nor without the wish or without an address', () => {
    expect(sendsLetter(step('firm'), withLetters)).toBe(false);
    expect(sendsLetter(step('final-notice'), { ...withLetters, dunning: {} })).toBe(false);
    expect(sendsLetter(step('final-notice'), { ...withLetters, dunning: { letters: false } })).toBe(false);
    expect(sendsLetter(step('final-notice'), { dunning: { letters: true } })).toBe(false);
    expect(sendsLetter(step('final-notice'), { dunning: { letters: true }, postalAddress: [] })).toBe(false);
  });
});

describe('reminder items: what each invoice states', () => {
  const discount = { earlyPaymentDiscount: { until: '2027-04-10', amount: 2_000, basisPoints: 200 } };

  it('shows the discount while open and nothing was paid: on its last day yes, the next day or after a part payment no', () => {
    expect(discountShown(inv(discount), '2027-04-10')).toEqual({ until: '2027-04-10', discountedAmount: 98_000 });
    expect(discountShown(inv(discount), '2027-04-11')).toBeUndefined();
    expect(discountShown(inv({ ...discount, balanceDue: 99_000 }), '2027-04-01')).toBeUndefined();
    expect(discountShown(inv(), '2027-04-01')).toBeUndefined();
  });

  it('announces the fixed late fee until it is charged, from the due date in force + grace + 1', () => {
    const terms: PaymentTerms = { ...DEFAULT_TERMS, fixedLateFee: { EUR: 500 }, graceDays: 3 };
    expect(lateFeeAnnounced(inv({ terms }))).toEqual({ amount: 500, from: '2027-04-04' });
    expect(lateFeeAnnounced(inv({ terms, extension: { dueDate: '2027-04-30', reason: 'hardship', grantedAt: '2027-04-01T00:00:00Z' } }))).toEqual({
      amount: 500,
      from: '2027-05-04',
    });
    expect(lateFeeAnnounced(inv({ terms, lateFeeCharged: true }))).toBeUndefined();
    expect(lateFeeAnnounced(inv({ terms, currency: 'USD' }))).toBeUndefined();
    expect(lateFeeAnnounced(inv({ terms: { ...terms, fixedLateFee: { EUR: 0 } } }))).toBeUndefined();
    expect(lateFeeAnnounced(inv({ terms: undefined }))).toBeUndefined();
    expect(pendingLateFee(inv({ terms }))).toBe(500);
    expect(pendingLateFee(inv({ terms, lateFeeCharged: true }))).toBeUndefined();
  });

  it('announces late interest only when the terms charge it', () => {
    const interest: PaymentTerms = { ...DEFAULT_TERMS, graceDays: 5, lateInterest: { mode: 'simple', annualRateBasisPoints: 800, startDaysPastDue: 10 } };
    expect(interestAnnounced(inv({ terms: interest }))).toBe('2027-04-11'); // 31 Mar + max(5, 10) + 1
    expect(interestAnnounced(inv({ terms: { ...DEFAULT_TERMS, lateInterest: { mode: 'none' } } }))).toBeUndefined();
    expect(interestAnnounced(inv({ terms: undefined }))).toBeUndefined();
  });

  it('reminderItem lists the due date in force and only the terms that apply', () => {
    const extended = inv({ ...discount, extension: { dueDate: '2027-04-30', reason: 'hardship', grantedAt: '2027-04-01T00:00:00Z' }, terms: { ...DEFAULT_TERMS, lateInterest: { mode: 'none' } } });
    expect(reminderItem(extended, '2027-04-05', 'https://pay/x')).toEqual({
      invoiceNumber: 'INV-1',
      currency: 'EUR',
      balanceDue: 100_000,
      dueDate: '2027-04-30',
      paymentReference: 'RF18539007547034',
      payLink: 'https://pay/x',
      discount: { until: '2027-04-10', discountedAmount: 98_000 },
    });
  });
});

describe('effectiveDueDate', () => {
  it("is the extension's due date, else the invoice's, for any record carrying both", () => {
    expect(effectiveDueDate({ dueDate: '2027-03-31' })).toBe('2027-03-31');
    expect(effectiveDueDate({ dueDate: '2027-03-31', extension: { dueDate: '2027-04-30' } })).toBe('2027-04-30');
    expect(effectiveDueDate({ dueDate: '2027-03-31', extension: undefined })).toBe('2027-03-31');
  });
});
