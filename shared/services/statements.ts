/**
 * Statements of account: on demand (`GET /customers/{id}/statement`, JSON, CSV or printable HTML) and the monthly
 * run, which mails every customer with something to tell — activity in the month or a balance either way — their
 * statement once (mail key `statement#<customerId>#<YYYY-MM>`: re-runs add nothing).
 *
 * The run goes through the customers a page at a time (GSI3 `CUSTOMERS`): `runStatementsPage` does one page and
 * returns the cursor of the next, so no invocation's work grows with the number of customers.
 */
import { enqueueAll } from '../adapters/queue.ts';
import { z } from 'zod';
import type { Customer } from '../domain/customer.ts';
import { isCalendarDate } from '../domain/dates.ts';
import type { Invoice } from '../domain/invoice.ts';
import {
  buildStatement,
  hasContent,
  lastFullMonth,
  periodTooLong,
  type Statement,
  type StatementInvoice,
} from '../domain/statement.ts';
import { renderStatementMail } from '../domain/statement-mail.ts';
import { Invalid, NotFound } from './errors.ts';
import { errorForLog, logger } from '../logger.ts';
import { getCustomer, listCustomers } from '../store/customers.ts';
import { listInvoices } from '../store/invoices.ts';
import { allPages } from '../store/table.ts';
import { ledgerEntries } from '../store/ledger.ts';
import { newMail, putMail } from '../store/mail.ts';
import { linkSigner } from './links.ts';
import { mailFrame } from './mail-frame.ts';
import { deliverMail } from './outbox.ts';

/** Customers per page of the monthly run (one page per invocation or queue message). */
export const STATEMENTS_PAGE = 100;
/** Customers of a page worked on at once. */
const CONCURRENCY = 4;

export type StatementFormat = 'json' | 'csv' | 'html';

const calendarDate = z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD');

export const statementQuerySchema = z.object({
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  format: z.enum(['json', 'csv', 'html'], { error: 'must be json, csv or html' }).default('json'),
});
export type StatementQuery = z.infer<typeof statementQuerySchema>;

function badRequest(field: string, message: string): Invalid {
  return new Invalid(field, message);
}

/**
 * The period a request asks for: `from` and `to` (customer-local calendar days, inclusive), by default the last full
 * calendar month in the customer's time zone at `now`; `to` ≥ `from`; at most two years.
 */
export function requestedPeriod(query: StatementQuery, timeZone: string, now: Date): { from: string; to: string } {
  if ((query.from === undefined) !== (query.to === undefined)) {
    throw query.from === undefined ? badRequest('from', 'give both from and to, or neither') : badRequest('to', 'give both from and to, or neither');
  }
  const { from, to } = query.from !== undefined && query.to !== undefined ? { from: query.from, to: query.to } : lastFullMonth(now, timeZone);
  if (to < from) throw badRequest('to', 'must not be before from');
  if (periodTooLong(from, to)) throw badRequest('to', 'the period is at most two years');
  return { from, to };
}

/** Every invoice of the customer (GSI1), for numbers and due dates. */
async function customerInvoices(customerId: string): Promise<Invoice[]> {
  return allPages((cursor) => listInvoices({ customerId }, 250, cursor));
}

function statementInvoice(i: Invoice): StatementInvoice {
  return { id: i.id, number: i.number, currency: i.currency, dueDate: i.dueDate, ...(i.extension ? { extension: { dueDate: i.extension.dueDate } } : {}) };
}

/** A customer's statement for a period, from their ledger and invoices. */
export async function statementOf(customer: Customer, from: string, to: string): Promise<{ statement: Statement; invoices: Invoice[] }> {
  const [entries, invoices] = await Promise.all([ledgerEntries(customer.id), customerInvoices(customer.id)]);
  const statement = buildStatement({ customer, from, to, entries, invoices: invoices.map(statementInvoice) });
  return { statement, invoices };
}

