/**
 * The collections engine's use cases, driven by the scheduled sweeps through the `collections` queue:
 *
 *   reminders / interest / escalation (schedule, "now" = the event's time)
 *     └─► one `sweep` message per index shard ─► collections worker reads one page of the shard's due slice,
 *           enqueues one job per customer (dunning, escalation) or per invoice (interest), and a follow-up `sweep`
 *           message with the page cursor — so no invocation's work grows with the portfolio.
 *
 * Every job decides with the pure domain (shared/domain/collections.ts) and commits in one guarded transaction, so a
 * re-fired schedule, a redelivered message or two workers racing add nothing.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  actionShard,
  effectiveDueDate,
  escalationDecision,
  interestRun,
  planDunning,
  type DunningPlan,
} from '../domain/collections.ts';
import type { CadenceDecision } from '../domain/adaptive-cadence.ts';
import type { Customer } from '../domain/customer.ts';
import { localDate } from '../domain/dates.ts';
import { invoiceAmount, statusFor, type Invoice } from '../domain/invoice.ts';
import type { LedgerEntry } from '../domain/ledger.ts';
import { reminderOffersPlan } from '../domain/plans.ts';
import { renderReminder } from '../domain/reminder-mail.ts';
import { reminderItem, reminderRunWrites, sendsLetter } from '../domain/reminder-run.ts';
import { escalatedEvent, interestChargedEvents, promiseBrokenEvent, promiseKeptEvent, reminderSentEvent } from '../domain/events/collections-events.ts';
import type { EventEnvelope } from '../domain/events/envelope.ts';
import { enqueueAll } from '../adapters/queue.ts';
import { logger } from '../logger.ts';
import { commitDunning, commitEscalation, commitInterest, ESCALATIONS_PER_COMMIT, reschedule } from '../store/collections.ts';
import { dueSlice, dueSliceBound, earliestDueKey, unpaidInvoices } from '../store/due-index.ts';
import { getCustomer } from '../store/customers.ts';
import { getInvoice } from '../store/invoices.ts';
import type { SweepKind } from '../store/keys.ts';
import { newMail, type MailMessage } from '../store/mail.ts';
import { linkSigner } from './links.ts';
import { mailFrame } from './mail-frame.ts';
import { ACTION_SHARDS } from '../topology.ts';
import { adaptiveCadence, payeeAccount } from '../config/runtime.ts';
import { deliverSoon } from './outbox.ts';
import { runPlans } from './plans.ts';
import { runStatementsPage } from './statements.ts';
import { insightsMessageSchema, runInsightsPage } from './insights.ts';

/** A job error that redelivery cannot fix (e.g. a transaction past DynamoDB's limits): the worker drops the job. */
export { isPermanentError } from '../store/table.ts';

/** Items per index page a sweep message reads. (The most invoices one reminder mail covers: domain/reminder-run.ts.) */
export const SWEEP_PAGE = 250;
const MAX_ATTEMPTS = 5;

