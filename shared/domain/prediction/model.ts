/**
 * Payment-behaviour model: when will an open invoice be paid, and how likely is it to be paid more than 30 days late.
 *
 * Transparent by construction — every prediction is "this customer's usual delay, adjusted, with this spread":
 *
 * 1. Per customer (`customerSummary`, only facts known at `asOf`: an invoice settled after asOf is open): the days
 *    late of each settled invoice (settle date − due date); a robust location — the recency-weighted median, or a
 *    Theil–Sen trend line when the delays drift (deteriorating / improving payers) — and the spread (MAD) of the
 *    delays around it; a payment-run habit (≥ 70 % of settlements on the same day of the month, or the month's last
 *    day: the prediction is then the next such run day after the due date, as the customer's history shows); invoices
 *    still open 90+ days after due (a share who never pay).
 * 2. Portfolio (`portfolioStats` → `fitPortfolio`, mergeable so the nightly run can page through customers): the
 *    usual delay per terms segment (net ≤14 / ≤30 / ≤45 / longer) for customers without history, the pooled
 *    standardised residuals (the shape of the spread), the empirical-Bayes shrinkage weight k = within-customer
 *    variance / between-customer variance (a customer with n settled invoices gets weight n / (n + k) on its own
 *    figures), the effect of an amount above or below the customer's usual (slope of residual days on log ratio),
 *    the effect of a dispute (disputes opened by asOf, resolved ones included), the share of never-paid invoices, and
 *    customer-level effects on the prior a customer shrinks toward: days per reminder per paid invoice above the
 *    portfolio's mean (ridge regression over customers), and the shrunk mean extra delay of customers who defaulted
 *    on / kept a payment plan (an outcome counts from the day it was reached, never earlier). Data-driven: 0 when the
 *    portfolio has no such customers (as in bench/portfolio.ts).
 * 3. Per open invoice (`predictInvoice`): location = shrunk own location (+ trend at the due date, + amount effect,
 *    + dispute effect), cdf(x) = (1 − pNever) · Fz((x − location) / scale), conditioned on not being paid by asOf;
 *    the expected payment date is the conditional median; lateProbability = 1 − cdf(30 | unpaid at asOf).
 */
import { addDays, daysBetween } from '../dates.ts';
import type {
  CustomerHistory,
  FactorCode,
  InvoiceHistory,
  InvoicePrediction,
  PaymentBehaviour,
  PaymentCdf,
  RiskBand,
  Trend,
} from './types.ts';

export const MODEL_VERSION = 'delay-eb-1';

/** Days past due after which an unpaid invoice counts as "never paid" in the never-pay share. */
export const NEVER_PAID_AFTER_DAYS = 90;
/** The late threshold of `lateProbability`. */
export const LATE_DAYS = 30;
/** The support of the distribution, in days after due. */
const MIN_DAY = -60;
const MAX_DAY = 365;
/** Days reported in a prediction's cdf. */
export const CDF_DAYS = [-30, -14, -7, -3, 0, 3, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365];
const HALF_LIFE_DAYS = 180;

export function riskBandOf(lateProbability: number): RiskBand {
  if (lateProbability >= 0.4) return 'high';
  if (lateProbability >= 0.15) return 'medium';
  return 'low';
}

export type Segment = 'net14' | 'net30' | 'net45' | 'net60';
export function segmentOf(termsDays: number): Segment {
  if (termsDays <= 14) return 'net14';
  if (termsDays <= 30) return 'net30';
  if (termsDays <= 45) return 'net45';
  return 'net60';
}

// ---------------------------------------------------------------------------------------------------------------
// Small statistics

function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function weightedMedian(xs: readonly number[], ws: readonly number[]): number {
  const idx = xs.map((_, i) => i).sort((a, b) => (xs[a] as number) - (xs[b] as number));
  const total = ws.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (const i of idx) {
    acc += ws[i] as number;
    if (acc >= total / 2) return xs[i] as number;
  }
  return median(xs);
}

function mad(xs: readonly number[]): number {
  const m = median(xs);
  return 1.4826 * median(xs.map((x) => Math.abs(x - m)));
}

/** Theil–Sen slope of y on x (median of pairwise slopes). */
function theilSen(x: readonly number[], y: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = (x[j] as number) - (x[i] as number);
      if (dx !== 0) slopes.push(((y[j] as number) - (y[i] as number)) / dx);
    }
  }
  return median(slopes);
}

