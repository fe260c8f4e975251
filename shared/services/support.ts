/**
 * Questions customers ask in the portal (POST /portal/messages): stored for staff (GET /support-requests), and
 * acknowledged by a mail through the outbox. Idempotent against double submits: the same subject and message from
 * the same customer within DUPLICATE_WINDOW_MINUTES is the same request.
 *
 * Staff answer them (POST /support-requests/{customerId}/{id}/replies): the reply is kept on the request, its status
 * moves (domain/support-requests.ts) and the customer's mail with the answer is written in the same transaction,
 * conditional on the version read, then delivered. Idempotent: a reply's id comes from the Idempotency-Key, or without
 * one from the reply itself (the same words twice on one request are a double click: one reply, one mail).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { actedBy } from '../context.ts';
import type { Customer } from '../domain/customer.ts';
import { renderNotice } from '../domain/notice-mail.ts';
import { answerTone, closes, MAX_REPLY_CHARS, statusAfterReply, SUPPORT_REQUEST_STATUSES, type SupportReply } from '../domain/support-requests.ts';
import { Conflict, NotFound } from './errors.ts';
import { replayed, requestHash } from './idempotency.ts';
import { cursorScope, decodeCursor, encodeCursor, MAX_CURSOR_CHARS } from './cursor.ts';
import { stableId } from './ids.ts';
import { linkSigner } from './links.ts';
import { mailFrame } from './mail-frame.ts';
import { deliverSoon } from './outbox.ts';
import { getCustomer } from '../store/customers.ts';
import { getInvoice } from '../store/invoices.ts';
import { unpaidInvoices } from '../store/due-index.ts';
import { newMail, type MailMessage } from '../store/mail.ts';
import {
  closeSupportRequest,
  commitSupportReply,
  commitSupportRequest,
  customerSupportRequests,
  getSupportRequest,
  getSupportRequestForReplay,
  supportRequestsPage,
  type SupportRequest,
} from '../store/support-requests.ts';

/** The longest question accepted, in characters. */
export const MAX_QUESTION_CHARS = 2000;
/** The same text again within this many minutes is the same request (a double submit, a reload). */
export const DUPLICATE_WINDOW_MINUTES = 5;

export const questionSchema = z
  .object({
    subject: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
    message: z.string().trim().min(1, 'must not be empty').max(MAX_QUESTION_CHARS, `at most ${MAX_QUESTION_CHARS} characters`),
    invoiceId: z.string().trim().max(100).optional(),
  })
  .strict();

const windowMs = DUPLICATE_WINDOW_MINUTES * 60_000;

function requestId(customerId: string, input: z.infer<typeof questionSchema>, window: number): string {
  const text = createHash('sha256').update(JSON.stringify([input.subject, input.message, input.invoiceId ?? ''])).digest('hex');
  return stableId('sr', `support:${customerId}:${window}:${text}`);
}

/** Stores a customer's question (the invoice, when named, must be theirs: else NotFound) and acknowledges it by mail. */
export async function askQuestion(customer: Customer, input: z.infer<typeof questionSchema>, now: Date): Promise<{ request: SupportRequest; created: boolean }> {
  const invoiceId = input.invoiceId || undefined;
  let invoiceNumber: string | undefined;
  if (invoiceId) {
    const invoice = await getInvoice(invoiceId);
    if (!invoice || invoice.customerId !== customer.id) throw new NotFound(`invoice ${invoiceId} not found`);
    invoiceNumber = invoice.number;
  }
  const normalised = { subject: input.subject, message: input.message, ...(invoiceId ? { invoiceId } : {}) };
  const window = Math.floor(now.getTime() / windowMs);
  // A double submit lands in this window or the one before (a submit just after the boundary).
  for (const w of [window, window - 1]) {
    const earlier = await getSupportRequest(customer.id, requestId(customer.id, normalised, w));
    if (earlier && now.getTime() - Date.parse(earlier.createdAt) <= windowMs) return { request: earlier, created: false };
  }
  const request: SupportRequest = {
    id: requestId(customer.id, normalised, window),
    customerId: customer.id,
    subject: input.subject,
    message: input.message,
    ...(invoiceId ? { invoiceId, ...(invoiceNumber ? { invoiceNumber } : {}) } : {}),
    status: 'open',
    createdAt: now.toISOString(),
    source: 'portal',
    version: 0,
  };
  const mail = customer.mailSuppressed
    ? undefined
    : newMail(
        customer,
        `support#${request.id}#received`,
        'question_received',
        renderNotice({
          customerName: customer.name,
          locale: customer.locale,
          timeZone: customer.timeZone,
          notice: { kind: 'question_received', subject: input.subject },
          preferencesLink: (await linkSigner(now)).preferences(customer),
          ...mailFrame(await linkSigner(now), customer),
        }),
        now,
        invoiceId ? { invoiceIds: [invoiceId] } : {},
      );
  if (!(await commitSupportRequest(request, mail))) {
    const existing = await getSupportRequest(customer.id, request.id);
    if (existing) return { request: existing, created: false };
  }
  await deliverSoon(mail, now);
  return { request, created: true };
}

