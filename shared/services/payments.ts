/**
 * Applying a payment, whatever channel it came from: gather the evidence (invoices named by metadata or reference,
 * the identified payer and their open invoices), let the pure matcher decide, and commit the plan in one
 * transaction. Later facts (refunds, chargebacks) are settled by `settlePayment`, which converges whatever order
 * the events arrive in.
 */
import { planApplication, type Adjustment, type ApplicationPlan, type IncomingPayment } from '../domain/application.ts';
import { SUSPENSE, type LedgerEntry } from '../domain/ledger.ts';
import type { Customer } from '../domain/customer.ts';
import { earlyPaymentDiscount, type Invoice } from '../domain/invoice.ts';
import { extractReferences, matchPayment, nearAmountWindow, shortfallToleranceFor, toleranceFor, type MatchCandidates, type MatchPolicy } from '../domain/matching.ts';
import { renderReceipt } from '../domain/messages.ts';
import { payerNameQueries } from '../domain/party-name.ts';
import { applyCredit, disputeState, effectiveAmount, rebalance, takenBack, type AppliedState, type InvoiceChange } from '../domain/payment-state.ts';
import { applyCreditToNewInvoices, shortfallTolerance } from '../config/runtime.ts';
import { errorForLog, logger } from '../logger.ts';
import { customersByName, getCustomer } from '../store/customers.ts';
import { markDone, type InboxEvent } from '../store/inbox.ts';
import { getInvoice, getInvoiceIdByReference, openInvoicesNearAmount } from '../store/invoices.ts';
import { newMail, type MailMessage } from '../store/mail.ts';
import {
  applyPlan,
  commitPaymentChange,
  findPayer,
  INVOICES_PER_COMMIT,
  getFacts,
  getPayment,
  linkPayer,
  paymentsOfCustomer,
  type PaymentChange,
  type PendingApplication,
  type StoredPayment,
} from '../store/payments.ts';
import { TransactionLimitError } from '../store/table.ts';
import { actedBy } from '../context.ts';
import { stableId } from './ids.ts';
import { deliverMail } from './outbox.ts';
import { unpaidInvoices } from '../store/due-index.ts';
import { linkSigner, type LinkSigner } from './links.ts';
import { mailFrame } from './mail-frame.ts';
import { planTargets, touchPlans } from './plans.ts';

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
  const payerOpenInvoices = payerCustomerId ? await unpaidInvoices(payerCustomerId, 2000) : [];
  // Nothing names an invoice and the payer is unknown: the payment will wait in review, so read the amount index for
  // the suggestions a person starts from (never applied by themselves).
  const waits = !payerCustomerId && hinted.length === 0 && referenced.length === 0;
  const nearAmount = waits ? await invoicesNearAmount(payment) : [];
  // The bank's debtor name, when it answers customers' names, ranks their open invoices first (evidence only).
  const byName = waits && payment.payerName ? await invoicesOfNamedPayers(payment, payment.payerName) : undefined;
  return {
    hinted,
    referenced,
    ...(payerCustomerId ? { payerCustomerId, payerEvidence } : {}),
    payerOpenInvoices,
    sameAmountInvoices: nearAmount,
    ...(byName && byName.nameMatches.length > 0 ? byName : {}),
  };
}

/** The matcher's policy for this payment. */
export function matchPolicy(payment: IncomingPayment): MatchPolicy {
  return {
    // Fees are taken by intermediary banks on transfers; card and wallet payments arrive in full (domain rule).
    shortfallTolerance: shortfallToleranceFor(payment, shortfallTolerance()),
    earlyPaymentDiscount,
  };
}

/** Items read per direction from the amount index (at most 4× this many invoices). */
const AMOUNT_INDEX_PER_SIDE = 10;

