/**
 * Currency units end to end: our amounts are ISO 4217 minor units; Stripe's are its own (ISK two-decimal in its API,
 * three-decimal amounts in steps of 10, zero-decimal JPY). Checkout creation and the signed webhook path convert
 * through the one adapter, both directions; an amount Stripe cannot charge exactly gets a clear page, no Checkout call.
 */
import { describe, expect, it } from 'vitest';
import { getEvent } from '../../shared/store/inbox.ts';
import { getInvoice } from '../../shared/store/invoices.ts';
import { startCardPayment } from '../../shared/services/card-payment.ts';
import { paymentIdFor } from '../../shared/services/payments.ts';
import { withFakeStripe } from '../support/fake-stripe.ts';
import { pressCardButton } from '../support/links.ts';
import { invoiceState, ledgerAgrees, processed, stripeSample, vars } from '../support/flows.ts';
import { api, eventually, newCustomer, newInvoice, paymentSucceededEvent, sendStripe, sentMail, unique } from '../support/stack.ts';

/** [currency, amount in ISO minor units, the same amount in Stripe's units] */
const CASES: [string, number, number][] = [
  ['JPY', 5000, 5000], // ¥5,000: zero-decimal on both sides
  ['ISK', 5000, 500000], // 5,000 kr: ISO zero-decimal, Stripe two-decimal in whole krónur
  ['HUF', 1234500, 1234500], // 12,345.00 Ft: two-decimal on both sides (not Intl's 0)
  ['TWD', 150050, 150050], // NT$1,500.50: charges take two decimals
  ['BHD', 12340, 12340], // 12.340 BD: three-decimal, last digit 0
  ['KWD', 5120, 5120], // 5.120 KD
  ['EUR', 12500, 12500],
  ['USD', 9900, 9900],
];

async function checkoutRequest(currency: string, amount: number): Promise<string> {
  const customer = await newCustomer();
  const invoice = await newInvoice(customer.id, { currency, amount });
  const stored = await getInvoice(invoice.id);
  if (!stored) throw new Error('invoice not stored');
  return withFakeStripe(async (received) => {
    const card = await startCardPayment(stored, 'https://pay.example/pay/x?t=y', customer.email);
    expect(card).toEqual({ kind: 'checkout', url: 'https://checkout.stripe.com/c/pay/cs_test_1' });
    expect(received).toHaveLength(1);
    return received[0] as string;
  });
}

/** The invoice's signed pay link, as the customer gets it (from the kind mail after a failed card payment). */
async function payLinkFromMail(customerEmail: string, invoiceId: string): Promise<URL> {
  await stripeSample('payment_intent.payment_failed', vars({ invoiceId }));
  const [mail] = await eventually(async () => {
    const mails = await sentMail(customerEmail);
    return mails.length > 0 && mails;
  }, 5000, 'payment-failed mail');
  const url = /(http\S+\/pay\/\S+?t=[\w.~-]+)/.exec(mail?.body.text ?? '')?.[1];
  if (!url) throw new Error(`no pay link in the mail: ${mail?.body.text}`);
  return new URL(url);
}


function stripeObjectEvent(type: string, object: Record<string, unknown>) {
  return {
    id: unique('evt_units'),
    object: 'event',
    api_version: '2025-01-27.acacia',
    type,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: { object },
  };
}

async function sendAndProcess(event: { id: string }) {
  const res = await sendStripe(JSON.stringify(event));
  expect(res.status, res.text).toBe(200);
  await processed('stripe', event.id, 20_000); // generous: the machine is shared
}

describe('currency units through Stripe Checkout', () => {
  it.each(CASES)('a %s invoice of %i minor units opens a Checkout Session for %i Stripe units', async (currency, iso, stripe) => {
    const request = await checkoutRequest(currency, iso);
    expect(request).toContain('POST /v1/checkout/sessions');
    expect(request).toContain(`line_items[0][price_data][unit_amount]=${stripe}&`);
    expect(request).toContain(`line_items[0][price_data][currency]=${currency.toLowerCase()}&`);
  });

  it('the pay link of a 5,000 ISK invoice charges 5,000 kr (500000 in Stripe units), not 50 kr', async () => {
    const customer = await newCustomer({ locale: 'is-IS' });
    const invoice = await newInvoice(customer.id, { currency: 'ISK', amount: 5000 });
    const link = await payLinkFromMail(customer.email, invoice.id);
    const page = await (await fetch(link)).text();
    expect(page).toContain('/checkout?t=');
    await withFakeStripe(async (received) => {
      const res = await pressCardButton(link, invoice.id);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('https://checkout.stripe.com/c/pay/cs_test_1');
      expect(received).toHaveLength(1);
      expect(received[0]).toContain('[unit_amount]=500000&');
      expect(received[0]).toContain('[currency]=isk&');
    });
  });

  it('an amount Stripe cannot charge exactly (1.005 BD) gets a clear page in the customer’s language with bank transfer — no Checkout call, no 500', async () => {
    const customer = await newCustomer({ locale: 'de-DE' });
    const invoice = await newInvoice(customer.id, { currency: 'BHD', amount: 1005 });
    const link = await payLinkFromMail(customer.email, invoice.id);

    const get = await fetch(link);
    expect(get.status).toBe(200);
    const page = await get.text();
    expect(page).toContain('Kartenzahlung ist für diesen Betrag leider nicht möglich');
    expect(page).toContain('Bitte überweisen Sie');
    expect(page).toMatch(/1,005/); // three decimals, in German
    expect(page).not.toContain('/checkout?t='); // no card button to press

    await withFakeStripe(async (received) => {
      const res = await pressCardButton(link, invoice.id); // a stale page or a crafted POST
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('Kartenzahlung ist für diesen Betrag leider nicht möglich');
      expect(res.body).toContain('Verwendungszweck');
      expect(received).toHaveLength(0);
    });
  });

  it('a currency Stripe refuses at Checkout (its 400) gets the same page, not a 500', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { currency: 'EUR', amount: 10 });
    const link = await payLinkFromMail(customer.email, invoice.id);
    const refusal = { status: 400, body: { error: { type: 'invalid_request_error', code: 'amount_too_small', message: 'Amount must be at least €0.50 eur', param: 'line_items[0][price_data][unit_amount]' } } };
    await withFakeStripe(async (received) => {
      const res = await pressCardButton(link, invoice.id);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('Payment by card is not available for this amount.');
      expect(res.body).toContain('Please pay by bank transfer');
      expect(received).toHaveLength(1);
    }, () => refusal);
  });
});