/** The customer's own questions, newest first, and the invoices a new one may be about (their unpaid ones). */
export async function questionsOf(customer: Pick<Customer, 'id'>): Promise<{ questions: SupportRequest[]; invoices: { id: string; number: string }[] }> {
  const [questions, unpaid] = await Promise.all([customerSupportRequests(customer.id), unpaidInvoices(customer.id, 100)]);
  return { questions, invoices: unpaid.map((i) => ({ id: i.id, number: i.number })) };
}

export const supportRequestsQuery = z
  .object({
    status: z.enum(SUPPORT_REQUEST_STATUSES, { error: `must be one of ${SUPPORT_REQUEST_STATUSES.join(', ')}` }).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
  })
  .strict();

/**
 * GET /support-requests: every customer's questions, newest first, paginated (signed cursors). Each without its
 * replies (up to 25 of 4000 characters each: GET /support-requests/{customerId}/{id} shows them), with how many there
 * are and when the last was written.
 */
export async function listSupportRequests(query: z.infer<typeof supportRequestsQuery>) {
  const scope = cursorScope('GET /support-requests', { status: query.status });
  const page = await supportRequestsPage(query.status, query.limit, await decodeCursor(scope, query.cursor));
  const items = page.items.map(({ replies = [], ...request }) => ({
    ...request,
    replyCount: replies.length,
    ...(replies.length ? { lastReplyAt: replies[replies.length - 1]?.at } : {}),
  }));
  return { items, nextCursor: await encodeCursor(scope, page.lastKey) };
}

// ---------------------------------------------------------------------------------------------------------------
// Staff's answers

/** Who did it, as the API caller names themselves (staff's name or initials); `staff` when not given. */
const staffName = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters');

export const replySchema = z
  .object({
    body: z.string().trim().min(1, 'must not be empty').max(MAX_REPLY_CHARS, `at most ${MAX_REPLY_CHARS} characters`),
    /** The answer settles the question: the request is closed with it. */
    close: z.boolean({ error: 'must be true or false' }).optional(),
    by: staffName.optional(),
  })
  .strict();

export const closeRequestSchema = z.object({ by: staffName.optional() }).strict();

/** Attempts at a change when the request keeps changing under it (another reply, a close). */
const ATTEMPTS = 3;

/**
 * A change made from a page the request was read on (the console's forms carry the version they showed): when the
 * request moved on since (another answer, a close), the writer has not seen what changed — refused, nothing written.
 */
export interface SeenVersion {
  expectedVersion?: number;
}

function assertSeen(request: SupportRequest, seen: SeenVersion): void {
  if (seen.expectedVersion === undefined || (request.version ?? 0) === seen.expectedVersion) return;
  throw new Conflict('stale', `version: support request ${request.id} changed since the form was loaded (now version ${request.version ?? 0}, the form had ${seen.expectedVersion}); nothing was written — read it again`, 'version');
}

async function requestOf(customerId: string, id: string) {
  // Ids are ours (`sr_…`) and customers' (`cus_…`): anything longer is no request of ours (and no key to read).
  const found = customerId && id && customerId.length <= 100 && id.length <= 100 ? await getSupportRequestForReplay(customerId, id) : undefined;
  if (!found) throw new NotFound(`support request ${id} not found`);
  return found;
}

/** GET /support-requests/{customerId}/{id}: one request with its replies. */
export async function supportRequestOf(customerId: string, id: string): Promise<SupportRequest> {
  return (await requestOf(customerId, id)).entity;
}

/**
 * Staff's reply to a customer's question: kept on the request, the status moved (answered, or closed with `close`),
 * and the answer mailed to the customer in their language and tone with the link to their account — all in one
 * transaction conditional on the version read. A replay (the same Idempotency-Key and body, or without a key the same
 * reply again) answers the stored reply and sends nothing; the same key with another body is refused.
 */
