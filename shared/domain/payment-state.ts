import type { Invoice, InvoiceStatus } from './invoice.ts';
import { invoiceAmount, statusFor } from './invoice.ts';
import type { InvoiceDispute } from './collections.ts';
import type { InvoicePromise } from './invoice-collections.ts';
import type { LedgerEntry } from './ledger.ts';
import { keepsPromise } from './promises.ts';

/**
 * What happened to a payment after it arrived — refunds and chargebacks — kept as *facts* that only grow, so that
 * events arriving late, twice or out of order merge to the same state; and the *rebalance* that moves the
 * payment's applications to match the facts. Whatever order Stripe delivers `payment_intent.succeeded`,
 * `charge.refunded`, `charge.dispute.created` and `charge.dispute.closed` in, the final state is the same.
 */

export type DisputeStatus = 'open' | 'won' | 'lost';

export interface PaymentFacts {
  /** Cumulative amount refunded, as Stripe reports it (`charge.amount_refunded`). */
  refundedTotal: number;
  disputes: Record<string, { amount: number; status: DisputeStatus }>;
  /** Bank reversals, each under its own line key (several partial reversals add up). */
  reversals?: Record<string, number>;
}

export const noFacts: PaymentFacts = { refundedTotal: 0, disputes: {}, reversals: {} };

/** Everything taken back by refunds and bank reversals. */
export function takenBack(facts: PaymentFacts): number {
  return facts.refundedTotal + Object.values(facts.reversals ?? {}).reduce((s, a) => s + a, 0);
}

const disputeRank: Record<DisputeStatus, number> = { open: 0, won: 1, lost: 1 };

/** Merge: refunds only grow; a closed dispute outranks an open one; amounts take the larger. Commutative, idempotent. */
export function mergeFacts(a: PaymentFacts, b: PaymentFacts): PaymentFacts {
  const disputes: PaymentFacts['disputes'] = { ...a.disputes };
  for (const [id, d] of Object.entries(b.disputes)) {
    const existing = disputes[id];
    if (!existing) {
      disputes[id] = d;
      continue;
    }
    const status =
      disputeRank[d.status] > disputeRank[existing.status]
        ? d.status
        : disputeRank[d.status] < disputeRank[existing.status]
          ? existing.status
          : d.status === existing.status
            ? d.status
            : 'lost'; // won vs lost for one dispute cannot both be true; keep the customer's money reversed and review
    disputes[id] = { amount: Math.max(existing.amount, d.amount), status };
  }
  const reversals: Record<string, number> = { ...(a.reversals ?? {}) };
  for (const [key, amount] of Object.entries(b.reversals ?? {})) reversals[key] = Math.max(reversals[key] ?? 0, amount);
  return { refundedTotal: Math.max(a.refundedTotal, b.refundedTotal), disputes, reversals };
}

/** The cash the business still holds from the payment: amount − refunds − disputes not won, never below zero. */
export function effectiveAmount(amount: number, facts: PaymentFacts): number {
  const held = Object.values(facts.disputes).reduce((s, d) => s + (d.status === 'won' ? 0 : d.amount), 0);
  return Math.max(0, amount - takenBack(facts) - held);
}

export function disputeState(facts: PaymentFacts): 'none' | 'disputed' | 'won' | 'lost' {
  const all = Object.values(facts.disputes);
  if (all.length === 0) return 'none';
  if (all.some((d) => d.status === 'open')) return 'disputed';
  return all.some((d) => d.status === 'lost') ? 'lost' : 'won';
}

/** Where a payment's money currently sits. */
export interface AppliedState {
  allocations: { invoiceId: string; amount: number }[];
  /** As first applied: re-applications (dispute won) go back to these invoices, in this order. */
  originalAllocations: { invoiceId: string; amount: number }[];
  credit: number;
  unapplied: number;
  /** Discounts and write-offs granted with the allocations; `active` false once taken back with the cash. */
  adjustments?: { invoiceId: string; kind: 'early_payment_discount' | 'shortfall_write_off'; amount: number; active: boolean }[];
}

