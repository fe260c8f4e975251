/**
 * The queue worker's use case: process one stored inbox event. Idempotent: an event already done is acknowledged;
 * a payment already recorded is never applied again; facts (refunds, disputes) merge. Throws on infrastructure
 * errors so the queue retries (and, after maxReceiveCount, dead-letters with the reason logged).
 */
import { interpretStripeEvent, type StripeAction } from '../adapters/stripe-events.ts';
import { parseStoredStripeEvent } from '../adapters/stripe.ts';
import { parseBankPayload, type BankLine } from '../adapters/bank/index.ts';
import type { IncomingPayment } from '../domain/application.ts';
import { renderPaymentFailed } from '../domain/messages.ts';
import { formatRfReference } from '../domain/rf-reference.ts';
import { errorForLog, logger } from '../logger.ts';
import { isPermanentError } from '../store/table.ts';
import { getCustomer } from '../store/customers.ts';
import { getEvent, markDone, type InboxEvent, type QueueMessage } from '../store/inbox.ts';

export type { QueueMessage };
import { getInvoice } from '../store/invoices.ts';
import { newMail, putMail } from '../store/mail.ts';
import { linkSigner } from './links.ts';
import { mailFrame } from './mail-frame.ts';
import { findPayer, getPayment, putPendingPayment, recordFacts } from '../store/payments.ts';
import { storeAndEnqueue } from './ingest.ts';
import { deliverMail } from './outbox.ts';
import { applyIncomingPayment, paymentIdFor, settlePayment } from './payments.ts';

export async function processEvent(message: QueueMessage, now: Date): Promise<string> {
  const event = await getEvent(message.source, message.eventId);
  if (!event) {
    logger.error('queued event not found in the inbox; dropping message', { ...message });
    return 'missing';
  }
  if (event.status === 'processed' || event.status === 'ignored') return 'already done';
  try {
    switch (event.source) {
      case 'stripe':
        return await processStripe(event, now);
      case 'bank':
        return await splitBankPayload(event);
      case 'bank-line':
        return await processBankLine(event, now);
    }
  } catch (error) {
    if (!isPermanentError(error)) throw error;
    // A deterministic failure (e.g. a transaction past DynamoDB's limits: a programming error) fails the same way on
    // every delivery: end it here, visibly, instead of retrying it into the dead-letter queue.
    logger.error('event cannot be processed (permanent error); not retried', { source: event.source, eventId: event.eventId, error: errorForLog(error) });
    await markDone(event.source, event.eventId, 'processed', `failed permanently: ${(error as Error).message}`);
    return 'failed';
  }
}

async function withPayer(payment: IncomingPayment, stripeCustomer: string | undefined): Promise<IncomingPayment> {
  const id = paymentIdFor(payment.source, payment.externalId);
  if (!stripeCustomer) return { ...payment, id };
  const payer = await findPayer(`stripe:${stripeCustomer}`);
  return { ...payment, id, ...(payer ? { payerCustomerId: payer.customerId } : {}) };
}

async function processStripe(event: InboxEvent, now: Date): Promise<string> {
  const action: StripeAction = interpretStripeEvent(parseStoredStripeEvent(event.payload));
  switch (action.kind) {
    case 'payment':
      return applyIncomingPayment(await withPayer(action.payment, action.stripeCustomer), event, now);
    case 'pending': {
      const created = await putPendingPayment(await withPayer(action.payment, action.stripeCustomer));
      await markDone(event.source, event.eventId, 'processed', created ? 'payment pending' : 'payment already known');
      return 'pending';
    }
    case 'failed':
      await notifyFailedPayment(action, now);
      await markDone(event.source, event.eventId, 'processed', 'payment failed; customer told kindly');
      return 'failed';
    case 'refund': {
      const paymentId = paymentIdFor('stripe', action.paymentIntentId);
      await recordFacts(paymentId, { refundedTotal: action.refundedTotal, disputes: {} });
      await settlePayment(paymentId, now);
      await markDone(event.source, event.eventId, 'processed', 'refund recorded');
      return 'refund';
    }
    case 'dispute': {
      const paymentId = paymentIdFor('stripe', action.paymentIntentId);
      await recordFacts(paymentId, {
        refundedTotal: 0,
        disputes: { [action.disputeId]: { amount: action.amount, status: action.status } },
      });
      await settlePayment(paymentId, now);
      await markDone(event.source, event.eventId, 'processed', `dispute ${action.status}`);
      return `dispute ${action.status}`;
    }
    case 'ignore':
      await markDone(event.source, event.eventId, 'ignored', action.reason);
      logger.info('event recorded and ignored', { eventId: event.eventId, reason: action.reason });
      return 'ignored';
  }
}

