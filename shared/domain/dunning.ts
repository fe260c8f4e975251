/**
 * The dunning ladder: steps anchored to the due date, decided by a pure function of "now".
 *
 * Rules:
 * - The customer's local calendar date decides which day it is. A step with offset k is due from the local date
 *   anchor + k (anchor = extended due date if any, else the re-anchor date, else the due date); overdue starts the
 *   next local day after the due date (+1).
 * - Sends happen only inside local business hours (default Mon–Fri 09:00–17:00) and outside quiet hours; otherwise
 *   the answer is "wait until" the next instant that is allowed, computed with the zone's real offsets (DST-safe).
 * - Catch-up: after missed runs only the latest step now due is sent, never the skipped ones, and never a step at or
 *   before `lastStepSent` in the ladder.
 * - Nothing at all (action none) for: excluded customers, paid invoices, disputes, active holds, balances below the
 *   per-currency minimum, a finished ladder.
 */
import { addDays } from './dates.ts';
import { DEFAULT_BUSINESS_HOURS, isSendingTime, localParts, nextSendingTime, type BusinessHours, type QuietHours } from './local-time.ts';

// Time-zone arithmetic and sending hours live in local-time.ts; re-exported here for the dunning callers.
export {
  DEFAULT_BUSINESS_HOURS,
  isSendingTime,
  leavesSendingTime,
  localParts,
  nextSendingTime,
  timeZoneOffsetMs,
  zonedInstant,
  type BusinessHours,
  type QuietHours,
} from './local-time.ts';

export type Tone = 'friendly' | 'neutral' | 'firm' | 'formal';
export type Channel = 'email' | 'letter' | 'handover';
export type StepKind = 'heads_up' | 'due_day' | 'reminder' | 'final_notice' | 'legal_handover';

export interface DunningStep {
  id: string;
  /** Days from the anchor (due) date; negative = before it. */
  offsetDays: number;
  tone: Tone;
  channel: Channel;
  kind: StepKind;
}

export const DEFAULT_LADDER: readonly DunningStep[] = Object.freeze([
  { id: 'heads-up', offsetDays: -7, tone: 'friendly', channel: 'email', kind: 'heads_up' },
  { id: 'due-day', offsetDays: 0, tone: 'friendly', channel: 'email', kind: 'due_day' },
  { id: 'gentle', offsetDays: 3, tone: 'neutral', channel: 'email', kind: 'reminder' },
  { id: 'firm', offsetDays: 14, tone: 'firm', channel: 'email', kind: 'reminder' },
  /** Formal letter: the consequences and the date after which legal steps follow (anchor + 45). */
  { id: 'final-notice', offsetDays: 30, tone: 'formal', channel: 'letter', kind: 'final_notice' },
  { id: 'legal-handover', offsetDays: 45, tone: 'formal', channel: 'handover', kind: 'legal_handover' },
]);

/** The 'minimal' cadence: due-day, +14, +30, +45. */
export const MINIMAL_STEP_IDS: readonly string[] = ['due-day', 'firm', 'final-notice', 'legal-handover'];

export interface CustomerDunningOverrides {
  cadence?: 'default' | 'minimal' | readonly DunningStep[];
  /** Replaces the tone of the email steps; letters and the handover stay formal. */
  tone?: Tone;
  quietHours?: QuietHours;
  /** No reminders at all. */
  excluded?: boolean;
  /** Formal notices (final notice, legal handover) also go by post: exported as printable letters. */
  letters?: boolean;
  /** The adaptive cadence (domain/adaptive-cadence.ts) for this customer: on, off, or (absent) the account's setting. */
  adaptive?: boolean;
}

/** The ladder for a customer: cadence then tone override; steps sorted by offset; ids must be unique. */
export function ladderForCustomer(
  overrides: CustomerDunningOverrides = {},
  base: readonly DunningStep[] = DEFAULT_LADDER,
): DunningStep[] {
  const cadence = overrides.cadence ?? 'default';
  const steps =
    cadence === 'default' ? base : cadence === 'minimal' ? base.filter((s) => MINIMAL_STEP_IDS.includes(s.id)) : cadence;
  const out = steps.map((s) => (overrides.tone && s.channel === 'email' ? { ...s, tone: overrides.tone } : { ...s }));
  return sortLadder(out);
}

function sortLadder(steps: readonly DunningStep[]): DunningStep[] {
  const ids = new Set<string>();
  for (const s of steps) {
    if (ids.has(s.id)) throw new RangeError(`duplicate step id in ladder: ${s.id}`);
    if (!Number.isSafeInteger(s.offsetDays)) throw new RangeError(`offsetDays must be an integer: ${s.id}`);
    ids.add(s.id);
  }
  return [...steps].sort((a, b) => a.offsetDays - b.offsetDays);
}

// ---------------------------------------------------------------------------------------------------------------
// The decision