export interface InvoiceChange {
  invoiceId: string;
  customerId: string;
  dueDate: string;
  /** Positive: more applied (balance goes down); negative: reversed (balance goes up). */
  delta: number;
  expectedVersion: number;
  newBalance: number;
  newStatus: InvoiceStatus;
  /** A Stripe chargeback opens a dispute on the invoice it takes money back from (null clears it when won). */
  dispute?: InvoiceDispute | null;
  /** The invoice's open promise to pay at `expectedVersion`: settled as kept when the new balance keeps it. */
  promise?: InvoicePromise;
}

/**
 * What an invoice change does besides moving its balance — the store writes it, the events report it, from this one
 * reading: the invoice is paid off; a paid invoice reopens (money taken back from a zero balance); its open promise to
 * pay is kept (balance 0, or the promised amount received since it was made).
 */
export function invoiceChangeEffects(change: InvoiceChange): { paid: boolean; reopened: boolean; keepsPromise: boolean } {
  return {
    paid: change.newStatus === 'paid',
    reopened: change.delta < 0 && change.newBalance > 0 && change.newBalance + change.delta === 0,
    keepsPromise: change.delta > 0 && change.promise?.status === 'open' && keepsPromise(change.promise, change.newBalance),
  };
}

export interface Rebalance {
  changes: InvoiceChange[];
  state: AppliedState;
  ledger: LedgerEntry[];
}

/**
 * Moves a payment's applications so that allocations + credit + unapplied equal `target` (the effective amount).
 * Reducing takes unapplied money first, then credit, then allocations from the last applied backwards (reopening
 * those invoices). Increasing re-applies to the original invoices (up to what was first applied and what they still
 * owe), then the rest goes to credit (applied payments) or stays unapplied. Pure; invoices must hold every invoice in
 * `state`.
 */