export async function replyToSupportRequest(
  customerId: string,
  id: string,
  input: z.infer<typeof replySchema>,
  idempotencyKey: string | undefined,
  now: Date,
  seen: SeenVersion = {},
): Promise<{ reply: SupportReply; request: SupportRequest; created: boolean }> {
  const by = input.by ?? 'staff';
  const close = input.close ?? false;
  const hash = requestHash({ body: input.body, close, by });
  const replyId = stableId('srr', idempotencyKey ? `support-reply:${customerId}:${id}:key:${idempotencyKey}` : `support-reply:${customerId}:${id}:${hash}`);
  let mail: MailMessage | undefined | null = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const { entity: request, replyHashes } = await requestOf(customerId, id);
    if (replyHashes.has(replyId)) {
      const reply = replayed({ entity: request.replies?.find((r) => r.id === replyId) as SupportReply, requestHash: replyHashes.get(replyId) }, hash);
      return { reply, request, created: false };
    }
    const status = statusAfterReply(request, close);
    if (typeof status !== 'string') throw new Conflict(status.code, status.message);
    assertSeen(request, seen);
    // A console member is named by id beside the name they answered with (the admin API's caller has none).
    const reply: SupportReply = { id: replyId, body: input.body, by, at: now.toISOString(), ...actedBy() };
    // The mail says the same whatever else changes on the request meanwhile: rendered once, at the first attempt.
    if (mail === null) mail = await answerMail(request, replyId, input.body, close, now);
    if ((await commitSupportReply(request, reply, hash, status, mail ?? undefined)) === 'written') {
      await deliverSoon(mail ?? undefined, now);
      const at = reply.at;
      return {
        reply,
        request: {
          ...request,
          replies: [...(request.replies ?? []), reply],
          status,
          updatedAt: at,
          ...(status === 'closed' ? { closedAt: at, closedBy: by, ...(reply.staffId ? { closedByStaffId: reply.staffId } : {}) } : {}),
          version: (request.version ?? 0) + 1,
        },
        created: true,
      };
    }
  }
  throw new Conflict('conflict', `support request ${id} keeps changing; read it and retry`);
}

/** The customer's mail with the answer, or undefined when their address is suppressed. */
async function answerMail(request: SupportRequest, replyId: string, answer: string, closed: boolean, now: Date): Promise<MailMessage | undefined> {
  const customer = await getCustomer(request.customerId);
  if (!customer) throw new NotFound(`customer ${request.customerId} not found`);
  if (customer.mailSuppressed) return undefined;
  const signer = await linkSigner(now);
  return newMail(
    customer,
    // One mail per reply (the reply's id is its idempotency key).
    `support#${request.id}#reply#${replyId}`,
    'question_answered',
    renderNotice({
      customerName: customer.name,
      locale: customer.locale,
      timeZone: customer.timeZone,
      notice: { kind: 'question_answered', subject: request.subject, askedAt: request.createdAt, answer, tone: answerTone(customer.dunning?.tone), closed },
      preferencesLink: signer.preferences(customer),
      ...mailFrame(signer, customer),
    }),
    now,
    request.invoiceId ? { invoiceIds: [request.invoiceId] } : {},
  );
}

/**
 * POST /support-requests/{customerId}/{id}/close: closes the request without a mail (the customer sees it closed in
 * the portal). Closing a closed request answers it as it is.
 */
export async function closeSupportRequestAsStaff(
  customerId: string,
  id: string,
  input: z.infer<typeof closeRequestSchema>,
  now: Date,
  seen: SeenVersion = {},
): Promise<SupportRequest> {
  const by = input.by ?? 'staff';
  const { staffId } = actedBy();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const { entity: request } = await requestOf(customerId, id);
    // Closed already (a double click, or a colleague closed it): the same answer, whatever the form saw.
    if (!closes(request)) return request;
    assertSeen(request, seen);
    const at = now.toISOString();
    if ((await closeSupportRequest(request, by, at, staffId)) === 'written') {
      return { ...request, status: 'closed', updatedAt: at, closedAt: at, closedBy: by, ...(staffId ? { closedByStaffId: staffId } : {}), version: (request.version ?? 0) + 1 };
    }
  }
  throw new Conflict('conflict', `support request ${id} keeps changing; read it and retry`);
}
