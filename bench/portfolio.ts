/**
 * A seeded synthetic portfolio for the payment-prediction evaluation (`npm run evaluate`) and the adaptive-cadence
 * comparison: customers with distinct payer behaviours, realistic amounts and terms, invoices over 18 months, and when
 * (and in how many parts) each was paid. Pure and deterministic for a given seed.
 *
 * Behaviours: punctual (around the due date); habitually late (a customer-specific number of days, ± a few);
 * payment run (pays in a monthly run on a fixed day — the 15th, 25th or the month's end — the first run on or after
 * the due date); deteriorating (starts near on time, a few days later every month); seasonal (late in the summer and
 * in December); erratic (anything from early to two months late); never pays. Every payer also pays invoices much
 * larger than its usual later (about 6 days per doubling).
 */
import { addDays, daysBetween } from '../shared/domain/dates.ts';
import { mulberry32 } from '../shared/domain/random.ts';

export type Behaviour = 'punctual' | 'late' | 'payment_run' | 'deteriorating' | 'seasonal' | 'erratic' | 'never';

export interface PortfolioCustomer {
  id: string;
  /** External reference (the import route's `customerRef`). */
  ref: string;
  name: string;
  email: string;
  behaviour: Behaviour;
  currency: string;
  termsDays: number;
  /** Typical invoice amount, minor units. */
  usualAmount: number;
  /** Behaviour parameters, for the report. */
  params: Record<string, number>;
}

export interface PortfolioInvoice {
  number: string;
  customerRef: string;
  currency: string;
  amount: number;
  issueDate: string;
  dueDate: string;
  /** Payments (date, amount), the last one settles the invoice; empty: never paid. */
  payments: { date: string; amount: number }[];
  /** The date the balance reached zero (absent: never paid). */
  settledDate?: string;
}

export interface Portfolio {
  seed: number;
  start: string;
  months: number;
  customers: PortfolioCustomer[];
  invoices: PortfolioInvoice[];
}

/** Mulberry32 (shared/domain/random.ts): the generator's seeded PRNG. */
export const rng = mulberry32;

function normal(r: () => number): number {
  const u = Math.max(1e-12, r());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

function poisson(r: () => number, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > l);
  return k - 1;
}

/** The first date on or after `date` that is day `day` of its month (31 = the month's last day). */
export function runDayOnOrAfter(date: string, day: number): string {
  const at = (d: string) => {
    const y = Number(d.slice(0, 4));
    const m = Number(d.slice(5, 7));
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    return `${d.slice(0, 8)}${String(Math.min(day, last)).padStart(2, '0')}`;
  };
  const here = at(date);
  return here >= date ? here : at(addDays(`${date.slice(0, 8)}01`, 32));
}

