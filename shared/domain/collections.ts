/**
 * The collections decisions for one customer or one invoice at a given instant: which reminder to send (one mail per
 * customer covering every due item), where each invoice goes next in the "next action" index, how much interest a
 * day's run accrues and when it is booked, and when an invoice is handed over to legal. Pure: the caller loads the
 * state and commits the result in one transaction.
 *
 * Pauses: an invoice with an open dispute (a customer dispute or a Stripe chargeback), a customer with an active hold,
 * an escalated invoice and an excluded customer get no reminder; disputed and held invoices also accrue no interest.
 * A hardship extension replaces the due date for the ladder and for interest.
 */
import { adaptLadder, cadenceFor, planOfferFirst, DEFAULT_ADAPTIVE_CADENCE, type AdaptiveCadenceSettings, type CadenceCustomer, type CadenceDecision } from './adaptive-cadence.ts';
import { addDays, daysBetween, localDate } from './dates.ts';
import type { Invoice } from './invoice.ts';
import {
  DEFAULT_LADDER,
  dueStep,
  ladderAnchor,
  ladderForCustomer,
  zonedInstant,
  isSendingTime,
  nextSendingTime,
  DEFAULT_BUSINESS_HOURS,
  type CustomerDunningOverrides,
  type DueStepInput,
  type DunningStep,
} from './dunning.ts';
import { divideRounded } from './money.ts';
import { effectiveAnnualRateBasisPoints, interestStartDate, lateFeeDue } from './terms.ts';

// The collections state an invoice carries (holds, disputes, accrual) is declared in invoice-collections.ts, which both
// this module and invoice.ts read: the types go one way only (no import cycle between collections.ts and invoice.ts).
export type { Hold, InterestAccrual, InvoiceCollections, InvoiceDispute, InvoicePromise } from './invoice-collections.ts';
import type { Hold, InterestAccrual, InvoiceCollections, InvoicePromise } from './invoice-collections.ts';
import { mentionsBrokenPromise, promiseState, settlePromise } from './promises.ts';

/** The invoice as the collections decisions read it. */
export type CollectionsInvoice = InvoiceCollections &
  Pick<Invoice, 'id' | 'customerId' | 'number' | 'currency' | 'total' | 'balanceDue' | 'issueDate' | 'dueDate' | 'paymentReference' | 'earlyPaymentDiscount' | 'version'>;

export interface CollectionsCustomer {
  id: string;
  timeZone: string;
  dunning?: CustomerDunningOverrides;
  holds?: Hold[];
  /** Written by the insights run; the adaptive cadence reads it (domain/adaptive-cadence.ts). */
  paymentBehaviour?: CadenceCustomer['paymentBehaviour'];
}

/** Shard of the next-action index a customer's invoices live in (all of a customer's invoices share one shard). */
export function actionShard(customerId: string, shards: number): number {
  let h = 2166136261;
  for (let i = 0; i < customerId.length; i++) h = Math.imul(h ^ customerId.charCodeAt(i), 16777619);
  return (h >>> 0) % shards;
}

export function activeHold(holds: readonly Hold[] | undefined, now: Date): Hold | undefined {
  return (holds ?? []).find(
    (h) => !h.releasedAt && (!h.expiresAt || now.getTime() < Date.parse(h.expiresAt)) && Date.parse(h.createdAt) <= now.getTime(),
  );
}

/** At most this many holds are active at once: one more is refused (409), never made room for. */
export const MAX_ACTIVE_HOLDS = 20;
/** Ended holds (released or expired) kept on the customer as history; older ones are dropped first. */
export const MAX_ENDED_HOLDS = 20;

/** A hold has ended once released or past its expiry; an ended hold neither pauses collection nor counts. */
export function holdEnded(hold: Hold, now: Date): boolean {
  return hold.releasedAt !== undefined || (hold.expiresAt !== undefined && Date.parse(hold.expiresAt) <= now.getTime());
}

