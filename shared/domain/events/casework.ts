/**
 * Event specs of the casework area (see catalog.ts): invoices issued, customer disputes, promises to pay and payment
 * plans. Money is integer minor units of the event's `currency` (ISO 4217); dates are calendar dates `YYYY-MM-DD`,
 * instants ISO 8601 UTC. Ids only: no names, addresses, reasons in words or explanations (those are free text a
 * customer or a collector wrote).
 */
import { z } from 'zod';
import { DISPUTE_REASON_CODES } from '../invoice-collections.ts';
import type { EventSpecs } from './envelope.ts';
import { calendarDate, currency, id, instant, madeBy, minor, promiseFields } from './fields.ts';

const instalment = z
  .object({
    seq: z.number().int().min(0).describe('Instalment number: 0 is the down payment, then 1, 2, …'),
    dueDate: calendarDate('Due date of the instalment, in the customer\'s calendar'),
    amount: minor('Amount of the instalment'),
  })
  .describe('One instalment of the plan');

const planInvoice = z
  .object({
    invoiceId: id('An invoice the plan covers'),
    balanceDue: minor('What was owed on it when the plan came into force'),
  })
  .describe('An invoice covered by the plan');

export const casework: EventSpecs = {
  'invoice.issued': {
    version: 1,
    description: 'An invoice was issued through POST /invoices (imported history, POST /imports/invoices, is not announced).',
    data: z.object({
      invoiceId: id('The invoice'),
      number: z.string().describe('The invoice number (given, or INV-000001… from our sequence)'),
      currency,
      amount: minor('Invoice total'),
      balanceDue: minor('Owed at issue (the total)'),
      issueDate: calendarDate('Issue date'),
      dueDate: calendarDate('Due date, in the customer\'s calendar'),
      paymentReference: z.string().describe('ISO 11649 RF reference the customer quotes on bank transfers'),
      earlyPaymentDiscount: z
        .object({
          amount: minor('Discount for paying early'),
          until: calendarDate('Last day of the discount, in the customer\'s calendar'),
        })
        .optional()
        .describe('Early-payment discount from the terms, if any: paying the total less `amount` by `until` settles the invoice'),
    }),
  },
  'dispute.opened': {
    version: 1,
    description: 'A customer disputed an invoice (in the portal, or staff recorded it); reminders and interest pause for it.',
    data: z.object({
      disputeId: id('The dispute (a dispute opened again later is a new dispute with a new id)'),
      invoiceId: id('The disputed invoice'),
      reasonCode: z.enum(DISPUTE_REASON_CODES).describe('Why, as a code (staff disputes without one: `other`)'),
      openedBy: madeBy,
      currency,
      amount: minor('Disputed amount; absent when the whole balance is disputed').positive().optional(),
      balanceDue: minor('Owed on the invoice when the dispute opened'),
      openedAt: instant('When it was opened'),
    }),
  },
  'dispute.resolved': {
    version: 1,
    description: 'Staff resolved an invoice dispute: upheld (a credit note reduces the balance) or rejected (collection resumes).',
    data: z.object({
      disputeId: id('The dispute'),
      invoiceId: id('The disputed invoice'),
      source: z
        .enum(['customer', 'chargeback'])
        .describe('`customer`: a dispute the customer raised (announced by dispute.opened); `chargeback`: the pause a card chargeback put on the invoice, resolved by staff'),
      outcome: z.enum(['upheld', 'rejected']).describe('`upheld`: the customer was right, a credit note was booked; `rejected`: the invoice stands'),
      currency,
      creditAmount: minor('Credit note booked against the invoice (0 when rejected)'),
      balanceDue: minor('Owed on the invoice after the resolution'),
      invoiceStatus: z.enum(['open', 'partially_paid', 'paid']).describe('The invoice\'s status after the resolution (`paid` when the credit note settled it)'),
      openedAt: instant('When the dispute was opened'),
      resolvedAt: instant('When it was resolved'),
    }),
  },
  'promise.made': {
    version: 1,
    description: 'A promise to pay an invoice by a date was recorded; reminders and escalation for it pause until the date plus the grace days.',
    data: z.object({
      ...promiseFields,
      balanceDue: minor('Owed on the invoice when the promise was made'),
    }),
  },
  'plan.created': {
    version: 1,
    description:
      'A payment plan came into force: created by staff, requested by the customer inside the policy, or approved by staff later (a request waiting for approval is not announced until then).',
    data: z.object({
      planId: id('The plan'),
      invoices: z.array(planInvoice).min(1).describe('The invoices it covers, oldest due first (a plan is in one currency)'),
      currency,
      amount: minor('Total the plan collects: the covered balance when it came into force'),
      frequency: z.enum(['weekly', 'biweekly', 'monthly']).describe('How often an instalment falls due'),
      instalmentCount: z.number().int().min(1).describe('Number of instalments, the down payment included'),
      downPayment: minor('The down payment (instalment 0), 0 when none'),
      firstDueDate: calendarDate('Due date of instalment 1 (the first after the down payment, if any)'),
      lastDueDate: calendarDate('Due date of the last instalment'),
      instalments: z.array(instalment).min(1).describe('The schedule, in order; the amounts sum to `amount`'),
      graceDays: z.number().int().min(0).describe('Days after an instalment\'s due date before the plan defaults'),
      paymentReference: z.string().describe('ISO 11649 RF reference instalment payments quote'),
      requestedBy: z.enum(['staff', 'customer']).describe('Who asked for it'),
      approvedBy: z.enum(['staff', 'policy']).describe('`policy`: inside the plan policy, approved automatically; `staff`: agreed or approved by staff'),
      activatedAt: instant('When it came into force'),
    }),
  },
  'plan.completed': {
    version: 1,
    description: 'A payment plan was completed: its invoices are paid (the last instalment arrived).',
    data: z.object({
      planId: id('The plan'),
      invoiceIds: z.array(id('An invoice')).min(1).describe('The invoices it covered'),
      currency,
      amount: minor('Total the plan collected (its covered balance when it came into force)'),
      instalmentCount: z.number().int().min(1).describe('Number of instalments, the down payment included'),
      completedAt: instant('When the plan was found complete'),
    }),
  },
  'plan.defaulted': {
    version: 1,
    description: 'A payment plan defaulted: an instalment was unpaid past its due date plus the grace days; the invoices still owed return to the reminder ladder.',
    data: z.object({
      planId: id('The plan'),
      invoiceIds: z.array(id('An invoice')).min(1).describe('The invoices it covered'),
      returnedInvoiceIds: z.array(id('An invoice')).describe('Those still owed, back in the reminder ladder from now on'),
      currency,
      amount: minor('Total the plan was to collect'),
      paidAmount: minor('Paid on the covered invoices since the plan came into force'),
      balanceDue: minor('Still owed on the covered invoices'),
      missedInstalment: instalment.describe('The first instalment unpaid past its grace days'),
      defaultedAt: instant('When the plan was found defaulted'),
    }),
  },
};
