import { describe, expect, it } from 'vitest';
import { handler as payLinkHandler } from '../../functions/pay-link/handler.ts';
import { buildHttpEvent } from '../../local/gateway.ts';
import { withFakeStripe } from '../support/fake-stripe.ts';
import { payLink } from '../support/links.ts';
import { formatRfReference } from '../../shared/domain/rf-reference.ts';
import { stripeSample, vars } from '../support/flows.ts';
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
