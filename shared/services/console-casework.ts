/**
 * What the staff console's casework pages read (questions and payment plans), as use cases: the same stored items
 * the admin API lists (GET /support-requests, GET /payment-plans/{id}), joined with what a collector needs on one
 * screen — the customer, the invoice a question is about, a plan's invoices as they stand now, and the names of the
 * staff members who acted. Reads only; the console's actions call the admin API's own services (support.ts
 * `replyToSupportRequest` / `closeSupportRequestAsStaff`, plans.ts `approve`).
 *
 * Listings are paged with the API's signed cursors (cursor.ts), each bound to its listing and filter.
 */
import { z } from 'zod';
import type { Customer } from '../domain/customer.ts';
import type { Invoice } from '../domain/invoice.ts';
import type { PaymentPlan, PlanStatus } from '../domain/plans.ts';
import { SUPPORT_REQUEST_STATUSES, type SupportRequest, type SupportRequestStatus } from '../domain/support-requests.ts';
import { getCustomer } from '../store/customers.ts';
import { getInvoice } from '../store/invoices.ts';
import { getPlan, plansByStatusPage } from '../store/plans.ts';
import { getStaffMember } from '../store/staff.ts';
import { openSupportRequestsPage, supportRequestsPage } from '../store/support-requests.ts';
import { cursorScope, decodeCursor, encodeCursor, MAX_CURSOR_CHARS } from './cursor.ts';
import { NotFound } from './errors.ts';
import { listPromises, promisesQuery } from './promises.ts';
import { supportRequestOf } from './support.ts';

/** Questions a console page lists at most. */
export const CONSOLE_QUESTIONS_PAGE = 25;
/** Promises a console page lists at most. */
export const CONSOLE_PROMISES_PAGE = 25;
/** Plans a console page lists per section (an active plan's invoices are read to tell its next instalment). */
export const CONSOLE_PLANS_PAGE = 25;
/** Index pages read at most to fill one page of answered or closed questions (that listing holds every status). */
const MAX_READS = 5;

/** The customer as casework pages show them: who, how to reach them, and the language their mails are in. */
export type CaseCustomer = Pick<Customer, 'id' | 'name' | 'email' | 'locale' | 'timeZone'>;

const caseCustomer = (c: Customer): CaseCustomer => ({ id: c.id, name: c.name, email: c.email, locale: c.locale, timeZone: c.timeZone });

async function customersById(ids: readonly string[]): Promise<Map<string, CaseCustomer>> {
  const found = await Promise.all([...new Set(ids)].map((id) => getCustomer(id)));
  return new Map(found.filter((c): c is Customer => !!c).map((c) => [c.id, caseCustomer(c)]));
}

/** The names of the staff members `ids` (a removed member, or an id of no member, is left out: pages show the id). */
export async function staffNames(ids: readonly (string | undefined)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  const found = await Promise.all(wanted.map((id) => getStaffMember(id)));
  return new Map(found.flatMap((m) => (m ? [[m.id, m.name] as [string, string]] : [])));
}

// ---------------------------------------------------------------------------------------------------------------
// Questions

export const consoleQuestionsQuery = z.object({
  status: z.enum([...SUPPORT_REQUEST_STATUSES, 'all'], { error: `must be one of ${[...SUPPORT_REQUEST_STATUSES, 'all'].join(', ')}` }).default('open'),
  cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
});

export interface QuestionSummary extends Omit<SupportRequest, 'replies'> {
  replyCount: number;
  lastReplyAt?: string;
  customer?: CaseCustomer;
}

/**
 * GET /console/questions: open questions oldest first (the queue: the longest waiting on top; read from the sparse
 * open index, one query a page); answered, closed or all newest first (what was done lately: the listing of every
 * request, filtered by status, read from at most MAX_READS index pages a page).
 */
export async function questionsForConsole(query: z.infer<typeof consoleQuestionsQuery>): Promise<{ items: QuestionSummary[]; nextCursor: string | null }> {
  const status: SupportRequestStatus | undefined = query.status === 'all' ? undefined : query.status;
  const scope = cursorScope('GET /console/questions', { status: query.status });
  let key = await decodeCursor(scope, query.cursor);
  const found: SupportRequest[] = [];
  for (let read = 0; read < MAX_READS && found.length < CONSOLE_QUESTIONS_PAGE; read++) {
    // Never more raw items than the page still needs: a page ends exactly where its cursor resumes.
    const page =
      status === 'open'
        ? await openSupportRequestsPage(CONSOLE_QUESTIONS_PAGE - found.length, key)
        : await supportRequestsPage(status, CONSOLE_QUESTIONS_PAGE - found.length, key);
    found.push(...page.items);
    key = page.lastKey;
    if (!key) break;
  }
  const customers = await customersById(found.map((r) => r.customerId));
  const items = found.map(({ replies = [], ...request }) => {
    const customer = customers.get(request.customerId);
    const last = replies.at(-1)?.at;
    return { ...request, replyCount: replies.length, ...(last ? { lastReplyAt: last } : {}), ...(customer ? { customer } : {}) };
  });
  return { items, nextCursor: await encodeCursor(scope, key) };
}

