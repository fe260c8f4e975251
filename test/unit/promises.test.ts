import { describe, expect, it } from 'vitest';
import { escalationDecision, planDunning, type CollectionsCustomer } from '../../shared/domain/collections.ts';
import { renderNotice } from '../../shared/domain/notice-mail.ts';
import {
  keepsPromise,
  mentionsBrokenPromise,
  minorUnitsFromDecimal,
  newPromise,
  PROMISE_GRACE_DAYS,
  promiseRefusal,
  promiseState,
  promiseUntil,
  settlePromise,
  type InvoicePromise,
} from '../../shared/domain/promises.ts';
import { reminderRunWrites } from '../../shared/domain/reminder-run.ts';
import { renderReminder } from '../../shared/domain/reminder-mail.ts';
import { disputesByReason, promiseKeptRate } from '../../shared/domain/reports.ts';
import { DEFAULT_TERMS } from '../../shared/domain/terms.ts';
import { collectionsInvoice } from '../support/domain-fixtures.ts';

const auckland = 'Pacific/Auckland';
const berlin: CollectionsCustomer = { id: 'cus_1', timeZone: 'Europe/Berlin' };
const open = (fields: Partial<Parameters<typeof promiseRefusal>[0]> = {}) => ({ balanceDue: 100_000, status: 'open' as const, terms: DEFAULT_TERMS, ...fields });

function promise(fields: Partial<InvoicePromise> = {}): InvoicePromise {
  return { id: 'prm_1', date: '2027-04-20', status: 'open', madeAt: '2027-04-13T08:00:00.000Z', source: 'portal', keptAtBalance: 0, until: '2027-04-23T22:00:00.000Z', ...fields };
}