/**
 * The customer's holds with `hold` added: every hold that has not ended is kept; ended ones beyond
 * MAX_ENDED_HOLDS are dropped oldest first. `limit` when MAX_ACTIVE_HOLDS holds are active already.
 */
export function addHold(holds: readonly Hold[] | undefined, hold: Hold, now: Date): Hold[] | 'limit' {
  const current = holds ?? [];
  if (current.filter((h) => !holdEnded(h, now)).length >= MAX_ACTIVE_HOLDS) return 'limit';
  const all = [...current, hold];
  let surplus = all.filter((h) => holdEnded(h, now)).length - MAX_ENDED_HOLDS;
  return all.filter((h) => !(surplus > 0 && holdEnded(h, now) && surplus-- > 0));
}

/** The due date in force: the extension's, else the invoice's. The one spelling of this rule. */
export function effectiveDueDate(invoice: { dueDate: string; extension?: { dueDate: string } | undefined }): string {
  return invoice.extension?.dueDate ?? invoice.dueDate;
}

/** The terms' fixed late fee for the invoice's currency while it is not charged yet (undefined: none, or charged). */
export function pendingLateFee(invoice: Pick<CollectionsInvoice, 'terms' | 'currency' | 'lateFeeCharged'>): number | undefined {
  const fee = invoice.terms?.fixedLateFee?.[invoice.currency] ?? 0;
  return fee > 0 && !invoice.lateFeeCharged ? fee : undefined;
}

/**
 * Reminder steps: every ladder step except the legal handover, which the escalation run does. With a cadence decision
 * (domain/adaptive-cadence.ts) the ladder is adapted first; the handover and final notice never move.
 */
export function reminderLadder(
  customer: CollectionsCustomer,
  cadence?: { decision: Pick<CadenceDecision, 'policy'>; settings: AdaptiveCadenceSettings },
): { steps: DunningStep[]; handover?: DunningStep; finalNotice?: DunningStep } {
  const base = ladderForCustomer(customer.dunning ?? {}, DEFAULT_LADDER);
  const ladder = cadence ? adaptLadder(base, cadence.decision, cadence.settings) : base;
  return {
    steps: ladder.filter((s) => s.channel !== 'handover'),
    handover: ladder.find((s) => s.channel === 'handover'),
    finalNotice: ladder.find((s) => s.kind === 'final_notice'),
  };
}

export interface DunningItem {
  invoice: CollectionsInvoice;
  step: DunningStep;
  /** The date of the customer's promise to pay that was not kept: the mail says so kindly (first reminder after it). */
  brokenPromise?: string;
}

export interface IndexUpdate {
  invoiceId: string;
  /** The state the decision was made on (the commit is conditional on it). */
  expectedVersion: number;
  expectedLastStep: string | undefined;
  /** Step sent now (sets lastStepSent). */
  sentStep?: string;
  /** Next instant the invoice needs the dunning worker; null = leave the index. */
  nextActionAt: string | null;
  /** After a final notice: the local date the invoice is due for escalation. */
  escalateOn?: string;
  /** The invoice's promise to pay, settled now (kept or broken): written with the run. */
  promise?: InvoicePromise;
}

export interface DunningPlan {
  /**
   * One mail for the customer covering every due item; its step is the most advanced among them. `cadence`: the
   * adaptive cadence's decision when it changed the ladder (recorded with the mail); `planOfferFirst`: the mail leads
   * with the payment-plan offer (a likely-late payer's first reminder).
   */
  mail?: { step: DunningStep; items: DunningItem[]; legalDate?: string; cadence?: CadenceDecision; planOfferFirst?: boolean };
  updates: IndexUpdate[];
  /** The adaptive cadence's decision for the customer at this run. */
  cadence?: CadenceDecision;
}

