/**
 * Applying a payment, whatever channel it came from: gather the evidence (invoices named by metadata or reference,
 * the identified payer and their open invoices), let the pure matcher decide, and commit the plan in one
 * transaction. Later facts (refunds, chargebacks) are settled by `settlePayment`, which converges whatever order
 * the events arrive in.
 */
import { planApplication, type ApplicationPlan, type IncomingPayment } from '../domain/application.ts';
import type { Customer } from '../domain/customer.ts';
import { earlyPaymentDiscount, type Invoice } from '../domain/invoice.ts';
import { extractReferences, matchPayment, type MatchCandidates } from '../domain/matching.ts';
import { renderReceipt } from '../domain/messages.ts';
import { applyCredit, disputeState, effectiveAmount, rebalance } from '../domain/payment-state.ts';
import { shortfallTolerance } from '../config/policy.ts';
import { logger } from '../logger.ts';
import { getCustomer } from '../store/customers.ts';
import { markDone, type InboxEvent } from '../store/inbox.ts';
import { getInvoice, getInvoiceIdByReference, listInvoices } from '../store/invoices.ts';
import type { MailMessage } from '../store/mail.ts';
import {
  applyPlan,
  commitPaymentChange,
  findPayer,
  getFacts,
  getPayment,
  linkPayer,
  paymentsOfCustomer,
  type StoredPayment,
} from '../store/payments.ts';
import { stableId } from './ids.ts';
import { deliverMail } from './outbox.ts';

const MAX_ATTEMPTS = 8;

/** Jittered exponential backoff between optimistic-lock retries (10 ms · 2^attempt, up to ~1.3 s). */
function backoff(attempt: number): Promise<void> {
  const ms = Math.min(1280, 10 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function paymentIdFor(source: IncomingPayment['source'], externalId: string): string {
  return stableId('pay', `${source}:${externalId}`);
}

export function receiptKey(paymentId: string): string {
  return `receipt#${paymentId}`;
}

async function openInvoicesOf(customerId: string): Promise<Invoice[]> {
  const out: Invoice[] = [];
  for (const status of ['open', 'partially_paid'] as const) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await listInvoices({ customerId, status }, 100, cursor);
      out.push(...page.items);
      cursor = page.lastKey;
    } while (cursor && out.length < 2000);
  }
  return out;
}

/** Loads the evidence the matcher weighs. */
export async function loadCandidates(payment: IncomingPayment): Promise<MatchCandidates> {
  const hintIds = [...new Set([payment.invoiceHint, ...(payment.invoiceHints ?? [])].filter((x): x is string => !!x))];
  const hinted = (await Promise.all(hintIds.map((id) => getInvoice(id)))).filter((i): i is Invoice => !!i);

  const refs = new Set(extractReferences(payment).valid);
  const referenced: Invoice[] = [];
  for (const ref of refs) {
    const id = await getInvoiceIdByReference(ref);
    const invoice = id ? await getInvoice(id) : undefined;
    if (invoice) referenced.push(invoice);
  }

  let payerCustomerId = payment.payerCustomerId;
  let payerEvidence: string | undefined = payerCustomerId ? 'identified_by_channel' : undefined;
  if (!payerCustomerId && payment.payerAccount) {
    const payer = await findPayer(`account:${payment.payerAccount}`);
    if (payer) {
      payerCustomerId = payer.customerId;
      payerEvidence = payer.evidence;
    }
  }
  const payerOpenInvoices = payerCustomerId ? await openInvoicesOf(payerCustomerId) : [];
  return {
    hinted,
    referenced,
    ...(payerCustomerId ? { payerCustomerId, payerEvidence } : {}),
    payerOpenInvoices,
    sameAmountInvoices: [],
  };
}

export type ApplyOutcome = 'applied' | 'unapplied' | 'duplicate';

/**
 * Applies a new payment once. A repeat (same provider id) changes nothing — unless the payment still waits in review
 * and this delivery carries evidence that resolves it (e.g. the checkout session naming the invoices arrives after
 * the bare payment intent), in which case the waiting money is applied.
 */
