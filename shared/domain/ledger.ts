/**
 * The append-only ledger. Every money fact is an entry; balances are derived from entries.
 *
 * Accounts, per customer and currency (amounts signed, minor units):
 * - `receivable`: what the customer owes. Invoice issued +total; payment applied −amount.
 * - `customer_credit`: what we owe the customer (overpayments). Excess received +amount; credit used −amount.
 * - `unapplied`: cash received that no rule could apply yet (suspense). Received +amount; later applied −amount.
 *
 * Discounts and write-offs reduce `receivable` without cash; refunds and chargebacks reverse earlier entries with
 * new ones (the ledger is never edited).
 */
export type LedgerAccount = 'receivable' | 'customer_credit' | 'unapplied';

export type LedgerEntryType =
  | 'invoice_issued'
  | 'payment_applied'
  | 'overpayment_credit'
  | 'payment_unapplied'
  /** Discount or small shortfall that closes an invoice without cash (receivable −). */
  | 'early_payment_discount'
  | 'shortfall_write_off'
  /** A refund or chargeback takes money back: receivable + (invoice reopens), or credit/unapplied −. */
  | 'refund_reversal'
  | 'chargeback_reversal'
  /** A won chargeback puts the money back. */
  | 'payment_reapplied'
  /** Staff apply unapplied money or credit by hand, or reverse an allocation. */
  | 'manual_allocation'
  | 'allocation_reversed'
  /** Customer credit (an earlier overpayment) settles a new invoice: credit −, receivable −. */
  | 'credit_applied'
  /** A discount or write-off taken back because the payment that earned it was refunded or charged back. */
  | 'adjustment_reversed'
  /** Late interest and fixed late fees, as the terms allow (receivable +). */
  | 'interest_charged'
  | 'late_fee_charged'
  /** An upheld dispute: a credit note for the agreed amount (receivable −). */
  | 'credit_note'
  /**
   * History brought in by `POST /imports/invoices`: a payment made before the invoice came to this system (receivable −,
   * booked on the day it was paid; no cash account here moves — the money was received and banked elsewhere).
   */
  | 'imported_payment';

export interface LedgerEntry {
  id: string;
  /** Customer the entry belongs to, or "suspense" while the payer is unknown. */
  customerId: string;
  account: LedgerAccount;
  type: LedgerEntryType;
  amount: number;
  currency: string;
  invoiceId?: string;
  paymentId?: string;
  /** When the fact happened (from the event, not the clock). */
  bookedAt: string;
}

export const SUSPENSE = 'suspense';

/** Σ amount per `account/currency` (and per invoice when `byInvoice`). */
export function balances(entries: readonly LedgerEntry[], byInvoice = false): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entries) {
    const key = byInvoice ? `${e.account}/${e.currency}/${e.invoiceId ?? '-'}` : `${e.account}/${e.currency}`;
    out.set(key, (out.get(key) ?? 0) + e.amount);
  }
  return out;
}
