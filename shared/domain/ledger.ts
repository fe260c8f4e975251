/**
 * The append-only ledger. Every money fact is an entry; balances are derived from entries.
 *
 * Accounts, per customer and currency (amounts signed, minor units):
 * - `receivable`: what the customer owes. Invoice issued +total; payment applied −amount.
 * - `customer_credit`: what we owe the customer (overpayments). Excess received +amount; credit used −amount.
 * - `unapplied`: cash received that no rule could apply yet (suspense). Received +amount; later applied −amount.
 */
export type LedgerAccount = 'receivable' | 'customer_credit' | 'unapplied';

export type LedgerEntryType = 'invoice_issued' | 'payment_applied' | 'overpayment_credit' | 'payment_unapplied';

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
