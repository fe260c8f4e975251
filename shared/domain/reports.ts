/**
 * Receivables reports, as pure functions over what the store read: the aging of unpaid balances, days sales
 * outstanding by the countback method, the collection effectiveness index, the payment-plan kept rate and the
 * customers' feedback ratings.
 *
 * Money stays integer minor units, per currency, never mixed: every figure is keyed by its currency. Calendar days are
 * `YYYY-MM-DD`; a ledger entry falls on the UTC calendar date of its `bookedAt` (an invoice's `invoice_issued` entry is
 * booked at 00:00 UTC of its issue date, so it falls on the issue date).
 *
 * Ratios (DSO days, CEI %, plan-kept %, average rating) have ONE rounding rule: the exact fraction of integers is
 * rounded once, to 2 decimal places, half away from zero (`roundRatio`; the money rule at a scale of 100). Every ratio
 * comes with the integers it was computed from, so a reader can recompute it exactly.
 */
import { DISPUTE_REASON_CODES, type DisputeReasonCode } from './invoice-collections.ts';
import { effectiveDueDate } from './collections.ts';
import { addDays, daysBetween } from './dates.ts';
import type { LedgerEntry } from './ledger.ts';
import { divideRounded } from './money.ts';

// ---------------------------------------------------------------------------------------------------------------
// The one rounding rule for ratios
// ---------------------------------------------------------------------------------------------------------------

/** `numerator / denominator` rounded once to 2 decimals, half away from zero; null when the denominator is 0. */
export function roundRatio(numerator: bigint, denominator: bigint): number | null {
  if (denominator === 0n) return null;
  const [n, d] = denominator < 0n ? [-numerator, -denominator] : [numerator, denominator];
  return Number(divideRounded(n * 100n, d)) / 100;
}

