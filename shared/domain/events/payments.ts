/**
 * Event specs of the payments area (see catalog.ts); payment-changes.ts builds them from a payment's change.
 *
 * What a payment change reports, in the transaction that makes it (store/payments.ts puts the envelopes in the
 * change's outbox record):
 * - `payment.received` once per payment, when its money is recorded (any channel; a Stripe payment still
 *   `processing` is not received yet);
 * - one payment-level event per later change of where its money sits: `payment.applied` (placed on invoices or moved
 *   by rules or staff — allocations are signed changes, a staff reversal is a negative allocation; a won chargeback
 *   is money back, re-applied) or `payment.refunded` (money taken back: refund, chargeback, bank reversal);
 * - `payment.needs_review` when the money starts waiting for a person;
 * - per invoice the change settles or reopens: `invoice.paid`, `invoice.reopened`; per promise kept: `promise.kept`.
 *
 * Ids are stable: a payment's change is identified by its revision after the change (`<paymentId>:r<revision>`), so a
 * retried change that commits carries the same ids and two changes never share one. No personal data: ids, amounts,
 * rules and dates only (never the payer's name, account, or the remittance text).
 */
import { z } from 'zod';
import type { EventSpecs } from './envelope.ts';

const id = (what: string) => z.string().min(1).describe(what);
const minor = (what: string) => z.number().int().describe(`${what} (integer minor units of \`currency\`)`);
const currency = z.string().regex(/^[A-Z]{3}$/).describe('ISO 4217 currency code of every amount in this event');
const date = (what: string) => z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe(`${what} (YYYY-MM-DD)`);
const instant = (what: string) => z.iso.datetime().describe(`${what} (ISO 8601, UTC)`);

/** Signed changes per invoice: positive applied to the invoice, negative taken back from it. */
const allocations = z
  .array(
    z.strictObject({
      invoiceId: id('our invoice'),
      amount: minor('cash applied to the invoice by this change (negative: taken back)'),
    }),
  )
  .describe('the change this event makes to the payment\'s allocations, per invoice; empty when no invoice changed');
const adjustments = z
  .array(
    z.strictObject({
      invoiceId: id('our invoice'),
      kind: z.enum(['early_payment_discount', 'shortfall_write_off']).describe('why the invoice closes without this cash'),
      amount: minor('granted with the allocation (negative: taken back with the cash)'),
    }),
  )
  .describe('discounts and write-offs granted or taken back with the allocations (not cash)');
const placement = {
  credit: minor('the payment\'s money held as customer credit after the change').nonnegative(),
  unapplied: minor('the payment\'s money waiting in review after the change').nonnegative(),
  netAmount: minor('the cash kept from the payment after the change: amount − refunds − chargebacks not won').nonnegative(),
};
export const refundReason = z.enum(['refund', 'chargeback', 'bank_reversal']);

