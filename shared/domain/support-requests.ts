/**
 * Customers' questions (support requests) and staff's answers. A question asked in the portal is `open`; staff reply
 * (each reply kept on the request: who, when, what) and it is `answered`, or `closed` when the reply settles it (or
 * staff close it without a word). Rules, pure (documented in the README):
 * - A reply to an open or answered request moves it to `answered`, or to `closed` when it closes; a closed request
 *   takes no more replies (409 `request_closed`: the customer asks a new question in the portal).
 * - Closing an open or answered request closes it; closing a closed one changes nothing (a replay).
 * - At most MAX_REPLIES replies per request, each at most MAX_REPLY_CHARS characters: a request and its replies are
 *   one DynamoDB item (≤ 400 KB). 25 replies of 4000 UTF-16 units are at most 25 × 12 000 bytes of UTF-8 (a unit is
 *   at most 3 bytes; a surrogate pair is 2 units for 4 bytes), ≈ 300 KB with the question and the attribute names.
 * - The answer mail speaks in the customer's tone, except `firm`: that is a collection step's tone, never the tone of
 *   an answer to a question (→ neutral). No tone set → friendly, as every other customer mail.
 */
import type { Tone } from './dunning.ts';

export type SupportRequestStatus = 'open' | 'answered' | 'closed';
export const SUPPORT_REQUEST_STATUSES = ['open', 'answered', 'closed'] as const satisfies readonly SupportRequestStatus[];

/** The longest reply accepted, in characters. */
export const MAX_REPLY_CHARS = 4000;
/** The most replies one request holds (the item's size: see above). */
export const MAX_REPLIES = 25;

/** Staff's answer to a question, as stored on the request and shown to the customer (`by` to staff only). */
export interface SupportReply {
  id: string;
  body: string;
  /** Who answered (staff's name or initials, as the API caller gave it; `staff` when not given). */
  by: string;
  at: string;
  /** The staff member who answered from the console (shared/context.ts `actedBy()`); absent through the admin API. */
  staffId?: string;
}

export interface SupportRequest {
  id: string;
  customerId: string;
  subject: string;
  message: string;
  invoiceId?: string;
  /** The invoice's number, for the customer's and staff's lists. */
  invoiceNumber?: string;
  status: SupportRequestStatus;
  createdAt: string;
  source: 'portal';
  /** Staff's replies, oldest first (absent: none yet). */
  replies?: SupportReply[];
  /** When it was last changed by staff (a reply or closing). */
  updatedAt?: string;
  closedAt?: string;
  closedBy?: string;
  /** The staff member who closed it from the console (absent through the admin API). */
  closedByStaffId?: string;
  /** Bumped on every change: each write is conditional on the version read (absent on requests never changed). */
  version?: number;
}

export type SupportRefusal = { code: 'request_closed' | 'too_many_replies'; message: string };

/** The status a reply leaves the request in, or why it is refused. */
export function statusAfterReply(request: Pick<SupportRequest, 'id' | 'status' | 'replies'>, close: boolean): 'answered' | 'closed' | SupportRefusal {
  if (request.status === 'closed') {
    return { code: 'request_closed', message: `support request ${request.id} is closed; the customer can ask a new question in the portal` };
  }
  if ((request.replies?.length ?? 0) >= MAX_REPLIES) {
    return { code: 'too_many_replies', message: `support request ${request.id} has ${MAX_REPLIES} replies, the most one request holds; close it` };
  }
  return close ? 'closed' : 'answered';
}

/** Whether closing changes the request (a closed one stays as it is: the same answer for a replay). */
export function closes(request: Pick<SupportRequest, 'status'>): boolean {
  return request.status !== 'closed';
}

export type AnswerTone = Exclude<Tone, 'firm'>;

/** The tone of the answer mail, from the customer's reminder tone (see above). */
export function answerTone(tone: Tone | undefined): AnswerTone {
  if (tone === 'formal' || tone === 'neutral') return tone;
  if (tone === 'firm') return 'neutral';
  return 'friendly';
}
