import { describe, expect, it } from 'vitest';
import { handler as payLinkHandler } from '../../functions/pay-link/handler.ts';
import { buildHttpEvent } from '../../local/gateway.ts';
import { withFakeStripe } from '../support/fake-stripe.ts';
import { payLink, pressCardButton } from '../support/links.ts';
import { formatRfReference } from '../../shared/domain/rf-reference.ts';
import { invoiceState, stripeSample, vars } from '../support/flows.ts';
import { newCustomer, newInvoice, sentMail, stack } from '../support/stack.ts';

describe('signed pay links', () => {
  it('open a page with the amount due, a card button and the bank details; a forged link is refused', async () => {
    const customer = await newCustomer({ locale: 'de-DE' });
    const invoice = await newInvoice(customer.id, { amount: 12500 });
    const link = payLink(invoice.id);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain(formatRfReference(invoice.paymentReference));
    expect(html).toMatch(/125,00/);
    expect(html).toContain('/checkout?t=');
    expect((await fetch(link.replace(/t=.*/, 't=forged'))).status).toBe(403);
    expect((await fetch(`${stack.apiUrl}/pay/${invoice.id}`)).status).toBe(403);
    const other = await newInvoice(customer.id, { amount: 100 });
    expect((await fetch(link.replace(invoice.id, other.id))).status).toBe(403); // a link opens only its own invoice
  });

  it('the failed-payment mail links to it', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 12500 });
    await stripeSample('payment_intent.payment_failed', vars({ invoiceId: invoice.id }));
    const [mail] = await sentMail(customer.email);
    const url = /(http\S+\/pay\/\S+?t=[\w.-]+)/.exec(mail?.body.text ?? '')?.[1];
    expect(url?.startsWith(`${stack.apiUrl.replace('127.0.0.1', 'localhost')}/pay/${invoice.id}?t=v1.`)).toBe(true);
    expect((await fetch(url as string)).status).toBe(200);
  });

  it('the card button creates a Stripe Checkout Session for the balance, naming the invoice in metadata', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 9900 });
    await withFakeStripe(async (received) => {
      const link = new URL(payLink(invoice.id));
      const event = buildHttpEvent(
        { method: 'POST', url: new URL(`${link.origin}${link.pathname}/checkout${link.search}`), headers: {}, body: Buffer.alloc(0), sourceIp: '127.0.0.1' },
        'POST /pay/{invoiceId}/checkout',
        { invoiceId: invoice.id },
        new Date(),
      );
      const res = (await payLinkHandler(event, {} as never)) as { statusCode: number; headers: Record<string, string> };
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('https://checkout.stripe.com/c/pay/cs_test_1');
      expect(received).toHaveLength(1);
      expect(received[0]).toContain('POST /v1/checkout/sessions');
      expect(received[0]).toContain(`metadata[invoice_id]=${invoice.id}`);
      expect(received[0]).toContain(`payment_intent_data[metadata][invoice_id]=${invoice.id}`);
      expect(received[0]).toContain('unit_amount]=9900');
    });
  });
});


describe('when Stripe refuses the Checkout Session (its 400, from a fake that validates like Stripe)', () => {
  it.each([
    // [currency, ISO minor units, Stripe's refusal, what the customer was offered]
    ['EUR', 10, 'amount_too_small', '€0.10 is under Stripe’s €0.50 minimum'],
    ['HUF', 10_000, 'amount_too_small', '100.00 Ft is under Stripe’s 175.00 Ft minimum'],
    ['USD', 100_000_000, 'amount_too_large', '$1,000,000.00 is over Stripe’s eight digits'],
    ['CUP', 5_000, 'parameter_invalid_string', 'Stripe offers no Cuban pesos'],
  ])('a %s invoice of %i: Stripe answers %s (%s) → the pay page with bank transfer, 422, the invoice unchanged', async (currency, amount, code) => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { currency, amount });
    let stripeAnswer: unknown;
    await withFakeStripe(
      async (received) => {
        const res = await pressCardButton(new URL(payLink(invoice.id)), invoice.id);
        expect(res.statusCode, res.body.slice(0, 300)).toBe(422);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.body).toContain('Payment by card is not available for this amount.');
        expect(res.body).toContain('Please pay by bank transfer');
        expect(res.body).toContain(formatRfReference(invoice.paymentReference));
        expect(res.body).not.toContain('/checkout?t='); // no card button to press again
        expect(received).toHaveLength(1); // one request: a 400 is not retried
        expect(received[0]).toContain('POST /v1/checkout/sessions');
      },
      (_request, validated) => {
        stripeAnswer = validated;
        return validated;
      },
    );
    expect(stripeAnswer).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error', code } } });
    expect((await invoiceState(invoice.id)).balanceDue).toBe(amount);
  });

  it('in the customer’s language', async () => {
    const customer = await newCustomer({ locale: 'de-DE' });
    const invoice = await newInvoice(customer.id, { currency: 'EUR', amount: 30 });
    await withFakeStripe(async (received) => {
      const res = await pressCardButton(new URL(payLink(invoice.id)), invoice.id);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('Kartenzahlung ist für diesen Betrag leider nicht möglich');
      expect(res.body).toContain('Verwendungszweck');
      expect(res.body).toMatch(/0,30\s€/);
      expect(received).toHaveLength(1);
    });
  });

  it('the smallest amounts Stripe takes still open Checkout (€0.50, 175.00 Ft)', async () => {
    const customer = await newCustomer();
    for (const [currency, amount] of [['EUR', 50], ['HUF', 17_500]] as const) {
      const invoice = await newInvoice(customer.id, { currency, amount });
      await withFakeStripe(async (received) => {
        const res = await pressCardButton(new URL(payLink(invoice.id)), invoice.id);
        expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
        expect(res.headers.location).toBe('https://checkout.stripe.com/c/pay/cs_test_1');
        expect(received[0]).toContain(`[unit_amount]=${amount}&`);
      });
    }
  });
});