export async function applyIncomingPayment(payment: IncomingPayment, event: InboxEvent | undefined, now: Date): Promise<ApplyOutcome> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const candidates = await loadCandidates(payment);
    const match = matchPayment(payment, candidates, {
      // Fees are taken by intermediary banks on transfers; card and wallet payments arrive in full.
      shortfallTolerance: payment.source === 'bank' || payment.method === 'bank_transfer' ? shortfallTolerance() : {},
      earlyPaymentDiscount,
    });
    const plan = planApplication(payment, match.decision, match.targets, match.adjustments);
    const customer = plan.allocations.length > 0 || plan.credit > 0 ? await getCustomer(plan.customerId) : undefined;
    const mail = customer ? receiptMail(customer, payment, plan, match.targets, now) : undefined;
    const result = await applyPlan(payment, plan, {
      ...(mail ? { mail } : {}),
      suggestions: match.suggestions,
    });
    if (result === 'conflict') {
      logger.info('invoice changed concurrently; retrying', { paymentId: payment.id, attempt });
      await backoff(attempt);
      continue;
    }
    if (result === 'applied') {
      logger.info('payment recorded', {
        paymentId: payment.id,
        outcome: plan.decision.outcome,
        rule: plan.decision.rule,
        amount: payment.amount,
        currency: payment.currency,
      });
      if (plan.decision.outcome === 'applied' && payment.payerAccount && plan.customerId !== 'suspense') {
        // Remember who pays from this account, for payments that come without a reference.
        await linkPayer(`account:${payment.payerAccount}`, plan.customerId, 'remembered_account');
      }
    } else {
      const existing = await getPayment(payment.id);
      if (existing && existing.status === 'unapplied' && match.decision.outcome === 'applied') {
        await allocateUnapplied(existing, match.targets, match.decision, now);
      }
    }
    const stored = await getPayment(payment.id);
    if (stored && stored.customerId !== 'suspense') await deliverMail(stored.customerId, receiptKey(payment.id), now);
    await settlePayment(payment.id, now);
    // Done only once every effect is in place (a crash before this re-runs the steps above, each idempotent).
    const outcome = result === 'duplicate' ? 'duplicate' : plan.decision.outcome;
    if (event) await markDone(event.source, event.eventId, 'processed', `payment ${outcome}`);
    return outcome;
  }
  throw new Error(`payment ${payment.id}: invoices kept changing concurrently; leaving it to the queue to retry`);
}

/** Applies money waiting in review to invoices (oldest first, each up to its balance), recording the decision. */
export async function allocateUnapplied(
  payment: StoredPayment,
  targets: readonly Invoice[],
  decision: StoredPayment['decision'],
  now: Date,
  by: 'rules' | 'staff' = 'rules',
  amounts?: ReadonlyMap<string, number>,
): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const fresh = attempt === 0 ? payment : await getPayment(payment.id);
    if (!fresh || fresh.unapplied === 0) return false;
    const invoices = await Promise.all(targets.map((t) => getInvoice(t.id)));
    const plan = planApplication(
      { ...fresh, amount: fresh.unapplied },
      decision,
      invoices.filter((i): i is Invoice => !!i),
      [],
      amounts,
    );
    if (plan.allocations.length === 0) return false;
    const byId = new Map(invoices.filter((i): i is Invoice => !!i).map((i) => [i.id, i]));
    const customerId = plan.customerId;
    const bookedAt = now.toISOString();
    const moved = plan.allocations.reduce((s, a) => s + a.amount, 0);
    const allocations = [...fresh.allocations];
    for (const a of plan.allocations) {
      const existing = allocations.find((x) => x.invoiceId === a.invoiceId);
      if (existing) existing.amount += a.amount;
      else allocations.push({ invoiceId: a.invoiceId, amount: a.amount });
    }
    const id = (n: number) => `${fresh.id}#r${fresh.revision + 1}#${String(n).padStart(3, '0')}`;
    const ledger = [
      {
        id: id(1),
        customerId: fresh.customerId,
        account: 'unapplied' as const,
        type: 'manual_allocation' as const,
        amount: -moved,
        currency: fresh.currency,
        paymentId: fresh.id,
        bookedAt,
      },
      ...plan.allocations.map((a, i) => ({
        id: id(i + 2),
        customerId,
        account: 'receivable' as const,
        type: 'manual_allocation' as const,
        amount: -a.amount,
        currency: fresh.currency,
        paymentId: fresh.id,
        invoiceId: a.invoiceId,
        bookedAt,
      })),
    ];
    const ok = await commitPaymentChange(
      fresh,
      {
        state: {
          allocations,
          originalAllocations: allocations.map((a) => ({ ...a })),
          credit: fresh.credit,
          unapplied: fresh.unapplied - moved,
        },
        changes: plan.allocations.map((a) => ({
          invoiceId: a.invoiceId,
          customerId: (byId.get(a.invoiceId) as Invoice).customerId,
          dueDate: a.dueDate,
          delta: a.amount,
          expectedVersion: a.expectedVersion,
          newBalance: a.newBalance,
          newStatus: a.newStatus,
        })),
        ledger,
        customerId,
        decision: { ...decision, at: bookedAt, by },
      },
      bookedAt,
    );
    if (ok) return true;
    await backoff(attempt);
  }
  throw new Error(`payment ${payment.id}: changed concurrently while allocating`);
}

