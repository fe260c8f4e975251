/**
 * The reminder run's decisions beyond the ladder (planDunning decides the steps): how many invoices one mail covers,
 * which index writes one run commits (one DynamoDB transaction's worth), whether a formal notice also goes by post,
 * and what each item of the mail states about its terms (discount still open, late interest, a fixed late fee not
 * charged yet). Pure: `now` and "today" (the customer's local date) are parameters.
 */
import { addDays } from './dates.ts';
import { effectiveDueDate, pendingLateFee, type CollectionsInvoice, type DunningPlan, type IndexUpdate } from './collections.ts';
import type { DunningStep } from './dunning.ts';
import type { ReminderItem } from './reminder-mail.ts';
import { interestStartDate } from './terms.ts';

/** The most invoices one reminder mail covers; the rest stay due for the next run. */
export const MAX_ITEMS_PER_MAIL = 40;

/**
 * Actions one reminder run may write: one transaction (DynamoDB allows 100) less the outbox record of the run's events
 * (reminder.sent, promise.broken: one action, however many events; store/collections.ts). The mail and its letter
 * take 2 when there is a mail; each invoice sent a step takes 1 (its index update), plus 1 for its escalation marker
 * after a final notice, plus 2 when its promise to pay is settled in the run. Items that do not fit wait for the next
 * run (still due).
 */
export const REMINDER_RUN_ACTIONS = 99;

export interface ReminderRunWrites {
  /** The mail to send, its items capped at MAX_ITEMS_PER_MAIL (undefined: no mail this run). */
  mail?: NonNullable<DunningPlan['mail']>;
  /** The index updates to commit, in order: every step sent first, then index moves while the budget lasts. */
  changed: IndexUpdate[];
}

/**
 * What one reminder run commits. Items beyond MAX_ITEMS_PER_MAIL are not sent now: their update loses its step (and
 * escalation) and stays due at `now`, for the next run. Only what changes is written — a step sent, an escalation to
 * schedule, or a new place in the index (`indexedAt`: the invoice's current place, null when out of the index) —
 * and never more than REMINDER_RUN_ACTIONS: the mail's invoices first; index moves left over stay as they are (still
 * due), for the next run.
 */
export function reminderRunWrites(plan: DunningPlan, indexedAt: ReadonlyMap<string, string | null>, now: Date): ReminderRunWrites {
  const updates = plan.updates.map((u) => ({ ...u }));
  let mail: ReminderRunWrites['mail'];
  let budget = REMINDER_RUN_ACTIONS - (plan.mail ? 2 : 0);
  if (plan.mail) {
    // The mail's items while they fit: MAX_ITEMS_PER_MAIL, and the actions of their updates within the budget.
    const byId = new Map(updates.map((u) => [u.invoiceId, u]));
    const items: typeof plan.mail.items = [];
    for (const item of plan.mail.items) {
      const cost = runActions(byId.get(item.invoice.id));
      if (items.length >= MAX_ITEMS_PER_MAIL || cost > budget) break;
      items.push(item);
      budget -= cost;
    }
    const included = new Set(items.map((i) => i.invoice.id));
    for (const u of updates) {
      if (u.sentStep && !included.has(u.invoiceId)) {
        delete u.sentStep;
        delete u.escalateOn;
        delete u.promise;
        u.nextActionAt = now.toISOString();
      }
    }
    mail = { ...plan.mail, items };
  }
  const sent = updates.filter((u) => u.sentStep);
  // A settled promise is written even when the invoice keeps its place in the index.
  const moved = updates.filter((u) => !u.sentStep && (u.promise !== undefined || u.nextActionAt !== indexedAt.get(u.invoiceId)));
  const fits = (u: IndexUpdate) => {
    const cost = runActions(u);
    if (cost > budget) return false;
    budget -= cost;
    return true;
  };
  return { ...(mail ? { mail } : {}), changed: [...sent, ...moved.filter(fits)] };
}

/** The actions one invoice's update takes: the invoice, its escalation marker, a settled promise's item and decision. */
function runActions(u: IndexUpdate | undefined): number {
  return u ? 1 + (u.escalateOn ? 1 : 0) + (u.promise ? PROMISE_SETTLEMENT_ACTIONS : 0) : 1;
}

/** A settled promise adds its promise item's update and the collections decision record to the run's transaction. */
export const PROMISE_SETTLEMENT_ACTIONS = 2;

/**
 * The letter rule: a formal notice (a step on the letter or handover channel) also goes by post when the customer
 * asked for letters and we have their postal address.
 */
export function sendsLetter(
  step: Pick<DunningStep, 'channel'>,
  customer: { dunning?: { letters?: boolean }; postalAddress?: readonly string[] },
): boolean {
  const formal = step.channel === 'letter' || step.channel === 'handover';
  return formal && customer.dunning?.letters === true && (customer.postalAddress?.length ?? 0) > 0;
}

/** The early-payment discount a reminder shows: only while it is open (`today` ≤ its last day) and nothing was paid yet. */
export function discountShown(
  invoice: Pick<CollectionsInvoice, 'earlyPaymentDiscount' | 'balanceDue' | 'total'>,
  today: string,
): ReminderItem['discount'] {
  const discount = invoice.earlyPaymentDiscount;
  if (!discount || today > discount.until || invoice.balanceDue !== invoice.total) return undefined;
  return { until: discount.until, discountedAmount: invoice.total - discount.amount };
}

/** The late fee a reminder announces: the terms' fixed fee for the currency, not charged yet, from due date + grace + 1. */
export function lateFeeAnnounced(invoice: Pick<CollectionsInvoice, 'terms' | 'currency' | 'lateFeeCharged' | 'dueDate' | 'extension'>): ReminderItem['lateFee'] {
  const amount = pendingLateFee(invoice);
  if (amount === undefined || !invoice.terms) return undefined;
  return { amount, from: addDays(effectiveDueDate(invoice), invoice.terms.graceDays + 1) };
}

/** The day late interest starts, when the terms charge it (due date in force + max(grace, start days) + 1). */
export function interestAnnounced(invoice: Pick<CollectionsInvoice, 'terms' | 'dueDate' | 'extension'>): string | undefined {
  const terms = invoice.terms;
  if (!terms || terms.lateInterest.mode === 'none') return undefined;
  return interestStartDate(effectiveDueDate(invoice), terms.graceDays, terms.lateInterest.startDaysPastDue);
}

/** One invoice as a reminder mail lists it, at the customer's local date `today`. */
export function reminderItem(invoice: CollectionsInvoice, today: string, payLink: string): ReminderItem {
  const discount = discountShown(invoice, today);
  const interestFrom = interestAnnounced(invoice);
  const lateFee = lateFeeAnnounced(invoice);
  return {
    invoiceNumber: invoice.number,
    currency: invoice.currency,
    balanceDue: invoice.balanceDue,
    dueDate: effectiveDueDate(invoice),
    paymentReference: invoice.paymentReference,
    payLink,
    ...(discount ? { discount } : {}),
    ...(interestFrom ? { interestFrom } : {}),
    ...(lateFee ? { lateFee } : {}),
  };
}
