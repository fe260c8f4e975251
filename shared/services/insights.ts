/**
 * The nightly `insights` run: fits the payment-behaviour model (shared/domain/prediction) from the store and writes
 * each unpaid invoice's `prediction` and each customer's `paymentBehaviour`.
 *
 *   insights (schedule, "now" = the event's time; asOf = the last complete UTC day before it)
 *     └─► `insights` message, phase `stats`, page 0 ─► the collections worker reads one page of customers (GSI3
 *           CUSTOMERS) and their invoices, stores the page's portfolio statistics, and enqueues the next page; after
 *           the last page it merges the pages into the portfolio model (one item) and starts phase `predict`
 *     └─► phase `predict`, a page of customers per message: predictions for their unpaid invoices, their behaviour.
 *
 * No invocation's work grows with the portfolio (100 customers per message; 100k invoices ≈ a few hundred short
 * messages). Idempotent: every item written is a function of the facts as of `asOf` (a re-fired schedule or a
 * redelivered message rewrites the same values), and a prediction as of an earlier date never overwrites a later
 * one (catch-up safe: a missed night is simply the next night's run). Only facts known at asOf are used: invoices
 * issued by then, settled only if their settle date is on or before it.
 */
import { z } from 'zod';
import { enqueueAll } from '../adapters/queue.ts';
import { addDays, isCalendarDate } from '../domain/dates.ts';
import type { Invoice } from '../domain/invoice.ts';
import {
  customerSummary,
  emptyStats,
  fitPortfolio,
  mergeStats,
  paymentBehaviour,
  portfolioStats,
  predictInvoice,
  type PortfolioStats,
} from '../domain/prediction/model.ts';
import type { PaymentPlan } from '../domain/plans.ts';
import type { CustomerHistory, InvoiceHistory } from '../domain/prediction/types.ts';
import { logger } from '../logger.ts';
import { listCustomers } from '../store/customers.ts';
import { plansOfCustomer } from '../store/plans.ts';
import {
  getPortfolioModel,
  insightsPages,
  invoicesOfCustomer,
  markInsightsDone,
  putInsightsPage,
  putInvoicePrediction,
  putPaymentBehaviour,
  putPortfolioModel,
} from '../store/insights.ts';

/** Customers per message. */
export const INSIGHTS_PAGE = 100;
/** Customers of a page read at once. */
const CONCURRENCY = 4;
/** At most this many samples of each kind per page's statistics (a deterministic thinning keeps the item small). */
const MAX_SAMPLES = 4000;

const calendarDate = z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD');

export const insightsMessageSchema = z.object({
  job: z.literal('insights'),
  phase: z.enum(['stats', 'predict']),
  now: z.iso.datetime(),
  asOf: calendarDate,
  page: z.number().int().min(0),
  cursor: z.record(z.string(), z.unknown()).optional(),
  counts: z.object({ customers: z.number().int(), predictions: z.number().int() }).optional(),
});
export type InsightsMessage = z.infer<typeof insightsMessageSchema>;

/** The as-of date of a run fired at `now`: the last complete UTC day. */
export function insightsAsOf(now: Date): string {
  return addDays(now.toISOString().slice(0, 10), -1);
}

/** The scheduled run: one message starts the paged work on the collections queue. */
export async function startInsights(now: Date): Promise<{ asOf: string }> {
  const asOf = insightsAsOf(now);
  const first: InsightsMessage = { job: 'insights', phase: 'stats', now: now.toISOString(), asOf, page: 0 };
  await enqueueAll('collections', [first]);
  return { asOf };
}

/**
 * An invoice as the model sees it: status paid + settledAt = settled on that day; the disputes it had (open or
 * resolved, by the day opened); the reminders it received (by the day sent; unknown for an imported invoice or one
 * reminded before they were recorded). A paid invoice without a settle date is left out: it was closed by a credit
 * note (an upheld dispute writes off the balance; no money arrived, so there is no payment day to learn from — the
 * day the business resolved the dispute is its own behaviour, not the payer's).
 */
export function historyOf(invoice: Invoice): InvoiceHistory | undefined {
  if (invoice.status === 'paid' && !invoice.settledAt) return undefined;
  const disputes = [...new Set([...(invoice.disputesOpenedAt ?? []), ...(invoice.dispute ? [invoice.dispute.openedAt] : [])].map((d) => d.slice(0, 10)))].sort();
  // Imported: what it needed elsewhere is unknown. Otherwise the recorded sends; none recorded and no step sent: no
  // reminder was needed; a step without the record (sent before the record existed): unknown.
  const reminders = invoice.importedAt ? undefined : invoice.remindersSentAt ? invoice.remindersSentAt.map((d) => d.slice(0, 10)) : invoice.lastStepSent ? undefined : [];
  return {
    invoiceId: invoice.id,
    customerId: invoice.customerId,
    currency: invoice.currency,
    amount: invoice.total,
    issueDate: invoice.issueDate,
    dueDate: invoice.extension?.dueDate ?? invoice.dueDate,
    ...(invoice.status === 'paid' && invoice.settledAt ? { settledDate: invoice.settledAt } : {}),
    ...(disputes.length ? { disputes } : {}),
    ...(reminders ? { reminders } : {}),
  };
}