/**
 * Brings a payment's applications in line with its facts (refunds, chargebacks): reverses or re-applies the
 * difference in one transaction. Idempotent and order-independent: it only ever moves to the target.
 */
export async function settlePayment(paymentId: string, now: Date): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const payment = await getPayment(paymentId);
    if (!payment || payment.status === 'pending') return;
    const { facts } = await getFacts(paymentId);
    const target = effectiveAmount(payment.amount, facts);
    const current = payment.allocations.reduce((s, a) => s + a.amount, 0) + payment.credit + payment.unapplied;
    const dispute = disputeState(facts);
    if (target === current && dispute === payment.disputeStatus && facts.refundedTotal === payment.refundedTotal) return;
    const invoices = new Map<string, Invoice>();
    for (const a of payment.allocations) {
      const invoice = await getInvoice(a.invoiceId);
      if (invoice) invoices.set(invoice.id, invoice);
    }
    const reason = target >= current ? 'chargeback_won' : facts.refundedTotal > payment.refundedTotal ? 'refund' : 'chargeback';
    const change = rebalance(payment, payment, target, invoices, now.toISOString(), reason);
    const ok = await commitPaymentChange(
      payment,
      {
        ...change,
        refundedTotal: facts.refundedTotal,
        disputeStatus: dispute,
        decision: {
          outcome: payment.decision.outcome,
          rule: reason,
          evidence: { refundedTotal: facts.refundedTotal, effectiveAmount: target, previous: current, dispute },
          at: now.toISOString(),
          by: 'rules',
        },
      },
      now.toISOString(),
    );
    if (ok) {
      logger.info('payment settled to its facts', { paymentId, reason, target, previous: current, dispute });
      return;
    }
    await backoff(attempt);
  }
  throw new Error(`payment ${paymentId}: changed concurrently while settling`);
}

function receiptMail(
  customer: Customer,
  payment: IncomingPayment,
  plan: ApplicationPlan,
  targets: readonly Invoice[],
  now: Date,
): MailMessage {
  const byId = new Map(targets.map((t) => [t.id, t]));
  const rendered = renderReceipt({
    customerName: customer.name,
    locale: customer.locale,
    timeZone: customer.timeZone,
    currency: payment.currency,
    amount: payment.amount,
    receivedAt: payment.receivedAt,
    invoices: plan.allocations.map((a) => ({
      number: byId.get(a.invoiceId)?.number ?? a.invoiceId,
      applied: a.amount,
      balanceDue: a.newBalance,
    })),
    credit: plan.credit,
  });
  return {
    key: receiptKey(payment.id),
    customerId: customer.id,
    kind: 'receipt',
    to: customer.email,
    ...rendered,
    createdAt: now.toISOString(),
    status: 'pending',
  };
}

/**
 * Policy: customer credit (earlier overpayments) settles a newly issued invoice of the same currency, oldest credit
 * first. On by default; APPLY_CREDIT_TO_NEW_INVOICES=false turns it off. Returns the amount applied.
 */
export async function applyCustomerCredit(invoiceId: string, now: Date): Promise<number> {
  if (process.env.APPLY_CREDIT_TO_NEW_INVOICES === 'false') return 0;
  let applied = 0;
  const first = await getInvoice(invoiceId);
  if (!first) return 0;
  for (const candidate of await paymentsOfCustomer(first.customerId)) {
    if (candidate.credit <= 0 || candidate.currency !== first.currency) continue;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const payment = await getPayment(candidate.id);
      const invoice = await getInvoice(invoiceId);
      if (!payment || !invoice || invoice.balanceDue === 0) return applied;
      const change = applyCredit(payment, payment, invoice, now.toISOString());
      if (!change) break;
      const amount = change.changes[0]?.delta ?? 0;
      const ok = await commitPaymentChange(
        payment,
        {
          ...change,
          decision: {
            outcome: 'applied',
            rule: 'credit_applied',
            evidence: { invoiceId, amount },
            at: now.toISOString(),
            by: 'rules',
          },
        },
        now.toISOString(),
      );
      if (ok) {
        applied += amount;
        break;
      }
      await backoff(attempt);
    }
  }
  return applied;
}
