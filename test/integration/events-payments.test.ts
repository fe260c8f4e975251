/**
 * Events out, the payments area, through the local stack (webhooks → queue → worker → outbox → relay → local bus):
 * a card payment, a refund, a chargeback lost and won, a payment waiting in review that staff allocate and take back,
 * a check staff record with its allocations, payments racing for one invoice, and a payment keeping a promise each publish exactly the documented events — once each (distinct ids), every one
 * valid against its catalog schema; redeliveries and repeats of the same payment publish nothing new.
 */
import { describe, expect, it } from 'vitest';
import { parseBankPayload } from '../../shared/adapters/bank/index.ts';
import { eventCatalog } from '../../shared/domain/events/catalog.ts';
import { payments as paymentSpecs } from '../../shared/domain/events/payments.ts';
import { paymentIdFor } from '../../shared/services/payments.ts';
import { publishedEvents, type PublishedEvent } from '../support/events.ts';
import { postBank, processed, stripeSample, vars } from '../support/flows.ts';
import { signIn } from '../support/portal.ts';
import { api, eventually, newCustomer, newInvoice, paymentSucceededEvent, sendStripe, staysTrue, unique } from '../support/stack.ts';

/** The types this area publishes. */
const PAYMENT_TYPES = new Set(Object.keys(paymentSpecs));

/** Each event once (the relay publishes at least once: a re-publication carries the same id), checked against the catalog. */
function distinct(events: readonly PublishedEvent[]): PublishedEvent[] {
  const seen = new Map<string, PublishedEvent>();
  for (const e of events) {
    const first = seen.get(e.id);
    if (first) {
      expect(e.data, `re-publication of ${e.id}`).toEqual(first.data);
      continue;
    }
    const spec = eventCatalog[e.type];
    expect(spec, `${e.type} has a spec`).toBeDefined();
    expect(e.version).toBe(spec?.version);
    expect(spec?.data.parse(e.data), `${e.type} data matches its schema`).toEqual(e.data);
    seen.set(e.id, e);
  }
  return [...seen.values()];
}

/** The payments area's events about a customer (or, with `paymentId`, about that payment whoever its customer). */
async function paymentEvents(scope: { customerId?: string; paymentId?: string; since?: string }): Promise<PublishedEvent[]> {
  const all = await publishedEvents({ ...(scope.customerId ? { customerId: scope.customerId } : {}), ...(scope.since ? { since: scope.since } : {}) });
  return distinct(all.filter((e) => PAYMENT_TYPES.has(e.type) && (!scope.paymentId || e.data.paymentId === scope.paymentId)));
}

/**
 * Waits until the scope's events number `count`, never more. `settle`: and they stay so for a second (nothing more on
 * its way) — at the end of a flow and after redeliveries; between steps the next step's exact count catches a late one.
 */