describe('currency units through the signed Stripe webhook', () => {
  it.each(CASES)('a %s invoice of %i is paid by a payment_intent.succeeded of %i Stripe units', async (currency, iso, stripe) => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { currency, amount: iso });
    const event = paymentSucceededEvent(invoice.id, stripe, currency.toLowerCase());
    await sendAndProcess(event);
    const state = await invoiceState(invoice.id);
    expect(state).toMatchObject({ status: 'paid', balanceDue: 0 });
    expect(state.appliedPayments).toHaveLength(1);
    expect(state.appliedPayments[0]?.amount).toBe(iso);
    const payment = (await api('GET', `/payments/${paymentIdFor('stripe', event.data.object.id)}`)).body;
    expect(payment).toMatchObject({ amount: iso, currency });
    await ledgerAgrees(customer.id, [invoice.id]);
  });

  it('ISK refunds and disputes are read in Stripe units too: 100000 refunded reopens 1,000 kr; a dispute of 500000 reopens 5,000 kr', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { currency: 'ISK', amount: 5000 });
    const succeeded = paymentSucceededEvent(invoice.id, 500000, 'isk');
    const pi = succeeded.data.object.id;
    await sendAndProcess(succeeded);
    expect(await invoiceState(invoice.id)).toMatchObject({ status: 'paid', balanceDue: 0 });

    await sendAndProcess(
      stripeObjectEvent('charge.refunded', { id: `ch_${pi}`, object: 'charge', amount: 500000, amount_refunded: 100000, currency: 'isk', payment_intent: pi }),
    );
    expect(await invoiceState(invoice.id)).toMatchObject({ status: 'partially_paid', balanceDue: 1000 });
    expect((await api('GET', `/payments/${paymentIdFor('stripe', pi)}`)).body.refundedTotal).toBe(1000);

    await sendAndProcess(
      stripeObjectEvent('charge.dispute.created', { id: `dp_${pi}`, object: 'dispute', amount: 400000, currency: 'isk', payment_intent: pi, status: 'needs_response' }),
    );
    expect(await invoiceState(invoice.id)).toMatchObject({ status: 'open', balanceDue: 5000 });
    await ledgerAgrees(customer.id, [invoice.id]);
  });

  it('a BHD Checkout session completed for 12340 applies 12.340 BD', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { currency: 'BHD', amount: 12340 });
    const pi = unique('pi_units');
    await sendAndProcess(
      stripeObjectEvent('checkout.session.completed', {
        id: unique('cs_units'),
        object: 'checkout.session',
        payment_status: 'paid',
        amount_total: 12340,
        currency: 'bhd',
        payment_intent: pi,
        metadata: { invoice_id: invoice.id },
      }),
    );
    expect(await invoiceState(invoice.id)).toMatchObject({ status: 'paid', balanceDue: 0 });
  });

  it.each([
    ['payment_intent.succeeded', 'amount_received', { object: 'payment_intent', amount: 500000, amount_received: 500050, currency: 'isk', metadata: {} }],
    ['charge.refunded', 'amount_refunded', { object: 'charge', amount: 500000, amount_refunded: 4010, currency: 'isk', payment_intent: 'pi_x' }],
    ['charge.dispute.created', 'amount', { object: 'dispute', amount: 1050, currency: 'ugx', status: 'needs_response', payment_intent: 'pi_x' }],
    ['payment_intent.succeeded', 'amount', { object: 'payment_intent', amount: 1000, amount_received: 1000, currency: 'iqd', metadata: {} }],
  ])('a signed %s whose %s does not convert exactly → 400 naming the field, nothing stored', async (type, field, object) => {
    const event = stripeObjectEvent(type, { id: unique('obj'), ...object });
    const res = await sendStripe(JSON.stringify(event));
    expect(res.status).toBe(400);
    expect(res.text).toContain(`data.object.${field}`);
    expect(await getEvent('stripe', event.id)).toBeUndefined();
  });
});