export interface QuestionThread {
  request: SupportRequest;
  customer?: CaseCustomer;
  invoice?: Invoice;
  /** Names of the staff members who answered or closed it (by id). */
  staff: Map<string, string>;
}

/** GET /console/questions/{customerId}/{id}: the question, its answers, the customer and the invoice it is about. */
export async function questionThread(customerId: string, id: string): Promise<QuestionThread> {
  const request = await supportRequestOf(customerId, id);
  const [customer, invoice, staff] = await Promise.all([
    getCustomer(request.customerId),
    request.invoiceId ? getInvoice(request.invoiceId) : Promise.resolve(undefined),
    staffNames([...(request.replies ?? []).map((r) => r.staffId), request.closedByStaffId]),
  ]);
  return { request, staff, ...(customer ? { customer: caseCustomer(customer) } : {}), ...(invoice ? { invoice } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Payment plans

const PLAN_STATUSES = ['pending_approval', 'active', 'completed', 'defaulted', 'cancelled'] as const satisfies readonly PlanStatus[];

export const consolePlansQuery = z.object({
  /** One section only (its further pages); without it, the plans waiting for approval and then the active ones. */
  status: z.enum(PLAN_STATUSES, { error: `must be one of ${PLAN_STATUSES.join(', ')}` }).optional(),
  cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
});

export interface PlanSummary {
  plan: PaymentPlan;
  customer?: CaseCustomer;
  /** What the plan's invoices still owe now (active plans only: the next instalment is told from it). */
  coveredBalance?: number;
}

export interface PlanSection {
  status: PlanStatus;
  items: PlanSummary[];
  nextCursor: string | null;
}

async function coveredBalance(plan: PaymentPlan): Promise<number> {
  const invoices = await Promise.all(plan.invoiceIds.map((id) => getInvoice(id)));
  return invoices.reduce((sum, i) => sum + (i?.balanceDue ?? 0), 0);
}

async function planSection(status: PlanStatus, cursor: string | undefined): Promise<PlanSection> {
  const scope = cursorScope('GET /console/plans', { status });
  // Waiting and active plans oldest first (the longest waiting, the longest running); ended ones newest first.
  const newestFirst = status !== 'pending_approval' && status !== 'active';
  const page = await plansByStatusPage(status, CONSOLE_PLANS_PAGE, await decodeCursor(scope, cursor), newestFirst);
  const customers = await customersById(page.items.map((p) => p.customerId));
  const items = await Promise.all(
    page.items.map(async (plan) => {
      const customer = customers.get(plan.customerId);
      return { plan, ...(customer ? { customer } : {}), ...(status === 'active' ? { coveredBalance: await coveredBalance(plan) } : {}) };
    }),
  );
  return { status, items, nextCursor: await encodeCursor(scope, page.lastKey) };
}

/**
 * GET /console/plans: without a status, the plans waiting for approval (oldest request first), then the active ones
 * with what their invoices still owe (for the next instalment); with a status, that section alone, a page at a time.
 */
export async function plansForConsole(query: z.infer<typeof consolePlansQuery>): Promise<PlanSection[]> {
  if (query.status) return [await planSection(query.status, query.cursor)];
  return Promise.all([planSection('pending_approval', undefined), planSection('active', undefined)]);
}

export interface PlanDetail {
  plan: PaymentPlan;
  customer?: CaseCustomer;
  /** The covered invoices as they stand now (an invoice no longer stored is left out). */
  invoices: Invoice[];
  /** Names of the staff members who acted on it (by id). */
  staff: Map<string, string>;
}

/** GET /console/plans/{id}: the plan with its customer, its invoices now and who approved it. */
export async function planDetail(id: string): Promise<PlanDetail> {
  const plan = id && id.length <= 100 ? await getPlan(id) : undefined;
  if (!plan) throw new NotFound(`plan ${id} not found`);
  const [customer, invoices, staff] = await Promise.all([
    getCustomer(plan.customerId),
    Promise.all(plan.invoiceIds.map((i) => getInvoice(i))),
    staffNames([plan.approval.staffId]),
  ]);
  return { plan, staff, invoices: invoices.filter((i): i is Invoice => !!i), ...(customer ? { customer: caseCustomer(customer) } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Promises to pay

export const consolePromisesQuery = promisesQuery.pick({ status: true, cursor: true });

/**
 * GET /console/promises: promises to pay by status (open by when made, kept or broken by when settled; newest first),
 * the admin API's listing (GET /promises) a page at a time, with each customer's name.
 */
export async function promisesForConsole(query: z.infer<typeof consolePromisesQuery>) {
  const page = await listPromises({ status: query.status, limit: CONSOLE_PROMISES_PAGE, ...(query.cursor ? { cursor: query.cursor } : {}) });
  const customers = await customersById(page.items.map((p) => p.customerId));
  return {
    items: page.items.map((promise) => {
      const customer = customers.get(promise.customerId);
      return { ...promise, ...(customer ? { customer } : {}) };
    }),
    nextCursor: page.nextCursor,
  };
}
