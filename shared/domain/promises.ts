/**
 * Promises to pay: a customer promises to pay an invoice by a date; reminders and escalation for that invoice pause
 * until the promised date plus the grace days; paid by then (balance 0, or the promised amount received since the
 * promise) → kept; not → broken, and the ladder resumes with the step now due, its mail saying so kindly. Pure: `now`
 * and the customer's time zone are parameters.
 *
 * Rules (documented in the README):
 * - The date is a calendar date in the customer's time zone: not before their today, at most PROMISE_MAX_DAYS ahead.
 * - Not on a paid, disputed, escalated invoice, nor on one in a payment plan (the plan is the promise there).
 * - One open promise per invoice: a second one is refused (409 `promise_open`); staff can grant an extension instead.
 * - After a broken promise the customer can promise again on that invoice only REPROMISE_BLOCK_DAYS after the break,
 *   and after MAX_BROKEN_PROMISES broken ones not at all (a collector talks to them instead).
 * - The optional amount is a positive integer of minor units, at most the balance; without it the whole balance.
 * - Grace: the invoice's terms' grace days when they have some (> 0), else PROMISE_GRACE_DAYS.
 */
import { addDays, localDate } from './dates.ts';
import type { InvoicePromise } from './invoice-collections.ts';
import { zonedInstant } from './local-time.ts';
import { currencyExponent } from './money.ts';

export type { InvoicePromise } from './invoice-collections.ts';

/** How far ahead a customer may promise, in days of their calendar. */
export const PROMISE_MAX_DAYS = 30;
/** Grace days after the promised date when the invoice's terms have none. */
export const PROMISE_GRACE_DAYS = 3;
/** After a broken promise, the next one on that invoice is possible this many days later. */
export const REPROMISE_BLOCK_DAYS = 14;
/** After this many broken promises on an invoice, the customer can no longer promise on it (staff only). */
export const MAX_BROKEN_PROMISES = 2;

export interface PromiseInvoice {
  balanceDue: number;
  status: 'open' | 'partially_paid' | 'paid';
  dispute?: unknown;
  escalatedAt?: string;
  planId?: string;
  promise?: InvoicePromise;
  brokenPromises?: number;
  terms?: { graceDays: number };
}

export type PromiseRefusal =
  | { kind: 'invalid'; field: 'date' | 'amount'; message: string }
  | { kind: 'conflict'; code: 'invoice_paid' | 'disputed' | 'escalated' | 'in_plan' | 'promise_open' | 'recently_broken' | 'too_many_broken'; message: string };

/** The grace days after the promised date for this invoice. */
export function promiseGraceDays(invoice: Pick<PromiseInvoice, 'terms'>): number {
  const days = invoice.terms?.graceDays ?? 0;
  return days > 0 ? days : PROMISE_GRACE_DAYS;
}

/** The instant reminders resume: the start of the customer's local day after `date` + grace days. */
export function promiseUntil(date: string, graceDays: number, timeZone: string): string {
  return zonedInstant(addDays(date, graceDays + 1), 0, timeZone).toISOString();
}

/**
 * Whether the customer may promise `date` (and `amount`) on the invoice at `now`; the refusal names the field or the
 * state. `undefined`: allowed.
 */