/** Open invoices of any customer with (nearly) this amount; suggestions only, so a failed read is logged, not fatal. */
async function invoicesNearAmount(payment: IncomingPayment): Promise<Invoice[]> {
  const tolerance = toleranceFor(payment, shortfallTolerance());
  const window = nearAmountWindow(payment.amount, tolerance);
  try {
    return await openInvoicesNearAmount({
      currency: payment.currency,
      amount: payment.amount,
      ...window,
      aroundDate: payment.receivedAt.slice(0, 10),
      perSide: AMOUNT_INDEX_PER_SIDE,
    });
  } catch (error) {
    logger.warn('amount index not readable; the payment waits in review without amount suggestions', {
      paymentId: payment.id,
      error: errorForLog(error),
    });
    return [];
  }
}

/** Customers read from the name index for one payer name, and open invoices read per such customer. */
const NAME_MATCHED_CUSTOMERS = 5;
const NAME_MATCHED_INVOICES_PER_CUSTOMER = 50;

/**
 * Customers whose name answers the payer name (name index, at most NAME_MATCHED_CUSTOMERS) and their open invoices in
 * the payment's currency (at most NAME_MATCHED_INVOICES_PER_CUSTOMER per status each, oldest due first). Suggestions
 * only: a failed read is logged and the payment waits in review without them.
 */
async function invoicesOfNamedPayers(
  payment: IncomingPayment,
  payerName: string,
): Promise<Required<Pick<MatchCandidates, 'nameMatches' | 'nameMatchedInvoices'>>> {
  try {
    const customers = await customersByName(payerNameQueries(payerName), NAME_MATCHED_CUSTOMERS);
    const invoices = await Promise.all(customers.map((c) => unpaidInvoices(c.customerId, NAME_MATCHED_INVOICES_PER_CUSTOMER)));
    return {
      nameMatches: customers.map((c) => ({ customerId: c.customerId, kind: c.kind })),
      nameMatchedInvoices: invoices.flat().filter((inv) => inv.currency === payment.currency && inv.balanceDue > 0),
    };
  } catch (error) {
    logger.warn('name index not readable; the payment waits in review without name suggestions', {
      paymentId: payment.id,
      error: errorForLog(error),
    });
    return { nameMatches: [], nameMatchedInvoices: [] };
  }
}

export type ApplyOutcome = 'applied' | 'unapplied' | 'duplicate';

/**
 * Applies a new payment once. A repeat (same provider id) changes nothing — unless the payment still waits in review
 * and this delivery carries evidence that resolves it (e.g. the checkout session naming the invoices arrives after
 * the bare payment intent), in which case the waiting money is applied.
 *
 * `heldFor`: the money is recorded waiting (in suspense) only for the staff allocation that follows at once — a check
 * staff record with its allocations for this customer: it is reported as received from them, not as sent to review.
 */