describe('promise rules', () => {
  // 2027-04-13T20:00Z is already 14 April (08:00) in Auckland, still 13 April in Berlin.
  const now = new Date('2027-04-13T20:00:00Z');

  it('takes the date in the customer calendar: not in the past, at most 30 days ahead', () => {
    expect(promiseRefusal(open(), { date: '2027-04-13' }, now, 'Europe/Berlin')).toBeUndefined();
    expect(promiseRefusal(open(), { date: '2027-04-13' }, now, auckland)).toMatchObject({ kind: 'invalid', field: 'date' });
    expect(promiseRefusal(open(), { date: '2027-05-14' }, now, auckland)).toBeUndefined();
    expect(promiseRefusal(open(), { date: '2027-05-14' }, now, 'Europe/Berlin')).toMatchObject({ kind: 'invalid', field: 'date', message: expect.stringContaining('2027-05-13') });
  });

  it('refuses paid, disputed, escalated, planned and already promised invoices, and amounts beyond the balance', () => {
    const date = '2027-04-20';
    expect(promiseRefusal(open({ status: 'paid', balanceDue: 0 }), { date }, now, 'UTC')).toMatchObject({ code: 'invoice_paid' });
    expect(promiseRefusal(open({ dispute: { id: 'd' } }), { date }, now, 'UTC')).toMatchObject({ code: 'disputed' });
    expect(promiseRefusal(open({ escalatedAt: '2027-04-01T00:00:00Z' }), { date }, now, 'UTC')).toMatchObject({ code: 'escalated' });
    expect(promiseRefusal(open({ planId: 'plan_1' }), { date }, now, 'UTC')).toMatchObject({ code: 'in_plan' });
    expect(promiseRefusal(open({ promise: promise() }), { date }, now, 'UTC')).toMatchObject({ code: 'promise_open' });
    expect(promiseRefusal(open(), { date, amount: 100_001 }, now, 'UTC')).toMatchObject({ kind: 'invalid', field: 'amount' });
    expect(promiseRefusal(open(), { date, amount: 0 }, now, 'UTC')).toMatchObject({ kind: 'invalid', field: 'amount' });
    expect(promiseRefusal(open(), { date, amount: 100_000 }, now, 'UTC')).toBeUndefined();
  });

  it('limits re-promising after a broken promise: 14 days later, and never after two broken ones', () => {
    const broken = promise({ status: 'broken', settledAt: '2027-04-10T09:00:00.000Z' });
    expect(promiseRefusal(open({ promise: broken, brokenPromises: 1 }), { date: '2027-04-20' }, now, 'UTC')).toMatchObject({ code: 'recently_broken' });
    const later = new Date('2027-04-24T09:00:00Z');
    expect(promiseRefusal(open({ promise: broken, brokenPromises: 1 }), { date: '2027-04-30' }, later, 'UTC')).toBeUndefined();
    expect(promiseRefusal(open({ promise: broken, brokenPromises: 2 }), { date: '2027-04-30' }, later, 'UTC')).toMatchObject({ code: 'too_many_broken' });
    // A kept promise does not block a new one.
    expect(promiseRefusal(open({ promise: promise({ status: 'kept', settledAt: now.toISOString() }) }), { date: '2027-04-20' }, now, 'UTC')).toBeUndefined();
  });

  it('pauses until the start of the local day after the date plus the grace days (terms grace, else 3), DST-safe', () => {
    // Berlin: 2027-03-28 is the spring-forward day; the end of date + 3 days is midnight local (UTC+2 by then).
    expect(promiseUntil('2027-03-25', PROMISE_GRACE_DAYS, 'Europe/Berlin')).toBe('2027-03-28T22:00:00.000Z');
    expect(promiseUntil('2027-04-20', 3, auckland)).toBe('2027-04-23T12:00:00.000Z');
    const made = newPromise(open(), { id: 'p', date: '2027-04-20', source: 'portal' }, now, 'Europe/Berlin');
    expect(made).toMatchObject({ status: 'open', keptAtBalance: 0, until: '2027-04-23T22:00:00.000Z' });
    const withGrace = newPromise(open({ terms: { ...DEFAULT_TERMS, graceDays: 5 } }), { id: 'p', date: '2027-04-20', source: 'portal' }, now, 'UTC');
    expect(withGrace.until).toBe('2027-04-26T00:00:00.000Z');
  });

  it('is kept when the balance reaches 0, or when the promised part is received; broken once its end passes unpaid', () => {
    const part = newPromise(open(), { id: 'p', date: '2027-04-20', amount: 30_000, source: 'portal' }, now, 'UTC');
    expect(part).toMatchObject({ amount: 30_000, keptAtBalance: 70_000 });
    expect(keepsPromise(part, 70_001)).toBe(false);
    expect(keepsPromise(part, 70_000)).toBe(true);
    expect(promiseState(part, 80_000, new Date('2027-04-23T23:59:59Z'))).toBe('open');
    expect(promiseState(part, 80_000, new Date(part.until))).toBe('broken');
    expect(promiseState(part, 60_000, new Date(part.until))).toBe('kept');
    expect(promiseState(settlePromise(part, 'kept', now), 0, now)).toBe('settled');
    expect(promiseState(undefined, 0, now)).toBe('none');
  });

  it('mentions a broken promise in the first reminder after the break only', () => {
    const broken = settlePromise(promise(), 'broken', new Date('2027-04-24T09:00:00Z'));
    expect(mentionsBrokenPromise(broken, '2027-04-05T08:00:00.000Z')).toBe(true);
    expect(mentionsBrokenPromise(broken, undefined)).toBe(true);
    expect(mentionsBrokenPromise(broken, '2027-04-24T09:00:01.000Z')).toBe(false);
    expect(mentionsBrokenPromise(promise({ status: 'kept', settledAt: '2027-04-20T00:00:00Z' }), undefined)).toBe(false);
  });

  it('reads typed amounts in the currency units by string arithmetic', () => {
    expect(minorUnitsFromDecimal('120', 'EUR')).toBe(12_000);
    expect(minorUnitsFromDecimal('120,5', 'EUR')).toBe(12_050);
    expect(minorUnitsFromDecimal(' 0.07 ', 'EUR')).toBe(7);
    expect(minorUnitsFromDecimal('1500', 'JPY')).toBe(1_500);
    expect(minorUnitsFromDecimal('1.5', 'JPY')).toBeUndefined();
    expect(minorUnitsFromDecimal('1.234', 'BHD')).toBe(1_234);
    expect(minorUnitsFromDecimal('1.001', 'EUR')).toBeUndefined();
    expect(minorUnitsFromDecimal('-5', 'EUR')).toBeUndefined();
    expect(minorUnitsFromDecimal('1,000.00', 'EUR')).toBeUndefined();
  });
});

