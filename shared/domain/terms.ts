/**
 * Payment terms: what the customer agreed to, and the arithmetic that follows from it (due date, early-payment
 * discount, late interest, late fee). Pure functions; dates and "now" are parameters.
 *
 * Inheritance: account defaults → customer overrides → invoice overrides. Each later level overrides field by field:
 * a field it leaves out is inherited; `lateInterest` and `earlyPaymentDiscount` are replaced as a whole (they are one
 * agreement each); the per-currency maps `fixedLateFee` and `minimumAmounts` merge currency by currency. `null`
 * removes an inherited `earlyPaymentDiscount` or `fixedLateFee`; `{ mode: 'none' }` removes late interest.
 *
 * Rounding: the system's one rule (half away from zero, at the minor unit, once on the final figure — see
 * `divideRounded` in money.ts). Interest is ACT/365 simple interest: `balance × annual rate / 10000 / 365 × days`,
 * computed exactly in BigInt and rounded once; no compounding, no leap-year day count (366 is never used).
 */
import { z } from 'zod';
import { addDays, daysBetween, isCalendarDate, localDate } from './dates.ts';
import { divideRounded, isCurrency } from './money.ts';

/** Late interest as agreed. Rates are in basis points per year (100 bp = 1 %). */
export type LateInterest =
  | { mode: 'none' }
  /** A contractual rate, e.g. "1.5 % per month" = 1800 bp per year (see `monthlyToAnnualBasisPoints`). */
  | { mode: 'simple'; annualRateBasisPoints: number; startDaysPastDue: number }
  /**
   * EU late-payment directive (2011/7/EU): the central bank's reference rate plus a margin (at least 800 bp between
   * businesses). The effective annual rate is `referenceRateBasisPoints + marginBasisPoints`, never below zero.
   */
  | { mode: 'statutory'; referenceRateBasisPoints: number; marginBasisPoints: number; startDaysPastDue: number };

export interface EarlyPaymentDiscountTerms {
  /** Discount on the invoice total, basis points (500 = 5 %). */
  basisPoints: number;
  /** Paying within this many days of the issue date (inclusive) earns the discount. */
  days: number;
}

export interface PaymentTerms {
  /** Due date = issue date + netDays (calendar days, customer-local). */
  netDays: number;
  earlyPaymentDiscount?: EarlyPaymentDiscountTerms;
  lateInterest: LateInterest;
  /** One fixed late fee per invoice, minor units per currency (no entry for a currency = no fee in it). */
  fixedLateFee?: Record<string, number>;
  /**
   * Days after the due date during which payment still counts as on time: no late fee, no interest. Interest starts
   * after max(graceDays, startDaysPastDue) days past due.
   */
  graceDays: number;
  /** Per currency, minor units: a balance below it gets no reminder, no interest and no fee. */
  minimumAmounts: Record<string, number>;
}

/** What a customer or an invoice may override. */
export interface TermsOverride {
  netDays?: number;
  earlyPaymentDiscount?: EarlyPaymentDiscountTerms | null;
  lateInterest?: LateInterest;
  fixedLateFee?: Record<string, number> | null;
  graceDays?: number;
  minimumAmounts?: Record<string, number>;
}

/** "1.5 % per month" = 150 bp per month = 1800 bp per year (simple: × 12, not compounded). */
export function monthlyToAnnualBasisPoints(monthlyBasisPoints: number): number {
  return monthlyBasisPoints * 12;
}

// ---------------------------------------------------------------------------------------------------------------
// Input schema

const basisPoints = (max: number) =>
  z
    .number({ error: 'must be a number of basis points (100 = 1 %)' })
    .int('must be a whole number of basis points (100 = 1 %)')
    .min(0, 'must not be negative')
    .max(max, `must be at most ${max} basis points`);
const days = (max: number) =>
  z
    .number({ error: 'must be a number of days' })
    .int('must be a whole number of days')
    .min(0, 'must not be negative')
    .max(max, `must be at most ${max} days`);
