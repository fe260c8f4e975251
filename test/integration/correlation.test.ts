/**
 * One correlation id follows a payment from the webhook through the queue to the worker and into its mail and its
 * events out — through the local stack (the gateway, the SQS emulator and its poller, the reconcile worker, DynamoDB
 * Local, the SES emulator, the outbox relay): what the id is carried on is asserted where it is stored or visible.
 * Two payments sent at the same time keep their own ids, even when the poller hands them to one batch.
 */
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { mailHistory } from '../../shared/store/mail.ts';
import { waitForEvents } from '../support/events.ts';
import { eventually, newCustomer, paymentSucceededEvent, sentMail, stack, unique } from '../support/stack.ts';

/** The first request to each function loads it in the stack (cold): allow for that on a busy machine. */
const COLD = 60_000;

/** A Stripe webhook signed the way Stripe signs it, with the caller's `x-correlation-id` (if any). */
async function sendStripeWith(payload: string, correlationId?: string) {
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: stack.stripeWebhookSecret });
  return fetch(`${stack.apiUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature, ...(correlationId ? { 'x-correlation-id': correlationId } : {}) },
    body: payload,
  });
}

async function invoiceFor(customerId: string, correlationId: string) {
  const res = await fetch(`${stack.apiUrl}/invoices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify({ customerId, currency: 'EUR', amount: 12_500, issueDate: '2026-11-01', dueDate: '2026-12-01' }),
  });
  expect(res.status).toBe(201);
  expect(res.headers.get('x-correlation-id')).toBe(correlationId);
  return (await res.json()) as { id: string };
}

/** The receipt of a payment, once the worker has sent it: the stored record and the SES emulator's message. */
async function receiptOf(customer: { id: string; email: string }) {
  const stored = await eventually(
    async () => (await mailHistory(customer.id)).find((m) => m.kind === 'receipt' && m.status === 'sent'),
    30_000,
    `the receipt of ${customer.id} sent`,
  );
  const [sent] = (await sentMail(customer.email)).filter((m) => m.messageId === stored.messageId);
  expect(sent, 'the SES emulator has the mail the record says was sent').toBeDefined();
  const header = (sent as unknown as { headers?: { name: string; value: string }[] }).headers?.find((h) => h.name.toLowerCase() === 'x-correlation-id');
  return { stored, header: header?.value };
}

describe('one correlation id, end to end', () => {
  it('follows a Stripe payment from the webhook to the receipt (stored and sent) and to its events out; the invoice keeps its own', async () => {
    const customer = await newCustomer();
    const invoiceCid = unique('cid-invoice');
    const paymentCid = unique('cid-payment');
    const invoice = await invoiceFor(customer.id, invoiceCid);

    const res = await sendStripeWith(JSON.stringify(paymentSucceededEvent(invoice.id, 12_500)), paymentCid);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-correlation-id')).toBe(paymentCid);

    const receipt = await receiptOf(customer);
    expect(receipt.stored.correlationId).toBe(paymentCid);
    expect(receipt.header).toBe(paymentCid);

    const events = await waitForEvents(
      { customerId: customer.id },
      (list) => ['invoice.issued', 'payment.received', 'payment.applied', 'invoice.paid'].every((t) => list.some((e) => e.type === t)),
      30_000,
    );
    for (const event of events) {
      expect([event.type, event.correlationId]).toEqual([event.type, event.type === 'invoice.issued' ? invoiceCid : paymentCid]);
    }
  }, COLD);

  it('keeps two payments sent at the same time apart; a webhook without the header runs under the request id it is answered with', async () => {
    const [first, second] = await Promise.all([newCustomer(), newCustomer()]);
    const [firstInvoice, secondInvoice] = await Promise.all([invoiceFor(first.id, unique('cid-inv')), invoiceFor(second.id, unique('cid-inv'))]);
    const firstCid = unique('cid-first');
    const [a, b] = await Promise.all([
      sendStripeWith(JSON.stringify(paymentSucceededEvent(firstInvoice.id, 12_500)), firstCid),
      sendStripeWith(JSON.stringify(paymentSucceededEvent(secondInvoice.id, 12_500))),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.headers.get('x-correlation-id')).toBe(firstCid);
    const requestId = b.headers.get('x-correlation-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    const [one, two] = await Promise.all([receiptOf(first), receiptOf(second)]);
    expect([one.stored.correlationId, one.header]).toEqual([firstCid, firstCid]);
    expect([two.stored.correlationId, two.header]).toEqual([requestId, requestId]);
  }, COLD);
});