export function monthEnd(start: string, month: number): string {
  const y = Number(start.slice(0, 4));
  const m = Number(start.slice(5, 7)) - 1 + month;
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

const MIX: [Behaviour, number][] = [
  ['punctual', 0.24],
  ['late', 0.24],
  ['payment_run', 0.13],
  ['deteriorating', 0.1],
  ['seasonal', 0.08],
  ['erratic', 0.17],
  ['never', 0.04],
];

export function generatePortfolio(opts: { seed?: number; customers?: number; months?: number; start?: string } = {}): Portfolio {
  const seed = opts.seed ?? 20_261_130;
  const count = opts.customers ?? 200;
  const months = opts.months ?? 18;
  const start = opts.start ?? '2025-01-01';
  const r = rng(seed);
  const customers: PortfolioCustomer[] = [];
  const invoices: PortfolioInvoice[] = [];
  const end = monthEnd(start, months);
  for (let c = 0; c < count; c++) {
    let x = r();
    let behaviour: Behaviour = 'punctual';
    for (const [b, share] of MIX) {
      if (x < share) {
        behaviour = b;
        break;
      }
      x -= share;
    }
    const t = r();
    const termsDays = t < 0.2 ? 14 : t < 0.8 ? 30 : t < 0.9 ? 45 : 60;
    const cur = r();
    const currency = cur < 0.75 ? 'EUR' : cur < 0.9 ? 'USD' : 'GBP';
    const usualAmount = Math.max(5_000, Math.round(Math.exp(Math.log(200_000) + normal(r)) / 100) * 100);
    const params: Record<string, number> = {};
    if (behaviour === 'late') params.days = 5 + Math.floor(r() * 45);
    if (behaviour === 'payment_run') params.day = [15, 25, 31][Math.floor(r() * 3)] as number;
    if (behaviour === 'deteriorating') {
      params.base = Math.floor(r() * 5);
      params.perMonth = 1.5 + r() * 2.5;
    }
    if (behaviour === 'seasonal') params.base = 3 + Math.floor(r() * 10);
    if (behaviour === 'erratic') params.mean = 10 + Math.floor(r() * 25);
    const ref = `EXT-${String(c + 1).padStart(5, '0')}`;
    customers.push({
      id: '',
      ref,
      name: `Customer ${c + 1} GmbH`,
      email: `payer${c + 1}@example.com`,
      behaviour,
      currency,
      termsDays,
      usualAmount,
      params,
    });
    // Customers join over the first 14 months (some are new when the predictions are made).
    const joined = r() < 0.8 ? 0 : Math.floor(r() * 14);
    const perMonth = 0.6 + r() * 1.8;
    let n = 0;
    for (let m = joined; m < months; m++) {
      const k = poisson(r, perMonth);
      for (let j = 0; j < k; j++) {
        const issueDate = addDays(monthEnd(start, m), 1 + Math.floor(r() * 28));
        if (issueDate > end) continue;
        const dueDate = addDays(issueDate, termsDays);
        const big = r() < 0.1;
        const amount = Math.max(1_000, Math.round((usualAmount * Math.exp(0.35 * normal(r)) * (big ? 2 + r() * 4 : 1)) / 100) * 100);
        const amountEffect = Math.max(0, 6 * Math.log2(amount / usualAmount));
        const monthsIn = daysBetween(start, dueDate) / 30;
        let delay: number | null;
        switch (behaviour) {
          case 'punctual':
            delay = r() < 0.85 ? Math.round(normal(r) * 1.2) - (r() < 0.3 ? 2 : 0) : Math.round(3 + r() * 8);
            break;
          case 'late':
            delay = Math.round((params.days as number) + normal(r) * 3);
            break;
          case 'payment_run': {
            const base = runDayOnOrAfter(dueDate, params.day as number);
            const extra = r() < 0.1 ? runDayOnOrAfter(addDays(base, 1), params.day as number) : base;
            delay = daysBetween(dueDate, extra);
            break;
          }
          case 'deteriorating':
            delay = Math.round((params.base as number) + (params.perMonth as number) * monthsIn + normal(r) * 2.5);
            break;
          case 'seasonal': {
            const month = Number(dueDate.slice(5, 7));
            delay = Math.round((params.base as number) + ([7, 8, 12].includes(month) ? 25 : 0) + normal(r) * 3);
            break;
          }
          case 'erratic':
            delay = Math.round(-5 + -Math.log(Math.max(1e-9, r())) * (params.mean as number));
            break;
          case 'never':
            delay = r() < 0.1 && m < 3 ? Math.round(20 + r() * 30) : null;
            break;
        }
        if (delay !== null && behaviour !== 'payment_run' && behaviour !== 'never') delay = Math.round(delay + amountEffect);
        // Never paid before the issue date (a payment cannot precede the invoice).
        if (delay !== null && daysBetween(issueDate, addDays(dueDate, delay)) < 0) delay = -daysBetween(issueDate, dueDate);
        const settledDate = delay === null ? undefined : addDays(dueDate, delay);
        const payments: PortfolioInvoice['payments'] = [];
        if (settledDate) {
          // One in eight is paid in two parts: a part first, the rest on the settle date.
          if (r() < 0.125 && daysBetween(issueDate, settledDate) >= 6) {
            const first = Math.round((amount * (0.3 + r() * 0.4)) / 100) * 100;
            payments.push({ date: addDays(issueDate, Math.floor(daysBetween(issueDate, settledDate) / 2)), amount: first });
            payments.push({ date: settledDate, amount: amount - first });
          } else payments.push({ date: settledDate, amount });
        }
        n++;
        invoices.push({
          number: `IMP-${String(c + 1).padStart(5, '0')}-${String(n).padStart(3, '0')}`,
          customerRef: ref,
          currency,
          amount,
          issueDate,
          dueDate,
          payments,
          ...(settledDate ? { settledDate } : {}),
        });
      }
    }
  }
  invoices.sort((a, b) => (a.issueDate < b.issueDate ? -1 : a.issueDate > b.issueDate ? 1 : a.number < b.number ? -1 : 1));
  return { seed, start, months, customers, invoices };
}
