/**
 * Receivables reports for staff, computed on demand: the aging of unpaid balances, the KPIs (DSO, collection
 * effectiveness, plan-kept rate) and the feedback ratings. The decisions are pure (shared/domain/reports.ts); this
 * module reads what they need.
 *
 * Cost (docs/decisions.md): the aging reads the unpaid invoices (GSI3 `INVOICE_STATUS#open|partially_paid`); the KPIs
 * read the whole receivables book — every customer's ledger — because the index is a function of the ledger's history,
 * plus the unpaid invoices for their due dates and two counts of plans. Fine for a report someone asks for; a
 * dashboard polling it would want monthly rollups instead.
 */
import { z } from 'zod';
import { effectiveDueDate } from '../domain/collections.ts';
import { addDays, isCalendarDate } from '../domain/dates.ts';
import type { Invoice, InvoiceStatus } from '../domain/invoice.ts';
import type { LedgerEntry } from '../domain/ledger.ts';
import { agingReport, feedbackReport, kpiReport, type AgingReport, type FeedbackReport, type KpiReport, type PlanOutcomes } from '../domain/reports.ts';
import { Invalid } from './errors.ts';
import { listCustomers } from '../store/customers.ts';
import { getInvoice, listInvoices } from '../store/invoices.ts';
import { ledgerEntries } from '../store/ledger.ts';
import { feedbackBetween } from '../store/feedback.ts';
import { countPlansByStatus } from '../store/plans.ts';
import { countPromisesSettled } from '../store/promises.ts';
import { disputeReasonsBetween } from '../store/disputes.ts';
import { allPages } from '../store/table.ts';

const calendarDate = z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD');

export const agingQuerySchema = z.object({ asOf: calendarDate.optional() });
export const kpiQuerySchema = z.object({ from: calendarDate.optional(), to: calendarDate.optional(), asOf: calendarDate.optional() });
export const feedbackQuerySchema = z.object({ from: calendarDate.optional(), to: calendarDate.optional() });

/** Today's UTC calendar date at `now` (the request's time). */
const utcDate = (now: Date) => now.toISOString().slice(0, 10);

function notAfter(from: string, to: string): void {
  if (from > to) throw new Invalid('from', `must not be after to (${to})`);
}

/** Page size of the index reads. */
const PAGE = 500;
/** Customers' ledgers read at once. */
const LEDGER_CONCURRENCY = 8;

async function unpaidInvoices(): Promise<Invoice[]> {
  const out: Invoice[] = [];
  for (const status of ['open', 'partially_paid'] as InvoiceStatus[]) out.push(...(await allPages((cursor) => listInvoices({ status }, PAGE, cursor))));
  return out;
}

/** GET /reports/aging?asOf= (default: today, UTC). */
export async function agingFor(query: z.infer<typeof agingQuerySchema>, now: Date): Promise<AgingReport> {
  const asOf = query.asOf ?? utcDate(now);
  return agingReport(await unpaidInvoices(), asOf);
}

async function allCustomerIds(): Promise<string[]> {
  return [...new Set((await allPages((cursor) => listCustomers(PAGE, cursor))).map((c) => c.id))];
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Payment plans that ran their course: GSI3 `PLAN_STATUS#completed` and `PLAN_STATUS#defaulted`, counted (all time). */
async function planOutcomes(): Promise<PlanOutcomes> {
  const [completed, defaulted] = await Promise.all([countPlansByStatus('completed'), countPlansByStatus('defaulted')]);
  return { completed, defaulted };
}

/**
 * GET /reports/kpis?from=&to=&asOf= — asOf defaults to today (UTC), to to asOf, from to the first day of to's month.
 * Customers: the `CUSTOMERS` listing plus the customers of unpaid invoices (so one created before the listing existed
 * is still read while they owe something). Due dates: the unpaid invoices' from the listing; an invoice with receivables
 * at `to` that is paid by now is read by id.
 */
export async function kpisFor(query: z.infer<typeof kpiQuerySchema>, now: Date): Promise<KpiReport> {
  const asOf = query.asOf ?? utcDate(now);
  const to = query.to ?? asOf;
  const from = query.from ?? `${to.slice(0, 7)}-01`;
  notAfter(from, to);

  // Promises settled and disputes opened in [from, to]: GSI3 sort keys are ISO instants, so the day after `to` bounds it.
  const before = addDays(to, 1);
  const [unpaid, listed, plans, kept, broken, disputes] = await Promise.all([
    unpaidInvoices(),
    allCustomerIds(),
    planOutcomes(),
    countPromisesSettled('kept', from, before),
    countPromisesSettled('broken', from, before),
    disputeReasonsBetween(from, before),
  ]);
  const customerIds = [...new Set([...listed, ...unpaid.map((i) => i.customerId)])];
  const entries: LedgerEntry[] = (await mapLimited(customerIds, LEDGER_CONCURRENCY, ledgerEntries))
    .flat()
    .filter((e) => e.account === 'receivable');

  const dueDates = new Map(unpaid.map((i) => [i.id, effectiveDueDate(i)]));
  // Invoices owing something at the end of `to` but not unpaid now: their due dates by id.
  const atTo = new Map<string, number>();
  for (const e of entries) {
    if (e.invoiceId && e.bookedAt.slice(0, 10) <= to) atTo.set(e.invoiceId, (atTo.get(e.invoiceId) ?? 0) + e.amount);
  }
  const missing = [...atTo].filter(([id, amount]) => amount !== 0 && !dueDates.has(id)).map(([id]) => id);
  for (const invoice of await mapLimited(missing, LEDGER_CONCURRENCY, getInvoice)) {
    if (invoice) dueDates.set(invoice.id, effectiveDueDate(invoice));
  }
  return kpiReport({ entries, dueDates, from, to, asOf, plans, promises: { kept, broken }, disputes });
}

/** GET /reports/feedback?from=&to= — to defaults to today (UTC); without from, from the first feedback on. */
export async function feedbackFor(query: z.infer<typeof feedbackQuerySchema>, now: Date): Promise<FeedbackReport> {
  const to = query.to ?? utcDate(now);
  if (query.from !== undefined) notAfter(query.from, to);
  // GSI3 `FEEDBACK` / `<at>#<id>`: `at` is an ISO instant, so the day after `to` bounds the range.
  const items = await feedbackBetween(query.from ?? '0', addDays(to, 1));
  return feedbackReport(items, { ...(query.from !== undefined ? { from: query.from } : {}), to });
}
