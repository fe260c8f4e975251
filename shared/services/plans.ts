/**
 * Payment plans: created by staff or requested by the customer (policy decides auto-approval), run by the dunning
 * worker (instalment reminders, completion, default), and known to cash application (a payment quoting the plan's
 * reference, or from the customer for exactly the open instalments, goes to the plan's invoices oldest first).
 */
import { actedBy } from '../context.ts';
import { actionShard } from '../domain/collections.ts';
import type { Customer } from '../domain/customer.ts';
import { addDays, daysBetween, localDate } from '../domain/dates.ts';
import type { IncomingPayment } from '../domain/application.ts';
import type { Invoice } from '../domain/invoice.ts';
import { renderPlanMail, type PlanMail } from '../domain/plan-mail.ts';
import { approvePlan as policyDecision, planAction, planIneligibility, planProgress, planSchedule, type NewPlan, type PaymentPlan } from '../domain/plans.ts';
import { createRfReference } from '../domain/rf-reference.ts';
import { planCompletedEvent, planCreatedEvent, planDefaultedEvent } from '../domain/events/casework-events.ts';
import type { EventEnvelope } from '../domain/events/envelope.ts';
import { Conflict, Invalid, NotFound } from './errors.ts';
import { replayed, requestHash } from './idempotency.ts';
import { errorForLog, logger } from '../logger.ts';
import { getCustomer } from '../store/customers.ts';
import { getInvoice } from '../store/invoices.ts';
import { newMail, type MailMessage } from '../store/mail.ts';
import { linkSigner } from './links.ts';
import { mailFrame } from './mail-frame.ts';
import {
  cancelInterruptedPlan,
  commitNewPlan,
  commitPlanApproval,
  commitPlanRun,
  getPlan,
  getPlanForReplay,
  plansOfCustomer,
  referenceTarget,
  remindPlanAt,
  type NextAction,
  type PlanRelease,
} from '../store/plans.ts';
import { ACTION_SHARDS } from '../topology.ts';
import { payeeAccount } from '../config/runtime.ts';
import { newId, randomReferenceBody, stableId } from './ids.ts';
import { deliverSoon } from './outbox.ts';

const shardOf = (customerId: string) => actionShard(customerId, ACTION_SHARDS);

async function planMail(customer: Customer, plan: PaymentPlan, key: string, mail: PlanMail, now: Date, invoiceNumbers: string[]): Promise<MailMessage | undefined> {
  if (customer.mailSuppressed) return undefined;
  const signer = await linkSigner(now);
  const rendered = renderPlanMail({
    customerName: customer.name,
    locale: customer.locale,
    timeZone: customer.timeZone,
    currency: plan.currency,
    total: plan.total,
    invoiceNumbers,
    paymentReference: plan.paymentReference,
    payeeAccount: payeeAccount(),
    mail,
    preferencesLink: signer.preferences(customer),
    ...mailFrame(signer, customer),
  });
  return newMail(customer, key, mail.kind, rendered, now);
}

async function coveredInvoices(customerId: string, invoiceIds: readonly string[]): Promise<Invoice[]> {
  const out: Invoice[] = [];
  for (const [i, id] of invoiceIds.entries()) {
    const invoice = await getInvoice(id);
    const field = `invoiceIds.${i}`;
    if (!invoice) throw new Invalid(field, 'no such invoice');
    if (invoice.customerId !== customerId) throw new Invalid(field, 'invoice belongs to another customer');
    // Plan eligibility is the domain's (domain/plans.ts); here only how each reason is told.
    switch (planIneligibility(invoice)) {
      case 'paid':
        throw new Conflict('invoice_paid', `${field}: invoice ${invoice.number} is paid`, field);
      case 'disputed':
        throw new Conflict('disputed', `${field}: invoice ${invoice.number} is disputed; resolve the dispute first`, field);
      case 'escalated':
        throw new Conflict('escalated', `${field}: invoice ${invoice.number} was handed over to legal`, field);
      case 'in_plan':
        throw new Conflict('in_plan', `${field}: invoice ${invoice.number} is already in plan ${invoice.planId}`, field);
    }
    out.push(invoice);
  }
  const currencies = new Set(out.map((i) => i.currency));
  if (currencies.size > 1) throw new Invalid('invoiceIds', 'all invoices must be in one currency');
  return out.sort((a, b) => a.dueDate.localeCompare(b.dueDate));
}