/**
 * Decides one customer's run at `now`: for each unpaid invoice, the ladder step due (catch-up: only the latest) or
 * when to look again. Items due now are grouped into one mail. The mail's step is the most advanced step of its items
 * — the one anchored to the oldest unpaid amount — so after partial payments close the oldest invoices, the tone
 * follows the oldest amount still unpaid (re-anchoring).
 */
export function planDunning(
  customer: CollectionsCustomer,
  invoices: readonly CollectionsInvoice[],
  now: Date,
  options: { excluded?: boolean; adaptive?: AdaptiveCadenceSettings; anyHour?: boolean } = {},
): DunningPlan {
  const settings = options.adaptive ?? DEFAULT_ADAPTIVE_CADENCE;
  const cadence = cadenceFor(customer, settings);
  const { steps, handover } = reminderLadder(customer, { decision: cadence, settings });
  const hold = activeHold(customer.holds, now);
  const items: DunningItem[] = [];
  const updates: IndexUpdate[] = [];
  for (const invoice of invoices) {
    const base: Pick<IndexUpdate, 'invoiceId' | 'expectedVersion' | 'expectedLastStep' | 'promise'> = {
      invoiceId: invoice.id,
      expectedVersion: invoice.version,
      expectedLastStep: invoice.lastStepSent,
    };
    if (invoice.escalatedAt) {
      // Handed over to legal: no more reminders — only the handover notice (the ladder's last step), once, in the
      // customer's sending hours.
      const excluded = options.excluded || customer.dunning?.excluded;
      if (!handover || invoice.lastStepSent === handover.id || excluded || invoice.balanceDue <= 0) {
        updates.push({ ...base, nextActionAt: null });
      } else if (isSendingTime(now, customer.timeZone, DEFAULT_BUSINESS_HOURS, customer.dunning?.quietHours)) {
        items.push({ invoice, step: handover });
        updates.push({ ...base, sentStep: handover.id, nextActionAt: null });
      } else {
        const today = localDate(now, customer.timeZone);
        updates.push({ ...base, nextActionAt: nextSendingTime(now, today, customer.timeZone, DEFAULT_BUSINESS_HOURS, customer.dunning?.quietHours).toISOString() });
      }
      continue;
    }
    if (invoice.planId || onlyChargesOwed(invoice)) {
      // In a plan: its own reminders replace the ladder (a default brings the invoice back). Only charges owed: not
      // chased (they show on the statement).
      updates.push({ ...base, nextActionAt: null });
      continue;
    }
    // A promise to pay: reminders pause until its end; paid enough → kept, its end passed unpaid → broken (the ladder
    // resumes with the step now due, the mail recalling the promise).
    // (A dispute pauses everything, the promise too: it is decided again once the dispute is resolved.)
    let promise = invoice.promise;
    const promised = invoice.dispute ? 'none' : promiseState(promise, invoice.balanceDue, now);
    if (promised === 'open' && promise) {
      updates.push({ ...base, nextActionAt: promise.until });
      continue;
    }
    if ((promised === 'kept' || promised === 'broken') && promise) {
      promise = settlePromise(promise, promised, now);
      base.promise = promise;
    }
    const input: DueStepInput = {
      ladder: steps,
      dueDate: invoice.dueDate,
      extendedDueDate: invoice.extension?.dueDate,
      timeZone: customer.timeZone,
      now,
      lastStepSent: invoice.lastStepSent,
      holds: hold ? { active: true, expiresAt: hold.expiresAt ? new Date(hold.expiresAt) : undefined } : { active: false },
      disputed: invoice.dispute !== undefined,
      excluded: options.excluded || customer.dunning?.excluded,
      balance: invoice.balanceDue,
      currency: invoice.currency,
      minimumAmounts: invoice.terms?.minimumAmounts,
      quietHours: customer.dunning?.quietHours,
      ...(options.anyHour ? { anyHour: true } : {}),
    };
    const decision = dueStep(input);
    if (decision.action === 'send') {
      items.push({ invoice, step: decision.step, ...(mentionsBrokenPromise(promise, invoice.lastStepAt) && promise ? { brokenPromise: promise.date } : {}) });
      // Where the invoice goes next: the same decision as if this step had just been sent.
      const after = dueStep({ ...input, lastStepSent: decision.step.id });
      const anchor = ladderAnchor({ dueDate: invoice.dueDate, extendedDueDate: invoice.extension?.dueDate });
      updates.push({
        ...base,
        sentStep: decision.step.id,
        nextActionAt: after.action === 'wait' && after.until ? after.until.toISOString() : null,
        ...(decision.step.kind === 'final_notice' && handover ? { escalateOn: addDays(anchor, handover.offsetDays) } : {}),
      });
    } else if (decision.action === 'wait') {
      updates.push({ ...base, nextActionAt: (decision.until ?? now).toISOString() });
    } else {
      // Nothing to do. A hold that expires brings the invoice back at its expiry; anything else leaves the index until
      // an event (payment reversal, dispute resolved, extension, hold released) puts it back.
      const resumeAt = hold?.expiresAt && decision.reason.startsWith('on hold') ? hold.expiresAt : null;
      updates.push({ ...base, nextActionAt: resumeAt });
    }
  }
  if (items.length === 0) return { updates, cadence };
  let step = (items[0] as DunningItem).step;
  for (const item of items) if (item.step.offsetDays >= step.offsetDays) step = item.step;
  // The legal date a final notice states: the oldest item's anchor + the handover offset.
  const oldest = items.reduce((a, b) => (effectiveDueDate(b.invoice) < effectiveDueDate(a.invoice) ? b : a));
  const legalDate =
    step.kind === 'final_notice' && handover ? addDays(effectiveDueDate(oldest.invoice), handover.offsetDays) : undefined;
  const adapted = cadence.policy !== 'standard';
  const leadWithPlan = planOfferFirst(cadence, items.map((i) => i.invoice));
  return {
    mail: { step, items, ...(legalDate ? { legalDate } : {}), ...(adapted ? { cadence } : {}), ...(leadWithPlan ? { planOfferFirst: true } : {}) },
    updates,
    cadence,
  };
}

