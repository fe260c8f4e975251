/**
 * The collections state carried on the invoice item (terms in force, ladder progress, extension, dispute, interest
 * accrual, plan, escalation) and a customer's holds: plain types, read by invoice.ts and by the collections decisions
 * in collections.ts. Types only, importing nothing but the terms' type, so neither of those modules imports the other
 * back.
 */
import type { PaymentTerms } from './terms.ts';

export interface Hold {
  id: string;
  reason: string;
  createdAt: string;
  /** The hold stops pausing at this instant. */
  expiresAt?: string;
  releasedAt?: string;
  /** The console member who placed it (shared/context.ts `actedBy`); absent when placed through the admin API. */
  staffId?: string;
  /** The console member who released it; absent when released through the admin API. */
  releasedBy?: string;
}

export interface InvoiceDispute {
  id: string;
  status: 'open';
  source: 'customer' | 'chargeback';
  reason: string;
  /** Why (customer disputes; absent on older disputes and chargebacks: read as `other`). */
  reasonCode?: DisputeReasonCode;
  /** Disputed amount, minor units (the whole balance when not given). */
  amount?: number;
  openedAt: string;
  /** For a chargeback: the payment whose money was taken back. */
  paymentId?: string;
}

/** Why a customer disputes an invoice (the portal requires one; the staff API defaults to `other`). */
export const DISPUTE_REASON_CODES = ['wrong_amount', 'not_received', 'defective', 'duplicate', 'already_paid', 'other'] as const;
export type DisputeReasonCode = (typeof DISPUTE_REASON_CODES)[number];

/**
 * A customer's promise to pay an invoice by a date (shared/domain/promises.ts): the current one lives on the invoice
 * (A's portal pages read it there), every promise also as its own item for staff listings.
 */
export interface InvoicePromise {
  id: string;
  /** The customer-local date they promised to pay by. */
  date: string;
  /** The promised amount, minor units (absent: the whole balance). */
  amount?: number;
  status: 'open' | 'kept' | 'broken';
  madeAt: string;
  source: 'portal' | 'staff';
  /** Kept once the balance is at or below this (the balance when promised less the amount; 0 for the whole balance). */
  keptAtBalance: number;
  /** Reminders (and escalation) pause until this instant: the start of the local day after date + grace days. */
  until: string;
  /** When it was kept or broken. */
  settledAt?: string;
}

/** Interest accrued day by day, booked once per period (customer-local calendar month). */
export interface InterestAccrual {
  /** Local date: days before it have been accrued. */
  through: string;
  /** Σ balance × annual rate (bp) × days, not yet booked; interest = numerator / (10,000 × 365), rounded once. */
  numerator: string;
  /** Days accrued into the numerator. */
  days: number;
  /** The period (YYYY-MM) the numerator belongs to. */
  period: string;
}

/** Collections state carried on the invoice item. */
export interface InvoiceCollections {
  /** Terms in force for this invoice (account → customer → invoice), fixed at issue. */
  terms?: PaymentTerms;
  lastStepSent?: string;
  lastStepAt?: string;
  /**
   * When each reminder step went out for this invoice (instants, appended in the reminder run's own write): the
   * payment-prediction model's "reminders each invoice needed". Absent on invoices from before it was recorded and on
   * imported ones (their reminders elsewhere are unknown).
   */
  remindersSentAt?: string[];
  /** When each dispute (customer or chargeback) on this invoice was opened, resolved ones included (appended when opened). */
  disputesOpenedAt?: string[];
  /** A hardship extension; `staffId`: the console member who granted it (absent through the admin API). */
  extension?: { dueDate: string; reason: string; grantedAt: string; staffId?: string };
  dispute?: InvoiceDispute;
  /** The current (or last) promise to pay; a new one replaces it only once it is kept or broken. */
  promise?: InvoicePromise;
  /** Promises to pay on this invoice that were broken (limits re-promising: shared/domain/promises.ts). */
  brokenPromises?: number;
  escalatedAt?: string;
  /** Interest and fees booked onto the invoice, minor units. */
  charges?: number;
  /** Credit notes (upheld disputes), minor units. */
  credited?: number;
  accrual?: InterestAccrual;
  lateFeeCharged?: boolean;
  /** In an active payment plan: out of the ladder and (by policy) interest until the plan completes or defaults. */
  planId?: string;
  /** Reopened after being paid (a refund or chargeback): interest accrues again only from this date. */
  accrualFrom?: string;
}
