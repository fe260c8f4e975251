import { describe, expect, it } from 'vitest';
import { balances } from '../../shared/domain/ledger.ts';
import { getEvent } from '../../shared/store/inbox.ts';
import { ledgerEntries } from '../../shared/store/ledger.ts';
import { mailHistory } from '../../shared/store/mail.ts';
import { api, eventually, newCustomer, newInvoice, paymentSucceededEvent, sendStripe, sentMail, staysTrue } from '../support/stack.ts';

/** The event is processed (or ignored) by the worker. */
async function settled(eventId: string) {
  return eventually(async () => {
    const event = await getEvent('stripe', eventId);
    return event && (event.status === 'processed' || event.status === 'ignored') && event;
  }, 15_000, `event ${eventId} processed`);
}

/**
 * This test's own effects stay as they are for a while: the invoice's balance and applications, and the customer's
 * mails (a repeat delivery enqueued while the first was in flight may still be processed after the first settled).
 */
async function unchanged(invoiceId: string, email: string, expected: { balanceDue: number; applied: number; mails: number }) {
  return staysTrue(async () => {
    const inv = (await api('GET', `/invoices/${invoiceId}`)).body as { balanceDue: number; appliedPayments: unknown[] };
    return inv.balanceDue === expected.balanceDue && inv.appliedPayments.length === expected.applied && (await sentMail(email)).length === expected.mails;
  }, 2000);
}