/**
 * The first instant the dunning worker should look at a newly issued invoice (with the adaptive cadence: a likely-late
 * payer's invoice comes back for the earlier heads-up, a reliable payer's not before its due day).
 */
export function firstActionAt(
  customer: CollectionsCustomer,
  invoice: CollectionsInvoice,
  now: Date,
  adaptive: AdaptiveCadenceSettings = DEFAULT_ADAPTIVE_CADENCE,
): string {
  const plan = planDunning(customer, [invoice], now, { adaptive });
  const update = plan.updates[0];
  return plan.mail ? now.toISOString() : (update?.nextActionAt ?? now.toISOString());
}

// ---------------------------------------------------------------------------------------------------------------
// Interest and fees

export interface InterestPosting {
  kind: 'interest' | 'late_fee';
  amount: number;
  /** Idempotency key of the posting (per invoice and period). */
  key: string;
  /** Interest: the period booked (YYYY-MM) and its days. */
  period?: string;
  days?: number;
}

export interface InterestRun {
  postings: InterestPosting[];
  /** New accrual state (undefined = unchanged). */
  accrual?: InterestAccrual;
  /** Local date of the next run that has something to do; null = nothing more (leave the interest index). */
  nextOn: string | null;
  reason: string;
}

function monthOf(date: string): string {
  return date.slice(0, 7);
}

/**
 * One day's interest run for an invoice at `now` (customer-local date "today"):
 * - accrues `principal × rate × days` exactly (BigInt numerator; principal = balance less the interest and fees
 *   booked — never interest on interest) for each local day from the last accrued day up to,
 *   not including, today — but only days on or after the interest start (due date in force + max(grace, start days)
 *   + 1) and only when the invoice is neither disputed nor held nor below the currency minimum at the run;
 * - books the accrued interest once per calendar month: when a run's days reach into a new month, the earlier month's
 *   numerator is rounded once (half away from zero, to the minor unit) and posted with key
 *   `interest#<invoice>#<YYYY-MM>`; a paid invoice posts what it accrued and leaves the index;
 * - charges the fixed late fee once (key `late-fee#<invoice>`) after due date + grace days.
 * Re-running for the same day changes nothing (the accrual has moved past it; the postings are keyed).
 */
