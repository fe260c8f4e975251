/**
 * Questions customers ask in the portal (POST /portal/messages): stored for staff (GET /support-requests), and
 * acknowledged by a mail through the outbox. Idempotent against double submits: the same subject and message from
 * the same customer within DUPLICATE_WINDOW_MINUTES is the same request.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Customer } from '../domain/customer.ts';
import { renderNotice } from '../domain/notice-mail.ts';
import { NotFound } from './errors.ts';
import { cursorScope, decodeCursor, encodeCursor, MAX_CURSOR_CHARS } from './cursor.ts';
import { stableId } from './ids.ts';
import { linkSigner } from './links.ts';
import { mailFrame } from './mail-frame.ts';
import { deliverSoon } from './outbox.ts';
import { getInvoice } from '../store/invoices.ts';
import { unpaidInvoices } from '../store/due-index.ts';
import { newMail } from '../store/mail.ts';
import { commitSupportRequest, customerSupportRequests, getSupportRequest, supportRequestsPage, type SupportRequest } from '../store/support-requests.ts';

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
    status: z.enum(['open'], { error: 'must be open' }).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
  })
  .strict();

/** GET /support-requests: every customer's questions, newest first, paginated (signed cursors). */
export async function listSupportRequests(query: z.infer<typeof supportRequestsQuery>) {
  const scope = cursorScope('GET /support-requests', { status: query.status });
  const page = await supportRequestsPage(query.status, query.limit, await decodeCursor(scope, query.cursor));
  return { items: page.items, nextCursor: await encodeCursor(scope, page.lastKey) };
}
