/**
 * SES bounces and complaints through the local stack: the notification is published to the ses-events topic
 * (`POST /local/sns/ses-events`, as SNS would deliver it to the function), the address is suppressed, the customer
 * flagged, and the next mail to them is not sent.
 */
import { describe, expect, it } from 'vitest';
import { renderFile } from '../../local/events.ts';
import { mailHistory, pendingMail, type MailMessage } from '../../shared/store/mail.ts';
import { getSuppression } from '../../shared/store/suppression.ts';
import { processed, vars } from '../support/flows.ts';
import { api, eventually, newCustomer, newInvoice, paymentSucceededEvent, sendStripe, sentMail, stack, unique } from '../support/stack.ts';

interface SesNotification {
  eventType: string;
  bounce?: { timestamp: string; bounceType: string };
  complaint?: { timestamp: string };
  mail: { messageId: string; tags?: Record<string, string[]> };
}

/** An SES notification sample from events/ses/ for this address and customer. */
function notification(name: 'bounce' | 'complaint' | 'transient-bounce', email: string, customerId?: string): SesNotification {
  const n = renderFile(`events/ses/${name}.json`, vars({ email, customerId: customerId ?? '', unique: unique('ses') })) as SesNotification;
  if (!customerId && n.mail.tags) delete n.mail.tags.customer_id;
  return n;
}

