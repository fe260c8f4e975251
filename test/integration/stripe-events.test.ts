import { describe, expect, it } from 'vitest';
import type { SQSBatchResponse } from 'aws-lambda';
import { renderFile, type Vars } from '../../local/events.ts';
import { invoke } from '../../local/invoke.ts';
import { toSqsEvent } from '../../local/poller.ts';
import { functions } from '../../shared/topology.ts';
import { getEvent, markEnqueued, storeEvent, type QueueMessage } from '../../shared/store/inbox.ts';
import { api, eventually, newCustomer, newInvoice, sentMail } from '../support/stack.ts';
import { invoiceState, ledgerAgrees, stripeSample, vars } from '../support/flows.ts';
import { paymentIdFor } from '../../shared/services/payments.ts';

/** Every ordering of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((first, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [first, ...rest]));
}

/**
 * Delivers one Stripe sample the way the webhook leaves it (stored in the inbox, marked enqueued) and runs the
 * reconcile worker on its queue message in this process, so that the event is processed before the next one is sent
 * — without 120 × 7 round trips through the stack's one shared queue poller (the webhook path itself is covered by
 * the other tests here).
 */
async function deliverInOrder(name: string, v: Vars, where: string): Promise<void> {
  const event = renderFile(`events/stripe/${name}.json`, { ...v, unique: `${String(v.unique)}_${Math.random().toString(36).slice(2, 8)}` }) as { id: string; type: string };
  const stored = await storeEvent({ source: 'stripe', eventId: event.id, type: event.type, payload: JSON.stringify(event), receivedAt: new Date().toISOString(), status: 'received' });
  expect(stored.stored, where).toBe(true);
  await markEnqueued('stripe', event.id);
  const message: QueueMessage = { source: 'stripe', eventId: event.id };
  const batch = toSqsEvent([{ MessageId: event.id, ReceiptHandle: event.id, Body: JSON.stringify(message) }], 'arn:aws:sqs:us-east-1:000000000000:payments', 'us-east-1');
  const result = (await invoke(reconcile, batch)) as SQSBatchResponse;
  expect(result.batchItemFailures, `${where}: ${name}`).toEqual([]);
  expect(['processed', 'ignored'], `${where}: ${name}`).toContain((await getEvent('stripe', event.id))?.status);
}

const reconcile = functions.find((f) => f.name === 'reconcile') as (typeof functions)[number];

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

  it('converges to the same state whatever order (all 120) and however often the events arrive', async () => {
    const names = ['payment_intent.succeeded', 'charge.refunded', 'charge.dispute.created', 'charge.dispute.closed', 'payment_intent.processing'];
    const orders = permutations(names);
    expect(orders).toHaveLength(120);
    // Each ordering gets its own invoice and payment intent, so the orderings run side by side, a few at a time; inside
    // one ordering every event is processed before the next is delivered. Repeats (new deliveries of the same sample,
    // fixed by the ordering's number: none, one or two) follow the ordering.
    const run = async (order: string[], i: number) => {
      const repeats = [[], [names[i % 5] as string], [names[i % 5] as string, names[(i * 3 + 1) % 5] as string]][i % 3] as string[];
      const customer = await newCustomer();
      const invoice = await newInvoice(customer.id, { amount: 12500 });
      const v = vars({ invoiceId: invoice.id });
      const where = `ordering ${i}: ${[...order, ...repeats].join(' → ')}`;
      for (const name of [...order, ...repeats]) await deliverInOrder(name, v, where);
      // 12500 paid − 5000 refunded; the dispute was won → 7500 applied.
      expect(await invoiceState(invoice.id), where).toMatchObject({ status: 'partially_paid', balanceDue: 5000 });
      const payment = await paymentOf(String(v.paymentIntent));
      expect(payment, where).toMatchObject({ status: 'applied', refundedTotal: 5000, disputeStatus: 'won' });
      await ledgerAgrees(customer.id, [invoice.id]);
      await eventually(async () => (await sentMail(customer.email)).length >= 1, 15_000, `${where}: the receipt`);
      expect(await sentMail(customer.email), where).toHaveLength(1);
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < orders.length) {
          const i = next++;
          await run(orders[i] as string[], i);
        }
      }),
    );
  }, 300_000);

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
    expect((await getEvent('stripe', e.id))?.status).toBe('ignored');
  });
});
