/**
 * Cash forecast: expected collections per currency per period from the open invoices' predicted payment-day
 * distributions (`prediction.cdf`, written by the insights run), with a P10–P90 band. Pure; "today" is a parameter.
 *
 * Method:
 * - Each open invoice is paid in full (its balance due) on one day, or never. Its payment day follows the prediction's
 *   cdf F (days after the due date; F is read as a step function, linear between knots, 0 before the first knot and
 *   flat after the last — 1 − F(last) is the chance it is never paid), **conditioned on not being paid before today**:
 *   P(paid on day d | open today) = (F(d) − F(d − 1)) / (1 − F(c − 1)) for d ≥ c, c = today − due date.
 *   (If the cdf is already conditional, F(c − 1) is 0 and the division changes nothing.)
 * - Expected collections of a period [a, b] = Σ balance × P(paid on a day in [a, b] | open today): exact, no sampling.
 * - The band: a seeded Monte Carlo (mulberry32, seed FORECAST_SEED, invoices in id order, TRIALS trials): each trial
 *   draws one payment day (or never) per invoice; P10 and P90 of each period's total over the trials (nearest rank).
 *   The same open invoices and the same day give the same figures, to the minor unit.
 * - Invoices without a prediction (issued since the last insights run) are not forecast: they are reported apart
 *   (`unpredicted`), never guessed.
 */
import { addDays, daysBetween } from './dates.ts';
import type { PaymentCdf } from './prediction/types.ts';
import { mulberry32 } from './random.ts';

export type ForecastInterval = 'week' | 'month';

export interface ForecastInvoice {
  id: string;
  currency: string;
  /** Still owed, minor units. */
  balanceDue: number;
  /** The due date in force (an extension's, if any). */
  dueDate: string;
  cdf?: PaymentCdf;
}

export interface ForecastPeriod {
  start: string;
  end: string;
  /** Expected collections in the period, minor units (rounded once, half up). */
  expected: number;
  /** 10th and 90th percentile of the period's collections over the Monte Carlo trials, minor units. */
  p10: number;
  p90: number;
}

export interface CurrencyForecast {
  currency: string;
  /** Open balance of the forecast invoices, minor units. */
  openBalance: number;
  invoices: number;
  periods: ForecastPeriod[];
  /** Expected after the range's end, and never (the predictions' "never pays" mass), minor units. */
  expectedAfter: number;
  expectedNever: number;
  /** Open invoices without a prediction yet: not forecast. */
  unpredicted: { invoices: number; balance: number };
}

export const FORECAST_SEED = 0x12f0ca57;
export const TRIALS = 1000;
/** The furthest ahead a forecast reaches (days from `from` to `to`). */
export const MAX_FORECAST_DAYS = 366;

/** The periods of [from, to]: weeks of 7 days from `from`, or calendar months (the first and last clipped). */
export function forecastPeriods(from: string, to: string, interval: ForecastInterval): { start: string; end: string }[] {
  const out: { start: string; end: string }[] = [];
  let start = from;
  while (start <= to) {
    let end: string;
    if (interval === 'week') end = addDays(start, 6);
    else {
      const [y, m] = start.split('-').map(Number) as [number, number];
      const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
      end = addDays(next, -1);
    }
    if (end > to) end = to;
    out.push({ start, end });
    start = addDays(end, 1);
  }
  return out;
}

/** F(d): the cdf at `d` days after due (linear between knots, 0 before the first, flat after the last). */
export function cdfAt(cdf: PaymentCdf, d: number): number {
  const { days, p } = cdf;
  if (days.length === 0 || d < (days[0] as number)) return 0;
  for (let i = days.length - 1; i >= 0; i--) {
    const di = days[i] as number;
    if (d >= di) {
      if (i === days.length - 1 || d === di) return clamp(p[i] as number);
      const dn = days[i + 1] as number;
      const t = (d - di) / (dn - di);
      return clamp((p[i] as number) + t * ((p[i + 1] as number) - (p[i] as number)));
    }
  }
  return 0;
}

const clamp = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * The conditional distribution of the payment day from day offset `c` (today − due) on, as cumulative weights over
 * the integer offsets c … horizon, or undefined when the cdf leaves no chance of paying from today (nothing to say).
 */
function conditional(cdf: PaymentCdf, c: number, horizon: number): { from: number; cum: Float64Array; ever: number } | undefined {
  const before = cdfAt(cdf, c - 1);
  const rest = 1 - before;
  if (rest <= 1e-12) return undefined;
  const n = Math.max(1, horizon - c + 1);
  const cum = new Float64Array(n);
  // Walk the knots forward once (linear between knots, flat after the last).
  const { days, p } = cdf;
  let i = 0;
  for (let k = 0; k < n; k++) {
    const d = c + k;
    while (i + 1 < days.length && (days[i + 1] as number) <= d) i++;
    let f: number;
    if (d < (days[0] as number)) f = 0;
    else if (i === days.length - 1) f = clamp(p[i] as number);
    else {
      const di = days[i] as number;
      const dn = days[i + 1] as number;
      f = clamp((p[i] as number) + ((d - di) / (dn - di)) * ((p[i + 1] as number) - (p[i] as number)));
    }
    cum[k] = Math.max(k > 0 ? (cum[k - 1] as number) : 0, (f - before) / rest);
  }
  const ever = Math.min(1, Math.max(0, (clamp(p[p.length - 1] as number) - before) / rest));
  return { from: c, cum, ever };
}