export function rebalance(
  payment: { id: string; currency: string; customerId: string; revision: number },
  state: AppliedState,
  target: number,
  invoices: ReadonlyMap<string, Invoice>,
  bookedAt: string,
  reason: 'refund' | 'chargeback' | 'chargeback_won',
): Rebalance {
  const current = state.allocations.reduce((s, a) => s + a.amount, 0) + state.credit + state.unapplied;
  const allocations = state.allocations.map((a) => ({ ...a }));
  const adjustments = (state.adjustments ?? []).map((a) => ({ ...a }));
  let { credit, unapplied } = state;
  const ledger: LedgerEntry[] = [];
  const changes = new Map<string, number>();
  const id = () => `${payment.id}#r${payment.revision + 1}#${String(ledger.length + 1).padStart(3, '0')}`;
  const base = { customerId: payment.customerId, currency: payment.currency, paymentId: payment.id, bookedAt };

  if (target < current) {
    let toRemove = current - target;
    const fromUnapplied = Math.min(unapplied, toRemove);
    if (fromUnapplied > 0) {
      unapplied -= fromUnapplied;
      toRemove -= fromUnapplied;
      ledger.push({ ...base, id: id(), account: 'unapplied', type: reversalType(reason), amount: -fromUnapplied });
    }
    const fromCredit = Math.min(credit, toRemove);
    if (fromCredit > 0) {
      credit -= fromCredit;
      toRemove -= fromCredit;
      ledger.push({ ...base, id: id(), account: 'customer_credit', type: reversalType(reason), amount: -fromCredit });
    }
    for (let i = allocations.length - 1; i >= 0 && toRemove > 0; i--) {
      const a = allocations[i] as { invoiceId: string; amount: number };
      const take = Math.min(a.amount, toRemove);
      if (take <= 0) continue;
      a.amount -= take;
      toRemove -= take;
      changes.set(a.invoiceId, (changes.get(a.invoiceId) ?? 0) - take);
      ledger.push({ ...base, id: id(), account: 'receivable', type: reversalType(reason), amount: take, invoiceId: a.invoiceId });
      // A discount or write-off was granted because the invoice was paid in full; with the cash gone, so is it.
      for (const adj of adjustments) {
        if (adj.invoiceId !== a.invoiceId || !adj.active) continue;
        adj.active = false;
        changes.set(a.invoiceId, (changes.get(a.invoiceId) ?? 0) - adj.amount);
        ledger.push({ ...base, id: id(), account: 'receivable', type: 'adjustment_reversed', amount: adj.amount, invoiceId: a.invoiceId });
      }
    }
  } else if (target > current) {
    let toAdd = target - current;
    for (const original of state.originalAllocations) {
      if (toAdd <= 0) break;
      const a = allocations.find((x) => x.invoiceId === original.invoiceId);
      const invoice = invoices.get(original.invoiceId);
      if (!a || !invoice) continue;
      const owed = invoice.balanceDue + (changes.get(a.invoiceId) ?? 0) * -1;
      const give = Math.min(toAdd, original.amount - a.amount, Math.max(0, owed));
      if (give <= 0) continue;
      a.amount += give;
      toAdd -= give;
      changes.set(a.invoiceId, (changes.get(a.invoiceId) ?? 0) + give);
      ledger.push({ ...base, id: id(), account: 'receivable', type: 'payment_reapplied', amount: -give, invoiceId: a.invoiceId });
      // Back to the full original amount: the discount or write-off it earned applies again.
      if (a.amount === original.amount) {
        for (const adj of adjustments) {
          if (adj.invoiceId !== a.invoiceId || adj.active) continue;
          const stillOwed = invoice.balanceDue - (changes.get(a.invoiceId) ?? 0);
          if (adj.amount > stillOwed) continue;
          adj.active = true;
          changes.set(a.invoiceId, (changes.get(a.invoiceId) ?? 0) + adj.amount);
          ledger.push({ ...base, id: id(), account: 'receivable', type: adj.kind, amount: -adj.amount, invoiceId: a.invoiceId });
        }
      }
    }
    if (toAdd > 0) {
      if (state.originalAllocations.length > 0) {
        credit += toAdd;
        ledger.push({ ...base, id: id(), account: 'customer_credit', type: 'payment_reapplied', amount: toAdd });
      } else {
        unapplied += toAdd;
        ledger.push({ ...base, id: id(), account: 'unapplied', type: 'payment_reapplied', amount: toAdd });
      }
    }
  }

  const invoiceChanges: InvoiceChange[] = [];
  for (const [invoiceId, delta] of changes) {
    if (delta === 0) continue;
    const invoice = invoices.get(invoiceId);
    if (!invoice) throw new RangeError(`invoice ${invoiceId} not loaded`);
    const newBalance = invoice.balanceDue - delta;
    if (newBalance < 0 || newBalance > invoiceAmount(invoice)) throw new RangeError(`invoice ${invoiceId} balance out of range`);
    invoiceChanges.push({
      invoiceId,
      customerId: invoice.customerId,
      dueDate: invoice.dueDate,
      delta,
      expectedVersion: invoice.version,
      newBalance,
      newStatus: statusFor(invoiceAmount(invoice), newBalance),
      ...(delta > 0 && invoice.promise?.status === 'open' ? { promise: invoice.promise } : {}),
    });
  }
  return {
    changes: invoiceChanges,
    state: { allocations, originalAllocations: state.originalAllocations, credit, unapplied, adjustments },
    ledger,
  };
}

function reversalType(reason: 'refund' | 'chargeback' | 'chargeback_won'): LedgerEntry['type'] {
  return reason === 'refund' ? 'refund_reversal' : 'chargeback_reversal';
}

/**
 * Staff take an allocation back: the invoice reopens by that amount and the money waits in review again (unapplied,
 * still the customer's). Pure.
 */