export async function applyIncomingPayment(
  payment: IncomingPayment,
  event: InboxEvent | undefined,
  now: Date,
  options: { heldFor?: string } = {},
): Promise<ApplyOutcome> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const candidates = await loadCandidates(payment);
    const byPlan = candidates.referenced.length === 0 && candidates.hinted.length === 0
      ? await planTargets(payment, extractReferences(payment).valid, candidates.payerCustomerId)
      : undefined;
    const match = byPlan
      ? {
          decision: { outcome: 'applied' as const, rule: 'payment_plan', evidence: { planId: byPlan.plan.id, via: byPlan.evidence } },
          targets: byPlan.invoices,
          adjustments: [],
          suggestions: [],
        }
      : matchPayment(payment, candidates, matchPolicy(payment));
    const decided = planApplication(payment, match.decision, match.targets, match.adjustments);
    // More invoices than one transaction holds: record the money as waiting together with the decision, then apply
    // it in parts (continueApplication) — the same end state, never a transaction past DynamoDB's limits.
    const inParts = decided.allocations.length > INVOICES_PER_COMMIT;
    const plan = inParts
      ? planApplication(
          payment,
          { ...decided.decision, outcome: 'unapplied', reason: `being applied to ${decided.allocations.length} invoices in parts` },
          match.targets,
        )
      : decided;
    const customer = !inParts && (plan.allocations.length > 0 || plan.credit > 0) ? await getCustomer(plan.customerId) : undefined;
    const mail = customer ? receiptMail(customer, payment, receiptLines(plan.allocations, match.targets), plan.credit, now, await linkSigner(now)) : undefined;
    const numbers = new Map(match.targets.map((t) => [t.id, t.number]));
    // Waiting money is reported as sent to review — not while it only waits to be applied in parts or for staff.
    const review = (rule: string) =>
      options.heldFor ? { reportFor: options.heldFor } : inParts ? {} : { review: { rule, cause: 'not_matched' as const, suggestionCount: match.suggestions.length } };
    const result = await applyPlan(payment, plan, {
      ...(mail ? { mail } : {}),
      ...review(plan.decision.rule),
      suggestions: match.suggestions,
      ...(inParts
        ? {
            applying: {
              decision: decided.decision,
              by: 'rules',
              allocations: decided.allocations.map((a) => ({ ...a, number: numbers.get(a.invoiceId) ?? a.invoiceId })),
              next: 0,
              leftover: 'credit',
              ledgerType: 'payment_applied',
              bookedAt: payment.receivedAt,
              receipt: true,
            } satisfies PendingApplication,
          }
        : {}),
    }).catch(async (error: unknown) => {
      if (!(error instanceof TransactionLimitError)) throw error;
      // Cannot happen by design (plans past INVOICES_PER_COMMIT go in parts); if it does, the money waits in review
      // with the reason instead of the message failing on every delivery.
      logger.error('programming error: payment transaction past the limits; the payment waits in review', { paymentId: payment.id, error: errorForLog(error) });
      const reason = `could not be applied automatically (${error.message}); apply by hand`;
      return applyPlan(payment, planApplication(payment, { ...decided.decision, outcome: 'unapplied', reason }, match.targets), {
        suggestions: match.suggestions,
        ...review(decided.decision.rule),
      });
    });
    if (result === 'conflict') {
      logger.info('invoice changed concurrently; retrying', { paymentId: payment.id, attempt });
      await backoff(attempt);
      continue;
    }
    if (result === 'applied' && inParts) await continueApplication(payment.id, now);
    if (result === 'applied') {
      const plans = match.targets.map((t) => t.planId).filter((p): p is string => !!p);
      if (plans.length) await touchPlans(plans, now);
      logger.info('payment recorded', {
        paymentId: payment.id,
        outcome: plan.decision.outcome,
        rule: plan.decision.rule,
        amount: payment.amount,
        currency: payment.currency,
      });
    } else {
      const existing = await getPayment(payment.id);
      // A decision being applied in parts (a crash or redelivery in between): resume it, never decide again.
      if (existing?.applying) await continueApplication(existing.id, now);
      else if (existing && existing.status === 'unapplied' && match.decision.outcome === 'applied') {
        await allocateUnapplied(existing, match.targets, match.decision, now, 'rules', undefined, match.adjustments);
      }
    }
    const stored = await getPayment(payment.id);
    if (stored && stored.status === 'applied' && payment.payerAccount && stored.customerId !== SUSPENSE) {
      // Remember who pays from this account, for payments that come without a reference (also on a retry).
      await linkPayer(`account:${payment.payerAccount}`, stored.customerId, 'remembered_account');
    }
    if (stored && stored.customerId !== SUSPENSE) {
      // A mail failure must not hold up the money: the mail stays pending and the sweep sends it.
      await deliverMail(stored.customerId, receiptKey(payment.id), now).catch((error: unknown) =>
        logger.warn('receipt not sent yet; the sweep will retry', { paymentId: payment.id, error: errorForLog(error) }),
      );
    }
    await settlePayment(payment.id, now);
    // Done only once every effect is in place (a crash before this re-runs the steps above, each idempotent).
    const outcome = result === 'duplicate' ? 'duplicate' : inParts ? (stored?.status === 'applied' ? 'applied' : 'unapplied') : plan.decision.outcome;
    if (event) await markDone(event.source, event.eventId, 'processed', `payment ${outcome}`);
    return outcome;
  }
  throw new Error(`payment ${payment.id}: invoices kept changing concurrently; leaving it to the queue to retry`);
}

/**
 * Applies money waiting in review to invoices (oldest first, each up to its balance), recording the decision (with the
 * console member acting, when staff decide). `onlyAtRevision`: a person decided on the payment as it was at that
 * revision (a console form) — if it has moved on since, nothing is applied (false) instead of re-planning on a payment
 * they have not seen; so the same form sent twice applies once.
 */
