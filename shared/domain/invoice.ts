import { z } from 'zod';
import { assertMinorUnits, isCurrency } from './money.ts';
import { addDays, isCalendarDate } from './dates.ts';
import type { InvoiceCollections } from './invoice-collections.ts';
import { DEFAULT_TERMS, discountFor, dueDateFor, termsOverrideSchema, type PaymentTerms } from './terms.ts';
import { zonedInstant } from './local-time.ts';
import type { InvoicePrediction } from './prediction/types.ts';

export type InvoiceStatus = 'open' | 'partially_paid' | 'paid';

export interface InvoiceLine {
  description: string;
  quantity: number;
  /** Minor units per unit. */
  unitAmount: number;
  /** quantity × unitAmount, minor units. */
  amount: number;
}

export interface AppliedPayment {
  paymentId: string;
  amount: number;
  appliedAt: string;
}

export interface Invoice extends InvoiceCollections {
  id: string;
  customerId: string;
  number: string;
  currency: string;
  /** Invoice total, minor units. */
  total: number;
  /** Still owed, minor units; never below zero. */
  balanceDue: number;
  status: InvoiceStatus;
  issueDate: string;
  dueDate: string;
  /** ISO 11649 RF reference the customer puts on bank transfers. */
  paymentReference: string;
  lines: InvoiceLine[];
  /** Early-payment discount: paying `total − amount` on or before `until` settles the invoice. */
  /**
   * Early-payment discount: paying `total − amount` by the end of `until` (customer-local; `deadline` is that instant)
   * settles the invoice.
   */
  earlyPaymentDiscount?: { amount: number; until: string; basisPoints: number; deadline?: string };
  /** The date (YYYY-MM-DD) the balance reached zero: set by the payment (or import) that settled it, removed on reopening. */
  settledAt?: string;
  /** Brought in by `POST /imports/invoices` (history from another system) at this instant. */
  importedAt?: string;
  /** An imported invoice's payments made before the import (date paid, minor units), also in the ledger (`imported_payment`). */
  importedPayments?: { date: string; amount: number }[];
  /** The nightly insights run's prediction (shared/domain/prediction), while unpaid. */
  prediction?: InvoicePrediction;
  createdAt: string;
  /** Optimistic lock: every balance change is conditional on the version read. */
  version: number;
}

const minorUnits = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer (minor units)');
const calendarDate = z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD');

const lineSchema = z
  .object({
    description: z.string().trim().min(1).max(500),
    quantity: z.number().int().positive().max(1_000_000).default(1),
    unitAmount: minorUnits.refine((n) => n > 0, 'must be positive'),
  })
  .strict();

export const newInvoiceSchema = z
  .object({
    customerId: z.string().min(1).max(100),
    currency: z.string().refine(isCurrency, 'must be an ISO 4217 currency code such as "EUR"'),
    amount: minorUnits.refine((n) => n > 0, 'must be a positive integer in minor units').optional(),
    lines: z.array(lineSchema).min(1).max(100).optional(),
    issueDate: calendarDate,
    /** Defaults to issueDate + the terms' net days. */
    dueDate: calendarDate.optional(),
    /** Overrides of the customer's and the account's payment terms for this invoice. */
    terms: termsOverrideSchema.optional(),
    earlyPaymentDiscount: z
      .object({
        basisPoints: z.number().int().min(1).max(5000),
        days: z.number().int().min(0).max(365),
      })
      .strict()
      .optional(),
    number: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$/, 'must be 1–40 characters: letters, digits, . _ / -')
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.amount === undefined) === (v.lines === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'give exactly one of amount or lines' });
    }
    if (v.dueDate !== undefined && v.dueDate < v.issueDate) {
      ctx.addIssue({ code: 'custom', path: ['dueDate'], message: 'must not be before issueDate' });
    }
    let total = 0;
    for (const [i, line] of (v.lines ?? []).entries()) {
      const amount = line.quantity * line.unitAmount;
      if (!Number.isSafeInteger(amount)) {
        ctx.addIssue({ code: 'custom', path: ['lines', i, 'unitAmount'], message: 'quantity × unitAmount is too large' });
        return;
      }
      total += amount;
    }
    if (!Number.isSafeInteger(total)) ctx.addIssue({ code: 'custom', path: ['lines'], message: 'the total is too large' });
  });

export type NewInvoice = z.infer<typeof newInvoiceSchema>;

export function invoiceLines(input: NewInvoice): InvoiceLine[] {
  if (input.lines) {
    return input.lines.map((l) => {
      const amount = l.quantity * l.unitAmount;
      assertMinorUnits(amount);
      return { description: l.description, quantity: l.quantity, unitAmount: l.unitAmount, amount };
    });
  }
  const amount = input.amount as number;
  return [{ description: 'Invoice amount', quantity: 1, unitAmount: amount, amount }];
}

export function buildInvoice(
  input: NewInvoice,
  ids: { id: string; number: string; paymentReference: string },
  now: Date,
  context: { terms: PaymentTerms; timeZone: string } = { terms: DEFAULT_TERMS, timeZone: 'UTC' },
): Invoice {
  const lines = invoiceLines(input);
  const total = lines.reduce((a, l) => a + l.amount, 0);
  assertMinorUnits(total);
  // The terms in force: the resolved terms, with an explicit discount on the request taking precedence.
  const terms: PaymentTerms = input.earlyPaymentDiscount
    ? { ...context.terms, earlyPaymentDiscount: { ...input.earlyPaymentDiscount } }
    : context.terms;
  const discount = discountFor(total, input.issueDate, terms);
  return {
    id: ids.id,
    customerId: input.customerId,
    number: ids.number,
    currency: input.currency,
    total,
    balanceDue: total,
    status: 'open',
    issueDate: input.issueDate,
    dueDate: input.dueDate ?? dueDateFor(input.issueDate, terms),
    paymentReference: ids.paymentReference,
    lines,
    ...(discount
      ? {
          earlyPaymentDiscount: {
            ...discount,
            // The end of the last discount day in the customer's time zone.
            deadline: zonedInstant(addDays(discount.until, 1), 0, context.timeZone).toISOString(),
          },
        }
      : {}),
    terms,
    createdAt: now.toISOString(),
    version: 1,
  };
}

/** What the invoice asks for now: its total plus interest and fees booked, less credit notes. */
export function invoiceAmount(invoice: Pick<Invoice, 'total' | 'charges' | 'credited'>): number {
  return invoice.total + (invoice.charges ?? 0) - (invoice.credited ?? 0);
}

export function statusFor(total: number, balanceDue: number): InvoiceStatus {
  if (balanceDue === 0) return 'paid';
  return balanceDue < total ? 'partially_paid' : 'open';
}

/** Invoice numbers from a sequence: INV-000042. */
export function sequenceInvoiceNumber(n: number): string {
  return `INV-${String(n).padStart(6, '0')}`;
}

/**
 * The early-payment discount when the money was received inside the window: before the end of the last discount day
 * in the customer's time zone (`deadline`; older invoices without it: the UTC calendar date of receipt).
 */
export function earlyPaymentDiscount(invoice: Invoice, receivedAt: string): number | undefined {
  const discount = invoice.earlyPaymentDiscount;
  if (!discount) return undefined;
  if (discount.deadline) return Date.parse(receivedAt) < Date.parse(discount.deadline) ? discount.amount : undefined;
  return receivedAt.slice(0, 10) <= discount.until ? discount.amount : undefined;
}