/** `GET /customers/{id}/statement`: 404 for an unknown customer, 400 naming a bad query field. */
export async function requestStatement(customerId: string, rawQuery: Record<string, string | undefined>, now: Date): Promise<{ statement: Statement; format: StatementFormat }> {
  const parsed = statementQuerySchema.safeParse(rawQuery);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'query');
    throw badRequest(field, issue?.message ?? 'invalid');
  }
  const customer = await getCustomer(customerId);
  if (!customer) throw new NotFound(`customer ${customerId} not found`);
  const { from, to } = requestedPeriod(parsed.data, customer.timeZone, now);
  const { statement } = await statementOf(customer, from, to);
  return { statement, format: parsed.data.format };
}

// ---------------------------------------------------------------------------------------------------------------
// The monthly run

export function statementMailKey(customerId: string, month: string): string {
  return `statement#${customerId}#${month}`;
}

export type StatementOutcome = 'sent' | 'written' | 'exists' | 'nothing_to_tell' | 'suppressed';

/**
 * One customer's monthly statement: the last full calendar month in their time zone at `now`; mailed once if there
 * was activity in it or a balance either way at its end, unless SES reported their address.
 */
export async function sendMonthlyStatement(customer: Customer, now: Date): Promise<StatementOutcome> {
  if (customer.mailSuppressed) return 'suppressed';
  const { from, to, month } = lastFullMonth(now, customer.timeZone);
  const { statement, invoices } = await statementOf(customer, from, to);
  if (!hasContent(statement)) return 'nothing_to_tell';
  const unpaidNow = invoices.filter((i) => i.balanceDue > 0 && statement.currencies.some((c) => c.openItems.some((o) => o.invoiceId === i.id && o.balance > 0)));
  const payLinks = new Map<string, string>();
  const links = await linkSigner(now);
  for (const i of unpaidNow) payLinks.set(i.id, links.pay(customer, i.id));
  const rendered = renderStatementMail(statement, { payLinks, ...mailFrame(links, customer) });
  const key = statementMailKey(customer.id, month);
  const mail = newMail(customer, key, 'statement', rendered, now, { period: { from, to } });
  if (!(await putMail(mail))) return 'exists';
  try {
    return (await deliverMail(customer.id, key, now)) === 'sent' ? 'sent' : 'written';
  } catch (error) {
    // Stored pending: the outbox sweep (inbox-redrive) sends it.
    logger.warn('statement mail not sent yet; the outbox will retry', { mailKey: key, error: errorForLog(error) });
    return 'written';
  }
}

async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/**
 * One page of the monthly run: up to `STATEMENTS_PAGE` customers, each mailed their statement once. Returns the
 * cursor of the next page (none after the last) and how many statements were written. If any customer failed, the
 * others of the page are done and it throws, so a retry of the page (idempotent by mail key) finishes the rest.
 */
export async function runStatementsPage(now: Date, cursor?: Record<string, unknown>): Promise<{ next?: Record<string, unknown>; sent: number }> {
  const page = await listCustomers(STATEMENTS_PAGE, cursor);
  let sent = 0;
  let failed = 0;
  await inPool(page.items, CONCURRENCY, async (customer) => {
    try {
      const outcome = await sendMonthlyStatement(customer, now);
      if (outcome === 'sent' || outcome === 'written') sent++;
    } catch (error) {
      failed++;
      logger.error('statement failed', { customerId: customer.id, error: errorForLog(error) });
    }
  });
  if (failed) throw new Error(`statements: ${failed} of ${page.items.length} customers failed on this page; retry it`);
  logger.info('statements page done', { customers: page.items.length, sent, more: page.lastKey !== undefined });
  return { ...(page.lastKey ? { next: page.lastKey } : {}), sent };
}

/** Time one scheduled invocation spends on the monthly run before it stops (the function's timeout is 30 s). */
export const RUN_BUDGET_MS = 20_000;

/**
 * The monthly run: the scheduled invocation does the first page and hands the rest to the `collections` queue, one
 * page per message (the worker's `statements` job), so no invocation's work grows with the number of customers.
 */
export async function runStatements(now: Date): Promise<{ sent: number; pages: number; complete: boolean; cursor?: Record<string, unknown> }> {
  const page = await runStatementsPage(now);
  if (page.next) await enqueueAll('collections', [{ job: 'statements', now: now.toISOString(), cursor: page.next }]);
  return { sent: page.sent, pages: 1, complete: !page.next, ...(page.next ? { cursor: page.next } : {}) };
}