export const payments: EventSpecs = {
  'payment.received': {
    version: 1,
    description:
      'Money arrived and was recorded, from any channel (Stripe, a bank notification or statement line, a payment staff record); sent once per payment, in the transaction that records it.',
    data: z.strictObject({
      paymentId: id('our payment'),
      amount: minor('the amount received').positive(),
      currency,
      channel: z.enum(['stripe', 'bank', 'manual']).describe('how the payment reached us (manual: recorded by staff — checks, cash, other)'),
      method: z.string().min(1).describe('the payment method as the channel names it (card, sepa_debit, bank_camt054, check, …)'),
      receivedAt: instant('when the money was received, as the channel reports it'),
      valueDate: date('the day the money was received (UTC)'),
      providerPaymentId: z
        .string()
        .min(1)
        .optional()
        .describe('Stripe\'s id of the payment: its payment intent (a cash-balance transaction for a bank transfer through Stripe); Stripe payments only'),
    }),
  },
  'payment.applied': {
    version: 1,
    description:
      'A payment\'s money was applied to invoices or moved between them, credit and review — by the matching rules, by staff (a reversal by staff is a negative allocation), from credit to a new invoice, or re-applied after a won chargeback; one event per change.',
    data: z.strictObject({
      paymentId: id('our payment'),
      currency,
      rule: z
        .string()
        .min(1)
        .describe('the rule that decided: a matching rule (reference, invoice_number_in_text, payer_exact_amount, …), payment_plan, staff_allocation, staff_reversal, credit_applied, chargeback_won'),
      by: z.enum(['rules', 'staff']).describe('who decided'),
      allocations,
      adjustments,
      ...placement,
      part: z
        .strictObject({
          index: z.number().int().positive().describe('1 for the first part'),
          of: z.number().int().positive().describe('parts planned'),
        })
        .optional()
        .describe('present when a decision covering more invoices than one transaction holds is applied in parts (each part its own event)'),
    }),
  },
  'payment.needs_review': {
    version: 1,
    description: 'A payment\'s money waits in the review queue for a person: no rule could place it safely, staff took an allocation back, or an application in parts stopped.',
    data: z.strictObject({
      paymentId: id('our payment'),
      amount: minor('the payment\'s amount').positive(),
      currency,
      unapplied: minor('the money waiting in review').positive(),
      rule: z.string().min(1).describe('the rule of the decision that left the money waiting (none: nothing matched)'),
      cause: z
        .enum(['not_matched', 'reversed_by_staff', 'application_stopped', 'money_returned'])
        .describe('not_matched: a new payment no rule could place; reversed_by_staff; application_stopped: an invoice changed while a payment was applied in parts; money_returned: a won chargeback returned money that was waiting'),
      suggestionCount: z.number().int().nonnegative().describe('ranked suggestions offered to the reviewer'),
    }),
  },
  'payment.refunded': {
    version: 1,
    description:
      'Money of a payment was taken back — a refund, a chargeback (when the dispute takes the money; a lost dispute adds nothing more, a won one is a payment.applied with rule chargeback_won) or a bank reversal — and the allocations it came from reversed.',
    data: z.strictObject({
      paymentId: id('our payment'),
      currency,
      reason: refundReason.describe('refund (Stripe), chargeback (a card dispute took the money), bank_reversal (the bank reversed the credit)'),
      amount: minor('cash taken back by this change').positive(),
      refundedTotal: minor('all refunds and bank reversals of the payment so far (chargebacks not included)').nonnegative(),
      allocations,
      adjustments,
      ...placement,
      complete: z
        .boolean()
        .describe('false while a take-back touching more invoices than one transaction holds goes in steps and more steps follow (the steps\' amounts add up)'),
    }),
  },
  'invoice.paid': {
    version: 1,
    description: 'An invoice\'s balance reached zero through a payment (its cash, credit, or a discount or write-off granted with it).',
    data: z.strictObject({
      invoiceId: id('our invoice'),
      paymentId: id('the payment that settled it'),
      amount: minor('cash this payment applied to the invoice in the settling change').nonnegative(),
      currency,
      settledAt: date('the day the balance reached zero (the money\'s arrival, UTC)'),
    }),
  },
  'invoice.reopened': {
    version: 1,
    description: 'Money was taken back from a paid invoice (refund, chargeback, bank reversal, or an allocation reversed by staff): it owes again, and interest resumes from the reopening.',
    data: z.strictObject({
      invoiceId: id('our invoice'),
      paymentId: id('the payment whose money was taken back'),
      amount: minor('how much the balance went up').positive(),
      balanceDue: minor('the balance after reopening').positive(),
      currency,
      reason: z.enum(['refund', 'chargeback', 'bank_reversal', 'reversed_by_staff']).describe('why the money was taken back'),
      reopenedOn: date('the day it reopened (UTC)'),
    }),
  },
  'promise.kept': {
    version: 1,
    description: 'A promise to pay was kept: a payment brought the invoice\'s balance to zero or paid the promised amount (settled in the payment\'s own transaction).',
    data: z.strictObject({
      promiseId: id('the promise'),
      invoiceId: id('our invoice'),
      date: date('the date the customer promised to pay by (their calendar)'),
      amount: minor('the amount promised; absent when the whole balance was promised').positive().optional(),
      currency,
      madeBy: z.enum(['customer', 'staff']).describe('customer: in the customer portal; staff: recorded by staff'),
      madeAt: instant('when the promise was made'),
      paymentId: id('the payment that kept it'),
      keptAt: instant('when it was kept (the payment\'s booking time)'),
    }),
  },
};

