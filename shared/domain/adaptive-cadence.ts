/**
 * The adaptive cadence: how a customer's predicted payment behaviour (the `paymentBehaviour` the nightly insights
 * run writes onto the customer) changes the reminder ladder. Pure: the caller passes the customer and the settings.
 *
 * Policy (issue 12, "Acting on them"):
 * - Reliable payers get the minimal cadence: no heads-up before the due date and no gentle nudge (the steps of
 *   `MINIMAL_STEP_IDS`: due day, +14, final notice, legal handover). Reliable = risk band `low` (unlikely to pay more
 *   than 30 days late) AND at least `reliableMinInvoices` settled invoices observed AND a median of at most
 *   `reliableMaxMedianDaysLate` (3) days after the due date AND a trend that is not worsening — a low band alone also
 *   covers customers who pay a week late every time, and those keep their nudges.
 * - Likely-late payers (risk band `high`) get the heads-up earlier — `highRiskHeadsUpDays` (10) days before the due
 *   date instead of 7 — and their first reminder leads with the payment-plan offer.
 * - Everyone else (band `medium`, no behaviour assessed yet, too little history to call reliable) keeps the ladder.
 * - Escalation is never earlier than the terms allow: the policy only removes steps or moves the heads-up earlier;
 *   the due-day, firm, final-notice and legal-handover steps keep their offsets from the due date in force.
 * - Pauses are untouched: a plan, a dispute, a promise or a hold stops the ladder before any step is chosen, exactly
 *   as without the policy (the policy changes which steps the ladder has, not whether it runs).
 * - A cadence set by staff on the customer (`dunning.cadence`) wins: the policy leaves it as it is.
 *
 * Configuration: on by default for the account (`ADAPTIVE_CADENCE`, JSON `{ enabled, highRiskHeadsUpDays,
 * reliableMinInvoices, reliableMaxMedianDaysLate }`); a customer's collections profile overrides it (`dunning.adaptive: true | false`).
 * Every decision carries its reason in words; the reminder run records it with the mail (the decision trail).
 */
import { z } from 'zod';
import { MINIMAL_STEP_IDS, type CustomerDunningOverrides, type DunningStep } from './dunning.ts';
import type { PaymentBehaviour, RiskBand } from './prediction/types.ts';

export interface AdaptiveCadenceSettings {
  /** The account default; a customer's `dunning.adaptive` overrides it. */
  enabled: boolean;
  /** Days before the due date a likely-late payer's heads-up goes out. */
  highRiskHeadsUpDays: number;
  /** Settled invoices a low-risk customer needs before the heads-up and the gentle nudge are dropped. */
  reliableMinInvoices: number;
  /** The most days after due a low-risk customer's median payment may be to count as reliable. */
  reliableMaxMedianDaysLate: number;
}

export const DEFAULT_ADAPTIVE_CADENCE: AdaptiveCadenceSettings = Object.freeze({
  enabled: true,
  highRiskHeadsUpDays: 10,
  reliableMinInvoices: 3,
  reliableMaxMedianDaysLate: 3,
});

