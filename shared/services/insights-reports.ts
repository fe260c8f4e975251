/**
 * What staff read of the predictions: the worklist (GET /worklist) and the cash forecast (GET /reports/forecast).
 * The decisions are pure (shared/domain/worklist.ts, shared/domain/forecast.ts); this module reads what they need.
 *
 * Cost: both read the unpaid invoices (GSI3 `INVOICE_STATUS#open|partially_paid`, which carry their `prediction`),
 * like the aging report — at most MAX_OPEN_INVOICES per request (beyond it the answer says `complete: false`); the
 * worklist then reads one customer item per entry of the page it returns (holds), never more than `limit`. Fine to
 * tens of thousands of open invoices; a larger book wants the insights run to write the ranking (one item per
 * customer and currency) and this route to page through it.
 */
import { z } from 'zod';
import { activeHold, effectiveDueDate } from '../domain/collections.ts';
import { addDays, daysBetween, isCalendarDate } from '../domain/dates.ts';
import { cashForecast, MAX_FORECAST_DAYS, TRIALS, FORECAST_SEED, type CurrencyForecast, type ForecastInterval } from '../domain/forecast.ts';
import type { Invoice, InvoiceStatus } from '../domain/invoice.ts';
import { isCurrency } from '../domain/money.ts';
import type { InvoicePrediction } from '../domain/prediction/types.ts';
import { agingReport, type AgingRow } from '../domain/reports.ts';
import { rankCustomers, suggestAction, type SuggestedAction, type WorklistEntry, type WorklistInvoice } from '../domain/worklist.ts';
import { cursorScope, decodeCursor, encodeCursor } from './cursor.ts';
import { Invalid } from './errors.ts';
import { getCustomer } from '../store/customers.ts';
import { listInvoices } from '../store/invoices.ts';

/** The most unpaid invoices one worklist or forecast request reads. */
export const MAX_OPEN_INVOICES = 20_000;
const PAGE = 500;

type PredictedInvoice = Invoice & { prediction?: InvoicePrediction };

async function openInvoices(): Promise<{ invoices: PredictedInvoice[]; complete: boolean }> {
  const out: PredictedInvoice[] = [];
  for (const status of ['open', 'partially_paid'] as InvoiceStatus[]) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await listInvoices({ status }, PAGE, cursor);
      out.push(...(page.items as PredictedInvoice[]));
      cursor = page.lastKey;
      if (out.length >= MAX_OPEN_INVOICES) return { invoices: out.slice(0, MAX_OPEN_INVOICES), complete: false };
    } while (cursor);
  }
  return { invoices: out, complete: true };
}

const utcDate = (now: Date) => now.toISOString().slice(0, 10);
const calendarDate = z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD');
const currencyCode = z.string().refine(isCurrency, 'must be an ISO 4217 currency code such as "EUR"');

// ---------------------------------------------------------------------------------------------------------------
// Cash forecast

export const forecastQuerySchema = z
  .object({
    from: calendarDate.optional(),
    to: calendarDate.optional(),
    interval: z.enum(['week', 'month'], { error: 'must be "week" or "month"' }).default('week'),
    currency: currencyCode.optional(),
  })
  .strict();

export interface ForecastReport {
  from: string;
  to: string;
  interval: ForecastInterval;
  asOf: string;
  method: { band: 'monte-carlo'; trials: number; seed: number; percentiles: [10, 90] };
  currencies: CurrencyForecast[];
  complete: boolean;
}

/**
 * GET /reports/forecast?from=&to=&interval=week|month&currency=: from defaults to today (UTC), to to from + 12 weeks
 * (week) or the end of the month 5 months on (month); from must not be before today; at most MAX_FORECAST_DAYS.
 */
export async function forecastFor(query: z.infer<typeof forecastQuerySchema>, now: Date): Promise<ForecastReport> {
  const today = utcDate(now);
  const from = query.from ?? today;
  if (from < today) throw new Invalid('from', `must not be before today (${today}): the forecast is of open invoices`);
  const to = query.to ?? (query.interval === 'month' ? addDays(`${addMonths(from.slice(0, 7), 6)}-01`, -1) : addDays(from, 12 * 7 - 1));
  if (to < from) throw new Invalid('to', `must not be before from (${from})`);
  if (daysBetween(from, to) > MAX_FORECAST_DAYS) throw new Invalid('to', `must be at most ${MAX_FORECAST_DAYS} days after from`);
  const { invoices, complete } = await openInvoices();
  const chosen = invoices.filter((i) => !query.currency || i.currency === query.currency);
  const currencies = cashForecast(
    chosen.map((i) => ({
      id: i.id,
      currency: i.currency,
      balanceDue: i.balanceDue,
      dueDate: effectiveDueDate(i),
      ...(i.prediction?.cdf ? { cdf: i.prediction.cdf } : {}),
    })),
    { from, to, interval: query.interval, today },
  );
  return { from, to, interval: query.interval, asOf: today, method: { band: 'monte-carlo', trials: TRIALS, seed: FORECAST_SEED, percentiles: [10, 90] }, currencies, complete };
}

