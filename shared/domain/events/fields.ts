/**
 * The field vocabulary the three areas' event specs share (payments.ts, casework.ts, collections.ts): one way to
 * write an id, money, a currency, a date, an instant and a promise to pay — and one style of description (a phrase in
 * sentence case, literal values in backticks) — so that the same thing reads the same in every schema of docs/events/.
 */
import { z } from 'zod';
import type { InvoicePromise } from '../invoice-collections.ts';

/** An id of one of our entities (or a provider's). */
export const id = (what: string) => z.string().min(1).describe(what);

export const currency = z.string().regex(/^[A-Z]{3}$/).describe('ISO 4217 code of every amount in this event');

/** An amount: integer minor units of the event's `currency`, never negative. */
export const minor = (what: string) => z.number().int().nonnegative().describe(`${what}, in integer minor units of \`currency\``);

/** A change of an amount, in integer minor units of `currency`: negative when money is taken back. */
export const signedMinor = (what: string) => z.number().int().describe(`${what}, in integer minor units of \`currency\` (negative: taken back)`);

/** A calendar date. */
export const calendarDate = (what: string) => z.iso.date().describe(`${what} (YYYY-MM-DD)`);

/** An instant: every instant we send is UTC (`Z`). */
export const instant = (what: string) => z.iso.datetime().describe(`${what} (ISO 8601, UTC)`);

export const madeBy = z.enum(['customer', 'staff']).describe('`customer`: in the customer portal; `staff`: recorded by staff');

/**
 * How promise.made, promise.kept and promise.broken describe the promise itself — the same fields, the same words;
 * each type adds what its moment knows (the balance when made or broken, the payment that kept it).
 */
export const promiseFields = {
  promiseId: id('The promise'),
  invoiceId: id('The invoice promised'),
  date: calendarDate('The date the customer promised to pay by, in the customer\'s calendar'),
  currency,
  amount: minor('Amount promised; absent when the whole balance was promised').positive().optional(),
  madeBy,
  madeAt: instant('When the promise was made'),
  until: instant('When reminders resume unless it is kept: the start of the customer\'s day after the date plus the grace days'),
};

/** The `promiseFields` of a promise on an invoice (the builders of all three promise events use it). */
export function promiseData(promise: InvoicePromise, invoice: { id: string; currency: string }) {
  return {
    promiseId: promise.id,
    invoiceId: invoice.id,
    date: promise.date,
    currency: invoice.currency,
    // (Stored without an amount when it is the whole balance.)
    ...(promise.amount !== undefined ? { amount: promise.amount } : {}),
    madeBy: promise.source === 'staff' ? ('staff' as const) : ('customer' as const),
    madeAt: promise.madeAt,
    until: promise.until,
  };
}
