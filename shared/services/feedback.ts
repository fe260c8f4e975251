import { DEFAULT_LADDER, ladderForCustomer } from '../domain/dunning.ts';
import type { Customer } from '../domain/customer.ts';
import { Invalid, NotFound } from './errors.ts';
import { getPayment } from '../store/payments.ts';
import { getInvoice } from '../store/invoices.ts';
import { getPlan } from '../store/plans.ts';
import { saveFeedback } from '../store/feedback.ts';
import { stableId } from './ids.ts';

export interface FeedbackContext {
  kind: 'payment' | 'plan';
  ref: string;
  /** The collection step the customer last experienced (the last reminder sent, or `payment_plan`). */
  step: string;
  tone: string;
  channel: 'email';
}

const CONTEXT = /^(payment|plan):([A-Za-z0-9_-]{1,100})$/;

/** What the rating is about, and the step and tone the customer had experienced — for the feedback report. */
export async function feedbackContext(customer: Customer, context: string): Promise<FeedbackContext> {
  const m = CONTEXT.exec(context);
  if (!m) throw new Invalid('c', 'not a feedback context');
  const [, kind, ref] = m as unknown as [string, 'payment' | 'plan', string];
  const ladder = ladderForCustomer(customer.dunning ?? {}, DEFAULT_LADDER);
  if (kind === 'plan') {
    const plan = await getPlan(ref);
    if (!plan || plan.customerId !== customer.id) throw new NotFound('no such plan');
    return { kind, ref, step: 'payment_plan', tone: customer.dunning?.tone ?? 'friendly', channel: 'email' };
  }
  const payment = await getPayment(ref);
  if (!payment || payment.customerId !== customer.id) throw new NotFound('no such payment');
  const first = payment.allocations[0] ?? payment.originalAllocations[0];
  const invoice = first ? await getInvoice(first.invoiceId) : undefined;
  const step = invoice?.lastStepSent ?? 'none';
  const tone = ladder.find((s) => s.id === step)?.tone ?? customer.dunning?.tone ?? 'friendly';
  return { kind, ref, step, tone, channel: 'email' };
}

/**
 * Records a rating once per customer and context (a later click on another rating, or a comment, updates the same
 * record). Listed by time in GSI3 `FEEDBACK` for the report.
 */
export async function recordFeedback(customer: Customer, context: FeedbackContext, rating: number, comment: string | undefined, now: Date): Promise<void> {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw new Invalid('rating', 'must be a whole number from 1 to 5');
  const key = `${context.kind}:${context.ref}`;
  const id = stableId('fb', `${customer.id}:${key}`);
  await saveFeedback({ id, customerId: customer.id, contextKey: key, context, rating, ...(comment !== undefined ? { comment } : {}) }, now);
}