export async function createPlan(
  input: NewPlan,
  requestedBy: 'staff' | 'customer',
  idempotencyKey: string | undefined,
  now: Date,
): Promise<{ plan: PaymentPlan; created: boolean }> {
  const id = idempotencyKey ? stableId('plan', `plan:${input.customerId}:${idempotencyKey}`) : newId('plan');
  const hash = requestHash(input);
  if (idempotencyKey) {
    const existing = await getPlanForReplay(id);
    if (existing) return { plan: replayed(existing, hash), created: false };
  }
  const customer = await getCustomer(input.customerId);
  if (!customer) throw new Invalid('customerId', 'no such customer');
  const invoices = await coveredInvoices(customer.id, input.invoiceIds);
  const today = localDate(now, customer.timeZone);
  const total = invoices.reduce((s, i) => s + i.balanceDue, 0);
  const firstDueDate = input.firstDueDate ?? addDays(today, 7);
  if (firstDueDate < today) throw new Invalid('firstDueDate', 'must not be in the past');
  let instalments;
  try {
    instalments = planSchedule({ total, count: input.instalments, frequency: input.frequency, firstDueDate, today, downPayment: input.downPayment, amounts: input.amounts });
  } catch (error) {
    const field = input.amounts ? 'amounts' : input.downPayment ? 'downPayment' : 'instalments';
    throw new Invalid(field, (error as Error).message);
  }
  const defaulted = (await plansOfCustomer(customer.id, 'defaulted')).length;
  const policy = policyDecision(instalments, invoices[0]?.currency ?? customer.currency, today, { defaulted });
  const plan: PaymentPlan = {
    id,
    customerId: customer.id,
    currency: invoices[0]?.currency ?? customer.currency,
    invoiceIds: invoices.map((i) => i.id),
    paymentReference: createRfReference(randomReferenceBody()),
    total,
    frequency: input.frequency,
    instalments,
    graceDays: input.graceDays ?? 3,
    // Staff may agree anything; a customer's request outside the policy waits for staff.
    status: requestedBy === 'staff' || policy.approved ? 'active' : 'pending_approval',
    approval: { by: requestedBy === 'staff' ? 'staff' : 'policy', reasons: policy.reasons, at: now.toISOString() },
    requestedBy,
    createdAt: now.toISOString(),
    ...(requestedBy === 'staff' || policy.approved ? { activatedAt: now.toISOString() } : {}),
    reminded: [],
    version: 1,
  };
  const active = plan.status === 'active';
  const mail = await planMail(
    customer,
    plan,
    `plan#${plan.id}#${active ? 'confirmed' : 'requested'}`,
    active ? { kind: 'plan_confirmed', instalments } : { kind: 'plan_requested' },
    now,
    invoices.map((i) => i.number),
  );
  // In force at once (staff, or inside the policy): announced with the commit that makes it whole. A request waiting
  // for approval is announced when it is approved.
  const events = active ? [planCreatedEvent(plan, invoices)] : [];
  const codes = await commitNewPlan(plan, hash, active ? { shard: shardOf(customer.id), at: now.toISOString() } : undefined, active ? invoices : [], mail, events);
  if (codes) {
    if (codes[0] === 'ConditionalCheckFailed' && idempotencyKey) return createPlan(input, requestedBy, idempotencyKey, now);
    throw new Conflict('conflict', 'an invoice changed meanwhile (paid, disputed or put in another plan); read them and retry');
  }
  await deliverSoon(mail, now);
  logger.info('payment plan created', { planId: plan.id, status: plan.status, instalments: instalments.length });
  return { plan, created: true };
}