export function promiseRefusal(
  invoice: PromiseInvoice,
  input: { date: string; amount?: number },
  now: Date,
  timeZone: string,
): PromiseRefusal | undefined {
  if (invoice.status === 'paid' || invoice.balanceDue <= 0) return { kind: 'conflict', code: 'invoice_paid', message: 'the invoice is paid; nothing to promise' };
  if (invoice.dispute) return { kind: 'conflict', code: 'disputed', message: 'the invoice is disputed: collection is paused until we have answered' };
  if (invoice.escalatedAt) return { kind: 'conflict', code: 'escalated', message: 'the invoice was handed over for legal collection' };
  if (invoice.planId) return { kind: 'conflict', code: 'in_plan', message: 'the invoice is in a payment plan' };
  const current = invoice.promise;
  if (current?.status === 'open') return { kind: 'conflict', code: 'promise_open', message: `a promise to pay by ${current.date} is open on this invoice` };
  const today = localDate(now, timeZone);
  if ((invoice.brokenPromises ?? 0) >= MAX_BROKEN_PROMISES) {
    return { kind: 'conflict', code: 'too_many_broken', message: 'promises on this invoice were not kept; please contact us to agree a date' };
  }
  if (current?.status === 'broken' && current.settledAt) {
    const from = addDays(localDate(new Date(current.settledAt), timeZone), REPROMISE_BLOCK_DAYS);
    if (today < from) return { kind: 'conflict', code: 'recently_broken', message: `the last promise on this invoice was not kept; a new one is possible from ${from}` };
  }
  if (input.date < today) return { kind: 'invalid', field: 'date', message: `must not be in the past (today is ${today})` };
  const latest = addDays(today, PROMISE_MAX_DAYS);
  if (input.date > latest) return { kind: 'invalid', field: 'date', message: `must be at most ${PROMISE_MAX_DAYS} days ahead (${latest})` };
  if (input.amount !== undefined) {
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) return { kind: 'invalid', field: 'amount', message: 'must be a positive amount' };
    if (input.amount > invoice.balanceDue) return { kind: 'invalid', field: 'amount', message: 'must not exceed the balance due' };
  }
  return undefined;
}

/** A new open promise (call after promiseRefusal said yes). */
export function newPromise(
  invoice: PromiseInvoice,
  input: { id: string; date: string; amount?: number; source: InvoicePromise['source'] },
  now: Date,
  timeZone: string,
): InvoicePromise {
  const whole = input.amount === undefined || input.amount >= invoice.balanceDue;
  return {
    id: input.id,
    date: input.date,
    ...(whole ? {} : { amount: input.amount }),
    status: 'open',
    madeAt: now.toISOString(),
    source: input.source,
    keptAtBalance: whole ? 0 : invoice.balanceDue - (input.amount as number),
    until: promiseUntil(input.date, promiseGraceDays(invoice), timeZone),
  };
}

/** Whether a balance keeps the promise (balance 0, or the promised amount received since it was made). */
export function keepsPromise(promise: Pick<InvoicePromise, 'keptAtBalance'>, balanceDue: number): boolean {
  return balanceDue <= promise.keptAtBalance;
}

/**
 * Where an open promise stands at `now` for the invoice's balance: `kept` (paid enough), `broken` (its grace is over,
 * unpaid), `open` (reminders stay paused until `until`). Not open: `settled` (nothing to decide).
 */
export function promiseState(promise: InvoicePromise | undefined, balanceDue: number, now: Date): 'none' | 'settled' | 'open' | 'kept' | 'broken' {
  if (!promise) return 'none';
  if (promise.status !== 'open') return 'settled';
  if (keepsPromise(promise, balanceDue)) return 'kept';
  return now.getTime() >= Date.parse(promise.until) ? 'broken' : 'open';
}

/** The promise settled at `now`. */
export function settlePromise(promise: InvoicePromise, outcome: 'kept' | 'broken', now: Date): InvoicePromise {
  return { ...promise, status: outcome, settledAt: now.toISOString() };
}

/**
 * Whether the next reminder mentions a broken promise ("we had noted your promise to pay by …"): the first reminder
 * step sent after the break says so, later ones do not.
 */
export function mentionsBrokenPromise(promise: InvoicePromise | undefined, lastStepAt: string | undefined): boolean {
  return promise?.status === 'broken' && promise.settledAt !== undefined && (lastStepAt === undefined || lastStepAt < promise.settledAt);
}

/**
 * A decimal amount a customer typed in the currency's major units ("120", "120.50", "120,50") as integer minor units
 * (ISO 4217 exponent); undefined when it is not such an amount (more decimals than the currency has, signs, letters,
 * thousands separators). String arithmetic only: no floating point touches money.
 */
export function minorUnitsFromDecimal(text: string, currency: string): number | undefined {
  const exponent = currencyExponent(currency);
  const match = /^(\d{1,15})(?:[.,](\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, whole, fraction = ''] = match as unknown as [string, string, string | undefined];
  if (fraction.length > exponent) return undefined;
  const value = Number(`${whole}${fraction.padEnd(exponent, '0')}`);
  return Number.isSafeInteger(value) ? value : undefined;
}