/** `YYYY-MM` plus n months. */
function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const k = y * 12 + (m - 1) + n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Worklist

export const worklistQuerySchema = z
  .object({
    currency: currencyCode.optional(),
    limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(25),
    cursor: z.string().max(2000).optional(),
  })
  .strict();

export interface WorklistItem extends Omit<WorklistEntry, 'invoices'> {
  rank: number;
  customerName?: string;
  next: SuggestedAction;
  invoices: {
    id: string;
    number: string;
    balanceDue: number;
    dueDate: string;
    daysPastDue: number;
    lateProbability?: number;
    riskBand?: string;
    expectedPaymentDate?: string;
    factors?: string[];
  }[];
}

function worklistInvoice(i: PredictedInvoice): WorklistInvoice {
  const promise = (i as { promise?: { status: string; date: string } }).promise;
  return {
    id: i.id,
    customerId: i.customerId,
    number: i.number,
    currency: i.currency,
    balanceDue: i.balanceDue,
    dueDate: effectiveDueDate(i),
    ...(i.prediction ? { prediction: i.prediction } : {}),
    ...(i.lastStepSent ? { lastStepSent: i.lastStepSent } : {}),
    ...(i.dispute ? { disputed: true } : {}),
    ...(i.planId ? { planId: i.planId } : {}),
    ...(i.escalatedAt ? { escalatedAt: i.escalatedAt } : {}),
    ...(promise?.status === 'open' ? { promisedUntil: promise.date } : {}),
  };
}

/**
 * GET /worklist?currency=&limit=&cursor=: customers ranked by expected loss within each currency (currencies in
 * alphabetical order when none is chosen — amounts in different currencies are never compared), each with the next
 * suggested action and why. The cursor carries the rank to go on from.
 */
export async function worklistFor(query: z.infer<typeof worklistQuerySchema>, now: Date): Promise<WorklistPage> {
  return worklistOf(query, now, await openInvoices());
}

/**
 * The staff console's home: the worklist page (as GET /worklist) and the aging totals per currency (as GET
 * /reports/aging's `totals`, every currency whatever the filter) from ONE read of the unpaid invoices — the page
 * would otherwise read them twice.
 */
export async function worklistOverview(query: z.infer<typeof worklistQuerySchema>, now: Date): Promise<WorklistPage & { aging: AgingRow[] }> {
  const read = await openInvoices();
  return { ...(await worklistOf(query, now, read)), aging: agingReport(read.invoices, utcDate(now)).totals };
}

export interface WorklistPage {
  asOf: string;
  items: WorklistItem[];
  nextCursor: string | null;
  complete: boolean;
}

async function worklistOf(
  query: z.infer<typeof worklistQuerySchema>,
  now: Date,
  { invoices, complete }: { invoices: PredictedInvoice[]; complete: boolean },
): Promise<WorklistPage> {
  const today = utcDate(now);
  const scope = cursorScope('GET /worklist', { currency: query.currency });
  const position = await decodeCursor(scope, query.cursor);
  const offset = typeof position?.offset === 'number' ? position.offset : 0;
  const ranked = rankCustomers(
    invoices.filter((i) => !query.currency || i.currency === query.currency).map(worklistInvoice),
    today,
  );
  const page = ranked.slice(offset, offset + query.limit);
  // The page's customers read at once (at most 100 GetItems), not one after another.
  const customers = await Promise.all(page.map((entry) => getCustomer(entry.customerId)));
  const items: WorklistItem[] = [];
  for (const [k, entry] of page.entries()) {
    const customer = customers[k];
    const hold = customer ? activeHold(customer.holds, now) : undefined;
    const next = suggestAction(entry, today, hold ? { onHold: { reason: hold.reason, ...(hold.expiresAt ? { until: hold.expiresAt } : {}) } } : {});
    const { invoices: list, ...rest } = entry;
    items.push({
      rank: offset + k + 1,
      ...rest,
      ...(customer ? { customerName: customer.name } : {}),
      next,
      invoices: list.map((i) => ({
        id: i.id,
        number: i.number,
        balanceDue: i.balanceDue,
        dueDate: i.dueDate,
        daysPastDue: Math.max(0, daysBetween(i.dueDate, today)),
        ...(i.prediction
          ? { lateProbability: i.prediction.lateProbability, riskBand: i.prediction.riskBand, expectedPaymentDate: i.prediction.expectedPaymentDate, factors: i.prediction.factors }
          : {}),
      })),
    });
  }
  const nextOffset = offset + page.length;
  return { asOf: today, items, nextCursor: nextOffset < ranked.length ? await encodeCursor(scope, { offset: nextOffset }) : null, complete };
}