export async function allocateUnapplied(
  payment: StoredPayment,
  targets: readonly Invoice[],
  decision: StoredPayment['decision'],
  now: Date,
  by: 'rules' | 'staff' = 'rules',
  amounts?: ReadonlyMap<string, number>,
  adjustments: readonly Adjustment[] = [],
  onlyAtRevision?: number,
): Promise<boolean> {
  const actor = by === 'staff' ? actedBy() : {};
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const fresh = attempt === 0 ? payment : await getPayment(payment.id);
    if (!fresh || fresh.unapplied === 0) return false;
    if (onlyAtRevision !== undefined && fresh.revision !== onlyAtRevision) return false;
    const invoices = (await Promise.all(targets.map((t) => getInvoice(t.id)))).filter((i): i is Invoice => !!i);
    const plan = planApplication({ ...fresh, amount: fresh.unapplied }, decision, invoices, adjustments, amounts);
    if (plan.allocations.length === 0) return false;
    const byId = new Map(invoices.map((i) => [i.id, i]));
    const customerId = plan.customerId;
    const bookedAt = now.toISOString();
    if (plan.allocations.length > INVOICES_PER_COMMIT) {
      if (fresh.applying) return false;
      // Too many invoices for one transaction: record the decision (and the new owner of the waiting money), then
      // apply it in parts.
      const base = { currency: fresh.currency, paymentId: fresh.id, bookedAt };
      const move: LedgerEntry[] =
        customerId !== fresh.customerId
          ? [
              { ...base, id: `${fresh.id}#r${fresh.revision + 1}#001`, customerId: fresh.customerId, account: 'unapplied', type: 'manual_allocation', amount: -fresh.unapplied },
              { ...base, id: `${fresh.id}#r${fresh.revision + 1}#002`, customerId, account: 'unapplied', type: 'manual_allocation', amount: fresh.unapplied },
            ]
          : [];
      const recorded = await commitPaymentChange(
        fresh,
        {
          state: appliedState(fresh),
          changes: [],
          ledger: move,
          customerId,
          applying: {
            decision,
            by,
            ...actor,
            allocations: plan.allocations.map((a) => ({ ...a, number: byId.get(a.invoiceId)?.number ?? a.invoiceId })),
            next: 0,
            leftover: 'unapplied',
            ledgerType: 'manual_allocation',
            bookedAt,
            receipt: false,
          },
        },
        bookedAt,
      );
      if (!recorded) {
        await backoff(attempt);
        continue;
      }
      await continueApplication(fresh.id, now);
      return true;
    }
    const moved = plan.allocations.reduce((s, a) => s + a.amount, 0);
    const remaining = fresh.unapplied - moved;
    const add = (list: { invoiceId: string; amount: number }[]) => {
      const out = list.map((a) => ({ ...a }));
      for (const a of plan.allocations) {
        const existing = out.find((x) => x.invoiceId === a.invoiceId);
        if (existing) existing.amount += a.amount;
        else out.push({ invoiceId: a.invoiceId, amount: a.amount });
      }
      return out;
    };
    let n = 0;
    const id = () => `${fresh.id}#r${fresh.revision + 1}#${String(++n).padStart(3, '0')}`;
    const base = { currency: fresh.currency, paymentId: fresh.id, bookedAt };
    const ledger: LedgerEntry[] = [
      { ...base, id: id(), customerId: fresh.customerId, account: 'unapplied', type: 'manual_allocation', amount: -moved },
    ];
    for (const a of plan.allocations) {
      ledger.push({ ...base, id: id(), customerId, account: 'receivable', type: 'manual_allocation', amount: -a.amount, invoiceId: a.invoiceId });
      if (a.adjustment) {
        ledger.push({ ...base, id: id(), customerId, account: 'receivable', type: a.adjustment.kind, amount: -a.adjustment.amount, invoiceId: a.invoiceId });
      }
    }
    if (customerId !== fresh.customerId && remaining > 0) {
      // The payment changes owner (e.g. from suspense): what still waits in review moves with it, in the ledger too.
      ledger.push({ ...base, id: id(), customerId: fresh.customerId, account: 'unapplied', type: 'manual_allocation', amount: -remaining });
      ledger.push({ ...base, id: id(), customerId, account: 'unapplied', type: 'manual_allocation', amount: remaining });
    }
    const ok = await commitPaymentChange(
      fresh,
      {
        state: {
          allocations: add(fresh.allocations),
          originalAllocations: add(fresh.originalAllocations),
          credit: fresh.credit,
          unapplied: remaining,
          adjustments: [
            ...(fresh.adjustments ?? []),
            ...plan.allocations.flatMap((a) =>
              a.adjustment ? [{ invoiceId: a.invoiceId, kind: a.adjustment.kind, amount: a.adjustment.amount, active: true }] : [],
            ),
          ],
        },
        changes: plan.allocations.map((a) => invoiceChange(a, (byId.get(a.invoiceId) as Invoice).customerId)),
        ledger,
        customerId,
        decision: { ...decision, at: bookedAt, by, ...actor },
        report: { kind: 'applied', rule: decision.rule, by },
      },
      bookedAt,
    );
    if (ok) return true;
    await backoff(attempt);
  }
  throw new Error(`payment ${payment.id}: changed concurrently while allocating`);
}

