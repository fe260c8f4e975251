/**
 * Payment plans: one or more open invoices paid in instalments instead of being chased. Pure: the schedule (parts
 * sum exactly), the approval policy, and what a plan needs at an instant (an instalment reminder, completion, default).
 *
 * Progress is derived, never counted twice: paid so far = the covered balance at the start − the covered invoices'
 * balances now. Payments therefore apply to instalments in order: instalment k is paid once the paid amount reaches
 * the sum of instalments 1..k.
 */
import { z } from 'zod';
import { addDays, daysBetween, isCalendarDate, localDate } from './dates.ts';
import { allocate } from './money.ts';
import { DEFAULT_BUSINESS_HOURS, isSendingTime, nextSendingTime, zonedInstant, type QuietHours, type StepKind } from './dunning.ts';

export type Frequency = 'weekly' | 'biweekly' | 'monthly';
export type PlanStatus = 'pending_approval' | 'active' | 'completed' | 'defaulted' | 'cancelled';

export interface Instalment {
  seq: number;
  dueDate: string;
  amount: number;
}

export interface PaymentPlan {
  id: string;
  customerId: string;
  currency: string;
  invoiceIds: string[];
  /** ISO 11649 reference instalment payments quote. */
  paymentReference: string;
  /** Covered balance when the plan started, minor units. */
  total: number;
  frequency: Frequency;
  instalments: Instalment[];
  graceDays: number;
  status: PlanStatus;
  /** Who approved it; `staffId` when a staff member approved it in the console (shared/context.ts `actedBy()`). */
  approval: { by: 'policy' | 'staff'; reasons: string[]; at?: string; staffId?: string };
  requestedBy: 'staff' | 'customer';
  createdAt: string;
  activatedAt?: string;
  completedAt?: string;
  defaultedAt?: string;
  /** Instalment numbers whose reminder went out. */
  reminded: number[];
  version: number;
}

const minor = z.number().int('must be an integer in minor units').positive('must be positive').refine(Number.isSafeInteger, 'too large');

export const newPlanSchema = z
  .object({
    customerId: z.string().min(1).max(100),
    invoiceIds: z.array(z.string().min(1).max(100)).min(1).max(200).refine((a) => new Set(a).size === a.length, 'each invoice at most once'),
    instalments: z.number().int().min(1, 'at least 1').max(60, 'at most 60'),
    frequency: z.enum(['weekly', 'biweekly', 'monthly'], { error: 'must be weekly, biweekly or monthly' }),
    /** Due date of the first instalment (default: 7 days after the request, customer-local). */
    firstDueDate: z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD').optional(),
    /** Paid first, due on the request date (customer-local). */
    downPayment: minor.optional(),
    /** Custom instalment amounts (must sum to the covered balance less the down payment). */
    amounts: z.array(minor).min(1).max(60).optional(),
    graceDays: z.number().int().min(0).max(30).optional(),
  })
  .strict()
  .refine((v) => !v.amounts || v.amounts.length === v.instalments, { message: 'give one amount per instalment', path: ['amounts'] });
export type NewPlan = z.infer<typeof newPlanSchema>;

/** Adds calendar months, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number, dayOfMonth = Number(date.slice(8, 10))): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const year = y + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(dayOfMonth, last))).toISOString().slice(0, 10);
}

/**
 * The schedule: an optional down payment (instalment 0, due `today`), then `count` instalments from `firstDueDate`
 * at the frequency. Equal instalments split the rest exactly (largest remainder: the first ones carry the extra
 * minor units); custom amounts must sum to it. Every instalment is positive.
 */
export function planSchedule(input: {
  total: number;
  count: number;
  frequency: Frequency;
  firstDueDate: string;
  today: string;
  downPayment?: number;
  amounts?: number[];
}): Instalment[] {
  const down = input.downPayment ?? 0;
  if (down >= input.total) throw new RangeError('the down payment must be less than the covered balance');
  const rest = input.total - down;
  let amounts: number[];
  if (input.amounts) {
    if (input.amounts.reduce((a, b) => a + b, 0) !== rest) throw new RangeError(`the amounts must sum to ${rest}`);
    amounts = input.amounts;
  } else {
    amounts = allocate(rest, new Array(input.count).fill(1));
  }
  if (amounts.some((a) => a <= 0)) throw new RangeError('every instalment must be positive (fewer instalments?)');
  const due = (k: number) =>
    input.frequency === 'monthly' ? addMonths(input.firstDueDate, k) : addDays(input.firstDueDate, k * (input.frequency === 'weekly' ? 7 : 14));
  return [
    ...(down > 0 ? [{ seq: 0, dueDate: input.today, amount: down }] : []),
    ...amounts.map((amount, k) => ({ seq: k + 1, dueDate: due(k), amount })),
  ];
}

/** Why an invoice cannot join a payment plan (checked in this order); undefined when it can. */
export type PlanIneligibility = 'paid' | 'disputed' | 'escalated' | 'in_plan';

/** The invoice facts plan eligibility reads. */
export interface PlanCandidate {
  balanceDue: number;
  dispute?: unknown;
  escalatedAt?: string;
  planId?: string;
}

/**
 * Plan eligibility, the one rule the plan-request page (which invoices it offers), plan creation (which it refuses,
 * and why) and the reminders (whether they offer a plan) share: something is still owed, no open dispute (resolve it
 * first), not handed over to legal, and in no other plan.
 */