/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

export function cashForecast(
  invoices: readonly ForecastInvoice[],
  range: { from: string; to: string; interval: ForecastInterval; today: string },
  options: { trials?: number; seed?: number } = {},
): CurrencyForecast[] {
  const trials = options.trials ?? TRIALS;
  const periods = forecastPeriods(range.from, range.to, range.interval);
  // Day j of the range (from + j) → its period.
  const dayToPeriod = new Int32Array(daysBetween(range.from, range.to) + 1);
  periods.forEach((p, i) => {
    for (let j = daysBetween(range.from, p.start); j <= daysBetween(range.from, p.end); j++) dayToPeriod[j] = i;
  });
  const currencies = [...new Set(invoices.map((i) => i.currency))].sort();
  return currencies.map((currency) => {
    const own = invoices.filter((i) => i.currency === currency && i.balanceDue > 0).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const expected = new Float64Array(periods.length);
    let after = 0;
    let never = 0;
    let openBalance = 0;
    let count = 0;
    const unpredicted = { invoices: 0, balance: 0 };
    // Per invoice: its conditional cumulative weights, and the period index of each offset (−1 before `from`,
    // periods.length after `to`).
    const prepared: { amount: number; cum: Float64Array; periodOf: Int32Array }[] = [];
    for (const inv of own) {
      const c = Math.max(daysBetween(inv.dueDate, range.today), inv.cdf?.days[0] ?? 0);
      const horizon = daysBetween(inv.dueDate, range.to);
      const dist = inv.cdf && inv.cdf.days.length === inv.cdf.p.length && inv.cdf.days.length > 0 ? conditional(inv.cdf, c, Math.max(c, horizon)) : undefined;
      if (!dist) {
        unpredicted.invoices += 1;
        unpredicted.balance += inv.balanceDue;
        continue;
      }
      count += 1;
      openBalance += inv.balanceDue;
      const periodOf = new Int32Array(dist.cum.length);
      const base = daysBetween(range.from, inv.dueDate) + dist.from;
      let prev = 0;
      for (let k = 0; k < dist.cum.length; k++) {
        const j = base + k;
        const idx = j >= 0 && j < dayToPeriod.length ? (dayToPeriod[j] as number) : -1;
        periodOf[k] = idx;
        const mass = (dist.cum[k] as number) - prev;
        prev = dist.cum[k] as number;
        if (idx >= 0) expected[idx] = (expected[idx] as number) + mass * inv.balanceDue;
      }
      // Beyond `to`: what the cdf still pays after the range; never: its flat tail below 1.
      const paidByTo = dist.cum[dist.cum.length - 1] as number;
      after += Math.max(0, dist.ever - paidByTo) * inv.balanceDue;
      never += (1 - dist.ever) * inv.balanceDue;
      prepared.push({ amount: inv.balanceDue, cum: dist.cum, periodOf });
    }
    // The band: seeded Monte Carlo, one draw per invoice per trial.
    const random = mulberry32((options.seed ?? FORECAST_SEED) ^ hashCurrency(currency));
    const totals = periods.map(() => new Array<number>(trials).fill(0));
    for (let t = 0; t < trials; t++) {
      for (const inv of prepared) {
        const u = random();
        const k = firstAtLeast(inv.cum, u);
        if (k < 0) continue; // after `to`, or never
        const idx = inv.periodOf[k] as number;
        if (idx >= 0) (totals[idx] as number[])[t] = ((totals[idx] as number[])[t] as number) + inv.amount;
      }
    }
    return {
      currency,
      openBalance,
      invoices: count,
      periods: periods.map((p, i) => {
        const sorted = [...(totals[i] as number[])].sort((a, b) => a - b);
        return { ...p, expected: Math.round(expected[i] as number), p10: percentile(sorted, 0.1), p90: percentile(sorted, 0.9) };
      }),
      expectedAfter: Math.round(after),
      expectedNever: Math.round(never),
      unpredicted,
    };
  });
}

/** The first index whose cumulative weight reaches `u` (−1: none — paid after the horizon or never). */
function firstAtLeast(cum: Float64Array, u: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  if (hi < 0 || (cum[hi] as number) < u) return -1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cum[mid] as number) >= u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function hashCurrency(currency: string): number {
  let h = 2166136261;
  for (let i = 0; i < currency.length; i++) h = Math.imul(h ^ currency.charCodeAt(i), 16777619);
  return h >>> 0;
}