function appliedState(p: StoredPayment): AppliedState {
  return { allocations: p.allocations, originalAllocations: p.originalAllocations, credit: p.credit, unapplied: p.unapplied, ...(p.adjustments ? { adjustments: p.adjustments } : {}) };
}

/**
 * Carries out a decision recorded for application in parts (see PendingApplication): each part moves the next
 * INVOICES_PER_COMMIT allocations from unapplied to their invoices in one transaction guarded by the payment's
 * revision and each invoice's version; the last part also books the leftover (credit) and the receipt, and records the
 * decision. Safe to call any number of times, concurrently too: a part is applied once. If an invoice changed since
 * the decision (paid, credited, charged), the rest stays unapplied in review with a reason — never a retry loop.
 */
export async function continueApplication(paymentId: string, now: Date): Promise<void> {
  let transient = 0;
  for (;;) {
    const payment = await getPayment(paymentId);
    const pending = payment?.applying;
    if (!payment || !pending) return;
    const group = pending.allocations.slice(pending.next, pending.next + INVOICES_PER_COMMIT);
    const last = pending.next + group.length >= pending.allocations.length;
    const moved = group.reduce((s, a) => s + a.amount, 0);
    if (moved > payment.unapplied) {
      await endInReview(payment, pending, `the payment changed while it was being applied in parts (${pending.next} of ${pending.allocations.length} invoices applied); the rest waits in review`, now);
      continue;
    }
    let n = 0;
    const id = () => `${payment.id}#r${payment.revision + 1}#${String(++n).padStart(3, '0')}`;
    const base = { currency: payment.currency, paymentId: payment.id, bookedAt: pending.bookedAt, customerId: payment.customerId };
    const ledger: LedgerEntry[] = [{ ...base, id: id(), account: 'unapplied', type: pending.ledgerType, amount: -moved }];
    for (const a of group) {
      ledger.push({ ...base, id: id(), account: 'receivable', type: pending.ledgerType, amount: -a.amount, invoiceId: a.invoiceId });
      if (a.adjustment) ledger.push({ ...base, id: id(), account: 'receivable', type: a.adjustment.kind, amount: -a.adjustment.amount, invoiceId: a.invoiceId });
    }
    let unapplied = payment.unapplied - moved;
    let credit = payment.credit;
    if (last && pending.leftover === 'credit' && unapplied > 0) {
      ledger.push({ ...base, id: id(), account: 'unapplied', type: 'overpayment_credit', amount: -unapplied });
      ledger.push({ ...base, id: id(), account: 'customer_credit', type: 'overpayment_credit', amount: unapplied });
      credit += unapplied;
      unapplied = 0;
    }
    const add = (list: { invoiceId: string; amount: number }[]) => {
      const out = list.map((a) => ({ ...a }));
      for (const a of group) {
        const existing = out.find((x) => x.invoiceId === a.invoiceId);
        if (existing) existing.amount += a.amount;
        else out.push({ invoiceId: a.invoiceId, amount: a.amount });
      }
      return out;
    };
    let mail: MailMessage | undefined;
    if (last && pending.receipt) {
      const customer = await getCustomer(payment.customerId);
      const lines = pending.allocations.map((a) => ({ number: a.number, applied: a.amount, balanceDue: a.newBalance }));
      if (customer) mail = receiptMail(customer, payment, lines, credit, now, await linkSigner(now));
    }
    const ok = await commitPaymentChange(
      payment,
      {
        state: {
          allocations: add(payment.allocations),
          originalAllocations: add(payment.originalAllocations),
          credit,
          unapplied,
          adjustments: [
            ...(payment.adjustments ?? []),
            ...group.flatMap((a) => (a.adjustment ? [{ invoiceId: a.invoiceId, kind: a.adjustment.kind, amount: a.adjustment.amount, active: true }] : [])),
          ],
        },
        changes: group.map((a) => invoiceChange(a, a.customerId)),
        ledger,
        applying: last ? null : { ...pending, next: pending.next + group.length },
        ...(last ? { decision: { ...pending.decision, at: now.toISOString(), by: pending.by, ...(pending.staffId ? { staffId: pending.staffId } : {}) } } : {}),
        ...(mail ? { mail } : {}),
        report: {
          kind: 'applied',
          rule: pending.decision.rule,
          by: pending.by,
          part: { index: Math.floor(pending.next / INVOICES_PER_COMMIT) + 1, of: Math.ceil(pending.allocations.length / INVOICES_PER_COMMIT) },
        },
      },
      pending.bookedAt,
    );
    if (ok) {
      transient = 0;
      if (last) logger.info('payment applied in parts', { paymentId, invoices: pending.allocations.length, parts: Math.ceil(pending.allocations.length / INVOICES_PER_COMMIT) });
      continue;
    }
    // Not written: another worker moved the payment on (read again), or an invoice changed since the decision (the
    // rest goes to review), or a concurrent transaction touched an item (a short bounded retry).
    const again = await getPayment(paymentId);
    if (!again || again.revision !== payment.revision) continue;
    let changed: string | undefined;
    for (const a of group) {
      const invoice = await getInvoice(a.invoiceId);
      if (!invoice || invoice.version !== a.expectedVersion) {
        changed = a.number;
        break;
      }
    }
    if (changed) {
      await endInReview(
        payment,
        pending,
        `invoice ${changed} changed while the payment was being applied in parts (${pending.next} of ${pending.allocations.length} invoices applied); the rest waits in review`,
        now,
      );
      continue;
    }
    if (++transient >= MAX_ATTEMPTS) throw new Error(`payment ${paymentId}: transactions kept conflicting while applying in parts`);
    await backoff(transient);
  }
}

