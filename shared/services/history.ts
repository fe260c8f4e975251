import { z } from 'zod';
import { NotFound } from './errors.ts';
import { cursorScope, decodeCursor, encodeCursor, MAX_CURSOR_CHARS } from './cursor.ts';
import { customerEventsPage } from '../store/outbound-events.ts';
import { customerFeedbackPage } from '../store/feedback.ts';
import { getCustomer } from '../store/customers.ts';
import { ledgerPage } from '../store/ledger.ts';
import { mailPage } from '../store/mail.ts';
import { customerDecisionsPage, type CollectionsDecision } from '../store/decisions.ts';

/**
 * A customer's ledger and communication history, read a page at a time: a long-standing customer's history never
 * makes one response large (Lambda's 6 MB limit) nor one read long. `limit` + `cursor` as on GET /invoices; the cursor
 * is signed and bound to the route and the customer (shared/services/cursor.ts).
 */
export const historyQuery = (maxLimit: number, defaultLimit: number) =>
  z.object({
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
    cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
  });
export const ledgerQuery = historyQuery(500, 100);
export const communicationsQuery = historyQuery(100, 100);

type Page<T> = { items: T[]; lastKey?: Record<string, unknown> };

async function existing(customerId: string) {
  if (!(await getCustomer(customerId))) throw new NotFound(`customer ${customerId} not found`);
}

/**
 * The events out the communication history shows: the collections steps taken about the customer (the legal
 * handover). The others (invoice issued, payment applied…) are facts of the account, listed by their own routes.
 */
const HISTORY_EVENT_TYPES = ['collections.escalated'] as const;

/**
 * A page of the customer's communication history: mails (kind, subject, status, SES message id, the invoices and step
 * they covered; oldest first, bodies not returned), then the events sent downstream about them (escalations), then
 * their ratings, then the collections decisions trail (promises to pay made, kept and broken; disputes opened). One listing walked in that order: a page holds at most `limit` items in all, and `nextCursor` (null
 * after the last page) continues where it stopped.
 */
export async function communications(customerId: string, query: z.infer<typeof communicationsQuery> = { limit: 100 }) {
  await existing(customerId);
  const scope = cursorScope('GET /customers/{id}/communications', { customerId });
  const position = await decodeCursor(scope, query.cursor);
  const sections = [
    (limit: number, key?: Record<string, unknown>) => mailPage(customerId, limit, key),
    (limit: number, key?: Record<string, unknown>) => customerEventsPage(customerId, limit, key, HISTORY_EVENT_TYPES),
    (limit: number, key?: Record<string, unknown>) => customerFeedbackPage(customerId, limit, key),
    (limit: number, key?: Record<string, unknown>) => customerDecisionsPage(customerId, limit, key),
  ] as const;
  const read: [Page<unknown>['items'], Page<unknown>['items'], Page<unknown>['items'], Page<unknown>['items']] = [[], [], [], []];
  // The signed position: which section (0 mails, 1 events, 2 feedback, 3 decisions) and where in it.
  let section = typeof position?.s === 'number' && Number.isInteger(position.s) && position.s >= 0 ? position.s : 0;
  let key = position?.k as Record<string, unknown> | undefined;
  let budget = query.limit;
  while (section < sections.length && budget > 0) {
    const page: Page<unknown> = await sections[section]!(budget, key);
    read[section]!.push(...page.items);
    budget -= page.items.length;
    if (page.lastKey) key = page.lastKey;
    else {
      section += 1;
      key = undefined;
    }
  }
  const mails = (read[0] as Awaited<ReturnType<typeof mailPage>>['items']).map((m) => ({
    key: m.key,
    kind: m.kind,
    subject: m.subject,
    status: m.status,
    createdAt: m.createdAt,
    ...(m.sentAt ? { sentAt: m.sentAt } : {}),
    ...(m.messageId ? { messageId: m.messageId } : {}),
    ...(m.invoiceIds ? { invoiceIds: m.invoiceIds } : {}),
    ...(m.step ? { step: m.step, tone: m.tone } : {}),
    ...(m.cadence ? { cadence: m.cadence } : {}),
  }));
  const events = (read[1] as Awaited<ReturnType<typeof customerEventsPage>>['items']).map((e) => ({
    id: e.id,
    detailType: e.detailType,
    status: e.status,
    createdAt: e.createdAt,
    detail: e.detail,
    ...(e.publishedId ? { publishedId: e.publishedId } : {}),
  }));
  const feedback = (read[2] as Record<string, unknown>[]).map((i) => ({
    rating: i.rating as number,
    comment: i.comment as string | undefined,
    context: i.context,
    at: i.at as string,
  }));
  // The collections decisions trail: promises made, kept and broken, disputes opened (oldest first).
  const decisions = read[3] as CollectionsDecision[];
  const next = section < sections.length ? { s: section, ...(key ? { k: key } : {}) } : undefined;
  return { mails, events, feedback, decisions, nextCursor: await encodeCursor(scope, next) };
}

/** A page of the customer's ledger entries in booking order (append-only; balances are their sums). */
export async function ledgerOf(customerId: string, query: z.infer<typeof ledgerQuery> = { limit: 100 }) {
  await existing(customerId);
  const scope = cursorScope('GET /customers/{id}/ledger', { customerId });
  const page = await ledgerPage(customerId, query.limit, await decodeCursor(scope, query.cursor));
  return { entries: page.items, nextCursor: await encodeCursor(scope, page.lastKey) };
}