export function planIneligibility(invoice: PlanCandidate): PlanIneligibility | undefined {
  if (invoice.balanceDue <= 0) return 'paid';
  if (invoice.dispute) return 'disputed';
  if (invoice.escalatedAt) return 'escalated';
  if (invoice.planId) return 'in_plan';
  return undefined;
}

export function planEligible(invoice: PlanCandidate): boolean {
  return planIneligibility(invoice) === undefined;
}

/** A reminder offers a payment plan unless it is the legal handover notice, and only when one of its invoices could join one. */
export function reminderOffersPlan(kind: StepKind, invoices: readonly PlanCandidate[]): boolean {
  return kind !== 'legal_handover' && invoices.some(planEligible);
}

export interface PlanPolicy {
  maxInstalments: number;
  maxDurationDays: number;
  /** Per currency, minor units. */
  minInstalment: Record<string, number>;
  /** A customer with this many defaulted plans needs staff approval. */
  maxDefaults: number;
}

export const DEFAULT_PLAN_POLICY: PlanPolicy = { maxInstalments: 6, maxDurationDays: 180, minInstalment: { EUR: 2_000, USD: 2_000, GBP: 2_000 }, maxDefaults: 0 };

/** Auto-approval: inside the policy → active; anything outside waits for staff, with the reasons. */
export function approvePlan(
  schedule: readonly Instalment[],
  currency: string,
  today: string,
  history: { defaulted: number },
  policy: PlanPolicy = DEFAULT_PLAN_POLICY,
): { approved: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const regular = schedule.filter((i) => i.seq > 0);
  if (regular.length > policy.maxInstalments) reasons.push(`more than ${policy.maxInstalments} instalments`);
  const last = schedule.at(-1)?.dueDate ?? today;
  if (daysBetween(today, last) > policy.maxDurationDays) reasons.push(`longer than ${policy.maxDurationDays} days`);
  const min = policy.minInstalment[currency] ?? 0;
  if (schedule.some((i) => i.amount < min)) reasons.push(`an instalment below the minimum of ${min} ${currency}`);
  if (history.defaulted > policy.maxDefaults) reasons.push(`${history.defaulted} earlier plan(s) defaulted`);
  return { approved: reasons.length === 0, reasons };
}

/** Amount paid so far, and the instalments it covers, in order. */
export function planProgress(plan: Pick<PaymentPlan, 'total' | 'instalments'>, coveredBalanceNow: number) {
  const paid = Math.max(0, plan.total - coveredBalanceNow);
  let cumulative = 0;
  const instalments = plan.instalments.map((i) => {
    cumulative += i.amount;
    return { ...i, paid: paid >= cumulative, owedUpTo: cumulative };
  });
  return { paid, instalments, complete: coveredBalanceNow <= 0 };
}

/** Days before an instalment's due date its reminder goes out. */
export const INSTALMENT_REMINDER_DAYS = 3;

export type PlanAction =
  | { kind: 'complete' }
  | { kind: 'default'; seq: number }
  | { kind: 'remind'; seq: number; next?: string }
  | { kind: 'wait'; until: string };

/**
 * What an active plan needs at `now` (customer-local days, business hours for mails):
 * complete when the covered invoices are paid; default when an instalment is unpaid past its due date + grace days;
 * otherwise a reminder `INSTALMENT_REMINDER_DAYS` before each unpaid instalment's due date (once each), or wait.
 */
export function planAction(plan: PaymentPlan, coveredBalanceNow: number, now: Date, timeZone: string, quietHours?: QuietHours): PlanAction {
  const progress = planProgress(plan, coveredBalanceNow);
  const today = localDate(now, timeZone);
  // Completion and default are told by mail: in the customer's sending hours, like every message.
  const sendingNow = isSendingTime(now, timeZone, DEFAULT_BUSINESS_HOURS, quietHours);
  const laterToday = () => ({ kind: 'wait' as const, until: nextSendingTime(now, today, timeZone, DEFAULT_BUSINESS_HOURS, quietHours).toISOString() });
  if (progress.complete) return sendingNow ? { kind: 'complete' } : laterToday();
  const open = progress.instalments.filter((i) => !i.paid);
  const missed = open.find((i) => today > addDays(i.dueDate, plan.graceDays));
  if (missed) return sendingNow ? { kind: 'default', seq: missed.seq } : laterToday();
  const toRemind = open.find((i) => !plan.reminded.includes(i.seq) && addDays(i.dueDate, -INSTALMENT_REMINDER_DAYS) <= today);
  if (toRemind) return sendingNow ? { kind: 'remind', seq: toRemind.seq } : laterToday();
  // Next: the next reminder date, or the default check the day after an instalment's grace ends.
  const candidates: string[] = [];
  for (const i of open) {
    if (!plan.reminded.includes(i.seq)) {
      candidates.push(nextSendingTime(now, addDays(i.dueDate, -INSTALMENT_REMINDER_DAYS), timeZone, DEFAULT_BUSINESS_HOURS, quietHours).toISOString());
    }
    candidates.push(zonedInstant(addDays(i.dueDate, plan.graceDays + 1), DEFAULT_BUSINESS_HOURS.startHour, timeZone).toISOString());
  }
  candidates.sort();
  return { kind: 'wait', until: candidates[0] ?? now.toISOString() };
}