export const collectionsMessageSchema = z.discriminatedUnion('job', [
  z.object({
    job: z.literal('sweep'),
    kind: z.enum(['dunning', 'interest', 'escalation']),
    shard: z.number().int().min(0).max(ACTION_SHARDS - 1),
    now: z.iso.datetime(),
    cursor: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({ job: z.literal('dunning'), customerId: z.string().min(1), now: z.iso.datetime() }),
  z.object({ job: z.literal('interest'), invoiceId: z.string().min(1), now: z.iso.datetime() }),
  z.object({ job: z.literal('escalation'), customerId: z.string().min(1), invoiceIds: z.array(z.string()).min(1), now: z.iso.datetime() }),
  z.object({ job: z.literal('statements'), now: z.iso.datetime(), cursor: z.record(z.string(), z.unknown()).optional() }),
  insightsMessageSchema,
]);
export type CollectionsMessage = z.infer<typeof collectionsMessageSchema>;

/** A scheduled sweep: one message per shard of the kind's index; the worker does the rest. */
export async function startSweep(kind: SweepKind, now: Date): Promise<{ shards: number }> {
  const messages: CollectionsMessage[] = [];
  for (let shard = 0; shard < ACTION_SHARDS; shard++) messages.push({ job: 'sweep', kind, shard, now: now.toISOString() });
  await enqueueAll('collections', messages);
  return { shards: ACTION_SHARDS };
}

/**
 * Local time travel's shortcut (the sweep itself never asks: it fans out regardless). `sweepEarliestKey` reads the
 * smallest key of a sweep's index; `sweepWouldFind` says whether a sweep at `now` would find anything, given that key —
 * the due slice's own bound, so exactly when the sweep's pages would read an entry. Until the table changes, the same
 * key answers for any `now`: a replay of months skips the runs that would find nothing without asking again.
 */
export async function sweepEarliestKey(kind: SweepKind): Promise<string | undefined> {
  return earliestDueKey(kind, ACTION_SHARDS);
}

export function sweepWouldFind(kind: SweepKind, earliestKey: string | undefined, now: Date): boolean {
  return earliestKey !== undefined && earliestKey <= dueSliceBound(sliceEnd(kind, now));
}

/** The upper bound of a sweep's due slice: an instant for the dunning index, the latest local date anywhere for the others. */
function sliceEnd(kind: SweepKind, now: Date): string {
  if (kind === 'dunning') return now.toISOString();
  // Date-keyed markers hold customer-local dates; UTC+14 is the furthest ahead any zone is.
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
}

export async function processCollectionsMessage(message: CollectionsMessage): Promise<void> {
  const now = new Date(message.now);
  switch (message.job) {
    case 'sweep':
      return sweepPage(message.kind, message.shard, now, message.cursor);
    case 'dunning':
      await runDunning(message.customerId, now);
      return;
    case 'interest':
      await runInterest(message.invoiceId, now);
      return;
    case 'escalation':
      await runEscalation(message.customerId, message.invoiceIds, now);
      return;
    case 'insights':
      // One page of customers per message (statistics, then predictions); the next page is the next message.
      return runInsightsPage(message);
    case 'statements': {
      // One page of customers per message; the next page is the next message.
      const { next } = await runStatementsPage(now, message.cursor);
      if (next) await enqueueAll('collections', [{ job: 'statements', now: message.now, cursor: next }]);
      return;
    }
  }
}

async function sweepPage(kind: SweepKind, shard: number, now: Date, cursor?: Record<string, unknown>): Promise<void> {
  const page = await dueSlice(kind, shard, sliceEnd(kind, now), SWEEP_PAGE, cursor);
  const jobs: CollectionsMessage[] = [];
  const at = now.toISOString();
  if (kind === 'interest') {
    for (const e of page.entries) jobs.push({ job: 'interest', invoiceId: e.invoiceId, now: at });
  } else {
    const byCustomer = new Map<string, string[]>();
    for (const e of page.entries) byCustomer.set(e.customerId, [...(byCustomer.get(e.customerId) ?? []), e.invoiceId]);
    for (const [customerId, invoiceIds] of byCustomer) {
      jobs.push(kind === 'dunning' ? { job: 'dunning', customerId, now: at } : { job: 'escalation', customerId, invoiceIds, now: at });
    }
  }
  // The continuation goes last: if sending the jobs fails, the whole page is redelivered (jobs are idempotent).
  if (page.lastKey) jobs.push({ job: 'sweep', kind, shard, now: at, cursor: page.lastKey });
  await enqueueAll('collections', jobs);
}

// ---------------------------------------------------------------------------------------------------------------
// Reminders

function shardOf(customerId: string): number {
  return actionShard(customerId, ACTION_SHARDS);
}

/**
 * A stable key for a reminder: the same invoices at the same steps of the same due date are one mail, whatever the
 * number of runs. (The due date in force is part of it: after an extension the ladder starts over.)
 */
function reminderKey(plan: NonNullable<DunningPlan['mail']>): string {
  const basis = plan.items.map((i) => `${i.invoice.id}:${i.step.id}:${effectiveDueDate(i.invoice)}`).sort().join(',');
  return `reminder#${createHash('sha256').update(basis).digest('base64url').slice(0, 22)}`;
}

/**
 * One customer's reminder run: decide every unpaid invoice's ladder at `now`, send one mail covering all items due,
 * and move each invoice in the next-action index — in one transaction with the run's events (reminder.sent for the
 * mail, promise.broken for each promise found broken); then deliver the mail.
 *
 * "Sent" means committed for sending: the event is written with the mail (pending) and the ladder state, so it exists
 * exactly when the reminder was decided; delivery follows at least once (now, or the outbox sweep), and a mail to an
 * address SES has suppressed is not sent — that is reported once per customer as customer.mail_suppressed.
 */
export async function runDunning(customerId: string, now: Date): Promise<{ sent?: string; items: number }> {
  let customer = await getCustomer(customerId);
  if (!customer) return { items: 0 };
  await runPlans(customer, now);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // A retry (something changed meanwhile) decides again on fresh state.
    if (attempt > 0) customer = await getCustomer(customerId);
    if (!customer) return { items: 0 };
    const invoices = await unpaidInvoices(customerId);
    // The adaptive cadence (domain/adaptive-cadence.ts) shapes the ladder by the customer's predicted behaviour.
    const plan = planDunning(customer, invoices, now, { excluded: customer.mailSuppressed !== undefined, adaptive: adaptiveCadence() });
    // The mail's items capped, and only what changes written, within one transaction (domain/reminder-run.ts).
    const indexed = new Map(invoices.map((i) => [i.id, i.indexedAt ?? null]));
    const run = reminderRunWrites(plan, indexed, now);
    const mail: MailMessage | undefined = run.mail ? await reminderMail(customer, run.mail, now) : undefined;
    const changed = run.changed;
    // Formal notices also go by post when the customer asked for letters (and we have their address).
    const letter =
      mail && run.mail && customer.postalAddress && sendsLetter(run.mail.step, customer)
        ? { date: now.toISOString().slice(0, 10), customerId, mailKey: mail.key, address: customer.postalAddress, subject: mail.subject, text: mail.text, createdAt: now.toISOString() }
        : undefined;
    const events = dunningEvents(customer, plan, run, mail, letter !== undefined, invoices, now);
    const result = await commitDunning(shardOf(customerId), changed, mail, now, letter, customerId, events);
    if (result === 'conflict') continue;
    if (mail && result === 'committed') {
      await deliverSoon(mail, now);
      logger.info('reminder sent', { customerId, step: plan.mail?.step.id, items: plan.mail?.items.length });
      return { sent: plan.mail?.step.id, items: plan.mail?.items.length ?? 0 };
    }
    return { items: 0 };
  }
  throw new Error(`customer ${customerId}: invoices changed concurrently during the reminder run`);
}

/**
 * The events a reminder run reports: the reminder (if any) first — its id is the run's outbox record's — then the
 * promises it settled: broken, or kept without a payment (a credit note brought the balance down; a promise a payment
 * keeps is settled, and reported, in the payment's own transaction).
 */
function dunningEvents(
  customer: Customer,
  plan: DunningPlan,
  run: ReturnType<typeof reminderRunWrites>,
  mail: MailMessage | undefined,
  letter: boolean,
  invoices: readonly Invoice[],
  now: Date,
): EventEnvelope[] {
  const events: EventEnvelope[] = [];
  if (mail && run.mail) events.push(reminderSentEvent({ customer, mailKey: mail.key, mail: run.mail, cadence: plan.cadence, letter, now }));
  const byId = new Map(invoices.map((i) => [i.id, i]));
  for (const u of run.changed) {
    const invoice = byId.get(u.invoiceId);
    if (u.promise?.status === 'broken' && invoice) events.push(promiseBrokenEvent(invoice, u.promise, now));
    if (u.promise?.status === 'kept' && invoice) events.push(promiseKeptEvent(invoice, u.promise, { keptAt: u.promise.settledAt ?? now.toISOString() }));
  }
  return events;
}

async function reminderMail(customer: Customer, mail: NonNullable<DunningPlan['mail']>, now: Date): Promise<MailMessage> {
  const today = localDate(now, customer.timeZone);
  const links = await linkSigner(now);
  const rendered = renderReminder({
    customerName: customer.name,
    locale: customer.locale,
    timeZone: customer.timeZone,
    tone: mail.step.tone,
    kind: mail.step.kind,
    items: mail.items.map((i) => ({
      ...reminderItem(i.invoice, today, links.pay(customer, i.invoice.id)),
      ...(i.brokenPromise ? { promiseBroken: i.brokenPromise } : {}),
    })),
    itemKinds: mail.items.map((i) => i.step.kind),
    preferencesLink: links.preferences(customer),
    ...mailFrame(links, customer),
    ...(reminderOffersPlan(mail.step.kind, mail.items.map((i) => i.invoice)) ? { planRequestLink: links.planRequest(customer) } : {}),
    ...(mail.planOfferFirst ? { planOfferFirst: true } : {}),
    ...(customer.preferredPaymentMethod ? { preferredPaymentMethod: customer.preferredPaymentMethod } : {}),
    payeeAccount: payeeAccount(),
    ...(mail.legalDate ? { legalDate: mail.legalDate } : {}),
  });
  return newMail(customer, reminderKey(mail), `reminder:${mail.step.id}`, rendered, now, {
    invoiceIds: mail.items.map((i) => i.invoice.id),
    step: mail.step.id,
    tone: mail.step.tone,
    // The decision trail: why the adaptive cadence shaped this reminder (absent: the standard ladder).
    ...(mail.cadence ? { cadence: cadenceTrail(mail.cadence, mail.planOfferFirst === true) } : {}),
  });
}

/** What the mail records of the adaptive cadence's decision. */
function cadenceTrail(decision: CadenceDecision, planOfferFirst: boolean): NonNullable<MailMessage['cadence']> {
  return {
    policy: decision.policy,
    ...(decision.riskBand ? { riskBand: decision.riskBand } : {}),
    ...(decision.assessedAsOf ? { assessedAsOf: decision.assessedAsOf } : {}),
    reason: decision.reason,
    changes: decision.changes,
    planOfferFirst,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Interest and fees

export async function runInterest(invoiceId: string, now: Date): Promise<{ booked: number }> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const invoice = await getInvoice(invoiceId);
    if (!invoice) return { booked: 0 };
    const customer = await getCustomer(invoice.customerId);
    if (!customer) return { booked: 0 };
    const shard = shardOf(customer.id);
    const run = interestRun(invoice, customer, now);
    if (run.postings.length === 0 && !run.accrual) {
      await reschedule('interest', invoice, shard, run.nextOn);
      return { booked: 0 };
    }
    const added = run.postings.reduce((s, p) => s + p.amount, 0);
    const today = localDate(now, customer.timeZone);
    const ledger: LedgerEntry[] = run.postings.map((p) => ({
      id: p.key,
      customerId: customer.id,
      account: 'receivable',
      type: p.kind === 'interest' ? 'interest_charged' : 'late_fee_charged',
      amount: p.amount,
      currency: invoice.currency,
      invoiceId: invoice.id,
      bookedAt: now.toISOString(),
    }));
    const after = { ...invoice, charges: (invoice.charges ?? 0) + added };
    const newBalance = invoice.balanceDue + added;
    const result = await commitInterest(
      {
        invoice,
        delta: added,
        newStatus: statusFor(invoiceAmount(after), newBalance),
        set: {
          ...(added ? { charges: after.charges } : {}),
          ...(run.accrual ? { accrual: run.accrual } : {}),
          ...(run.postings.some((p) => p.kind === 'late_fee') ? { lateFeeCharged: true } : {}),
        },
        // A charge on a settled invoice brings it back to the reminders (the minimum amount decides if it is chased).
        ...(added > 0 && invoice.balanceDue === 0 ? { dunningAt: now.toISOString() } : {}),
        shard,
      },
      ledger,
      run.nextOn,
      interestChargedEvents(invoice, run.postings, now),
    );
    if (result === 'committed') {
      if (added) logger.info('interest booked', { invoiceId, amount: added, postings: run.postings.length, today });
      return { booked: added };
    }
  }
  throw new Error(`invoice ${invoiceId}: changed concurrently during the interest run`);
}

// ---------------------------------------------------------------------------------------------------------------
// Escalation

/**
 * Escalates a customer's invoices due for legal handover. However many there are, each transaction stays within
 * DynamoDB's limits: the invoices go in groups of ESCALATIONS_PER_COMMIT, each group one guarded transaction with its
 * own `collections.escalated` event (outbox) listing exactly the invoices it escalated. A redelivered job or a retry
 * after a conflict decides again on fresh state: invoices escalated already are skipped (their marker is gone and
 * `escalatedAt` set), so every invoice is escalated — and listed in an event — exactly once.
 */
export async function runEscalation(customerId: string, invoiceIds: readonly string[], now: Date): Promise<{ escalated: number }> {
  let escalated = 0;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const customer = await getCustomer(customerId);
    if (!customer) return { escalated };
    const shard = shardOf(customerId);
    const due: Invoice[] = [];
    for (const id of invoiceIds) {
      const invoice = await getInvoice(id);
      if (!invoice) continue;
      const decision = escalationDecision(invoice, customer, now);
      if (decision.escalate) due.push(invoice);
      else await reschedule('escalation', invoice, shard, decision.retryOn ?? null);
    }
    if (due.length === 0) return { escalated };
    const today = localDate(now, customer.timeZone);
    let conflict = false;
    for (let start = 0; start < due.length; start += ESCALATIONS_PER_COMMIT) {
      const group = due.slice(start, start + ESCALATIONS_PER_COMMIT);
      const event = escalatedEvent(customerId, group, today, now);
      const result = await commitEscalation(group, event, shard, now);
      if (result === 'conflict') {
        // Something changed meanwhile: decide again for what is left (groups committed stay committed).
        conflict = true;
        break;
      }
      if (result === 'committed') {
        // The event is published by the outbox relay once the transaction committed (shared/services/events.ts).
        escalated += group.length;
        logger.info('escalated to legal', { customerId, invoices: group.length, eventId: event.id });
      }
    }
    if (!conflict) return { escalated };
  }
  throw new Error(`customer ${customerId}: invoices changed concurrently during escalation`);
}