export function reverseAllocation(
  payment: { id: string; currency: string; customerId: string; revision: number },
  state: AppliedState,
  invoice: Invoice,
  bookedAt: string,
): Rebalance {
  const allocation = state.allocations.find((a) => a.invoiceId === invoice.id);
  if (!allocation || allocation.amount === 0) throw new RangeError(`payment ${payment.id} has nothing applied to ${invoice.id}`);
  const amount = allocation.amount;
  const granted = (state.adjustments ?? []).filter((a) => a.invoiceId === invoice.id && a.active);
  const adjusted = granted.reduce((s, a) => s + a.amount, 0);
  const newBalance = invoice.balanceDue + amount + adjusted;
  if (newBalance > invoiceAmount(invoice)) throw new RangeError(`invoice ${invoice.id} would owe more than its total`);
  const id = (n: number) => `${payment.id}#r${payment.revision + 1}#${String(n).padStart(3, '0')}`;
  const base = { customerId: payment.customerId, currency: payment.currency, paymentId: payment.id, bookedAt };
  return {
    changes: [
      {
        invoiceId: invoice.id,
        customerId: invoice.customerId,
        dueDate: invoice.dueDate,
        delta: -(amount + adjusted),
        expectedVersion: invoice.version,
        newBalance,
        newStatus: statusFor(invoiceAmount(invoice), newBalance),
      },
    ],
    state: {
      allocations: state.allocations.map((a) => (a.invoiceId === invoice.id ? { ...a, amount: 0 } : a)),
      originalAllocations: state.originalAllocations.filter((a) => a.invoiceId !== invoice.id),
      credit: state.credit,
      unapplied: state.unapplied + amount,
      adjustments: (state.adjustments ?? []).map((a) => (a.invoiceId === invoice.id ? { ...a, active: false } : a)),
    },
    ledger: [
      { ...base, id: id(1), account: 'receivable', type: 'allocation_reversed', amount, invoiceId: invoice.id },
      { ...base, id: id(2), account: 'unapplied', type: 'allocation_reversed', amount },
      ...(adjusted > 0
        ? [{ ...base, id: id(3), account: 'receivable' as const, type: 'adjustment_reversed' as const, amount: adjusted, invoiceId: invoice.id }]
        : []),
    ],
  };
}

/**
 * Uses a payment's customer credit (an earlier overpayment) for an invoice of the same customer and currency: up to
 * the credit and the invoice balance. Pure; returns undefined when there is nothing to apply.
 */
export function applyCredit(
  payment: { id: string; currency: string; customerId: string; revision: number },
  state: AppliedState,
  invoice: Invoice,
  bookedAt: string,
): Rebalance | undefined {
  if (invoice.customerId !== payment.customerId || invoice.currency !== payment.currency) return undefined;
  const amount = Math.min(state.credit, invoice.balanceDue);
  if (amount <= 0) return undefined;
  const id = (n: number) => `${payment.id}#r${payment.revision + 1}#${String(n).padStart(3, '0')}`;
  const base = { customerId: payment.customerId, currency: payment.currency, paymentId: payment.id, bookedAt };
  const add = (list: { invoiceId: string; amount: number }[]) => {
    const existing = list.find((a) => a.invoiceId === invoice.id);
    return existing
      ? list.map((a) => (a.invoiceId === invoice.id ? { ...a, amount: a.amount + amount } : a))
      : [...list, { invoiceId: invoice.id, amount }];
  };
  const newBalance = invoice.balanceDue - amount;
  return {
    changes: [
      {
        invoiceId: invoice.id,
        customerId: invoice.customerId,
        dueDate: invoice.dueDate,
        delta: amount,
        expectedVersion: invoice.version,
        newBalance,
        newStatus: statusFor(invoiceAmount(invoice), newBalance),
      },
    ],
    state: {
      allocations: add(state.allocations),
      originalAllocations: add(state.originalAllocations),
      credit: state.credit - amount,
      unapplied: state.unapplied,
    },
    ledger: [
      { ...base, id: id(1), account: 'customer_credit', type: 'credit_applied', amount: -amount },
      { ...base, id: id(2), account: 'receivable', type: 'credit_applied', amount: -amount, invoiceId: invoice.id },
    ],
  };
}