export function interestRun(invoice: CollectionsInvoice, customer: CollectionsCustomer, now: Date): InterestRun {
  const terms = invoice.terms;
  if (!terms) return { postings: [], nextOn: null, reason: 'no terms on the invoice' };
  const today = localDate(now, customer.timeZone);
  const due = effectiveDueDate(invoice);
  const li = terms.lateInterest;
  const rate = effectiveAnnualRateBasisPoints(li);
  const start = li.mode === 'none' ? undefined : interestStartDate(due, terms.graceDays, li.startDaysPastDue);
  // Policy: no interest while disputed, held or in an active payment plan.
  const paused = invoice.dispute !== undefined || activeHold(customer.holds, now) !== undefined || invoice.planId !== undefined;
  const minimum = terms.minimumAmounts[invoice.currency] ?? 0;
  const postings: InterestPosting[] = [];

  let accrual: InterestAccrual | undefined = invoice.accrual;
  let changed = false;
  if (accrual && today < accrual.through) return { postings: [], nextOn: accrual.through, reason: 'a run for an earlier day than already done' };
  const inPlan = invoice.planId !== undefined;
  if (start && rate > 0) {
    let through = accrual?.through ?? start;
    if (through < start) through = start;
    if (invoice.accrualFrom && through < invoice.accrualFrom) through = invoice.accrualFrom;
    // Policy: joining a payment plan waives interest accrued but not yet booked (and none accrues while in it).
    let numerator = inPlan ? 0n : BigInt(accrual?.numerator ?? '0');
    let days = inPlan ? 0 : (accrual?.days ?? 0);
    if (inPlan && (accrual?.numerator ?? '0') !== '0') changed = true;
    let period = accrual?.period ?? monthOf(through);
    const flush = () => {
      if (numerator > 0n) {
        const amount = Number(divideRounded(numerator, 10_000n * 365n));
        if (amount > 0) postings.push({ kind: 'interest', amount, key: `interest#${invoice.id}#${period}`, period, days });
      }
      numerator = 0n;
      days = 0;
    };
    // No interest on interest: the base is the balance less the charges booked (payments count against the
    // principal first, the customer-friendly reading).
    const principal = Math.max(0, invoice.balanceDue - (invoice.charges ?? 0));
    const accrueDay = !paused && principal > 0 && invoice.balanceDue >= minimum;
    for (let d = through; d < today; d = addDays(d, 1)) {
      if (monthOf(d) !== period) {
        flush();
        period = monthOf(d);
      }
      if (accrueDay) {
        numerator += BigInt(principal) * BigInt(rate);
        days += 1;
      }
      through = addDays(d, 1);
      changed = true;
    }
    // A month that has ended, or a paid invoice, books what it accrued.
    if (numerator > 0n && (monthOf(today) !== period || invoice.balanceDue <= 0)) {
      flush();
      period = monthOf(today);
      changed = true;
    }
    if (changed) accrual = { through, numerator: numerator.toString(), days, period };
  }

  const fee = lateFeeDue({
    invoiceId: invoice.id,
    balance: invoice.balanceDue,
    currency: invoice.currency,
    dueDate: due,
    today,
    timeZone: customer.timeZone,
    terms,
    alreadyCharged: invoice.lateFeeCharged === true,
    disputed: invoice.dispute !== undefined,
    // No fee while held or in a payment plan (policy).
    held: activeHold(customer.holds, now) !== undefined || inPlan,
  });
  if (fee) postings.push({ kind: 'late_fee', amount: fee.amount, key: fee.key });

  const feePending = !fee && pendingLateFee(invoice) !== undefined;
  const interestPending = start !== undefined && rate > 0;
  const tomorrow = addDays(today, 1);
  const later = (d: string) => (d > tomorrow ? d : tomorrow);
  const candidates: string[] = [];
  const stillOwed = invoice.balanceDue > 0 || BigInt(accrual?.numerator ?? '0') > 0n;
  if (stillOwed && interestPending && start) candidates.push(later(start));
  if (invoice.balanceDue > 0 && feePending) candidates.push(later(addDays(due, terms.graceDays + 1)));
  const nextOn = candidates.length ? (candidates.sort()[0] as string) : null;
  return {
    postings,
    ...(changed ? { accrual } : {}),
    nextOn,
    reason: paused ? 'paused: no interest accrues' : postings.length ? 'booked' : 'accrued',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Escalation

/**
 * Whether an invoice goes to legal now: its final notice went out, the handover date (anchor + the handover step's
 * offset) has come in the customer's local calendar, it is still unpaid, not disputed, not held, not escalated.
 */
export function escalationDecision(
  invoice: CollectionsInvoice,
  customer: CollectionsCustomer,
  now: Date,
): { escalate: true } | { escalate: false; reason: string; retryOn?: string } {
  if (invoice.escalatedAt) return { escalate: false, reason: 'already escalated' };
  if (invoice.balanceDue <= 0) return { escalate: false, reason: 'paid' };
  if (onlyChargesOwed(invoice)) return { escalate: false, reason: 'only interest or fees are owed: never escalated' };
  const { handover, finalNotice } = reminderLadder(customer);
  if (!handover || !finalNotice) return { escalate: false, reason: 'the ladder has no legal handover' };
  if (invoice.lastStepSent !== finalNotice.id) return { escalate: false, reason: 'no final notice sent for the due date in force' };
  const today = localDate(now, customer.timeZone);
  // Pauses keep the marker: look again tomorrow (or at the hold's expiry), so escalation resumes when they end.
  const tomorrow = addDays(today, 1);
  if (invoice.dispute) return { escalate: false, reason: 'disputed', retryOn: tomorrow };
  if (invoice.planId) return { escalate: false, reason: 'in a payment plan', retryOn: tomorrow };
  // An open promise to pay pauses escalation too (the reminder run settles it once its grace has passed).
  if (invoice.promise?.status === 'open') return { escalate: false, reason: 'promised to pay', retryOn: tomorrow };
  const hold = activeHold(customer.holds, now);
  const on = addDays(effectiveDueDate(invoice), handover.offsetDays);
  if (hold) return { escalate: false, reason: 'on hold', retryOn: hold.expiresAt ? localDate(new Date(hold.expiresAt), customer.timeZone) : tomorrow };
  if (today < on) return { escalate: false, reason: `handover date ${on} not reached`, retryOn: on };
  return { escalate: true };
}

/**
 * The principal is paid and only interest or fees remain: such an invoice is never escalated and gets no ladder
 * reminders (the charges show on the statement); a customer who paid what they owed is not chased for late charges.
 */
export function onlyChargesOwed(invoice: Pick<CollectionsInvoice, 'balanceDue' | 'charges'>): boolean {
  return (invoice.charges ?? 0) > 0 && invoice.balanceDue <= (invoice.charges ?? 0);
}

/** The start of a local date in the customer's time zone, for the date-keyed indexes. */
export function startOfLocalDay(date: string, timeZone: string): string {
  return zonedInstant(date, 0, timeZone).toISOString();
}

/** Whole days an invoice is past the due date in force, at a local date (0 when not overdue). */
export function daysPastDue(invoice: Pick<CollectionsInvoice, 'dueDate' | 'extension'>, today: string): number {
  return Math.max(0, daysBetween(effectiveDueDate(invoice), today));
}