/** Ends an application in parts early: what was applied stays; the rest waits in review (unapplied) with the reason. */
async function endInReview(payment: StoredPayment, pending: PendingApplication, reason: string, now: Date): Promise<void> {
  const ok = await commitPaymentChange(
    payment,
    {
      state: appliedState(payment),
      changes: [],
      ledger: [],
      applying: null,
      decision: {
        outcome: 'unapplied',
        rule: pending.decision.rule,
        evidence: { ...pending.decision.evidence, appliedInvoices: pending.next, decidedInvoices: pending.allocations.length },
        reason,
        at: now.toISOString(),
        by: 'rules',
      },
      review: { rule: pending.decision.rule, cause: 'application_stopped', suggestionCount: payment.suggestions?.length ?? 0 },
    },
    now.toISOString(),
  );
  if (ok) logger.warn('application in parts ended early; the rest waits in review', { paymentId: payment.id, reason });
}

/**
 * Brings a payment's applications in line with its facts (refunds, chargebacks): reverses or re-applies the
 * difference in one transaction. Idempotent and order-independent: it only ever moves to the target.
 */
export async function settlePayment(paymentId: string, now: Date): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const payment = await getPayment(paymentId);
    if (!payment || payment.status === 'pending') return;
    // Being applied in parts: the application settles the payment when it ends (its caller calls this again).
    if (payment.applying) return;
    const { facts } = await getFacts(paymentId);
    const target = effectiveAmount(payment.amount, facts);
    const current = payment.allocations.reduce((s, a) => s + a.amount, 0) + payment.credit + payment.unapplied;
    const dispute = disputeState(facts);
    const refunded = takenBack(facts);
    if (target === current && dispute === payment.disputeStatus && refunded === payment.refundedTotal) return;
    const invoices = new Map<string, Invoice>();
    for (const a of payment.allocations) {
      const invoice = await getInvoice(a.invoiceId);
      if (invoice) invoices.set(invoice.id, invoice);
    }
    const reason =
      target > current || (target === current && dispute === 'won')
        ? 'chargeback_won'
        : target === current || refunded <= payment.refundedTotal
          ? 'chargeback'
          : 'refund';
    // A refund or chargeback touching more invoices than one transaction holds moves in steps, each toward an
    // intermediate target that changes at most INVOICES_PER_COMMIT invoices; the facts are recorded with the last.
    const step = stepTarget(payment, current, target, invoices, now.toISOString(), reason);
    const final = step === target;
    const rebalanced = rebalance(payment, payment, step, invoices, now.toISOString(), reason);
    const change = { ...rebalanced, changes: rebalanced.changes.map((c) => withChargebackDispute(c, invoices.get(c.invoiceId), paymentId, reason, now)) };
    const ok = await commitPaymentChange(
      payment,
      {
        ...change,
        ...settlementReport(payment, step, current, reason, refunded, final),
        refundedTotal: final ? refunded : payment.refundedTotal,
        disputeStatus: final ? dispute : payment.disputeStatus,
        decision: {
          outcome: payment.decision.outcome,
          rule: reason,
          evidence: { refundedTotal: refunded, effectiveAmount: target, previous: current, dispute },
          at: now.toISOString(),
          by: 'rules',
        },
      },
      now.toISOString(),
    );
    if (ok && !final) {
      attempt = -1; // progress, not a conflict: the next step starts with a fresh budget of attempts
      continue;
    }
    if (ok) {
      logger.info('payment settled to its facts', { paymentId, reason, target, previous: current, dispute });
      return;
    }
    await backoff(attempt);
  }
  throw new Error(`payment ${paymentId}: changed concurrently while settling`);
}