const perCurrency = z
  .record(
    z.string(),
    z.number().int('must be an integer in minor units').min(0, 'must not be negative').refine(Number.isSafeInteger, 'must be a safe integer'),
  )
  .superRefine((r, ctx) => {
    for (const key of Object.keys(r)) {
      if (!isCurrency(key)) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not an ISO 4217 currency code such as "EUR"` });
    }
    if (Object.keys(r).length > 200) ctx.addIssue({ code: 'custom', message: 'at most 200 currencies' });
  });

const lateInterestSchema = z.discriminatedUnion(
  'mode',
  [
    z.object({ mode: z.literal('none') }).strict(),
    z
      .object({
        mode: z.literal('simple'),
        annualRateBasisPoints: basisPoints(100_000).optional(),
        /** Convenience: "1.5 % per month" → 150; converted to 1800 bp per year. */
        monthlyRateBasisPoints: basisPoints(10_000).optional(),
        startDaysPastDue: days(3650).default(0),
      })
      .strict()
      .superRefine((v, ctx) => {
        if ((v.annualRateBasisPoints === undefined) === (v.monthlyRateBasisPoints === undefined)) {
          ctx.addIssue({
            code: 'custom',
            path: ['annualRateBasisPoints'],
            message: 'give exactly one of annualRateBasisPoints or monthlyRateBasisPoints',
          });
        }
      })
      .transform((v) => ({
        mode: 'simple' as const,
        annualRateBasisPoints: v.annualRateBasisPoints ?? monthlyToAnnualBasisPoints(v.monthlyRateBasisPoints ?? 0),
        startDaysPastDue: v.startDaysPastDue,
      })),
    z
      .object({
        mode: z.literal('statutory'),
        referenceRateBasisPoints: z
          .number({ error: 'must be a number of basis points' })
          .int('must be a whole number of basis points')
          .min(-10_000)
          .max(100_000),
        marginBasisPoints: basisPoints(100_000),
        startDaysPastDue: days(3650).default(0),
      })
      .strict(),
  ],
  { error: 'mode must be one of "none", "simple" or "statutory"' },
);

/** Terms as a customer or invoice gives them (all optional); parse account defaults with `accountTermsSchema`. */
export const termsOverrideSchema = z
  .object({
    netDays: days(3650).optional(),
    earlyPaymentDiscount: z
      .object({ basisPoints: basisPoints(5000).refine((n) => n > 0, 'must be positive'), days: days(365) })
      .strict()
      .nullable()
      .optional(),
    lateInterest: lateInterestSchema.optional(),
    fixedLateFee: perCurrency.nullable().optional(),
    graceDays: days(365).optional(),
    minimumAmounts: perCurrency.optional(),
  })
  .strict();

/** Account defaults: complete terms (omitted fields take safe defaults: net 30, no interest, no grace). */
export const accountTermsSchema = z
  .object({
    netDays: days(3650).default(30),
    earlyPaymentDiscount: z
      .object({ basisPoints: basisPoints(5000).refine((n) => n > 0, 'must be positive'), days: days(365) })
      .strict()
      .optional(),
    lateInterest: lateInterestSchema.default({ mode: 'none' }),
    fixedLateFee: perCurrency.optional(),
    graceDays: days(365).default(0),
    minimumAmounts: perCurrency.default({}),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.earlyPaymentDiscount && v.earlyPaymentDiscount.days > v.netDays) {
      ctx.addIssue({ code: 'custom', path: ['earlyPaymentDiscount', 'days'], message: 'must not be longer than netDays' });
    }
  });

export type TermsOverrideInput = z.input<typeof termsOverrideSchema>;

/** The account defaults when none are configured: net 30, no discount, no interest, no fee, no grace. */
export const DEFAULT_TERMS: PaymentTerms = Object.freeze({
  netDays: 30,
  lateInterest: { mode: 'none' },
  graceDays: 0,
  minimumAmounts: {},
}) as PaymentTerms;

// ---------------------------------------------------------------------------------------------------------------
// Inheritance

function applyOverride(base: PaymentTerms, o: TermsOverride | undefined): PaymentTerms {
  if (!o) return base;
  const out: PaymentTerms = {
    netDays: o.netDays ?? base.netDays,
    lateInterest: o.lateInterest ?? base.lateInterest,
    graceDays: o.graceDays ?? base.graceDays,
    minimumAmounts: { ...base.minimumAmounts, ...(o.minimumAmounts ?? {}) },
  };
  const discount = o.earlyPaymentDiscount === undefined ? base.earlyPaymentDiscount : o.earlyPaymentDiscount;
  if (discount) out.earlyPaymentDiscount = { ...discount };
  const fee =
    o.fixedLateFee === undefined
      ? base.fixedLateFee
      : o.fixedLateFee === null
        ? undefined
        : { ...(base.fixedLateFee ?? {}), ...o.fixedLateFee };
  if (fee) out.fixedLateFee = { ...fee };
  return out;
}

/** account → customer → invoice; later levels win field by field (see the module comment). */
export function resolveTerms(account: PaymentTerms, customer?: TermsOverride, invoice?: TermsOverride): PaymentTerms {
  return applyOverride(applyOverride(applyOverride(account, {}), customer), invoice);
}

// ---------------------------------------------------------------------------------------------------------------
// Due date and discount

export function dueDateFor(issueDate: string, terms: Pick<PaymentTerms, 'netDays'>): string {
  return addDays(issueDate, terms.netDays);
}

/** The early-payment discount for an invoice total, in the shape `Invoice.earlyPaymentDiscount` stores. */
export function discountFor(
  total: number,
  issueDate: string,
  terms: Pick<PaymentTerms, 'earlyPaymentDiscount'>,
): { amount: number; until: string; basisPoints: number } | undefined {
  const d = terms.earlyPaymentDiscount;
  if (!d) return undefined;
  return {
    basisPoints: d.basisPoints,
    amount: Number(divideRounded(BigInt(total) * BigInt(d.basisPoints), 10_000n)),
    until: addDays(issueDate, d.days),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Interest

/** Annual rate in basis points that applies: simple → its rate; statutory → reference + margin (≥ 0); none → 0. */
export function effectiveAnnualRateBasisPoints(interest: LateInterest): number {
  switch (interest.mode) {
    case 'none':
      return 0;
    case 'simple':
      return interest.annualRateBasisPoints;
    case 'statutory':
      return Math.max(0, interest.referenceRateBasisPoints + interest.marginBasisPoints);
  }
}

/**
 * Simple interest, ACT/365, no compounding: `balance × annualRateBp / 10000 / 365 × days`, exact in BigInt and
 * rounded once, half away from zero, to the minor unit. 10,000.00 EUR at 1800 bp for 30 days → 147.95 EUR (14795).
 */
export function interestForPeriod(balance: number, annualRateBasisPoints: number, days: number): number {
  for (const [name, v] of [['balance', balance], ['annualRateBasisPoints', annualRateBasisPoints], ['days', days]] as const) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`${name} must be an integer, got ${v}`);
  }
  if (days < 0) throw new RangeError('days must not be negative');
  return Number(divideRounded(BigInt(balance) * BigInt(annualRateBasisPoints) * BigInt(days), 10_000n * 365n));
}

export interface InterestAccrualInput {
  /** Outstanding balance, minor units (disputed/held amounts already excluded by the caller). */
  balance: number;
  currency: string;
  /** The due date in force (an extension's new date, if any), customer-local calendar date. */
  dueDate: string;
  graceDays: number;
  startDaysPastDue: number;
  /** Annual rate in basis points (see `effectiveAnnualRateBasisPoints`). */
  rateBasisPoints: number;
  /** Period [start, end): calendar dates, or instants read as the customer's local date. */
  periodStart: string | Date;
  periodEnd: string | Date;
  timeZone: string;
  minimumAmounts?: Record<string, number>;
}

/** The first local calendar date that bears interest: dueDate + max(graceDays, startDaysPastDue) + 1. */
export function interestStartDate(dueDate: string, graceDays: number, startDaysPastDue: number): string {
  return addDays(dueDate, Math.max(graceDays, startDaysPastDue) + 1);
}

/**
 * Interest for the local days of [periodStart, periodEnd) on or after `interestStartDate` — i.e. the days after
 * dueDate + startDaysPastDue (and after the grace period). `startDaysPastDue: 0` means from the first overdue day.
 * 0 when the balance is not positive or is below the currency's minimum.
 */
export function interestAccrual(input: InterestAccrualInput): { days: number; amount: number; from?: string; to?: string } {
  const toDate = (d: string | Date) => (typeof d === 'string' ? d : localDate(d, input.timeZone));
  const start = toDate(input.periodStart);
  const end = toDate(input.periodEnd);
  for (const d of [start, end, input.dueDate]) {
    if (!isCalendarDate(d)) throw new RangeError(`not a calendar date: ${d}`);
  }
  const minimum = input.minimumAmounts?.[input.currency] ?? 0;
  if (input.balance <= 0 || input.balance < minimum) return { days: 0, amount: 0 };
  const first = interestStartDate(input.dueDate, input.graceDays, input.startDaysPastDue);
  const from = start > first ? start : first;
  const n = Math.max(0, daysBetween(from, end));
  if (n === 0) return { days: 0, amount: 0 };
  return { days: n, amount: interestForPeriod(input.balance, input.rateBasisPoints, n), from, to: end };
}

/** Idempotency key of one interest posting: a period is booked once, whatever the number of runs. */
export function interestPeriodKey(invoiceId: string, periodEnd: string): string {
  if (!isCalendarDate(periodEnd)) throw new RangeError(`periodEnd must be a calendar date, got ${periodEnd}`);
  return `interest#${invoiceId}#${periodEnd}`;
}

export function lateFeeKey(invoiceId: string): string {
  return `late-fee#${invoiceId}`;
}

export interface LateFeeInput {
  invoiceId: string;
  balance: number;
  currency: string;
  dueDate: string;
  /** Customer-local calendar date of the run, or the run's instant (read in `timeZone`). */
  today: string | Date;
  timeZone: string;
  terms: Pick<PaymentTerms, 'fixedLateFee' | 'graceDays' | 'minimumAmounts'>;
  /** A fee for this invoice has been booked already (its key exists). */
  alreadyCharged: boolean;
  disputed?: boolean;
  held?: boolean;
}

/**
 * The fixed late fee, charged once per invoice (key `lateFeeKey`) once the local date is past dueDate + graceDays,
 * for a balance at or above the currency minimum, when the terms set a fee in that currency, and never on a disputed
 * or held invoice. Returns undefined when nothing is due.
 */
export function lateFeeDue(input: LateFeeInput): { amount: number; currency: string; key: string } | undefined {
  const today = typeof input.today === 'string' ? input.today : localDate(input.today, input.timeZone);
  const fee = input.terms.fixedLateFee?.[input.currency];
  if (fee === undefined || fee <= 0) return undefined;
  if (input.alreadyCharged || input.disputed || input.held) return undefined;
  const minimum = input.terms.minimumAmounts[input.currency] ?? 0;
  if (input.balance <= 0 || input.balance < minimum) return undefined;
  if (today <= addDays(input.dueDate, input.terms.graceDays)) return undefined;
  return { amount: fee, currency: input.currency, key: lateFeeKey(input.invoiceId) };
}