export interface DueStepInput {
  ladder: readonly DunningStep[];
  /** Customer-local calendar date the invoice is due. */
  dueDate: string;
  /** Re-anchor: the due date of the oldest unpaid amount after partial payments (given by the caller). */
  anchorDate?: string;
  /** A hardship extension: replaces the due date for the ladder. */
  extendedDueDate?: string;
  timeZone: string;
  now: Date;
  /** Id of the last step sent for this invoice. */
  lastStepSent?: string;
  /** A customer-level hold; with `expiresAt`, it stops pausing at that instant. */
  holds: { active: boolean; expiresAt?: Date };
  disputed: boolean;
  excluded?: boolean;
  /** Outstanding balance, minor units; ≤ 0 means paid. */
  balance: number;
  currency: string;
  minimumAmounts?: Record<string, number>;
  businessHours?: BusinessHours;
  quietHours?: QuietHours;
  /**
   * Decide by the calendar only, ignoring the sending hours: which step is due today, not whether to send it now
   * (an imported invoice records the step already due as passed, whatever the hour of the import).
   */
  anyHour?: boolean;
}

export type DunningDecision =
  | { action: 'send'; step: DunningStep; reason: string }
  | { action: 'wait'; until?: Date; reason: string }
  | { action: 'none'; reason: string };

/** The date the ladder is anchored to: extension, else re-anchor date, else due date. */
export function ladderAnchor(input: Pick<DueStepInput, 'dueDate' | 'anchorDate' | 'extendedDueDate'>): string {
  return input.extendedDueDate ?? input.anchorDate ?? input.dueDate;
}

function lastSentIndex(ladder: readonly DunningStep[], lastStepSent: string | undefined): number {
  if (lastStepSent === undefined) return -1;
  const i = ladder.findIndex((s) => s.id === lastStepSent);
  if (i >= 0) return i;
  // The ladder changed (e.g. cadence 'minimal'): place the step by its offset in the default ladder.
  const known = DEFAULT_LADDER.find((s) => s.id === lastStepSent);
  if (!known) throw new RangeError(`lastStepSent ${lastStepSent} is not a step of the ladder`);
  let idx = -1;
  ladder.forEach((s, j) => {
    if (s.offsetDays <= known.offsetDays) idx = j;
  });
  return idx;
}

export function dueStep(input: DueStepInput): DunningDecision {
  if (input.excluded) return { action: 'none', reason: 'customer excluded from reminders' };
  if (input.balance <= 0) return { action: 'none', reason: 'paid' };
  if (input.disputed) return { action: 'none', reason: 'disputed: collection paused' };
  const held = input.holds.active && (!input.holds.expiresAt || input.now.getTime() < input.holds.expiresAt.getTime());
  if (held) return { action: 'none', reason: 'on hold: collection paused' };
  const minimum = input.minimumAmounts?.[input.currency] ?? 0;
  if (input.balance < minimum) return { action: 'none', reason: `balance below the ${input.currency} minimum of ${minimum}` };

  const ladder = sortLadder(input.ladder);
  const last = lastSentIndex(ladder, input.lastStepSent);
  const remaining = ladder.slice(last + 1);
  if (remaining.length === 0) return { action: 'none', reason: 'ladder finished' };

  const bh = input.businessHours ?? DEFAULT_BUSINESS_HOURS;
  const anchor = ladderAnchor(input);
  const today = localParts(input.now, input.timeZone).date;
  const due = remaining.filter((s) => addDays(anchor, s.offsetDays) <= today);
  const latest = due.at(-1);
  if (!latest) {
    const next = remaining[0] as DunningStep;
    const on = addDays(anchor, next.offsetDays);
    return {
      action: 'wait',
      until: nextSendingTime(input.now, on, input.timeZone, bh, input.quietHours),
      reason: `next step ${next.id} is due on ${on}`,
    };
  }
  if (!input.anyHour && !isSendingTime(input.now, input.timeZone, bh, input.quietHours)) {
    return {
      action: 'wait',
      until: nextSendingTime(input.now, today, input.timeZone, bh, input.quietHours),
      reason: `step ${latest.id} is due; outside the customer's sending hours`,
    };
  }
  const skipped = due.length - 1;
  return {
    action: 'send',
    step: latest,
    reason:
      `step ${latest.id} due since ${addDays(anchor, latest.offsetDays)}` +
      (skipped > 0 ? `; ${skipped} earlier step(s) superseded, not sent` : ''),
  };
}

/** Idempotency key of one reminder: an invoice gets each step at most once. */
export function dunningMailKey(invoiceId: string, stepId: string): string {
  return `dunning#${invoiceId}#${stepId}`;
}

export interface DueItem {
  invoiceId: string;
  customerId: string;
  step: DunningStep;
}

export interface CustomerBatch {
  customerId: string;
  /** The most advanced step among the items (largest offset; on a tie the later item). */
  step: DunningStep;
  items: DueItem[];
}

/** One mail per customer per run: batches in order of each customer's first item, items in input order. */
export function groupForCustomer(items: readonly DueItem[]): CustomerBatch[] {
  const batches = new Map<string, CustomerBatch>();
  for (const item of items) {
    const batch = batches.get(item.customerId);
    if (!batch) {
      batches.set(item.customerId, { customerId: item.customerId, step: item.step, items: [item] });
      continue;
    }
    batch.items.push(item);
    if (item.step.offsetDays >= batch.step.offsetDays) batch.step = item.step;
  }
  return [...batches.values()];
}