/** `ADAPTIVE_CADENCE` (JSON): omitted fields take the defaults. */
export const adaptiveCadenceSchema = z
  .object({
    enabled: z.boolean({ error: 'must be true or false' }).default(DEFAULT_ADAPTIVE_CADENCE.enabled),
    highRiskHeadsUpDays: z
      .number({ error: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(1, 'must be at least 1')
      .max(60, 'must be at most 60')
      .default(DEFAULT_ADAPTIVE_CADENCE.highRiskHeadsUpDays),
    reliableMinInvoices: z
      .number({ error: 'must be a number of invoices' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1000, 'must be at most 1000')
      .default(DEFAULT_ADAPTIVE_CADENCE.reliableMinInvoices),
    reliableMaxMedianDaysLate: z
      .number({ error: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(0, 'must be at least 0')
      .max(60, 'must be at most 60')
      .default(DEFAULT_ADAPTIVE_CADENCE.reliableMaxMedianDaysLate),
  })
  .strict();

/** `standard`: the ladder as configured; `reliable`: minimal cadence; `likely_late`: early heads-up + plan offer first. */
export type CadencePolicy = 'standard' | 'reliable' | 'likely_late';

export interface CadenceDecision {
  policy: CadencePolicy;
  /** The customer's risk band the decision read (absent: none assessed yet). */
  riskBand?: RiskBand;
  /** The date the behaviour was assessed as of. */
  assessedAsOf?: string;
  /** Why, in a collector's words. */
  reason: string;
  /** What the policy changed in the ladder, in words (empty for `standard`). */
  changes: string[];
}

/** What the policy reads of a customer. */
export interface CadenceCustomer {
  dunning?: CustomerDunningOverrides;
  paymentBehaviour?: Pick<PaymentBehaviour, 'riskBand' | 'invoicesObserved' | 'onTimeRate' | 'medianDaysLate' | 'trend' | 'asOf'>;
}

const percent = (rate: number | null) => (rate === null ? 'n/a' : `${Math.round(rate * 100)} %`);

function describe(b: NonNullable<CadenceCustomer['paymentBehaviour']>): string {
  const delay = b.medianDaysLate === null ? 'no settled invoices yet' : `median ${b.medianDaysLate} days after due`;
  return `${b.invoicesObserved} settled invoice(s), ${percent(b.onTimeRate)} on time, ${delay}, trend ${b.trend}`;
}

/** The cadence policy for a customer: which adaptation applies, and why. */
export function cadenceFor(customer: CadenceCustomer, settings: AdaptiveCadenceSettings = DEFAULT_ADAPTIVE_CADENCE): CadenceDecision {
  const own = customer.dunning?.adaptive;
  if (own === false) return { policy: 'standard', reason: 'adaptive cadence turned off for this customer', changes: [] };
  if (own === undefined && !settings.enabled) return { policy: 'standard', reason: 'adaptive cadence turned off for the account', changes: [] };
  if (customer.dunning?.cadence !== undefined) {
    return { policy: 'standard', reason: 'cadence set by staff on the customer: left as set', changes: [] };
  }
  const b = customer.paymentBehaviour;
  if (!b) return { policy: 'standard', reason: 'no payment behaviour assessed yet', changes: [] };
  const assessed = { riskBand: b.riskBand, assessedAsOf: b.asOf };
  if (b.riskBand === 'high') {
    return {
      policy: 'likely_late',
      ...assessed,
      reason: `likely to pay late (high risk): ${describe(b)}`,
      changes: [
        `heads-up ${settings.highRiskHeadsUpDays} days before the due date`,
        'the first reminder leads with the payment-plan offer',
      ],
    };
  }
  if (b.riskBand === 'low') {
    if (b.invoicesObserved < settings.reliableMinInvoices) {
      return {
        policy: 'standard',
        ...assessed,
        reason: `low risk but only ${b.invoicesObserved} settled invoice(s) observed (at least ${settings.reliableMinInvoices} needed to drop reminders)`,
        changes: [],
      };
    }
    if (b.medianDaysLate === null || b.medianDaysLate > settings.reliableMaxMedianDaysLate || b.trend === 'worsening') {
      return {
        policy: 'standard',
        ...assessed,
        reason: `low risk of paying 30+ days late, but not reliably on time (${describe(b)}): the standard ladder`,
        changes: [],
      };
    }
    return {
      policy: 'reliable',
      ...assessed,
      reason: `reliable payer (low risk): ${describe(b)}`,
      changes: ['no heads-up before the due date', 'no gentle nudge'],
    };
  }
  return { policy: 'standard', ...assessed, reason: `medium risk: the standard ladder (${describe(b)})`, changes: [] };
}

/**
 * The ladder under the policy: `reliable` keeps the minimal cadence's steps; `likely_late` moves every heads-up to at
 * least `highRiskHeadsUpDays` before the due date. No other step moves, so escalation keeps its date.
 */
export function adaptLadder(
  ladder: readonly DunningStep[],
  decision: Pick<CadenceDecision, 'policy'>,
  settings: AdaptiveCadenceSettings = DEFAULT_ADAPTIVE_CADENCE,
): DunningStep[] {
  switch (decision.policy) {
    case 'standard':
      return ladder.map((s) => ({ ...s }));
    case 'reliable':
      return ladder.filter((s) => MINIMAL_STEP_IDS.includes(s.id)).map((s) => ({ ...s }));
    case 'likely_late':
      return ladder
        .map((s) => (s.kind === 'heads_up' ? { ...s, offsetDays: Math.min(s.offsetDays, -settings.highRiskHeadsUpDays) } : { ...s }))
        .sort((a, b) => a.offsetDays - b.offsetDays);
  }
}

/**
 * Whether a reminder leads with the payment-plan offer: a likely-late payer's first reminder (none of its invoices
 * has had a step before). The offer itself is made only when an invoice could join a plan (reminderOffersPlan).
 */
export function planOfferFirst(decision: Pick<CadenceDecision, 'policy'>, invoices: readonly { lastStepSent?: string }[]): boolean {
  return decision.policy === 'likely_late' && invoices.length > 0 && invoices.every((i) => i.lastStepSent === undefined);
}