describe('a Stripe payment, end to end through the local stack', () => {
  it('pays the invoice, writes the ledger and sends exactly one receipt; 10 more deliveries change nothing', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 12500 });
    const event = paymentSucceededEvent(invoice.id, 12500);
    const payload = JSON.stringify(event);

    const first = await sendStripe(payload);
    expect(first.status).toBe(200);
    const paid = await eventually(async () => {
      const res = await api('GET', `/invoices/${invoice.id}`);
      return res.body.status === 'paid' && res.body;
    }, 15_000, 'invoice paid');
    expect(paid.balanceDue).toBe(0);
    expect(paid.appliedPayments).toHaveLength(1);
    expect(paid.appliedPayments[0].amount).toBe(12500);
    const receipts = await eventually(async () => {
      const mails = await sentMail(customer.email);
      return mails.length > 0 && mails;
    }, 15_000, 'receipt mail');
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.subject).toMatch(/Payment received/);
    expect(receipts[0]?.body.text).toContain(invoice.number);

    const again = await Promise.all(Array.from({ length: 10 }, () => sendStripe(payload)));
    expect(again.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(again.every((r) => JSON.parse(r.text).duplicate === true)).toBe(true);
    await settled(event.id);
    expect(await unchanged(invoice.id, customer.email, { balanceDue: 0, applied: 1, mails: 1 })).toBe(true);
    const after = await api('GET', `/invoices/${invoice.id}`);
    expect(after.body.balanceDue).toBe(0);
    expect(after.body.appliedPayments).toHaveLength(1);
    expect(await sentMail(customer.email)).toHaveLength(1);

    // The ledger agrees with the stored balance, and the mail is in the communication history with its SES id.
    const ledger = await ledgerEntries(customer.id);
    expect(balances(ledger, true).get(`receivable/EUR/${invoice.id}`)).toBe(0);
    const history = await mailHistory(customer.id);
    expect(history).toHaveLength(1);
    expect(history[0]?.status).toBe('sent');
    expect(history[0]?.messageId).toBe(receipts[0]?.messageId);
  });

  it('a new event delivered 10 times concurrently changes the balance once and sends one email', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 10000 });
    const event = paymentSucceededEvent(invoice.id, 4000);
    const payload = JSON.stringify(event);
    const results = await Promise.all(Array.from({ length: 10 }, () => sendStripe(payload)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    await settled(event.id);
    await eventually(async () => (await sentMail(customer.email)).length === 1, 15_000, 'one receipt');
    // Deliveries that arrived while the first was still "received" were enqueued again: they change nothing.
    expect(await unchanged(invoice.id, customer.email, { balanceDue: 6000, applied: 1, mails: 1 })).toBe(true);
    const res = await api('GET', `/invoices/${invoice.id}`);
    expect(res.body.status).toBe('partially_paid');
    expect(res.body.balanceDue).toBe(6000);
    expect(res.body.appliedPayments).toHaveLength(1);
    expect(await sentMail(customer.email)).toHaveLength(1);
    expect(balances(await ledgerEntries(customer.id), true).get(`receivable/EUR/${invoice.id}`)).toBe(6000);
  });

  it('an overpayment pays the invoice and keeps the excess as customer credit', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 5000 });
    const event = paymentSucceededEvent(invoice.id, 7500);
    expect((await sendStripe(JSON.stringify(event))).status).toBe(200);
    await settled(event.id);
    expect((await api('GET', `/invoices/${invoice.id}`)).body.status).toBe('paid');
    const totals = balances(await ledgerEntries(customer.id));
    expect(totals.get('receivable/EUR')).toBe(0);
    expect(totals.get('customer_credit/EUR')).toBe(2500);
    // The credit is visible on the customer …
    expect((await api('GET', `/customers/${customer.id}`)).body.balances).toEqual({ receivable: { EUR: 0 }, customer_credit: { EUR: 2500 } });
    // … and, by policy, settles their next invoice in that currency.
    const next = await newInvoice(customer.id, { amount: 4000 });
    expect(next).toMatchObject({ status: 'partially_paid', balanceDue: 1500 });
    expect((await api('GET', `/customers/${customer.id}`)).body.balances).toEqual({ receivable: { EUR: 1500 }, customer_credit: { EUR: 0 } });
    const usd = await newInvoice(customer.id, { currency: 'USD', amount: 4000 });
    expect(usd).toMatchObject({ status: 'open', balanceDue: 4000 }); // credit is per currency
  });

  it('a payment in another currency than the invoice is not applied', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 5000 });
    const event = paymentSucceededEvent(invoice.id, 5000, 'usd');
    expect((await sendStripe(JSON.stringify(event))).status).toBe(200);
    await settled(event.id);
    const res = await api('GET', `/invoices/${invoice.id}`);
    expect(res.body.status).toBe('open');
    expect(res.body.balanceDue).toBe(5000);
    expect(await sentMail(customer.email)).toHaveLength(0);
  });

  it('rejects a tampered body, a wrong secret, an expired or a missing signature with 400 and stores nothing', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id);
    const event = paymentSucceededEvent(invoice.id, 12500);
    const payload = JSON.stringify(event);
    const goodSignature = (await import('stripe')).default.webhooks.generateTestHeaderString({
      payload,
      secret: 'whsec_test_secret',
    });
    const attempts = [
      await sendStripe(payload.replace('12500', '12501'), { signature: goodSignature }),
      await sendStripe(payload, { secret: 'whsec_someone_else' }),
      await sendStripe(payload, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      await sendStripe(payload, { signature: '' }),
      await sendStripe(payload, { signature: 't=1,v1=deadbeef' }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([400, 400, 400, 400, 400]);
    for (const a of attempts) {
      expect(JSON.parse(a.text).error.code).toBe('invalid_signature');
    }
    expect(await getEvent('stripe', event.id)).toBeUndefined();
    expect((await api('GET', `/invoices/${invoice.id}`)).body.balanceDue).toBe(12500);
  });

  it('records an unknown event type and ignores it', async () => {
    const payload = JSON.stringify({ id: `evt_unknown_${Date.now()}`, object: 'event', type: 'customer.updated', created: 1, data: { object: {} } });
    expect((await sendStripe(payload)).status).toBe(200);
    const stored = await settled(JSON.parse(payload).id);
    expect(stored.status).toBe('ignored');
  });
});
