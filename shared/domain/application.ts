import type { Invoice, InvoiceStatus } from './invoice.ts';
import type { InvoicePromise } from './invoice-collections.ts';
import { invoiceAmount, statusFor } from './invoice.ts';
import type { LedgerEntry } from './ledger.ts';
import { SUSPENSE } from './ledger.ts';
import { assertMinorUnits } from './money.ts';

/** Money booked against an invoice besides the payment itself, so that it closes: an early-payment discount, or a
 * small shortfall (intermediary bank fees) written off within the configured tolerance. */
export interface Adjustment {
  invoiceId: string;
  kind: 'early_payment_discount' | 'shortfall_write_off';
  /** Positive minor units that reduce the invoice balance without cash. */
  amount: number;
}

/** A payment as it arrives, whatever the channel. */
export interface IncomingPayment {
  id: string;
  source: 'stripe' | 'bank' | 'manual';
  /** The provider's id (Stripe payment intent, bank line key, check number). */
  externalId: string;
  method: string;
  amount: number;
  currency: string;
  /** When the money was received (from the event). */
  receivedAt: string;
  /** Our invoice id as the provider's metadata names it. */
  invoiceHint?: string;
  /** Invoice ids a pay link / checkout session names (metadata), paid in this order. */
  invoiceHints?: string[];
  /** Structured creditor references given with the payment (e.g. camt `Strd/CdtrRefInf/Ref`). */
  references?: string[];
  /** Free remittance text (unstructured lines, Stripe cash balance reference, check memo). */
  remittanceText?: string;
  /** As the bank reports it; never enough on its own to apply money. */
  payerName?: string;
  /** Payer's IBAN or account number, normalised (upper case, no spaces). */
  payerAccount?: string;
  /** Our customer, when the channel identifies them (Stripe customer, known account, staff entry). */
  payerCustomerId?: string;
  /** Staff-recorded payments: hash of the request that recorded it, so a resend replays and another body is refused. */
  requestHash?: string;
}

/** Why money was (or was not) applied: the rule that fired and its evidence. */
export interface Decision {
  outcome: 'applied' | 'unapplied';
  rule: string;
  evidence: Record<string, string | number>;
  reason?: string;
}

export interface AllocationPlan {
  invoiceId: string;
  customerId: string;
  dueDate: string;
  /** Cash applied. */
  amount: number;
  /** Discount / write-off booked with it (closes the invoice without cash). */
  adjustment?: Adjustment;
  expectedVersion: number;
  newBalance: number;
  newStatus: InvoiceStatus;
  /** The invoice's open promise to pay at `expectedVersion`: the store settles it as kept when newBalance keeps it. */
  promise?: InvoicePromise;
}

export interface ApplicationPlan {
  paymentId: string;
  customerId: string;
  decision: Decision;
  allocations: AllocationPlan[];
  /** Excess over the targets' balances, kept as customer credit. */
  credit: number;
  /** Amount left in suspense when no rule applied. */
  unapplied: number;
  ledger: LedgerEntry[];
}

/**
 * Picks the target for a payment whose provider metadata names our invoice (tier 1 of cash application).
 * Applies only when exactly that invoice exists, in the payment's currency; otherwise the payment waits for review.
 */
export function decideByInvoiceHint(
  payment: IncomingPayment,
  invoice: Invoice | undefined,
): { decision: Decision; targets: Invoice[] } {
  const evidence: Record<string, string | number> = { invoiceHint: payment.invoiceHint ?? '' };
  if (!payment.invoiceHint || !invoice) {
    return {
      decision: { outcome: 'unapplied', rule: 'metadata.invoice_id', evidence, reason: 'no invoice of ours is named' },
      targets: [],
    };
  }
  if (invoice.currency !== payment.currency) {
    return {
      decision: {
        outcome: 'unapplied',
        rule: 'metadata.invoice_id',
        evidence: { ...evidence, invoiceCurrency: invoice.currency, paymentCurrency: payment.currency },
        reason: 'payment currency differs from the invoice currency',
      },
      targets: [],
    };
  }
  return {
    decision: { outcome: 'applied', rule: 'metadata.invoice_id', evidence: { ...evidence, invoiceNumber: invoice.number } },
    targets: [invoice],
  };
}