/**
 * What a settling step reports: money taken back is `payment.refunded` (a chargeback when no refund or bank reversal
 * grew; a lost dispute whose money was already taken moves nothing and reports nothing); money back from a won
 * chargeback is `payment.applied` (rule chargeback_won), and `payment.needs_review` when it returns to waiting money.
 */
function settlementReport(
  payment: StoredPayment,
  step: number,
  current: number,
  reason: 'refund' | 'chargeback' | 'chargeback_won',
  refundedTotal: number,
  final: boolean,
): Pick<PaymentChange, 'report' | 'review'> {
  if (step < current) {
    const why = reason === 'chargeback' ? 'chargeback' : payment.source === 'bank' ? 'bank_reversal' : 'refund';
    return { report: { kind: 'refunded', reason: why, refundedTotal, complete: final } };
  }
  if (step > current) {
    return {
      report: { kind: 'applied', rule: 'chargeback_won', by: 'rules' },
      ...(payment.unapplied === 0 && payment.originalAllocations.length === 0
        ? { review: { rule: 'chargeback_won', cause: 'money_returned', suggestionCount: payment.suggestions?.length ?? 0 } }
        : {}),
    };
  }
  return {};
}

/** Cash moved by a rebalance entry (adjustments granted or taken back are not cash). */
const CASH_MOVES = new Set(['refund_reversal', 'chargeback_reversal', 'payment_reapplied']);

/**
 * The effective amount to move to in this step: the target itself when the rebalance changes at most
 * INVOICES_PER_COMMIT invoices; otherwise the amount reached after the first INVOICES_PER_COMMIT invoices of the
 * rebalance's own order (so each step is exactly a prefix of the whole move, and the steps add up to it).
 */
