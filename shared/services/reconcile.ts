import { decideByInvoiceHint, planApplication, type ApplicationPlan, type IncomingPayment } from '../domain/application.ts';
import type { Customer } from '../domain/customer.ts';
import type { Invoice } from '../domain/invoice.ts';
import { renderReceipt } from '../domain/messages.ts';
import { parseStoredStripeEvent, type StripeEvent } from '../adapters/stripe.ts';
import { logger } from '../logger.ts';
import { getCustomer } from '../store/customers.ts';
import { getEvent, markDone, type InboxEvent, type QueueMessage } from '../store/inbox.ts';
import { getInvoice } from '../store/invoices.ts';
import type { MailMessage } from '../store/mail.ts';
import { applyPlan, getPayment } from '../store/payments.ts';
import { deliverMail } from './outbox.ts';
import { stableId } from './ids.ts';

const MAX_ATTEMPTS = 5;

export function paymentIdFor(source: IncomingPayment['source'], externalId: string): string {
  return stableId('pay', `${source}:${externalId}`);
}

export function receiptKey(paymentId: string): string {
  return `receipt#${paymentId}`;
}

/**
 * Processes one stored event. Idempotent: an event already done is acknowledged (after making sure its receipt went
 * out); a payment already applied is never applied again. Throws on infrastructure errors so the queue retries.
 */
export async function processEvent(message: QueueMessage, now: Date): Promise<string> {
  const event = await getEvent(message.source, message.eventId);
  if (!event) {
    logger.error('queued event not found in the inbox; dropping message', { ...message });
    return 'missing';
  }
  if (event.source !== 'stripe') {
    await markDone(event.source, event.eventId, 'ignored', `no processor for source ${event.source}`);
    return 'ignored';
  }
  const stripeEvent = parseStoredStripeEvent(event.payload);
  switch (stripeEvent.type) {
    case 'payment_intent.succeeded':
      return applyStripePayment(event, stripeEvent, now);
    default:
      await markDone(event.source, event.eventId, 'ignored', `unhandled type ${stripeEvent.type}`);
      logger.info('event type recorded and ignored', { eventId: event.eventId, type: stripeEvent.type });
      return 'ignored';
  }
}

function stripePayment(event: StripeEvent): IncomingPayment {
  if (event.type !== 'payment_intent.succeeded') throw new Error(`not a payment: ${event.type}`);
  const pi = event.data.object;
  return {
    id: paymentIdFor('stripe', pi.id),
    source: 'stripe',
    externalId: pi.id,
    method: pi.payment_method_types?.[0] ?? 'card',
    amount: pi.amount_received,
    currency: pi.currency.toUpperCase(),
    // Time from the event: when Stripe created it, not when we happen to process it.
    receivedAt: new Date(event.created * 1000).toISOString(),
    invoiceHint: typeof pi.metadata?.invoice_id === 'string' ? pi.metadata.invoice_id : undefined,
  };
}

async function applyStripePayment(event: InboxEvent, stripeEvent: StripeEvent, now: Date): Promise<string> {
  const payment = stripePayment(stripeEvent);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const invoice = payment.invoiceHint ? await getInvoice(payment.invoiceHint) : undefined;
    const { decision, targets } = decideByInvoiceHint(payment, invoice);
    const plan = planApplication(payment, decision, targets);
    const customer = plan.allocations.length > 0 || plan.credit > 0 ? await getCustomer(plan.customerId) : undefined;
    const mail = customer ? receiptMail(customer, payment, plan, targets, now) : undefined;
    const result = await applyPlan(payment, plan, { event, mail });
    if (result === 'applied' || result === 'duplicate') {
      if (result === 'duplicate') await markDone(event.source, event.eventId, 'processed', 'payment already recorded');
      const stored = await getPayment(payment.id);
      if (stored?.customerId && stored.status === 'applied') {
        await deliverMail(stored.customerId, receiptKey(payment.id), now);
      }
      logger.info('payment processed', {
        eventId: event.eventId,
        paymentId: payment.id,
        result,
        outcome: plan.decision.outcome,
        rule: plan.decision.rule,
        amount: payment.amount,
        currency: payment.currency,
      });
      return result;
    }
    logger.info('invoice changed concurrently; retrying', { paymentId: payment.id, attempt });
  }
  throw new Error(`payment ${payment.id}: invoice kept changing concurrently; leaving it to the queue to retry`);
}

function receiptMail(
  customer: Customer,
  payment: IncomingPayment,
  plan: ApplicationPlan,
  targets: readonly Invoice[],
  now: Date,
): MailMessage {
  const byId = new Map(targets.map((t) => [t.id, t]));
  const rendered = renderReceipt({
    customerName: customer.name,
    locale: customer.locale,
    timeZone: customer.timeZone,
    currency: payment.currency,
    amount: payment.amount,
    receivedAt: payment.receivedAt,
    invoices: plan.allocations.map((a) => ({
      number: byId.get(a.invoiceId)?.number ?? a.invoiceId,
      applied: a.amount,
      balanceDue: a.newBalance,
    })),
    credit: plan.credit,
  });
  return {
    key: receiptKey(payment.id),
    customerId: customer.id,
    kind: 'receipt',
    to: customer.email,
    ...rendered,
    createdAt: now.toISOString(),
    status: 'pending',
  };
}