/**
 * Turns a decision into allocations and ledger entries. Targets are paid in the order given, each up to its balance;
 * whatever remains becomes customer credit. Allocations + credit + unapplied always equal the payment amount.
 */
export function planApplication(
  payment: IncomingPayment,
  decision: Decision,
  targets: readonly Invoice[],
  adjustments: readonly Adjustment[] = [],
  /** Caps per invoice (staff allocations): apply at most this much to that invoice. */
  caps?: ReadonlyMap<string, number>,
): ApplicationPlan {
  assertMinorUnits(payment.amount);
  if (payment.amount <= 0) throw new RangeError('payment amount must be positive');
  const bookedAt = payment.receivedAt;
  const base = { currency: payment.currency, paymentId: payment.id, bookedAt };
  const ledger: LedgerEntry[] = [];
  const entryId = () => `${payment.id}#${String(ledger.length + 1).padStart(3, '0')}`;

  if (decision.outcome === 'unapplied' || targets.length === 0) {
    const customerId = targets[0]?.customerId ?? payment.payerCustomerId ?? SUSPENSE;
    ledger.push({ ...base, id: entryId(), customerId, account: 'unapplied', type: 'payment_unapplied', amount: payment.amount });
    return { paymentId: payment.id, customerId, decision, allocations: [], credit: 0, unapplied: payment.amount, ledger };
  }

  const customerId = (targets[0] as Invoice).customerId;
  let remaining = payment.amount;
  const allocations: AllocationPlan[] = [];
  for (const invoice of targets) {
    if (invoice.customerId !== customerId) throw new RangeError('targets must belong to one customer');
    if (invoice.currency !== payment.currency) throw new RangeError('targets must be in the payment currency');
    const offered = adjustments.find((a) => a.invoiceId === invoice.id);
    // An adjustment counts only when the cash covers the rest of the balance in full.
    const adjustment =
      offered &&
      offered.amount > 0 &&
      offered.amount < invoice.balanceDue &&
      Math.min(remaining, caps?.get(invoice.id) ?? Infinity) >= invoice.balanceDue - offered.amount
        ? offered
        : undefined;
    const amount = Math.min(remaining, invoice.balanceDue - (adjustment?.amount ?? 0), caps?.get(invoice.id) ?? Infinity);
    if (amount <= 0) continue;
    remaining -= amount;
    const newBalance = invoice.balanceDue - amount - (adjustment?.amount ?? 0);
    allocations.push({
      invoiceId: invoice.id,
      customerId: invoice.customerId,
      dueDate: invoice.dueDate,
      amount,
      ...(adjustment ? { adjustment } : {}),
      expectedVersion: invoice.version,
      newBalance,
      newStatus: statusFor(invoiceAmount(invoice), newBalance),
      ...(invoice.promise?.status === 'open' ? { promise: invoice.promise } : {}),
    });
    ledger.push({
      ...base,
      id: entryId(),
      customerId,
      account: 'receivable',
      type: 'payment_applied',
      amount: -amount,
      invoiceId: invoice.id,
    });
    if (adjustment) {
      ledger.push({
        ...base,
        id: entryId(),
        customerId,
        account: 'receivable',
        type: adjustment.kind,
        amount: -adjustment.amount,
        invoiceId: invoice.id,
      });
    }
  }
  if (remaining > 0) {
    ledger.push({ ...base, id: entryId(), customerId, account: 'customer_credit', type: 'overpayment_credit', amount: remaining });
  }
  return { paymentId: payment.id, customerId, decision, allocations, credit: remaining, unapplied: 0, ledger };
}