function stepTarget(payment: StoredPayment, current: number, target: number, invoices: ReadonlyMap<string, Invoice>, at: string, reason: 'refund' | 'chargeback' | 'chargeback_won'): number {
  const whole = rebalance(payment, payment, target, invoices, at, reason);
  if (whole.changes.length <= INVOICES_PER_COMMIT) return target;
  const touched = new Set<string>();
  let moved = 0;
  for (const entry of whole.ledger) {
    if (entry.invoiceId && !touched.has(entry.invoiceId)) {
      if (touched.size === INVOICES_PER_COMMIT) break;
      touched.add(entry.invoiceId);
    }
    if (CASH_MOVES.has(entry.type)) moved += Math.abs(entry.amount);
  }
  return target < current ? current - moved : current + moved;
}

/**
 * Chargebacks count as disputes: the invoice a chargeback takes money from is paused (no reminder, no interest) until
 * the chargeback is won (the money comes back and the pause ends) or staff resolve the dispute.
 */
function withChargebackDispute(
  change: InvoiceChange,
  invoice: Invoice | undefined,
  paymentId: string,
  reason: string,
  now: Date,
): InvoiceChange {
  if (reason === 'chargeback' && change.delta < 0 && !invoice?.dispute) {
    return {
      ...change,
      dispute: { id: `chargeback_${paymentId}_${change.invoiceId}`, status: 'open', source: 'chargeback', reason: 'card chargeback', openedAt: now.toISOString(), paymentId },
    };
  }
  if (reason === 'chargeback_won' && change.delta > 0 && invoice?.dispute?.paymentId === paymentId) return { ...change, dispute: null };
  return change;
}

function receiptLines(allocations: ApplicationPlan['allocations'], targets: readonly Invoice[]) {
  const byId = new Map(targets.map((t) => [t.id, t]));
  return allocations.map((a) => ({ number: byId.get(a.invoiceId)?.number ?? a.invoiceId, applied: a.amount, balanceDue: a.newBalance }));
}

function receiptMail(
  customer: Customer,
  payment: IncomingPayment,
  lines: { number: string; applied: number; balanceDue: number }[],
  credit: number,
  now: Date,
  links: LinkSigner,
): MailMessage {
  const rendered = renderReceipt({
    customerName: customer.name,
    locale: customer.locale,
    timeZone: customer.timeZone,
    currency: payment.currency,
    amount: payment.amount,
    receivedAt: payment.receivedAt,
    invoices: lines,
    credit,
    // "How did we do?" after a payment: one click on a signed link records the rating.
    feedbackLinks: links.feedback(customer, `payment:${payment.id}`),
    preferencesLink: links.preferences(customer),
    ...mailFrame(links, customer),
  });
  return newMail(customer, receiptKey(payment.id), 'receipt', rendered, now);
}

/**
 * Policy: customer credit (earlier overpayments) settles a newly issued invoice of the same currency, oldest credit
 * first. On by default; APPLY_CREDIT_TO_NEW_INVOICES=false turns it off. Returns the amount applied.
 */
export async function applyCustomerCredit(invoiceId: string, now: Date): Promise<number> {
  if (!applyCreditToNewInvoices()) return 0;
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
          report: { kind: 'applied', rule: 'credit_applied', by: 'rules' },
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

/** The invoice change an allocation makes: its amount plus any write-off or discount comes off the balance. */
function invoiceChange(
  a: {
    invoiceId: string;
    dueDate: string;
    amount: number;
    adjustment?: { amount: number } | undefined;
    expectedVersion: number;
    newBalance: number;
    newStatus: InvoiceChange['newStatus'];
    promise?: InvoiceChange['promise'];
  },
  customerId: string,
): InvoiceChange {
  return {
    ...(a.promise ? { promise: a.promise } : {}),
    invoiceId: a.invoiceId,
    customerId,
    dueDate: a.dueDate,
    delta: a.amount + (a.adjustment?.amount ?? 0),
    expectedVersion: a.expectedVersion,
    newBalance: a.newBalance,
    newStatus: a.newStatus,
  };
}