async function exactly(scope: Parameters<typeof paymentEvents>[0], count: number, settle = false): Promise<PublishedEvent[]> {
  let last: PublishedEvent[] = [];
  await eventually(async () => {
    last = await paymentEvents(scope);
    return last.length >= count;
  }, 15_000, `${count} payment events for ${JSON.stringify(scope)}`).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; got ${JSON.stringify(last.map((e) => e.type))}`, { cause: error });
  });
  if (settle) expect(await staysTrue(async () => (await paymentEvents(scope)).length === count, 1000), `no more than ${count} events for ${JSON.stringify(scope)}`).toBe(true);
  const events = await paymentEvents(scope);
  expect(events.map((e) => e.type), `exactly ${count} events for ${JSON.stringify(scope)}`).toHaveLength(count);
  return events;
}

const types = (events: readonly PublishedEvent[]) => events.map((e) => e.type).sort();
const ofType = (events: readonly PublishedEvent[], type: string) => events.filter((e) => e.type === type);

describe('payment events through the local stack', () => {
  it('a card payment for two invoices, its redeliveries, a partial refund and its redeliveries', async () => {
    const customer = await newCustomer();
    const a = await newInvoice(customer.id, { amount: 12_000 });
    const b = await newInvoice(customer.id, { amount: 8_000 });
    const v = vars({ invoiceId: a.id, invoiceId2: b.id });
    const paymentId = paymentIdFor('stripe', `pi_sample_${v.paymentIntent}`);

    // Checkout for both invoices (20000): received, applied to both, both paid.
    const checkout = await stripeSample('checkout.session.completed', v);
    const paid = await exactly({ customerId: customer.id }, 4);
    expect(types(paid)).toEqual(['invoice.paid', 'invoice.paid', 'payment.applied', 'payment.received']);
    expect(paid.every((e) => e.customerId === customer.id)).toBe(true);
    expect(ofType(paid, 'payment.received')[0]?.data).toMatchObject({ paymentId, amount: 20_000, currency: 'EUR', channel: 'stripe', method: 'card', providerPaymentId: `pi_sample_${v.paymentIntent}` });
    expect(ofType(paid, 'payment.applied')[0]?.data).toEqual({
      paymentId,
      currency: 'EUR',
      rule: 'reference',
      by: 'rules',
      allocations: [
        { invoiceId: a.id, amount: 12_000 },
        { invoiceId: b.id, amount: 8_000 },
      ],
      adjustments: [],
      credit: 0,
      unapplied: 0,
      netAmount: 20_000,
    });
    expect(ofType(paid, 'invoice.paid').map((e) => [e.data.invoiceId, e.data.amount, e.data.paymentId]).sort()).toEqual(
      [[a.id, 12_000, paymentId], [b.id, 8_000, paymentId]].sort(),
    );

    // The same event redelivered, and another event about the same payment (its payment intent): nothing new.
    expect((await sendStripe(JSON.stringify(checkout))).status).toBe(200);
    await stripeSample('payment_intent.succeeded', vars({ invoiceId: a.id, paymentIntent: v.paymentIntent as string }));
    expect(await exactly({ customerId: customer.id }, 4, true)).toHaveLength(4);

    // A partial refund (50.00) comes off the last invoice applied, which reopens.
    const refund = await stripeSample('charge.refunded', { ...v, unique: unique('r') });
    const afterRefund = await exactly({ customerId: customer.id }, 6);
    const refunded = ofType(afterRefund, 'payment.refunded');
    expect(refunded).toHaveLength(1);
    expect(refunded[0]?.data).toEqual({
      paymentId,
      currency: 'EUR',
      reason: 'refund',
      amount: 5_000,
      refundedTotal: 5_000,
      allocations: [{ invoiceId: b.id, amount: -5_000 }],
      adjustments: [],
      credit: 0,
      unapplied: 0,
      netAmount: 15_000,
      complete: true,
    });
    expect(ofType(afterRefund, 'invoice.reopened').map((e) => e.data)).toEqual([
      expect.objectContaining({ invoiceId: b.id, paymentId, amount: 5_000, balanceDue: 5_000, currency: 'EUR', reason: 'refund' }),
    ]);

    // The refund redelivered, and Stripe's next charge.refunded with the same cumulative amount: nothing new.
    expect((await sendStripe(JSON.stringify(refund))).status).toBe(200);
    await stripeSample('charge.refunded', { ...v, unique: unique('r2') });
    expect(await exactly({ customerId: customer.id }, 6, true)).toHaveLength(6);
  });

  it('a chargeback takes the money back (payment.refunded, reason chargeback); winning it pays the invoice again', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 12_500 });
    const v = vars({ invoiceId: invoice.id });
    await stripeSample('payment_intent.succeeded', v);
    expect(types(await exactly({ customerId: customer.id }, 3))).toEqual(['invoice.paid', 'payment.applied', 'payment.received']);

    await stripeSample('charge.dispute.created', v);
    const disputed = await exactly({ customerId: customer.id }, 5);
    expect(ofType(disputed, 'payment.refunded')[0]?.data).toMatchObject({ reason: 'chargeback', amount: 12_500, refundedTotal: 0, netAmount: 0, allocations: [{ invoiceId: invoice.id, amount: -12_500 }] });
    expect(ofType(disputed, 'invoice.reopened')[0]?.data).toMatchObject({ invoiceId: invoice.id, reason: 'chargeback', balanceDue: 12_500 });

    await stripeSample('charge.dispute.closed', v);
    const won = await exactly({ customerId: customer.id }, 7, true);
    expect(ofType(won, 'payment.applied').map((e) => e.data)).toContainEqual(
      expect.objectContaining({ rule: 'chargeback_won', allocations: [{ invoiceId: invoice.id, amount: 12_500 }], netAmount: 12_500 }),
    );
    // Paid twice by the same payment: two changes, two events, two ids.
    expect(ofType(won, 'invoice.paid')).toHaveLength(2);
  });

  it('a payment the rules cannot place waits in review; staff allocate it, then take the allocation back', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 31_337 });
    const since = new Date(Date.now() - 1000).toISOString();
    const body = JSON.stringify({
      id: unique('ntf'),
      account: { iban: 'DE89370400440532013000' },
      credits: [{ id: unique('txn'), status: 'booked', amount: 31_337, currency: 'EUR', bookingDate: '2026-12-01', debtor: { name: 'Nobody Known', iban: `NL99ZZZZ${String(Date.now() % 1e10).padStart(10, '0')}` }, remittance: 'thanks' }],
    });
    expect((await postBank(body)).status).toBe(200);
    const key = (parseBankPayload(body, 'application/json').lines[0] as { key: string }).key;
    await processed('bank-line', key, 10_000);
    const paymentId = paymentIdFor('bank', key);

    // Unknown payer: no customer on the events (nothing of the payer's name or account either).
    const waiting = await exactly({ paymentId, since }, 2, true);
    expect(types(waiting)).toEqual(['payment.needs_review', 'payment.received']);
    expect(waiting.every((e) => e.customerId === null)).toBe(true);
    expect(JSON.stringify(waiting)).not.toMatch(/Nobody|NL99ZZZZ|thanks/);
    expect(ofType(waiting, 'payment.received')[0]?.data).toMatchObject({ channel: 'bank', method: 'bank_json', valueDate: '2026-12-01', amount: 31_337 });
    expect(ofType(waiting, 'payment.needs_review')[0]?.data).toMatchObject({ paymentId, unapplied: 31_337, rule: 'none', cause: 'not_matched', suggestionCount: expect.any(Number) });

    // Staff apply it: payment.applied by staff, the invoice paid — now the customer's.
    expect((await api('POST', `/payments/${paymentId}/allocations`, { allocations: [{ invoiceId: invoice.id, amount: 31_337 }] })).status).toBe(200);
    const allocated = await exactly({ customerId: customer.id }, 2);
    expect(types(allocated)).toEqual(['invoice.paid', 'payment.applied']);
    expect(ofType(allocated, 'payment.applied')[0]?.data).toMatchObject({ rule: 'staff_allocation', by: 'staff', allocations: [{ invoiceId: invoice.id, amount: 31_337 }], unapplied: 0 });

    // Staff take it back: a negative allocation, the invoice reopened, the money waiting again.
    expect((await api('POST', `/payments/${paymentId}/allocations/${invoice.id}/reverse`)).status).toBe(200);
    const reversed = await exactly({ customerId: customer.id }, 5, true);
    expect(types(reversed)).toEqual(['invoice.paid', 'invoice.reopened', 'payment.applied', 'payment.applied', 'payment.needs_review']);
    expect(ofType(reversed, 'payment.applied').map((e) => e.data)).toContainEqual(
      expect.objectContaining({ rule: 'staff_reversal', by: 'staff', allocations: [{ invoiceId: invoice.id, amount: -31_337 }], unapplied: 31_337 }),
    );
    expect(ofType(reversed, 'payment.needs_review')[0]?.data).toMatchObject({ cause: 'reversed_by_staff', unapplied: 31_337 });
    expect(ofType(reversed, 'invoice.reopened')[0]?.data).toMatchObject({ reason: 'reversed_by_staff', balanceDue: 31_337 });
  });

  it('a check staff record with its allocations: received from the customer, applied by staff — never sent to review; a resend adds nothing', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 4_200 });
    const check = { customerId: customer.id, method: 'check', reference: unique('CHK'), amount: 4_200, currency: 'EUR', receivedDate: '2026-12-03', allocations: [{ invoiceId: invoice.id, amount: 4_200 }] };
    const first = await api('POST', '/payments', check);
    expect(first.status, first.text).toBe(201);
    const events = await exactly({ customerId: customer.id }, 3);
    expect(types(events)).toEqual(['invoice.paid', 'payment.applied', 'payment.received']);
    expect(ofType(events, 'payment.received')[0]).toMatchObject({ customerId: customer.id, data: { channel: 'manual', method: 'check', valueDate: '2026-12-03', amount: 4_200 } });
    expect(ofType(events, 'payment.applied')[0]?.data).toMatchObject({ rule: 'staff_allocation', by: 'staff', allocations: [{ invoiceId: invoice.id, amount: 4_200 }] });
    expect((await api('POST', '/payments', check)).status).toBe(200);
    expect(await exactly({ customerId: customer.id }, 3, true)).toHaveLength(3);
  });

  it('payments racing for one invoice (conflicts retried): each payment reported once, the invoice paid once', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 3_000 });
    const events = [1, 2, 3, 4].map(() => paymentSucceededEvent(invoice.id, 1_000));
    const sent = await Promise.all(events.map((e) => sendStripe(JSON.stringify(e))));
    expect(sent.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (const e of events) await processed('stripe', e.id, 15_000);
    const all = await exactly({ customerId: customer.id }, 9, true);
    expect(types(all)).toEqual([...Array(4).fill('payment.applied'), ...Array(4).fill('payment.received'), 'invoice.paid'].sort());
    // Three fill the invoice; the one that came last finds it paid and becomes credit.
    const applied = ofType(all, 'payment.applied').map((e) => e.data);
    expect(applied.filter((d) => (d.allocations as unknown[]).length === 1)).toHaveLength(3);
    expect(applied.filter((d) => d.credit === 1_000)).toHaveLength(1);
  });

  it('a payment keeping a promise to pay: promise.kept once, with the promise\'s own fields', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 12_500, dueDate: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10) });
    const date = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    const { client, csrf } = await signIn(customer.email);
    expect((await client.post(`/portal/invoices/${invoice.id}/promise`, { csrf, date })).status).toBe(303);
    const made = await eventually(async () => (await publishedEvents({ customerId: customer.id, type: 'promise.made' }))[0], 15_000, 'promise.made');

    const v = vars({ invoiceId: invoice.id });
    await stripeSample('payment_intent.succeeded', v);
    const events = await exactly({ customerId: customer.id }, 4, true);
    expect(types(events)).toEqual(['invoice.paid', 'payment.applied', 'payment.received', 'promise.kept']);
    const kept = ofType(events, 'promise.kept')[0];
    expect(kept?.data).toMatchObject({
      promiseId: made.data.promiseId,
      invoiceId: invoice.id,
      date,
      currency: 'EUR',
      madeBy: 'customer',
      paymentId: paymentIdFor('stripe', `pi_sample_${v.paymentIntent}`),
    });
    expect(kept?.data).not.toHaveProperty('amount'); // the whole balance was promised
  });
});