/** A customer's payment plans as the model sees them (outcome and the day it was reached; pending or cancelled: none). */
export function planHistoryOf(customerId: string, plans: readonly PaymentPlan[]): CustomerHistory {
  return {
    customerId,
    plans: plans.flatMap((p): NonNullable<CustomerHistory['plans']> => {
      if (p.status === 'completed' && p.completedAt) return [{ createdAt: p.createdAt, outcome: 'kept', endedAt: p.completedAt }];
      if (p.status === 'defaulted' && p.defaultedAt) return [{ createdAt: p.createdAt, outcome: 'defaulted', endedAt: p.defaultedAt }];
      if (p.status === 'active') return [{ createdAt: p.createdAt, outcome: 'active' }];
      return [];
    }),
  };
}

async function customerPage(cursor?: Record<string, unknown>) {
  const page = await listCustomers(INSIGHTS_PAGE, cursor);
  const histories = new Map<string, { invoices: Invoice[]; history: InvoiceHistory[]; customer: CustomerHistory }>();
  await inPool(page.items, CONCURRENCY, async (c) => {
    const [invoices, plans] = await Promise.all([invoicesOfCustomer(c.id), plansOfCustomer(c.id)]);
    histories.set(c.id, { invoices, history: invoices.flatMap((i) => historyOf(i) ?? []), customer: planHistoryOf(c.id, plans) });
  });
  return { customers: page.items, histories, lastKey: page.lastKey };
}

export async function runInsightsPage(message: InsightsMessage): Promise<void> {
  const { asOf } = message;
  const page = await customerPage(message.cursor);
  const next = (m: Partial<InsightsMessage>) => enqueueAll('collections', [{ ...message, ...m }]);
  if (message.phase === 'stats') {
    const summaries = [...page.histories].map(([id, h]) => customerSummary(id, h.history, asOf, h.customer));
    await putInsightsPage(asOf, message.page, thin(portfolioStats(summaries)));
    if (page.lastKey) return next({ page: message.page + 1, cursor: page.lastKey });
    // The last page: fit the portfolio from every page's statistics, then predict, a page at a time.
    const stats = (await insightsPages(asOf)).reduce(mergeStats, emptyStats());
    await putPortfolioModel(fitPortfolio(stats, asOf));
    const { cursor: _c, ...rest } = message;
    await enqueueAll('collections', [{ ...rest, phase: 'predict', page: 0, counts: { customers: 0, predictions: 0 } } satisfies InsightsMessage]);
    return;
  }
  const model = await getPortfolioModel(asOf);
  if (!model) throw new Error(`insights ${asOf}: no portfolio model (the stats phase has not finished)`);
  let predictions = 0;
  const rebanded: string[] = [];
  await inPool(page.customers, CONCURRENCY, async (customer) => {
    const h = page.histories.get(customer.id);
    if (!h) return;
    const summary = customerSummary(customer.id, h.history, asOf, h.customer);
    for (const invoice of h.invoices) {
      if (invoice.status === 'paid' || invoice.issueDate > asOf) continue;
      const history = historyOf(invoice);
      if (!history) continue;
      if (await putInvoicePrediction(invoice.id, predictInvoice(model, summary, history, asOf))) predictions++;
    }
    const behaviour = paymentBehaviour(model, summary);
    const before = customer.paymentBehaviour?.riskBand;
    const written = await putPaymentBehaviour(customer.id, behaviour);
    // The adaptive cadence (domain/adaptive-cadence.ts) reads the band: when it changes, a reminder run for the
    // customer re-places their unpaid invoices in the reminder index (e.g. a heads-up now due 10 days before due).
    if (written && before !== behaviour.riskBand && h.invoices.some((i) => i.status !== 'paid')) rebanded.push(customer.id);
  });
  if (rebanded.length) await enqueueAll('collections', rebanded.map((customerId) => ({ job: 'dunning' as const, customerId, now: message.now })));
  const counts = { customers: (message.counts?.customers ?? 0) + page.customers.length, predictions: (message.counts?.predictions ?? 0) + predictions };
  if (page.lastKey) return next({ page: message.page + 1, cursor: page.lastKey, counts });
  await markInsightsDone(asOf, message.now, counts);
  logger.info('insights run done', { asOf, ...counts });
}

/** Keeps at most MAX_SAMPLES of each list (every k-th: deterministic, so a re-run writes the same page). */
function thin(s: PortfolioStats): PortfolioStats {
  const every = <T>(xs: T[]) => (xs.length <= MAX_SAMPLES ? xs : xs.filter((_, i) => i % Math.ceil(xs.length / MAX_SAMPLES) === 0));
  const delays: PortfolioStats['delays'] = {};
  for (const [k, v] of Object.entries(s.delays)) delays[k as keyof typeof delays] = every(v);
  return { ...s, delays, customers: every(s.customers), z: every(s.z), amountEffects: every(s.amountEffects), disputeResiduals: every(s.disputeResiduals), scales: every(s.scales), covariates: every(s.covariates ?? []) };
}

async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}