function daysInMonth(date: string): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The run day of `date`'s month: `day` (31 = the month's last day) clamped to the month's length. */
function runDateIn(monthOf: string, day: number): string {
  const d = Math.min(day, daysInMonth(monthOf));
  return `${monthOf.slice(0, 8)}${String(d).padStart(2, '0')}`;
}

/** The first run date on or after `date`. */
function runOnOrAfter(date: string, day: number): string {
  const here = runDateIn(date, day);
  if (here >= date) return here;
  const next = addDays(`${date.slice(0, 8)}01`, 32);
  return runDateIn(next, day);
}

/** Runs strictly after `from` up to and including `to`. */
function runsBetween(from: string, to: string, day: number): number {
  let n = 0;
  let d = runOnOrAfter(addDays(from, 1), day);
  while (d <= to && n < 100) {
    n++;
    d = runOnOrAfter(addDays(d, 1), day);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// Per customer

export interface ClosedInvoice {
  dueDate: string;
  delay: number;
  amount: number;
  disputed: boolean;
  reminders: number;
}

export interface CustomerSummary {
  customerId: string;
  asOf: string;
  segment: Segment;
  /** Settled invoices (by asOf). */
  n: number;
  delays: number[];
  /** Own location at `trendRef`, days after due (null: no settled invoice). */
  location: number | null;
  /** Days of delay added per day of due date (0: no trend). */
  trendPerDay: number;
  trendRef: string;
  /** Own spread of delays around the location (MAD-based; null: fewer than 2). */
  scale: number | null;
  /** Residuals (delay − own fit) of the settled invoices. */
  residuals: number[];
  /** Payment-run habit: day of month (31 = last day) and how many runs after the due date it usually pays. */
  runDay: { day: number; runsAfterDue: number; share: number } | null;
  /** Open invoices more than NEVER_PAID_AFTER_DAYS past due at asOf. */
  neverPaid: number;
  /** Median settled amount per currency (minor units). */
  usualAmount: Record<string, number>;
  /** (log amount ratio, residual) pairs for the portfolio's amount effect. */
  amountEffects: [number, number][];
  /** Residuals of disputed settled invoices. */
  disputeResiduals: number[];
  onTime: number;
  /** Median delay of invoices settled in the last 120 days vs before (trend in words); null when too few. */
  recentMedian: number | null;
  olderMedian: number | null;
  /** Average reminders each settled invoice received (null: none settled with known reminders, e.g. imported). */
  remindersPerInvoice: number | null;
  /** Payment plans that ended by asOf, by outcome. */
  plans: { kept: number; defaulted: number };
}

const termsOf = (i: InvoiceHistory) => i.termsDays ?? Math.max(0, daysBetween(i.issueDate, i.dueDate));
const countBy = (dates: string[] | undefined, asOf: string) => (dates ?? []).filter((d) => d.slice(0, 10) <= asOf).length;

/** Whether an invoice was settled by `asOf` (a later settle date is unknown at asOf: the invoice is open). */
export function settledBy(invoice: InvoiceHistory, asOf: string): boolean {
  return invoice.settledDate !== undefined && invoice.settledDate <= asOf;
}

export function customerSummary(customerId: string, invoices: readonly InvoiceHistory[], asOf: string, customer?: CustomerHistory): CustomerSummary {
  const known = invoices.filter((i) => i.issueDate <= asOf);
  const closed = known.filter((i) => settledBy(i, asOf)).sort((a, b) => (a.dueDate < b.dueDate ? -1 : 1));
  const delays = closed.map((i) => daysBetween(i.dueDate, i.settledDate as string));
  const segment = segmentOf(median(known.map(termsOf)) || 30);
  const neverPaid = known.filter((i) => !settledBy(i, asOf) && daysBetween(i.dueDate, asOf) > NEVER_PAID_AFTER_DAYS).length;
  const usualAmount: Record<string, number> = {};
  for (const c of new Set(closed.map((i) => i.currency))) usualAmount[c] = median(closed.filter((i) => i.currency === c).map((i) => i.amount));
  const plans = { kept: 0, defaulted: 0 };
  // Only outcomes reached by asOf: a plan that defaulted (or completed) later was still running at asOf.
  for (const p of customer?.plans ?? []) if (p.outcome !== 'active' && p.endedAt !== undefined && p.endedAt.slice(0, 10) <= asOf) plans[p.outcome]++;
  // Reminders per paid invoice, over the invoices whose reminders are known (not imported from elsewhere).
  const reminded = closed.filter((i) => i.reminders !== undefined);
  const base: CustomerSummary = {
    customerId,
    asOf,
    segment,
    n: closed.length,
    delays,
    location: null,
    trendPerDay: 0,
    trendRef: asOf,
    scale: null,
    residuals: [],
    runDay: null,
    neverPaid,
    usualAmount,
    amountEffects: [],
    disputeResiduals: [],
    onTime: delays.filter((d) => d <= 0).length,
    recentMedian: null,
    olderMedian: null,
    remindersPerInvoice: reminded.length ? reminded.reduce((a, i) => a + countBy(i.reminders, asOf), 0) / reminded.length : null,
    plans,
  };
  if (closed.length === 0) return base;

  const t = closed.map((i) => daysBetween(asOf, i.dueDate)); // ≤ 0: days before asOf
  const weights = t.map((x) => Math.pow(0.5, -x / HALF_LIFE_DAYS));
  let location = weightedMedian(delays, weights);
  let trendPerDay = 0;
  let residuals = delays.map((d) => d - location);
  if (closed.length >= 6) {
    const slope = theilSen(t, delays);
    const intercept = median(delays.map((d, i) => d - slope * (t[i] as number)));
    const trendResiduals = delays.map((d, i) => d - intercept - slope * (t[i] as number));
    // A trend counts when it moves the delay by at least a day a month and explains the spread clearly better.
    if (Math.abs(slope) * 30 >= 1 && mad(trendResiduals) < 0.8 * mad(residuals)) {
      trendPerDay = slope;
      location = intercept;
      residuals = trendResiduals;
    }
  }

  // Payment-run habit: the same day of the month (31 = the month's last day) for most settlements.
  let runDay: CustomerSummary['runDay'] = null;
  if (closed.length >= 4) {
    let best = { day: 0, hits: 0 };
    for (let day = 1; day <= 31; day++) {
      const hits = closed.filter((i) => (i.settledDate as string) === runDateIn(i.settledDate as string, day)).length;
      if (hits > best.hits) best = { day, hits };
    }
    const share = best.hits / closed.length;
    if (share >= 0.7) {
      const after = closed.map((i) => runsBetween(addDays(i.dueDate, -1), i.settledDate as string, best.day) - 1);
      const runsAfterDue = Math.max(0, Math.round(median(after)));
      runDay = { day: best.day, runsAfterDue, share };
      residuals = closed.map((i, k) => (delays[k] as number) - daysBetween(i.dueDate, runDate(i.dueDate, runDay!)));
      location = median(residuals.map((r, k) => (delays[k] as number) - r));
    }
  }

  const amountEffects: [number, number][] = [];
  const disputeResiduals: number[] = [];
  closed.forEach((i, k) => {
    const usual = usualAmount[i.currency] as number;
    if (closed.length >= 3 && usual > 0 && i.amount > 0) amountEffects.push([Math.log(i.amount / usual), residuals[k] as number]);
    if (countBy(i.disputes, asOf) > 0) disputeResiduals.push(residuals[k] as number);
  });
  const recent = closed.map((i, k) => [i, delays[k] as number] as const).filter(([i]) => daysBetween(i.settledDate as string, asOf) <= 120);
  const older = closed.map((i, k) => [i, delays[k] as number] as const).filter(([i]) => daysBetween(i.settledDate as string, asOf) > 120);
  return {
    ...base,
    location,
    trendPerDay,
    scale: closed.length >= 2 ? mad(residuals) : null,
    residuals,
    runDay,
    amountEffects,
    disputeResiduals,
    recentMedian: recent.length >= 2 ? median(recent.map(([, d]) => d)) : null,
    olderMedian: older.length >= 2 ? median(older.map(([, d]) => d)) : null,
  };
}

function runDate(dueDate: string, run: { day: number; runsAfterDue: number }): string {
  let d = runOnOrAfter(dueDate, run.day);
  for (let k = 0; k < run.runsAfterDue; k++) d = runOnOrAfter(addDays(d, 1), run.day);
  return d;
}

// ---------------------------------------------------------------------------------------------------------------
// Portfolio (mergeable statistics, so the nightly run can go through customers a page at a time)

export interface PortfolioStats {
  /** Settled delays per segment. */
  delays: Partial<Record<Segment, number[]>>;
  /** Per customer with ≥ 2 settled: [n, own location, own variance]. */
  customers: [number, number, number][];
  /** Standardised residuals (residual / max(1, scale)) of customers with ≥ 3 settled. */
  z: number[];
  amountEffects: [number, number][];
  disputeResiduals: number[];
  neverPaid: number;
  settled: number;
  scales: number[];
  /**
   * Per customer with ≥ 2 settled: [segment index in SEGMENTS, median delay, reminders per paid invoice (−1: unknown),
   * defaulted a plan (0/1), kept a plan and defaulted none (0/1)] — the customer-level effects on the prior.
   */
  covariates?: [number, number, number, number, number][];
}

const SEGMENTS: readonly Segment[] = ['net14', 'net30', 'net45', 'net60'];

export function emptyStats(): PortfolioStats {
  return { delays: {}, customers: [], z: [], amountEffects: [], disputeResiduals: [], neverPaid: 0, settled: 0, scales: [], covariates: [] };
}

export function portfolioStats(summaries: readonly CustomerSummary[]): PortfolioStats {
  const s = emptyStats();
  for (const c of summaries) {
    (s.delays[c.segment] ??= []).push(...c.delays);
    s.neverPaid += c.neverPaid;
    s.settled += c.n;
    if (c.n >= 2 && c.location !== null) {
      const variance = c.residuals.reduce((a, r) => a + r * r, 0) / (c.n - 1);
      s.customers.push([c.n, median(c.delays), variance]);
      (s.covariates ??= []).push([
        SEGMENTS.indexOf(c.segment),
        median(c.delays),
        c.remindersPerInvoice === null ? -1 : round2(c.remindersPerInvoice),
        c.plans.defaulted > 0 ? 1 : 0,
        c.plans.kept > 0 && c.plans.defaulted === 0 ? 1 : 0,
      ]);
    }
    if (c.n >= 3 && c.scale !== null) {
      const scale = Math.max(1, c.scale);
      s.scales.push(c.scale);
      s.z.push(...c.residuals.map((r) => Math.round((r / scale) * 100) / 100));
    }
    s.amountEffects.push(...c.amountEffects);
    s.disputeResiduals.push(...c.disputeResiduals);
  }
  return s;
}

export function mergeStats(a: PortfolioStats, b: PortfolioStats): PortfolioStats {
  const delays: PortfolioStats['delays'] = { ...a.delays };
  for (const [k, v] of Object.entries(b.delays) as [Segment, number[]][]) delays[k] = [...(delays[k] ?? []), ...v];
  return {
    delays,
    customers: [...a.customers, ...b.customers],
    z: [...a.z, ...b.z],
    amountEffects: [...a.amountEffects, ...b.amountEffects],
    disputeResiduals: [...a.disputeResiduals, ...b.disputeResiduals],
    neverPaid: a.neverPaid + b.neverPaid,
    settled: a.settled + b.settled,
    scales: [...a.scales, ...b.scales],
    covariates: [...(a.covariates ?? []), ...(b.covariates ?? [])],
  };
}

/** The fitted portfolio: small enough to store as one item. */
export interface PortfolioModel {
  asOf: string;
  modelVersion: string;
  /** Usual delay (median days after due) per segment; `all` for segments without data. */
  segmentLocation: Partial<Record<Segment | 'all', number>>;
  /** Shrinkage constant k for locations (own weight n / (n + k)). */
  k: number;
  /** Typical spread (days) for customers with little history. */
  scale: number;
  /** Quantiles (0, 1/40, …, 1) of the standardised residuals. */
  zQuantiles: number[];
  /** Days of delay per unit of log(amount / usual amount). */
  amountSlope: number;
  /** Days of delay a dispute adds. */
  disputeShift: number;
  /** Share of invoices never paid (open 90+ days past due), the prior of each customer's never-pay share. */
  pNever: number;
  /**
   * Customer-level effects on the prior a customer's own figures shrink toward (fitted on customers with ≥ 2 settled
   * invoices; 0 while too few): days of delay per reminder per paid invoice above the portfolio's mean
   * (`meanReminders`), and the days customers who defaulted on / kept a payment plan pay beyond their segment's usual.
   * Absent on models fitted before they existed (read as 0).
   */
  reminderSlope?: number;
  meanReminders?: number;
  planDefaultShift?: number;
  planKeptShift?: number;
}

/** Customers needed before a customer-level effect is fitted; the plan shifts are shrunk toward 0 by this many. */
const MIN_COVARIATE_CUSTOMERS = 10;
const PLAN_SHIFT_PRIOR = 5;

/** The customer-level effects (see PortfolioModel) from [segment, median delay, reminders, defaulted, kept] rows. */
function covariateEffects(rows: readonly [number, number, number, number, number][], segmentLocation: PortfolioModel['segmentLocation']) {
  const dev = (r: readonly number[]) => (r[1] as number) - (segmentLocation[SEGMENTS[r[0] as number] as Segment] ?? segmentLocation.all ?? 0);
  const known = rows.filter((r) => r[2] >= 0);
  let reminderSlope = 0;
  let meanReminders = 0;
  if (known.length >= MIN_COVARIATE_CUSTOMERS) {
    meanReminders = known.reduce((a, r) => a + r[2], 0) / known.length;
    const meanDev = known.reduce((a, r) => a + dev(r), 0) / known.length;
    let sxx = 0;
    let sxy = 0;
    for (const r of known) {
      sxx += (r[2] - meanReminders) ** 2;
      sxy += (r[2] - meanReminders) * (dev(r) - meanDev);
    }
    // Ridge (+2): a handful of reminded customers does not make a steep slope.
    reminderSlope = clamp(sxy / (sxx + 2), -20, 20);
  }
  // Shrunk mean deviation: with few such customers the shift stays near 0.
  const shift = (flag: 3 | 4) => {
    const devs = rows.filter((r) => r[flag] === 1).map(dev);
    return devs.reduce((a, b) => a + b, 0) / (devs.length + PLAN_SHIFT_PRIOR);
  };
  const enough = rows.length >= MIN_COVARIATE_CUSTOMERS;
  return {
    reminderSlope: round2(reminderSlope),
    meanReminders: round2(meanReminders),
    planDefaultShift: round2(enough ? clamp(shift(3), -30, 60) : 0),
    planKeptShift: round2(enough ? clamp(shift(4), -30, 60) : 0),
  };
}

export function fitPortfolio(stats: PortfolioStats, asOf: string): PortfolioModel {
  const all = Object.values(stats.delays).flat();
  const segmentLocation: PortfolioModel['segmentLocation'] = { all: all.length ? median(all) : 0 };
  for (const [k, v] of Object.entries(stats.delays) as [Segment, number[]][]) if (v.length >= 10) segmentLocation[k] = median(v);
  // Empirical Bayes: k = pooled within-customer variance / variance of customers' usual delays beyond sampling noise.
  let k = 3;
  if (stats.customers.length >= 5) {
    const within = stats.customers.reduce((a, [n, , v]) => a + (n - 1) * v, 0) / Math.max(1, stats.customers.reduce((a, [n]) => a + n - 1, 0));
    const locs = stats.customers.map(([, l]) => l);
    const mean = locs.reduce((a, b) => a + b, 0) / locs.length;
    const between = locs.reduce((a, l) => a + (l - mean) ** 2, 0) / (locs.length - 1);
    const meanInvN = stats.customers.reduce((a, [n]) => a + 1 / n, 0) / stats.customers.length;
    const tau2 = Math.max(1, between - within * meanInvN);
    k = Math.min(10, Math.max(0.5, within / tau2));
  }
  const z = [...stats.z].sort((a, b) => a - b);
  const zQuantiles = z.length >= 20 ? Array.from({ length: 41 }, (_, i) => z[Math.min(z.length - 1, Math.round((i / 40) * (z.length - 1)))] as number) : defaultZ();
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of stats.amountEffects) {
    sxx += x * x;
    sxy += x * y;
  }
  const amountSlope = stats.amountEffects.length >= 20 && sxx > 0 ? clamp(sxy / sxx, -20, 20) : 0;
  const d = stats.disputeResiduals;
  const disputeShift = d.length ? (d.reduce((a, b) => a + b, 0) / d.length) * (d.length / (d.length + 5)) + 10 * (5 / (d.length + 5)) : 10;
  const pNever = (stats.neverPaid + 1) / (stats.neverPaid + stats.settled + 50);
  return {
    asOf,
    modelVersion: MODEL_VERSION,
    segmentLocation,
    k: round2(k),
    scale: round2(stats.scales.length ? Math.max(1, median(stats.scales)) : 5),
    zQuantiles,
    amountSlope: round2(amountSlope),
    disputeShift: round2(disputeShift),
    pNever: round4(pNever),
    ...covariateEffects(stats.covariates ?? [], segmentLocation),
  };
}

function defaultZ(): number[] {
  // A standard logistic's quantiles, scaled to unit MAD: used until the portfolio has residuals.
  return Array.from({ length: 41 }, (_, i) => {
    const p = Math.min(0.995, Math.max(0.005, i / 40));
    return Math.log(p / (1 - p)) / 1.1;
  });
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round2 = (x: number) => Math.round(x * 100) / 100;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** Fz: the standardised residuals' cdf, piecewise linear between quantiles. */
function zCdf(q: readonly number[], z: number): number {
  const n = q.length - 1;
  if (z < (q[0] as number)) return 0;
  if (z >= (q[n] as number)) return 1;
  for (let i = 0; i < n; i++) {
    const a = q[i] as number;
    const b = q[i + 1] as number;
    if (z >= a && z < b) return (i + (b > a ? (z - a) / (b - a) : 1)) / n;
  }
  return 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Per invoice

export interface CustomerModel {
  portfolio: PortfolioModel;
  summaries: Map<string, CustomerSummary>;
}

/** Everything at once, for a portfolio held in memory (tests, the evaluation); the nightly run pages (see above). */
export function fitModel(history: readonly InvoiceHistory[], asOf: string, customers: readonly CustomerHistory[] = []): CustomerModel {
  const byCustomer = new Map<string, InvoiceHistory[]>();
  for (const i of history) byCustomer.set(i.customerId, [...(byCustomer.get(i.customerId) ?? []), i]);
  const extra = new Map(customers.map((c) => [c.customerId, c]));
  const summaries = new Map<string, CustomerSummary>();
  for (const [id, invoices] of byCustomer) summaries.set(id, customerSummary(id, invoices, asOf, extra.get(id)));
  return { portfolio: fitPortfolio(portfolioStats([...summaries.values()]), asOf), summaries };
}

interface Shape {
  location: number;
  scale: number;
  pNever: number;
  /** The customer's own residuals (days) and the weight of their empirical distribution in the shape. */
  residuals: number[];
  ownWeight: number;
  runDate?: string;
  factors: { code: FactorCode; weight: number; text: string }[];
}

function shapeFor(model: PortfolioModel, s: CustomerSummary | undefined, invoice: InvoiceHistory, asOf: string): Shape {
  const termsDays = termsOf(invoice);
  const segment = segmentOf(termsDays);
  const segLoc = model.segmentLocation[segment] ?? model.segmentLocation.all ?? 0;
  const factors: Shape['factors'] = [];
  const n = s?.n ?? 0;
  const w = n / (n + model.k);
  const due = invoice.dueDate;
  let own = s?.location ?? segLoc;
  let runDate: string | undefined;
  if (s?.runDay) {
    runDate = runDateAfter(due, s.runDay, asOf);
    own = daysBetween(due, runDate);
    const dayText = s.runDay.day === 31 ? 'at the end of the month' : `on the ${ordinal(s.runDay.day)} of the month`;
    factors.push({ code: 'payment_run_day', weight: 50, text: `Pays in a monthly payment run ${dayText} (${Math.round(s.runDay.share * 100)} % of ${n} paid invoices): next run after the due date is ${runDate}` });
  } else if (s && s.trendPerDay !== 0) {
    own = (s.location ?? 0) + clamp(s.trendPerDay * daysBetween(asOf, due), -60, 60);
    const perMonth = Math.round(Math.abs(s.trendPerDay) * 30 * 10) / 10;
    factors.push(
      s.trendPerDay > 0
        ? { code: 'worsening', weight: 40, text: `Paying later and later: about ${perMonth} days later each month` }
        : { code: 'improving', weight: 30, text: `Paying earlier lately: about ${perMonth} days earlier each month` },
    );
  }
  // The prior the customer's own figures shrink toward: the segment's usual delay, moved by what the customer's
  // reminders per paid invoice and plan outcomes say about customers like them (the weight 1 − w fades with history).
  const reminderShift = s && s.remindersPerInvoice !== null ? (model.reminderSlope ?? 0) * (s.remindersPerInvoice - (model.meanReminders ?? 0)) : 0;
  const planShift = s && s.plans.defaulted > 0 ? (model.planDefaultShift ?? 0) : s && s.plans.kept > 0 ? (model.planKeptShift ?? 0) : 0;
  let location = w * own + (1 - w) * (segLoc + reminderShift + planShift);
  if (n === 0) {
    factors.push({ code: 'new_customer', weight: 45, text: `New customer, no paid invoice yet: the portfolio's usual delay for net ${termsDays} terms (${Math.round(segLoc)} days) is used` });
  } else if (n < 3) {
    factors.push({ code: 'little_history', weight: 35, text: `Only ${n} paid invoice${n === 1 ? '' : 's'} so far: partly based on similar customers` });
  }
  if (s && n > 0 && !s.runDay) {
    const usual = Math.round(median(s.delays));
    const onTime = s.onTime / n;
    if (onTime >= 0.8 && usual <= 2) factors.push({ code: 'punctual', weight: 30, text: `Pays on time: ${s.onTime} of ${n} invoices settled by the due date` });
    else factors.push({ code: 'usual_delay', weight: 20 + Math.min(20, Math.abs(usual)), text: `Usually pays ${Math.abs(usual)} days ${usual >= 0 ? 'after' : 'before'} the due date (median of ${n} paid invoices)` });
  }
  const usual = s?.usualAmount[invoice.currency];
  if (usual && usual > 0 && invoice.amount > 0 && model.amountSlope !== 0) {
    const ratio = invoice.amount / usual;
    const shift = clamp(model.amountSlope * Math.log(ratio), -30, 30);
    location += shift;
    if (Math.abs(shift) >= 3) {
      const times = ratio >= 1 ? `${Math.round(ratio * 10) / 10}×` : `${Math.round(ratio * 100)} % of`;
      factors.push({
        code: ratio >= 1 ? 'large_amount' : 'small_amount',
        weight: 15 + Math.abs(shift),
        text: `Amount is ${times} this customer's usual invoice: expect about ${Math.abs(Math.round(shift))} days ${shift > 0 ? 'later' : 'earlier'}`,
      });
    }
  }
  const disputes = countBy(invoice.disputes, asOf);
  if (disputes > 0) {
    location += model.disputeShift;
    factors.push({ code: 'disputed', weight: 60, text: `Disputed: disputed invoices are paid about ${Math.round(model.disputeShift)} days later` });
  }
  const days = (x: number) => `about ${Math.abs(Math.round(x))} day${Math.abs(Math.round(x)) === 1 ? '' : 's'} ${x > 0 ? 'later' : 'earlier'}`;
  const reminderEffect = (1 - w) * reminderShift;
  if (s && s.remindersPerInvoice !== null && Math.abs(reminderEffect) >= 1) {
    const r = Math.round(s.remindersPerInvoice * 10) / 10;
    factors.push({ code: 'needs_reminders', weight: 20 + Math.min(25, Math.abs(reminderEffect)), text: `Needed ${r} reminder${r === 1 ? '' : 's'} per paid invoice on average: expect ${days(reminderEffect)}` });
  }
  const planEffect = (1 - w) * planShift;
  const planText = (verb: string, count: number) => `${verb} ${count === 1 ? 'a payment plan' : `${count} payment plans`}${Math.abs(planEffect) >= 1 ? `: expect ${days(planEffect)}` : ''}`;
  if (s && s.plans.defaulted > 0) {
    factors.push({ code: 'plan_defaulted', weight: Math.abs(planEffect) >= 1 ? 45 : 15, text: planText('Defaulted on', s.plans.defaulted) });
  } else if (s && s.plans.kept > 0) {
    factors.push({ code: 'plan_kept', weight: Math.abs(planEffect) >= 1 ? 25 : 10, text: planText('Kept', s.plans.kept) });
  }
  // Spread: own MAD shrunk toward the portfolio's typical spread.
  const ownScale = s?.scale ?? model.scale;
  const scale = Math.max(runDate ? 0.5 : 1, Math.sqrt((n * ownScale ** 2 + 3 * model.scale ** 2) / (n + 3)));
  if (s && n >= 4 && (s.scale ?? 0) >= 12) factors.push({ code: 'erratic', weight: 25, text: `Erratic payer: payment dates vary by about ±${Math.round(s.scale ?? 0)} days` });
  const never = s?.neverPaid ?? 0;
  const pNever = (never + 2 * model.pNever) / (never + n + 2);
  if (never > 0) factors.push({ code: 'never_paid_before', weight: 55 + never, text: `${never} earlier invoice${never === 1 ? ' is' : 's are'} still unpaid more than ${NEVER_PAID_AFTER_DAYS} days after due` });
  const overdue = daysBetween(due, asOf);
  if (overdue > 0) factors.push({ code: 'already_overdue', weight: overdue > LATE_DAYS ? 70 : 20, text: `Already ${overdue} days overdue` });
  const residuals = s?.residuals ?? [];
  return { location, scale, pNever, residuals, ownWeight: residuals.length / (residuals.length + OWN_SHAPE_K), ...(runDate ? { runDate } : {}), factors };
}

function runDateAfter(due: string, run: { day: number; runsAfterDue: number }, asOf: string): string {
  let d = runDate(due, run);
  while (d <= asOf) d = runOnOrAfter(addDays(d, 1), run.day);
  return d;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

/** Settled invoices at which a customer's own residuals and the portfolio's shape weigh the same. */
const OWN_SHAPE_K = 5;

/**
 * Unconditional P(paid by due + x days): a mixture of the customer's own residuals (each smoothed over ± 2 days) and
 * the portfolio's standardised shape at the customer's spread, both around the location; times (1 − pNever).
 */
function cdfAt(model: PortfolioModel, shape: Shape, x: number): number {
  const u = x + 0.5 - shape.location;
  const pooled = zCdf(model.zQuantiles, u / shape.scale);
  let own = 0;
  if (shape.ownWeight > 0) {
    for (const r of shape.residuals) own += clamp((u - r + 2) / 4, 0, 1);
    own /= shape.residuals.length;
  }
  return (1 - shape.pNever) * (shape.ownWeight * own + (1 - shape.ownWeight) * pooled);
}

/**
 * The prediction for one invoice open at `asOf`: the payment-day distribution given it is not paid by asOf, its
 * median as the expected payment date, P(paid more than 30 days after due), the band and the reasons.
 */
export function predictInvoice(model: CustomerModel | PortfolioModel, summary: CustomerSummary | undefined, invoice: InvoiceHistory, asOf: string): InvoicePrediction {
  const portfolio = 'portfolio' in model ? model.portfolio : model;
  const s = summary ?? ('summaries' in model ? model.summaries.get(invoice.customerId) : undefined);
  const shape = shapeFor(portfolio, s, invoice, asOf);
  // Known at asOf: not paid by then (days after due ≤ elapsed are impossible now).
  const elapsed = daysBetween(invoice.dueDate, asOf);
  const base = elapsed >= MIN_DAY ? cdfAt(portfolio, shape, elapsed) : 0;
  const remaining = Math.max(1e-9, 1 - base);
  const cond = (x: number) => (x <= elapsed ? 0 : clamp((cdfAt(portfolio, shape, x) - base) / remaining, 0, 1));
  let expected: number | undefined;
  if (shape.runDate && shape.pNever < 0.5) expected = daysBetween(invoice.dueDate, shape.runDate);
  else {
    for (let x = Math.max(MIN_DAY, elapsed + 1); x <= MAX_DAY; x++) {
      if (cond(x) >= 0.5) {
        expected = x;
        break;
      }
    }
  }
  const lateProbability = round4(elapsed > LATE_DAYS ? 1 : 1 - cond(LATE_DAYS));
  const cdf: PaymentCdf = { days: CDF_DAYS, p: [] };
  let last = 0;
  for (const d of CDF_DAYS) {
    last = Math.max(last, round4(cond(d)));
    cdf.p.push(last);
  }
  const factors = shape.factors.sort((a, b) => b.weight - a.weight).slice(0, 3);
  return {
    expectedPaymentDate: addDays(invoice.dueDate, expected ?? MAX_DAY),
    lateProbability,
    riskBand: riskBandOf(lateProbability),
    factors: factors.map((f) => f.text),
    factorCodes: factors.map((f) => f.code),
    asOf,
    modelVersion: MODEL_VERSION,
    cdf,
  };
}

/** The customer's payment behaviour in figures (for the customer item and the API). */
export function paymentBehaviour(model: PortfolioModel, summary: CustomerSummary): PaymentBehaviour {
  const { n } = summary;
  let trend: Trend = 'stable';
  if (summary.trendPerDay * 30 >= 1) trend = 'worsening';
  else if (summary.trendPerDay * 30 <= -1) trend = 'improving';
  else if (summary.recentMedian !== null && summary.olderMedian !== null) {
    if (summary.recentMedian - summary.olderMedian >= 5) trend = 'worsening';
    else if (summary.recentMedian - summary.olderMedian <= -5) trend = 'improving';
  }
  // The band of a typical new invoice (usual amount, the customer's terms) due on asOf.
  const currency = Object.keys(summary.usualAmount)[0] ?? 'EUR';
  const termsDays = { net14: 14, net30: 30, net45: 45, net60: 60 }[summary.segment];
  const typical: InvoiceHistory = {
    invoiceId: 'typical',
    customerId: summary.customerId,
    currency,
    amount: summary.usualAmount[currency] ?? 0,
    issueDate: addDays(summary.asOf, -termsDays),
    dueDate: summary.asOf,
    termsDays,
  };
  const p = predictInvoice(model, summary, typical, addDays(summary.asOf, -1));
  return {
    invoicesObserved: n,
    medianDaysLate: n ? median(summary.delays) : null,
    onTimeRate: n ? round4(summary.onTime / n) : null,
    trend,
    riskBand: p.riskBand,
    asOf: summary.asOf,
    modelVersion: MODEL_VERSION,
  };
}