describe('promises in the reminder run', () => {
  /** Tuesday 27 April 2027, 10:00 in Berlin: the invoice (due 31 March) is 27 days past due → the firm step. */
  const tuesday = new Date('2027-04-27T08:00:00Z');
  const inv = collectionsInvoice;

  it('pauses reminders and escalation while the promise is open: the invoice comes back at its end', () => {
    const p = promise({ until: '2027-04-30T22:00:00.000Z' });
    const plan = planDunning(berlin, [inv({ lastStepSent: 'gentle', promise: p })], tuesday);
    expect(plan.mail).toBeUndefined();
    expect(plan.updates).toEqual([expect.objectContaining({ nextActionAt: p.until })]);
    expect(plan.updates[0]?.promise).toBeUndefined();
    const escalation = escalationDecision(inv({ lastStepSent: 'final-notice', promise: p }), berlin, tuesday);
    expect(escalation).toMatchObject({ escalate: false, reason: 'promised to pay' });
  });

  it('breaks an unpaid promise at its end: the step now due goes out, saying so kindly, and the promise is written', () => {
    const p = promise({ date: '2027-04-20', until: '2027-04-23T22:00:00.000Z' });
    const plan = planDunning(berlin, [inv({ lastStepSent: 'gentle', lastStepAt: '2027-04-05T08:00:00.000Z', promise: p })], tuesday);
    expect(plan.mail?.step.id).toBe('firm');
    expect(plan.mail?.items[0]?.brokenPromise).toBe('2027-04-20');
    expect(plan.updates[0]).toMatchObject({ sentStep: 'firm', promise: { status: 'broken', settledAt: tuesday.toISOString() } });
    const run = reminderRunWrites(plan, new Map([['inv_1', p.until]]), tuesday);
    expect(run.changed[0]?.promise?.status).toBe('broken');
  });

  it('keeps a promise the balance keeps (a partial promise paid) and lets the ladder go on for the rest', () => {
    const p = promise({ amount: 30_000, keptAtBalance: 70_000, until: '2027-04-30T22:00:00.000Z' });
    const plan = planDunning(berlin, [inv({ balanceDue: 70_000, lastStepSent: 'gentle', promise: p })], tuesday);
    expect(plan.updates[0]).toMatchObject({ promise: { status: 'kept' }, sentStep: 'firm' });
    expect(plan.mail?.items[0]?.brokenPromise).toBeUndefined();
  });

  it('leaves a promise alone while the invoice is disputed (the dispute pauses it all)', () => {
    const p = promise({ until: '2027-04-23T22:00:00.000Z' });
    const dispute = { id: 'dsp_1', status: 'open' as const, source: 'customer' as const, reason: 'x', openedAt: '2027-04-20T08:00:00.000Z' };
    const plan = planDunning(berlin, [inv({ lastStepSent: 'gentle', promise: p, dispute })], tuesday);
    expect(plan.mail).toBeUndefined();
    expect(plan.updates[0]).toMatchObject({ nextActionAt: null });
    expect(plan.updates[0]?.promise).toBeUndefined();
  });

  it('writes a settled promise even when the invoice keeps its place in the index', () => {
    // Saturday: outside sending hours — the run waits, but the broken promise is written now.
    const saturday = new Date('2027-05-01T08:00:00Z');
    const p = promise({ until: '2027-04-30T22:00:00.000Z' });
    const plan = planDunning(berlin, [inv({ lastStepSent: 'gentle', promise: p })], saturday);
    expect(plan.mail).toBeUndefined();
    const update = plan.updates[0];
    const run = reminderRunWrites(plan, new Map([['inv_1', update?.nextActionAt ?? null]]), saturday);
    expect(run.changed).toEqual([expect.objectContaining({ promise: expect.objectContaining({ status: 'broken' }) })]);
  });
});

describe('promise and dispute mails, and the report figures', () => {
  it('the reminder recalls the broken promise in the customer language', () => {
    const base = { customerName: 'Ada', timeZone: 'Europe/Berlin', tone: 'firm' as const, kind: 'reminder' as const, payeeAccount: 'DE02 1203 0000 0000 2020 51' };
    const item = { invoiceNumber: 'INV-1', currency: 'EUR', balanceDue: 100_000, dueDate: '2027-03-31', paymentReference: 'RF18539007547034', payLink: 'https://pay.example/x', promiseBroken: '2027-04-20' };
    expect(renderReminder({ ...base, locale: 'en-GB', items: [item] }).text).toContain('We had noted your promise to pay this invoice by 20 April 2027');
    expect(renderReminder({ ...base, locale: 'de-DE', items: [item] }).text).toContain('bis zum 20. April 2027');
  });

  it('confirms a promise, acknowledges a question and names the dispute reason (en + de)', () => {
    const promiseMail = renderNotice({ customerName: 'Ada', locale: 'en-GB', timeZone: 'UTC', notice: { kind: 'promise_made', invoiceNumber: 'INV-1', amount: 30_000, currency: 'EUR', date: '2027-04-20', resumeOn: '2027-04-24' } });
    expect(promiseMail.subject).toContain('INV-1');
    expect(promiseMail.text).toMatch(/€300\.00.*20 April 2027/s);
    const question = renderNotice({ customerName: 'Ada', locale: 'de-DE', timeZone: 'UTC', notice: { kind: 'question_received', subject: 'Rechnungsadresse' } });
    expect(question.subject).toBe('Wir haben Ihre Frage erhalten: Rechnungsadresse');
    const dispute = renderNotice({ customerName: 'Ada', locale: 'de-DE', timeZone: 'UTC', notice: { kind: 'dispute_received', invoiceNumber: 'INV-1', reason: 'Zwei Posten fehlen', reasonCode: 'not_received' } });
    expect(dispute.text).toContain('Angegebener Grund: Ware oder Leistung nicht erhalten.');
  });

  it('computes the kept rate and lists every reason code', () => {
    expect(promiseKeptRate({ kept: 2, broken: 1 })).toEqual({ kept: 2, broken: 1, percent: 66.67 });
    expect(promiseKeptRate({ kept: 0, broken: 0 }).percent).toBeNull();
    expect(disputesByReason({ wrong_amount: 2, legacy: 1 })).toEqual({ wrong_amount: 2, not_received: 0, defective: 0, duplicate: 0, already_paid: 0, other: 1 });
  });
});