/** The UTC calendar date a ledger entry is booked on. */
export function bookedOn(entry: Pick<LedgerEntry, 'bookedAt'>): string {
  return entry.bookedAt.slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------------------
// Aging
// ---------------------------------------------------------------------------------------------------------------

export const AGING_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/**
 * The bucket of a balance `daysPastDue` calendar days past the due date in force: 0 or less (due today or later) is
 * current; 1–30, 31–60, 61–90; 91 and more is 90+.
 */
export function agingBucket(daysPastDue: number): AgingBucket {
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return '1-30';
  if (daysPastDue <= 60) return '31-60';
  if (daysPastDue <= 90) return '61-90';
  return '90+';
}

/** What the aging needs of an invoice. */
export interface AgingInvoice {
  id: string;
  customerId: string;
  currency: string;
  status: string;
  balanceDue: number;
  dueDate: string;
  extension?: { dueDate: string };
  /** Set while the invoice is in a payment plan. */
  planId?: string;
}

export interface AgingRow {
  currency: string;
  buckets: Record<AgingBucket, number>;
  total: number;
  /** The part of `total` on invoices in a payment plan (aged by the invoice's own due date all the same). */
  inPlan: number;
  /** Unpaid invoices counted. */
  invoices: number;
}

export interface AgingReport {
  asOf: string;
  buckets: readonly AgingBucket[];
  /** One row per currency, alphabetical. */
  totals: AgingRow[];
  /** One row per customer and currency: by currency, then the largest total first, then customer id. */
  customers: (AgingRow & { customerId: string })[];
}

const emptyBuckets = (): Record<AgingBucket, number> => ({ current: 0, '1-30': 0, '31-60': 0, '61-90': 0, '90+': 0 });

/** Calendar days from the due date in force (`extension.dueDate ?? dueDate`) to `asOf`; negative before it. */
export function daysPastDueOn(invoice: Pick<AgingInvoice, 'dueDate' | 'extension'>, asOf: string): number {
  return daysBetween(effectiveDueDate(invoice), asOf);
}

/**
 * Ages the unpaid balances (status `open` or `partially_paid`, balance > 0; anything else is left out) at `asOf`:
 * totals per currency and per customer and currency.
 */
export function agingReport(invoices: readonly AgingInvoice[], asOf: string): AgingReport {
  const totals = new Map<string, AgingRow>();
  const customers = new Map<string, AgingRow & { customerId: string }>();
  const add = (row: AgingRow, bucket: AgingBucket, invoice: AgingInvoice) => {
    row.buckets[bucket] += invoice.balanceDue;
    row.total += invoice.balanceDue;
    if (invoice.planId) row.inPlan += invoice.balanceDue;
    row.invoices += 1;
  };
  for (const invoice of invoices) {
    if ((invoice.status !== 'open' && invoice.status !== 'partially_paid') || invoice.balanceDue <= 0) continue;
    const bucket = agingBucket(daysPastDueOn(invoice, asOf));
    const total = totals.get(invoice.currency) ?? { currency: invoice.currency, buckets: emptyBuckets(), total: 0, inPlan: 0, invoices: 0 };
    totals.set(invoice.currency, total);
    add(total, bucket, invoice);
    const key = `${invoice.customerId}\u0000${invoice.currency}`;
    const row = customers.get(key) ?? { customerId: invoice.customerId, currency: invoice.currency, buckets: emptyBuckets(), total: 0, inPlan: 0, invoices: 0 };
    customers.set(key, row);
    add(row, bucket, invoice);
  }
  return {
    asOf,
    buckets: AGING_BUCKETS,
    totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    customers: [...customers.values()].sort(
      (a, b) => a.currency.localeCompare(b.currency) || b.total - a.total || a.customerId.localeCompare(b.customerId),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// DSO, countback method
// ---------------------------------------------------------------------------------------------------------------

/** A credit sale: an invoice's total on its issue date. */
export interface CreditSale {
  date: string;
  amount: number;
}

export interface DsoMonth {
  /** `YYYY-MM`. */
  month: string;
  from: string;
  to: string;
  /** Calendar days of the month walked (the current month: up to asOf). */
  days: number;
  creditSales: number;
}

export interface DsoResult {
  /** Days sales outstanding (2 decimals); null when there are receivables but no credit sales up to asOf at all. */
  days: number | null;
  /** Receivables at asOf that the walk started from. */
  receivables: number;
  /** Receivables left when the sales history ran out (then `days` is a lower bound: every day walked). */
  uncoveredReceivables: number;
  /** The months walked, most recent first; the last one was counted in part (or exhausted the history). */
  months: DsoMonth[];
}

const firstOfMonth = (date: string) => `${date.slice(0, 7)}-01`;

/**
 * DSO by the countback method, as of `asOf`, for one currency.
 *
 * Start with the receivables at asOf. Walk back through calendar months, most recent first — the month of asOf
 * counts its days 1..asOf and its credit sales in those days; every earlier month counts all its days (28–31) and all
 * its credit sales. While the receivables left exceed a month's credit sales, take that month's sales off and count
 * all its days; in the first month whose sales cover what is left, count `days × left / sales` of it. DSO is the
 * days counted. Receivables of 0 (or less) → 0. The walk stops at the month of the earliest credit sale; receivables
 * still left then are `uncoveredReceivables` and `days` counts every day walked. Credit sales after asOf are ignored.
 * Exact: the fraction is kept in integers and rounded once (`roundRatio`).
 */
export function dsoCountback(receivables: number, sales: readonly CreditSale[], asOf: string): DsoResult {
  const upTo = sales.filter((s) => s.date <= asOf);
  if (receivables <= 0) return { days: 0, receivables, uncoveredReceivables: 0, months: [] };
  if (upTo.length === 0) return { days: null, receivables, uncoveredReceivables: receivables, months: [] };
  const earliest = upTo.reduce((a, s) => (s.date < a ? s.date : a), asOf);
  const salesByMonth = new Map<string, number>();
  for (const s of upTo) salesByMonth.set(s.date.slice(0, 7), (salesByMonth.get(s.date.slice(0, 7)) ?? 0) + s.amount);

  const months: DsoMonth[] = [];
  let left = BigInt(receivables);
  let fullDays = 0n;
  let to = asOf;
  for (;;) {
    const from = firstOfMonth(to);
    const days = daysBetween(from, to) + 1;
    const creditSales = salesByMonth.get(from.slice(0, 7)) ?? 0;
    months.push({ month: from.slice(0, 7), from, to, days, creditSales });
    const monthSales = BigInt(creditSales);
    if (monthSales > 0n && left <= monthSales) {
      // Part of this month: fullDays + days × left / sales, as one exact fraction.
      return { days: roundRatio(fullDays * monthSales + BigInt(days) * left, monthSales), receivables, uncoveredReceivables: 0, months };
    }
    left -= monthSales;
    fullDays += BigInt(days);
    if (from <= earliest) {
      return { days: Number(fullDays), receivables, uncoveredReceivables: Number(left), months };
    }
    to = addDays(from, -1);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Collection effectiveness index
// ---------------------------------------------------------------------------------------------------------------

export interface CeiResult {
  /** (B + S − E) / (B + S − C) × 100, 2 decimals; null when the denominator is 0 (nothing was collectible). */
  percent: number | null;
  /** B: receivables booked before `from`. */
  beginningReceivables: number;
  /** S: `invoice_issued` entries booked from `from` to `to`, both inclusive. */
  creditSales: number;
  /** E: receivables booked up to the end of `to`. */
  endingReceivables: number;
  /** C: the part of E on invoices whose due date in force is on or after `to` (not yet past due at `to`). */
  endingCurrentReceivables: number;
}

/**
 * The collection effectiveness index over [from, to] for one currency, from the `receivable` ledger entries (entries
 * of other accounts or currencies are ignored). `dueDates` maps an invoice id to its due date in force; an entry
 * without an invoice, or on an invoice not in the map, counts as past due (not current).
 */
export function collectionEffectiveness(
  entries: readonly LedgerEntry[],
  currency: string,
  dueDates: ReadonlyMap<string, string>,
  from: string,
  to: string,
): CeiResult {
  let beginning = 0;
  let sales = 0;
  let ending = 0;
  let current = 0;
  for (const e of entries) {
    if (e.account !== 'receivable' || e.currency !== currency) continue;
    const on = bookedOn(e);
    if (on < from) beginning += e.amount;
    if (on >= from && on <= to && e.type === 'invoice_issued') sales += e.amount;
    if (on <= to) {
      ending += e.amount;
      const due = e.invoiceId ? dueDates.get(e.invoiceId) : undefined;
      if (due !== undefined && due >= to) current += e.amount;
    }
  }
  return {
    percent: roundRatio(BigInt(beginning + sales - ending) * 100n, BigInt(beginning + sales - current)),
    beginningReceivables: beginning,
    creditSales: sales,
    endingReceivables: ending,
    endingCurrentReceivables: current,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// KPIs together
// ---------------------------------------------------------------------------------------------------------------

export interface PlanOutcomes {
  completed: number;
  defaulted: number;
}

export interface PlanKeptRate extends PlanOutcomes {
  /** completed / (completed + defaulted) × 100, 2 decimals; null when no plan has completed or defaulted yet. */
  percent: number | null;
}

export function planKeptRate(outcomes: PlanOutcomes): PlanKeptRate {
  return { ...outcomes, percent: roundRatio(BigInt(outcomes.completed) * 100n, BigInt(outcomes.completed + outcomes.defaulted)) };
}

export interface PromiseKeptRate {
  /** Promises to pay settled in [from, to] (customer portal): kept and broken. */
  kept: number;
  broken: number;
  /** kept / (kept + broken) × 100, 2 decimals; null when none was settled in the period. */
  percent: number | null;
}

export function promiseKeptRate(outcomes: { kept: number; broken: number }): PromiseKeptRate {
  return { ...outcomes, percent: roundRatio(BigInt(outcomes.kept) * 100n, BigInt(outcomes.kept + outcomes.broken)) };
}

/** Customer disputes opened in [from, to] by reason code (every code listed, 0 when none; older disputes count as `other`). */
export function disputesByReason(counts: Readonly<Record<string, number>>): Record<DisputeReasonCode, number> {
  const out = Object.fromEntries(DISPUTE_REASON_CODES.map((c) => [c, 0])) as Record<DisputeReasonCode, number>;
  for (const [code, n] of Object.entries(counts)) {
    const known = (DISPUTE_REASON_CODES as readonly string[]).includes(code) ? (code as DisputeReasonCode) : 'other';
    out[known] += n;
  }
  return out;
}

export interface CurrencyKpis {
  currency: string;
  dso: DsoResult;
  cei: CeiResult;
}

export interface KpiReport {
  from: string;
  to: string;
  asOf: string;
  /** One entry per currency with receivable entries, alphabetical. */
  currencies: CurrencyKpis[];
  planKeptRate: PlanKeptRate;
  /** Promises to pay settled (kept or broken) in [from, to]. */
  promiseKeptRate: PromiseKeptRate;
  /** Customer disputes opened in [from, to], by reason code. */
  disputesByReason: Record<DisputeReasonCode, number>;
}

/**
 * Every KPI from the ledger: per currency, DSO as of `asOf` (receivables = Σ receivable entries booked up to the end
 * of asOf; credit sales = the `invoice_issued` entries) and the CEI over [from, to]; and the plan-kept rate.
 */
export function kpiReport(input: {
  entries: readonly LedgerEntry[];
  dueDates: ReadonlyMap<string, string>;
  from: string;
  to: string;
  asOf: string;
  plans: PlanOutcomes;
  promises?: { kept: number; broken: number };
  disputes?: Readonly<Record<string, number>>;
}): KpiReport {
  const receivable = input.entries.filter((e) => e.account === 'receivable');
  const currencies = [...new Set(receivable.map((e) => e.currency))].sort();
  return {
    from: input.from,
    to: input.to,
    asOf: input.asOf,
    currencies: currencies.map((currency) => {
      const mine = receivable.filter((e) => e.currency === currency);
      const atAsOf = mine.filter((e) => bookedOn(e) <= input.asOf).reduce((s, e) => s + e.amount, 0);
      const sales = mine.filter((e) => e.type === 'invoice_issued').map((e) => ({ date: bookedOn(e), amount: e.amount }));
      return {
        currency,
        dso: dsoCountback(atAsOf, sales, input.asOf),
        cei: collectionEffectiveness(mine, currency, input.dueDates, input.from, input.to),
      };
    }),
    planKeptRate: planKeptRate(input.plans),
    promiseKeptRate: promiseKeptRate(input.promises ?? { kept: 0, broken: 0 }),
    disputesByReason: disputesByReason(input.disputes ?? {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Feedback
// ---------------------------------------------------------------------------------------------------------------

/** A customer's rating of a payment or plan experience (an item `FEEDBACK#<kind>:<ref>` on the customer, listed in GSI3 `FEEDBACK` / `<at>#<id>`). */
export interface Feedback {
  id: string;
  customerId: string;
  /** 1–5. */
  rating: number;
  comment?: string;
  /** What was rated (`ref`: the payment or plan id), the ladder step and tone the customer had experienced (`none`
   *  when no reminder had gone out; `payment_plan` for a plan) and the channel that asked. */
  context: { kind: 'payment' | 'plan'; ref?: string; step?: string; tone?: string; channel: 'email' };
  at: string;
}

export const RATINGS = [1, 2, 3, 4, 5] as const;

export interface RatingSummary {
  count: number;
  /** Σ ratings: the exact average is ratingSum / count. */
  ratingSum: number;
  /** ratingSum / count, 2 decimals (`roundRatio`); null when there are none. */
  average: number | null;
  /** How many of each rating, "1" to "5". */
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
}

export interface FeedbackReport {
  /** Inclusive UTC calendar dates of `at`; no `from` = from the beginning. */
  from?: string;
  to: string;
  overall: RatingSummary;
  /** Keyed by `context.step` (the ladder step the mail was at), `context.tone`, `context.channel`, `context.kind`;
   *  feedback without a step or tone is under "unspecified". */
  byStep: Record<string, RatingSummary>;
  byTone: Record<string, RatingSummary>;
  byChannel: Record<string, RatingSummary>;
  byKind: Record<string, RatingSummary>;
  /** Items left out because their rating is not an integer 1–5. */
  ignored: number;
}

export const UNSPECIFIED = 'unspecified';

function summarise(ratings: readonly number[]): RatingSummary {
  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  for (const r of ratings) distribution[String(r) as keyof typeof distribution] += 1;
  const ratingSum = ratings.reduce((a, b) => a + b, 0);
  return { count: ratings.length, ratingSum, average: roundRatio(BigInt(ratingSum), BigInt(ratings.length)), distribution };
}

function grouped(items: readonly Feedback[], key: (f: Feedback) => string | undefined): Record<string, RatingSummary> {
  const groups = new Map<string, number[]>();
  for (const f of items) {
    const k = key(f) || UNSPECIFIED;
    groups.set(k, [...(groups.get(k) ?? []), f.rating]);
  }
  return Object.fromEntries([...groups.keys()].sort().map((k) => [k, summarise(groups.get(k) as number[])]));
}

/** Aggregates the ratings given on dates within [from, to] (UTC date of `at`): overall, by step, tone, channel and kind. */
export function feedbackReport(items: readonly Feedback[], range: { from?: string; to: string }): FeedbackReport {
  const inRange = items.filter((f) => {
    const on = String(f.at).slice(0, 10);
    return (range.from === undefined || on >= range.from) && on <= range.to;
  });
  const valid = inRange.filter((f) => Number.isInteger(f.rating) && f.rating >= 1 && f.rating <= 5);
  return {
    ...(range.from !== undefined ? { from: range.from } : {}),
    to: range.to,
    overall: summarise(valid.map((f) => f.rating)),
    byStep: grouped(valid, (f) => f.context?.step),
    byTone: grouped(valid, (f) => f.context?.tone),
    byChannel: grouped(valid, (f) => f.context?.channel),
    byKind: grouped(valid, (f) => f.context?.kind),
    ignored: inRange.length - valid.length,
  };
}
