/**
 * Event specs of the collections area (see catalog.ts): what the scheduled runs decide — a reminder sent, interest or
 * a late fee charged, invoices escalated to legal, a promise to pay found broken — and a customer becoming
 * unreachable by mail. Builders of their envelopes: collections-events.ts.
 *
 * No personal data: ids of our entities, steps, amounts and dates only — never a name, an address or a mail's text.
 */
import { z } from 'zod';
import type { EventSpecs } from './envelope.ts';
import { calendarDate, currency, id, instant, minor, promiseFields } from './fields.ts';

/** A date of the customer's calendar (their time zone). */
const date = (what: string) => calendarDate(`${what}, in the customer's calendar`);

const stepKind = z
  .enum(['heads_up', 'due_day', 'reminder', 'final_notice', 'legal_handover'])
  .describe('The level of the ladder step: `heads_up` (before the due date), `due_day`, `reminder`, `final_notice`, `legal_handover`');

const reminderSent = z.object({
  mailKey: z.string().describe("The reminder's key in the customer's communication history (GET /customers/{id}/communications): one reminder, one key"),
  step: z.string().describe("The ladder step the reminder is, by id (the most advanced step of its invoices), e.g. `gentle`, `final-notice`"),
  kind: stepKind,
  tone: z.enum(['friendly', 'neutral', 'firm', 'formal']).describe("The step's tone"),
  channel: z
    .enum(['email', 'letter', 'handover'])
    .describe("The step's channel: `email`, `letter` (a formal notice) or `handover` (the legal handover notice); the reminder itself always goes by e-mail"),
  letter: z.boolean().describe('Whether a printed copy was also recorded for the day\'s print run (formal notices to customers who asked for letters)'),
  locale: z.string().describe('The BCP 47 locale the reminder was written in (the customer\'s)'),
  adaptive: z.boolean().describe('Whether the adaptive cadence (predicted payment behaviour) shaped this reminder; `false`: the standard ladder'),
  cadencePolicy: z.enum(['standard', 'reliable', 'likely_late']).describe('The cadence policy in force for the customer at this run'),
  planOfferFirst: z.boolean().describe('Whether the reminder leads with the payment-plan offer (a likely-late payer\'s first reminder)'),
  legalDate: date('The date after which legal steps follow, as a final notice states it').optional(),
  invoices: z
    .array(
      z.object({
        invoiceId: id('The invoice'),
        number: z.string().describe('The invoice number'),
        step: z.string().describe('The ladder step this invoice reached with the reminder'),
        currency,
        balanceDue: minor('The balance due the reminder states'),
        dueDate: date('The due date in force (after an extension, the extended one)'),
      }),
    )
    .min(1)
    .describe('The invoices the reminder covers (at most 40 per reminder)'),
});

const interestCharged = z.object({
  invoiceId: id('The invoice charged'),
  kind: z.enum(['interest', 'late_fee']).describe('`interest`: late interest for a period; `late_fee`: the terms\' fixed late fee (once per invoice)'),
  amount: minor('The amount charged (added to the balance due)'),
  currency,
  balanceDue: minor("The invoice's balance due after this charge"),
  ledgerEntryId: id('The ledger entry booked (GET /customers/{id}/ledger); one per invoice and period, or per invoice for the fee'),
  period: z
    .object({
      month: z.string().regex(/^\d{4}-\d{2}$/).describe("The calendar month accrued (YYYY-MM, the customer's calendar)"),
      days: z.number().int().min(0).describe('The days of the month that bore interest'),
    })
    .optional()
    .describe('Interest only: the period the interest was accrued over'),
  rate: z
    .object({
      mode: z.enum(['simple', 'statutory']).describe('`simple`: a contractual rate; `statutory`: reference rate + margin (EU directive 2011/7/EU)'),
      annualRateBasisPoints: z.number().int().describe('The annual rate applied, in basis points (1800 = 18 % a year)'),
      dayCount: z.literal('ACT/365').describe('Simple interest on actual days over 365, no compounding, rounded once half away from zero'),
    })
    .optional()
    .describe('Interest only: the rate basis'),
});

const escalated = z.object({
  customerId: id('The customer whose invoices were escalated (as the envelope\'s `customerId`)'),
  escalatedOn: date('The day of the escalation'),
  invoices: z
    .array(
      z.object({
        invoiceId: id('The invoice handed over'),
        number: z.string().describe('The invoice number'),
        currency,
        balanceDue: minor('The balance due handed over'),
        dueDate: date('The due date in force (after an extension, the extended one)'),
      }),
    )
    .min(1)
    .describe('The invoices escalated in this change (a customer with more than 40 is escalated in several events)'),
  totals: z
    .array(
      z.object({
        currency,
        amount: minor('The sum of the balances handed over in that currency'),
      }),
    )
    .min(1)
    .describe('Balance handed over per currency, one entry per currency of `invoices`'),
});

const promiseBroken = z.object({
  ...promiseFields,
  brokenAt: instant('When the reminder run found it broken (its grace over, the promise not paid); the ladder resumes'),
  balanceDue: minor('The invoice\'s balance due when the promise was found broken'),
});

const mailSuppressed = z.object({
  reason: z.enum(['bounce', 'complaint']).describe('Why: a permanent bounce or a complaint reported by SES for the customer\'s address'),
  at: instant('When the bounce or complaint happened (SES\'s timestamp of the first report for the address)'),
  detectedBy: z
    .enum(['ses_notification', 'send_attempt'])
    .describe('How the customer was found unreachable: an SES notification naming them, or a mail to a suppressed address not sent'),
});

export const collections: EventSpecs = {
  'reminder.sent': {
    version: 1,
    description:
      'A reminder (a step of the dunning ladder) was decided and its mail committed for sending, in the same transaction as the invoices\' ladder state; delivery follows at least once (a suppressed address is customer.mail_suppressed instead).',
    data: reminderSent,
  },
  'interest.charged': {
    version: 1,
    description: 'Late interest for a period, or the fixed late fee, was charged on an invoice (booked to the ledger and added to the balance due).',
    data: interestCharged,
  },
  'collections.escalated': {
    version: 1,
    description: "A customer's unpaid invoices were handed over for legal collection (each invoice once; several events when more than 40).",
    data: escalated,
  },
  'promise.broken': {
    version: 1,
    description: 'A promise to pay was settled as broken by the reminder run: its date and grace days passed without the promised payment; the ladder resumes.',
    data: promiseBroken,
  },
  'customer.mail_suppressed': {
    version: 1,
    description: 'A customer became unreachable by e-mail (SES reported a permanent bounce or a complaint for their address): once per flagging, not per mail.',
    data: mailSuppressed,
  },
};