export async function approve(planId: string, now: Date): Promise<PaymentPlan> {
  const stored = await getPlanForReplay(planId);
  if (!stored) throw new NotFound(`plan ${planId} not found`);
  const plan = stored.entity;
  if (plan.status === 'active') return plan;
  if (plan.status !== 'pending_approval') throw new Conflict('not_pending', `plan ${planId} is ${plan.status}`);
  const customer = await getCustomer(plan.customerId);
  if (!customer) throw new NotFound(`customer ${plan.customerId} not found`);
  const invoices = await coveredInvoices(customer.id, plan.invoiceIds);
  // Approved later than requested: the schedule moves by the days that passed, over today's covered balance.
  const today = localDate(now, customer.timeZone);
  const shift = Math.max(0, daysBetween(localDate(new Date(plan.createdAt), customer.timeZone), today));
  const regular = plan.instalments.filter((i) => i.seq > 0);
  const down = plan.instalments.find((i) => i.seq === 0)?.amount;
  const total = invoices.reduce((s, i) => s + i.balanceDue, 0);
  const instalments = planSchedule({
    total,
    count: regular.length,
    frequency: plan.frequency,
    firstDueDate: addDays(regular[0]?.dueDate ?? today, shift),
    today,
    ...(down && down < total ? { downPayment: down } : {}),
  });
  const next: PaymentPlan = { ...plan, total, instalments, status: 'active', activatedAt: now.toISOString(), approval: { ...plan.approval, by: 'staff', at: now.toISOString(), ...actedBy() }, version: plan.version + 1 };
  const mail = await planMail(customer, next, `plan#${plan.id}#confirmed`, { kind: 'plan_confirmed', instalments }, now, invoices.map((i) => i.number));
  const codes = await commitPlanApproval(plan, next, stored.requestHash, { shard: shardOf(customer.id), at: now.toISOString() }, invoices, mail, [planCreatedEvent(next, invoices)]);
  if (codes) throw new Conflict('conflict', `plan ${planId} or its invoices changed meanwhile; retry`);
  await deliverSoon(mail, now);
  return next;
}

/**
 * One customer's active plans at `now` (called by the dunning worker): completion (thank-you with a rating link),
 * default (the covered invoices return to the ladder at the step where they left it; the customer is told kindly),
 * instalment reminders, and the plan's next action time.
 */
export async function runPlans(customer: Customer, now: Date): Promise<void> {
  for (const plan of await plansOfCustomer(customer.id, 'active')) {
    const joinPending = (plan as PaymentPlan & { joinPending?: string[] }).joinPending;
    if (joinPending?.length) {
      // A plan whose invoices were still joining when its request was interrupted: undo it (after a margin, so a
      // request in progress is left alone); the customer or staff ask again.
      if (now.getTime() - Date.parse(plan.activatedAt ?? plan.createdAt) < 15 * 60_000) continue;
      const pending = new Set(joinPending);
      await cancelInterruptedPlan(plan, plan.invoiceIds.filter((id) => !pending.has(id)));
      logger.warn('plan whose invoices were still joining was cancelled', { planId: plan.id });
      continue;
    }
    const invoices = (await Promise.all(plan.invoiceIds.map((id) => getInvoice(id)))).filter((i): i is Invoice => !!i);
    const covered = invoices.reduce((s, i) => s + Math.max(0, i.balanceDue), 0);
    const action = planAction(plan, covered, now, customer.timeZone, customer.dunning?.quietHours);
    const numbers = invoices.map((i) => i.number);
    const shard = shardOf(customer.id);
    const at = now.toISOString();
    let next: PaymentPlan = { ...plan, version: plan.version + 1 };
    let mail: MailMessage | undefined;
    const releases: PlanRelease[] = [];
    const events: EventEnvelope[] = [];
    let nextAction: NextAction | undefined;
    if (action.kind === 'complete') {
      const completed = { ...next, status: 'completed' as const, completedAt: at };
      next = completed;
      events.push(planCompletedEvent(completed));
      const feedback = (await linkSigner(now)).feedback(customer, `plan:${plan.id}`);
      mail = await planMail(customer, plan, `plan#${plan.id}#completed`, { kind: 'plan_completed', feedbackLinks: feedback }, now, numbers);
      for (const invoice of invoices) if (invoice.planId === plan.id) releases.push({ invoiceId: invoice.id });
    } else if (action.kind === 'default') {
      const defaulted = { ...next, status: 'defaulted' as const, defaultedAt: at };
      next = defaulted;
      const missed = plan.instalments.find((i) => i.seq === action.seq) ?? plan.instalments[0];
      if (missed) {
        mail = await planMail(customer, plan, `plan#${plan.id}#defaulted`, { kind: 'plan_defaulted', instalment: missed }, now, numbers);
        events.push(planDefaultedEvent(defaulted, missed, covered, invoices.filter((i) => i.balanceDue > 0).map((i) => i.id)));
      }
      for (const invoice of invoices) {
        if (invoice.planId !== plan.id) continue; // released by an earlier, interrupted run
        // Back to the ladder where it left it (still owed): lastStepSent is kept; the worker decides the step now due.
        releases.push({ invoiceId: invoice.id, ...(invoice.balanceDue > 0 ? { backToLadderAt: { shard, at } } : {}) });
      }
    } else if (action.kind === 'remind') {
      const progress = planProgress(plan, covered);
      const instalment = progress.instalments.find((i) => i.seq === action.seq);
      if (!instalment) continue;
      next = { ...next, reminded: [...plan.reminded, action.seq] };
      mail = await planMail(customer, plan, `plan#${plan.id}#remind#${action.seq}`, { kind: 'instalment_reminder', instalment, owed: instalment.owedUpTo - progress.paid }, now, numbers);
      const after = planAction(next, covered, now, customer.timeZone, customer.dunning?.quietHours);
      nextAction = { shard, at: after.kind === 'wait' ? after.until : at };
    } else {
      nextAction = { shard, at: action.until };
      next = plan; // only the index moves
    }
    const written = await commitPlanRun(
      plan,
      next === plan ? { indexAt: { shard, at: action.kind === 'wait' ? action.until : at } } : { next, ...(nextAction ? { nextAction } : {}) },
      releases,
      mail,
      // Written with the plan's own change (version-guarded): a run that lost the race, or runs again, adds none.
      events,
    );
    if (written === 'release_conflict') {
      logger.info('plan invoices changed concurrently; the next run decides again', { planId: plan.id });
      continue;
    }
    if (written === 'conflict') {
      logger.info('plan changed concurrently; the next run decides again', { planId: plan.id });
      continue;
    }
    if (action.kind !== 'wait') logger.info('payment plan', { planId: plan.id, action: action.kind });
    await deliverSoon(mail, now);
  }
}