async function publish(topic: string, body: string) {
  const res = await fetch(`${stack.apiUrl}/local/sns/${topic}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** SES's timestamp as stored (ISO 8601 with milliseconds). */
const iso = (timestamp: string) => new Date(timestamp).toISOString();

const customerOf = async (id: string) => (await api('GET', `/customers/${id}`)).body as Record<string, unknown>;

/** Pays an invoice of the customer with a Stripe event and returns the receipt mail once it is settled. */
async function payAndGetReceipt(customerId: string): Promise<MailMessage> {
  const invoice = await newInvoice(customerId, { amount: 12500 });
  const event = paymentSucceededEvent(invoice.id, 12500);
  expect((await sendStripe(JSON.stringify(event))).status).toBe(200);
  await processed('stripe', event.id);
  expect((await api('GET', `/invoices/${invoice.id}`)).body.status).toBe('paid'); // the money never waits for mail
  return eventually(async () => {
    const receipt = (await mailHistory(customerId)).find((m) => m.key.startsWith('receipt#'));
    return receipt && receipt.status !== 'pending' && receipt.status !== 'sending' && receipt;
  }, 8000, 'receipt settled');
}

/** Mail the SES emulator accepted for an address, whatever its case. */
const deliveredTo = async (email: string) =>
  (await sentMail()).filter((m) => m.destination.to.some((to) => to.toLowerCase() === email.toLowerCase()));

describe('SES bounces and complaints', () => {
  it('a permanent bounce suppresses the address and flags the tagged customer; their receipt is not sent; a replay changes nothing', async () => {
    // Mixed case on the customer, lower case from SES: suppression is by normalised address.
    const email = `${unique('Ada')}@Example.com`;
    const customer = await newCustomer({ email });
    const bounce = notification('bounce', email.toLowerCase(), customer.id);

    expect(await publish('ses-events', JSON.stringify(bounce))).toEqual({ status: 200, body: { delivered: 1 } });

    const flagged = await customerOf(customer.id);
    expect(flagged.mailSuppressed).toEqual({ reason: 'bounce', at: iso(bounce.bounce!.timestamp) });
    const suppression = await getSuppression(email);
    expect(suppression).toMatchObject({
      address: email.toLowerCase(),
      kind: 'bounce',
      reason: 'General',
      at: iso(bounce.bounce!.timestamp),
      messageId: bounce.mail.messageId,
      customerId: customer.id,
    });

    // A receipt for a payment: written pending with the payment, then found suppressed instead of sent.
    const receipt = await payAndGetReceipt(customer.id);
    expect(receipt.status).toBe('suppressed');
    expect(receipt.suppressedAt).toEqual(expect.any(String));
    expect(receipt.messageId).toBeUndefined();
    expect(await deliveredTo(email)).toEqual([]);
    expect((await pendingMail(1000)).some((m) => m.customerId === customer.id)).toBe(false);

    // The same notification again (this time as a JSON string literal body, SNS's own message form): no change.
    const customerBefore = await customerOf(customer.id);
    expect(await publish('ses-events', JSON.stringify(JSON.stringify(bounce)))).toEqual({ status: 200, body: { delivered: 1 } });
    expect(await getSuppression(email)).toEqual(suppression);
    expect(await customerOf(customer.id)).toEqual(customerBefore);
    expect(await mailHistory(customer.id)).toEqual([receipt]);
    expect(await deliveredTo(email)).toEqual([]);
  });

  it('without the customer tag the customer is flagged when their next mail is stopped', async () => {
    const customer = await newCustomer();
    const bounce = notification('bounce', customer.email);
    expect(bounce.mail.tags).not.toHaveProperty('customer_id');
    expect((await publish('ses-events', JSON.stringify(bounce))).body).toEqual({ delivered: 1 });
    expect(await getSuppression(customer.email)).toMatchObject({ kind: 'bounce' });
    expect(await getSuppression(customer.email)).not.toHaveProperty('customerId');
    expect((await customerOf(customer.id)).mailSuppressed).toBeUndefined();

    const receipt = await payAndGetReceipt(customer.id);
    expect(receipt.status).toBe('suppressed');
    expect((await customerOf(customer.id)).mailSuppressed).toEqual({ reason: 'bounce', at: iso(bounce.bounce!.timestamp) });
    expect(await deliveredTo(customer.email)).toEqual([]);
  });

  it('a complaint suppresses and flags too; a later bounce for the same address keeps the first record', async () => {
    const customer = await newCustomer();
    const complaint = notification('complaint', customer.email, customer.id);
    await publish('ses-events', JSON.stringify(complaint));
    const flag = { reason: 'complaint', at: iso(complaint.complaint!.timestamp) };
    expect((await customerOf(customer.id)).mailSuppressed).toEqual(flag);
    const first = await getSuppression(customer.email);
    expect(first).toMatchObject({ kind: 'complaint', reason: 'abuse', messageId: complaint.mail.messageId });

    const later = notification('bounce', customer.email, customer.id);
    later.bounce!.timestamp = new Date(Date.now() + 60_000).toISOString();
    await publish('ses-events', JSON.stringify(later));
    expect(await getSuppression(customer.email)).toEqual(first);
    expect((await customerOf(customer.id)).mailSuppressed).toEqual(flag);
  });

  it('a transient bounce changes nothing: the next receipt is sent (with the customer tag, which the emulator accepts)', async () => {
    const customer = await newCustomer();
    const transient = notification('transient-bounce', customer.email);
    expect(transient.bounce!.bounceType).toBe('Transient');
    expect((await publish('ses-events', JSON.stringify(transient))).body).toEqual({ delivered: 1 });
    expect(await getSuppression(customer.email)).toBeUndefined();
    expect((await customerOf(customer.id)).mailSuppressed).toBeUndefined();

    const receipt = await payAndGetReceipt(customer.id);
    expect(receipt.status).toBe('sent');
    expect((await deliveredTo(customer.email)).map((m) => m.messageId)).toEqual([receipt.messageId]);
  });

  it('answers 404 for an unknown topic and 400 for an empty message; other messages are delivered and ignored', async () => {
    expect(await publish('no-such-topic', '{}')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const empty = await fetch(`${stack.apiUrl}/local/sns/ses-events`, { method: 'POST' });
    expect(empty.status).toBe(400);
    expect(await publish('ses-events', JSON.stringify({ eventType: 'Delivery', mail: { messageId: 'm-1' } }))).toEqual({
      status: 200,
      body: { delivered: 1 },
    });
    expect(await publish('ses-events', 'plain text, not an SES notification')).toEqual({ status: 200, body: { delivered: 1 } });
  });
});
