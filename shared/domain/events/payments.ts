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
 * - per invoice the change settles or reopens: `invoice.paid`, `invoice.reopened`; per promise kept: `promise.kept`
 *   (a promise a credit note kept is found, and reported, by the reminder run: collections-events.ts).
 *
 * Ids are stable: a payment's change is identified by its revision after the change (`<paymentId>:r<revision>`), so a
 * retried change that commits carries the same ids and two changes never share one. No personal data: ids, amounts,
 * rules and dates only (never the payer's name, account, or the remittance text).
 */
import { z } from 'zod';
import type { EventSpecs } from './envelope.ts';
import { calendarDate, currency, id, instant, minor, promiseFields, signedMinor } from './fields.ts';

/** Signed changes per invoice: positive applied to the invoice, negative taken back from it. */
const allocations = z
  .array(
    z.strictObject({
      invoiceId: id('The invoice'),
      amount: signedMinor('Cash applied to the invoice by this change'),
    }),
  )
  .describe('The change this event makes to the payment\'s allocations, per invoice; empty when no invoice changed');
const adjustments = z
  .array(
    z.strictObject({
      invoiceId: id('The invoice'),
      kind: z.enum(['early_payment_discount', 'shortfall_write_off']).describe('Why the invoice closes without this cash'),
      amount: signedMinor('Granted with the allocation'),
    }),
  )
  .describe('Discounts and write-offs granted or taken back with the allocations (not cash)');
const placement = {
  credit: minor('The payment\'s money held as customer credit after the change'),
  unapplied: minor('The payment\'s money waiting in review after the change'),
  netAmount: minor('The cash kept from the payment after the change: amount − refunds − chargebacks not won'),
};
export const refundReason = z.enum(['refund', 'chargeback', 'bank_reversal']);

export const payments: EventSpecs = {
  'payment.received': {
    version: 1,
    description:
      'Money arrived and was recorded, from any channel (Stripe, a bank notification or statement line, a payment staff record); sent once per payment, in the transaction that records it.',
    data: z.strictObject({
      paymentId: id('The payment'),
      amount: minor('The amount received').positive(),
      currency,
      channel: z.enum(['stripe', 'bank', 'manual']).describe('How the payment reached us (`manual`: recorded by staff — checks, cash, other)'),
      method: z.string().min(1).describe('The payment method as the channel names it (`card`, `sepa_debit`, `bank_camt054`, `check`, …)'),
      receivedAt: instant('When the money was received, as the channel reports it'),
      valueDate: calendarDate('The day the money was received (UTC)'),
      providerPaymentId: id('Stripe\'s id of the payment: its payment intent (a cash-balance transaction for a bank transfer through Stripe); Stripe payments only').optional(),
    }),
  },
  'payment.applied': {
    version: 1,
    description:
      'A payment\'s money was applied to invoices or moved between them, credit and review — by the matching rules, by staff (a reversal by staff is a negative allocation), from credit to a new invoice, or re-applied after a won chargeback; one event per change.',
    data: z.strictObject({
      paymentId: id('The payment'),
      currency,
      rule: z
        .string()
        .min(1)
        .describe('The rule that decided: a matching rule (`reference`, `invoice_number_in_text`, `payer_exact_amount`, …), `payment_plan`, `staff_allocation`, `staff_reversal`, `credit_applied`, `chargeback_won`'),
      by: z.enum(['rules', 'staff']).describe('Who decided'),
      allocations,
      adjustments,
      ...placement,
      part: z
        .strictObject({
          index: z.number().int().positive().describe('1 for the first part'),
          of: z.number().int().positive().describe('Parts planned'),
        })
        .optional()
        .describe('Present when a decision covering more invoices than one transaction holds is applied in parts (each part its own event)'),
    }),
  },
  'payment.needs_review': {
    version: 1,
    description: 'A payment\'s money waits in the review queue for a person: no rule could place it safely, staff took an allocation back, or an application in parts stopped.',
    data: z.strictObject({
      paymentId: id('The payment'),
      amount: minor('The payment\'s amount').positive(),
      currency,
      unapplied: minor('The money waiting in review').positive(),
      rule: z.string().min(1).describe('The rule of the decision that left the money waiting (`none`: nothing matched)'),
      cause: z
        .enum(['not_matched', 'reversed_by_staff', 'application_stopped', 'money_returned'])
        .describe(
          '`not_matched`: a new payment no rule could place; `reversed_by_staff`; `application_stopped`: an invoice changed while a payment was applied in parts; `money_returned`: a won chargeback returned money that was waiting',
        ),
      suggestionCount: z.number().int().nonnegative().describe('Ranked suggestions offered to the reviewer'),
    }),
  },
  'payment.refunded': {
    version: 1,
    description:
      'Money of a payment was taken back — a refund, a chargeback (when the dispute takes the money; a lost dispute adds nothing more, a won one is a payment.applied with rule chargeback_won) or a bank reversal — and the allocations it came from reversed.',
    data: z.strictObject({
      paymentId: id('The payment'),
      currency,
      reason: refundReason.describe('`refund` (Stripe), `chargeback` (a card dispute took the money), `bank_reversal` (the bank reversed the credit)'),
      amount: minor('Cash taken back by this change').positive(),
      refundedTotal: minor('All refunds and bank reversals of the payment so far (chargebacks not included)'),
      allocations,
      adjustments,
      ...placement,
      complete: z
        .boolean()
        .describe('`false` while a take-back touching more invoices than one transaction holds goes in steps and more steps follow (the steps\' amounts add up)'),
    }),
  },
  'invoice.paid': {
    version: 1,
    description: 'An invoice\'s balance reached zero through a payment (its cash, credit, or a discount or write-off granted with it).',
    data: z.strictObject({
      invoiceId: id('The invoice'),
      paymentId: id('The payment that settled it'),
      amount: minor('Cash this payment applied to the invoice in the settling change'),
      currency,
      settledAt: calendarDate('The day the balance reached zero (the money\'s arrival, UTC)'),
    }),
  },
  'invoice.reopened': {
    version: 1,
    description: 'Money was taken back from a paid invoice (refund, chargeback, bank reversal, or an allocation reversed by staff): it owes again, and interest resumes from the reopening.',
    data: z.strictObject({
      invoiceId: id('The invoice'),
      paymentId: id('The payment whose money was taken back'),
      amount: minor('How much the balance went up').positive(),
      balanceDue: minor('The balance after reopening').positive(),
      currency,
      reason: z.enum(['refund', 'chargeback', 'bank_reversal', 'reversed_by_staff']).describe('Why the money was taken back'),
      reopenedOn: calendarDate('The day it reopened (UTC)'),
    }),
  },
  'promise.kept': {
    version: 1,
    description:
      'A promise to pay was kept: the invoice\'s balance reached zero or came down by the promised amount — through a payment (settled in the payment\'s own transaction) or a credit note (found by the reminder run).',
    data: z.strictObject({
      ...promiseFields,
      paymentId: id('The payment that kept it; absent when a credit note brought the balance down (an upheld dispute)').optional(),
      keptAt: instant('When it was kept (the payment\'s booking time, or the reminder run that found it kept)'),
    }),
  },
};