/** After a payment touched a plan's invoices: bring the plan to the worker now (completion without waiting). */
export async function touchPlans(planIds: readonly string[], now: Date): Promise<void> {
  for (const planId of new Set(planIds)) {
    const plan = await getPlan(planId);
    if (!plan || plan.status !== 'active') continue;
    // The plan ended meanwhile (false): nothing to bring forward. Anything else: the plan's own next check picks it up.
    await remindPlanAt(planId, { shard: shardOf(plan.customerId), at: now.toISOString() }).catch((error: unknown) => {
      logger.warn('plan not brought forward; its next check will', { planId, error: errorForLog(error) });
    });
  }
}

/**
 * Cash application's plan rule: a payment quoting a plan's reference, or from the plan's customer for exactly the
 * open instalments in order (one or more), goes to the plan's invoices, oldest due first. Returns those invoices.
 */
export async function planTargets(payment: IncomingPayment, references: readonly string[], payerCustomerId: string | undefined): Promise<{ plan: PaymentPlan; invoices: Invoice[]; evidence: string } | undefined> {
  const load = async (plan: PaymentPlan) =>
    (await Promise.all(plan.invoiceIds.map((id) => getInvoice(id)))).filter((i): i is Invoice => !!i && i.balanceDue > 0).sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  for (const ref of references) {
    const target = await referenceTarget(ref);
    if (!target?.planId) continue;
    const plan = await getPlan(target.planId);
    if (plan && plan.currency === payment.currency && plan.status === 'active') return { plan, invoices: await load(plan), evidence: `reference ${ref}` };
  }
  if (!payerCustomerId) return undefined;
  const active = (await plansOfCustomer(payerCustomerId, 'active')).filter((p) => p.currency === payment.currency);
  if (active.length !== 1) return undefined;
  const plan = active[0] as PaymentPlan;
  const invoices = await load(plan);
  const progress = planProgress(plan, invoices.reduce((s, i) => s + i.balanceDue, 0));
  // Exactly what is owed up to some open instalment (the next one, or several together).
  const exact = progress.instalments.some((i) => !i.paid && i.owedUpTo - progress.paid === payment.amount);
  return exact ? { plan, invoices, evidence: 'payer + exact open instalment amount' } : undefined;
}