/** A kind note, no penalty: one mail per failed payment intent, to the customer of the invoices it was for. */
async function notifyFailedPayment(action: Extract<StripeAction, { kind: 'failed' }>, now: Date): Promise<void> {
  const invoices = (await Promise.all(action.invoiceIds.map((id) => getInvoice(id)))).filter((i) => !!i);
  const customerId = invoices[0]?.customerId;
  const customer = customerId ? await getCustomer(customerId) : undefined;
  if (!customer) return;
  const key = `payment_failed#${action.paymentIntentId}`;
  const links = await linkSigner(now);
  const rendered = renderPaymentFailed({
    customerName: customer.name,
    locale: customer.locale,
    currency: action.currency,
    amount: action.amount,
    invoices: invoices
      .filter((i) => i.customerId === customer.id)
      .map((i) => ({
        number: i.number,
        paymentReference: formatRfReference(i.paymentReference),
        balanceDue: i.balanceDue,
        payLink: links.pay(customer, i.id),
      })),
    ...mailFrame(links, customer),
  });
  await putMail(newMail(customer, key, 'payment_failed', rendered, now));
  await deliverMail(customer.id, key, now);
}

/**
 * A bank notification or file: each booked credit becomes its own inbox event (keyed by the line's stable key, so a
 * re-sent file adds nothing) and is processed on its own. Lines already stored are skipped.
 */
async function splitBankPayload(event: InboxEvent): Promise<string> {
  const [contentType, ...rest] = event.type.split(';');
  const parsed = parseBankPayload(event.payload, [contentType, ...rest].join(';'));
  for (const line of parsed.lines) {
    await storeAndEnqueue({
      source: 'bank-line',
      eventId: line.key,
      type: line.kind,
      payload: JSON.stringify(line),
      receivedAt: event.receivedAt,
      status: 'received',
    });
  }
  await markDone(event.source, event.eventId, 'processed', `${parsed.format}: ${parsed.lines.length} lines, ${parsed.ignored.length} ignored`);
  return `split ${parsed.lines.length}`;
}

async function processBankLine(event: InboxEvent, now: Date): Promise<string> {
  const line = JSON.parse(event.payload) as BankLine;
  if (line.kind === 'reversal') {
    const original = line.reversesKey ? await getPayment(paymentIdFor('bank', line.reversesKey)) : undefined;
    if (!original) {
      // A reversal whose credit we cannot identify: keep it visible for staff rather than guess.
      await markDone(event.source, event.eventId, 'processed', 'reversal of an unknown credit; review');
      logger.warn('bank reversal of an unknown credit', { key: line.key });
      return 'reversal unmatched';
    }
    await recordFacts(original.id, { refundedTotal: 0, disputes: {}, reversals: { [line.key]: line.amount } });
    await settlePayment(original.id, now);
    await markDone(event.source, event.eventId, 'processed', 'reversal applied');
    return 'reversal';
  }
  const payment: IncomingPayment = {
    id: paymentIdFor('bank', line.key),
    source: 'bank',
    externalId: line.key,
    method: `bank_${line.format}`,
    amount: line.amount,
    currency: line.currency,
    // Time from the event: the bank's booking date, not our clock.
    receivedAt: `${line.bookingDate}T00:00:00.000Z`,
    references: line.references,
    remittanceText: line.remittanceText,
    ...(line.debtorName ? { payerName: line.debtorName } : {}),
    ...(line.debtorAccount ? { payerAccount: line.debtorAccount } : {}),
  };
  return applyIncomingPayment(payment, event, now);
}
