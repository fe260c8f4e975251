import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { api, newCustomer, newInvoice, sentMail } from '../support/stack.ts';
import { invoiceState, ledgerAgrees, stripeSample, vars } from '../support/flows.ts';
import { paymentIdFor } from '../../shared/services/payments.ts';

const paymentOf = async (pi: string) => (await api('GET', `/payments/${paymentIdFor('stripe', `pi_sample_${pi}`)}`)).body;

describe('Stripe events through the local stack', () => {
  it('a partial refund reopens part of the balance; repeats change nothing; a full refund reopens all', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 12500 });
    const v = vars({ invoiceId: invoice.id });
    await stripeSample('payment_intent.succeeded', v);
    expect((await invoiceState(invoice.id)).status).toBe('paid');
    await stripeSample('charge.refunded', v); // amount_refunded 5000
    await stripeSample('charge.refunded', v);
    let state = await invoiceState(invoice.id);
    expect(state).toMatchObject({ status: 'partially_paid', balanceDue: 5000 });
    const payment = await paymentOf(String(v.paymentIntent));
    expect(payment.refundedTotal).toBe(5000);
    expect(payment.decisions.map((d: { rule: string }) => d.rule)).toEqual(['reference', 'refund']);
    await ledgerAgrees(customer.id, [invoice.id]);
    state = await invoiceState(invoice.id);
    expect(state.appliedPayments[0]?.amount).toBe(7500);
  });

  it('a chargeback reopens the balance and marks the payment disputed; a won dispute re-applies it', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 12500 });
    const v = vars({ invoiceId: invoice.id });
    await stripeSample('payment_intent.succeeded', v);
    await stripeSample('charge.dispute.created', v);
    expect(await invoiceState(invoice.id)).toMatchObject({ status: 'open', balanceDue: 12500 });
    expect((await paymentOf(String(v.paymentIntent))).disputeStatus).toBe('disputed');
    // Chargebacks count as disputes: collection on the reopened invoice is paused.
    const paused = (await invoiceState(invoice.id)) as unknown as { dispute?: { source: string; status: string } };
    expect(paused.dispute).toMatchObject({ source: 'chargeback', status: 'open' });
    await stripeSample('charge.dispute.closed', v); // won
    expect(await invoiceState(invoice.id)).toMatchObject({ status: 'paid', balanceDue: 0 });
    expect(((await invoiceState(invoice.id)) as unknown as { dispute?: unknown }).dispute).toBeUndefined();
    expect((await paymentOf(String(v.paymentIntent))).disputeStatus).toBe('won');
    await ledgerAgrees(customer.id, [invoice.id]);
  });

  it('converges to the same state whatever order and however often the events arrive', async () => {
    const names = ['payment_intent.succeeded', 'charge.refunded', 'charge.dispute.created', 'charge.dispute.closed', 'payment_intent.processing'];
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(names, { minLength: names.length, maxLength: names.length }),
        fc.array(fc.constantFrom(...names), { maxLength: 2 }),
        async (order, repeats) => {
          const customer = await newCustomer();
          const invoice = await newInvoice(customer.id, { amount: 12500 });
          const v = vars({ invoiceId: invoice.id });
          for (const name of [...order, ...repeats]) await stripeSample(name, v);
          // 12500 paid − 5000 refunded; the dispute was won → 7500 applied.
          expect(await invoiceState(invoice.id)).toMatchObject({ status: 'partially_paid', balanceDue: 5000 });
          const payment = await paymentOf(String(v.paymentIntent));
          expect(payment).toMatchObject({ status: 'applied', refundedTotal: 5000, disputeStatus: 'won' });
          await ledgerAgrees(customer.id, [invoice.id]);
          expect(await sentMail(customer.email)).toHaveLength(1);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('processing is recorded as pending with no application; succeeded then applies it', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 12500 });
    const v = vars({ invoiceId: invoice.id });
    await stripeSample('payment_intent.processing', v);
    expect((await paymentOf(String(v.paymentIntent))).status).toBe('pending');
    expect((await invoiceState(invoice.id)).balanceDue).toBe(12500);
    await stripeSample('payment_intent.succeeded', v);
    expect((await paymentOf(String(v.paymentIntent))).status).toBe('applied');
    expect((await invoiceState(invoice.id)).status).toBe('paid');
  });

  it('a failed payment sends one kind message with how to pay, and changes no balance', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 12500 });
    const v = vars({ invoiceId: invoice.id });
    await stripeSample('payment_intent.payment_failed', v);
    await stripeSample('payment_intent.payment_failed', v);
    const mails = await sentMail(customer.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toMatch(/did not go through/);
    expect(mails[0]?.body.text).toMatch(/no fee or penalty/);
    expect(mails[0]?.body.text.replace(/\s/g, '')).toContain(invoice.paymentReference);
    expect((await invoiceState(invoice.id)).balanceDue).toBe(12500);
  });

  it('a checkout session from a pay link pays the invoices its metadata names, in order', async () => {
    const customer = await newCustomer();
    const a = await newInvoice(customer.id, { amount: 12000 });
    const b = await newInvoice(customer.id, { amount: 10000 });
    const v = vars({ invoiceId: a.id, invoiceId2: b.id });
    await stripeSample('checkout.session.completed', v); // 20000
    expect(await invoiceState(a.id)).toMatchObject({ status: 'paid' });
    expect(await invoiceState(b.id)).toMatchObject({ status: 'partially_paid', balanceDue: 2000 });
    // The bare payment intent of the same session changes nothing.
    await stripeSample('payment_intent.succeeded', { ...v, invoiceId: '' });
    expect((await invoiceState(b.id)).balanceDue).toBe(2000);
    await ledgerAgrees(customer.id, [a.id, b.id]);
  });

  it('a bank transfer through Stripe cash balance is matched by its RF reference', async () => {
    const customer = await newCustomer({ stripeCustomerId: `cus_${Date.now().toString(36)}` });
    const invoice = await newInvoice(customer.id, { amount: 12500 });
    const stripeCustomer = (await api('GET', `/customers/${customer.id}`)).body.stripeCustomerId as string;
    await stripeSample('customer_cash_balance_transaction.created', vars({ reference: invoice.paymentReference, stripeCustomer }));
    expect((await invoiceState(invoice.id)).status).toBe('paid');
  });

  it('records unknown event types and ignores them', async () => {
    const e = await stripeSample('customer.updated', vars());
    expect(e.id).toMatch(/^evt_sample_unhandled/);
  });
});
