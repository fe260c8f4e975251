/**
 * Per-route throttling, through a local gateway with the deployed limits (`--throttle`; the same manifest classes the
 * CDK stack turns into API Gateway route settings): a flood of link-page requests gets 429 on the link pages, while a
 * signed Stripe webhook and a signed bank webhook are still accepted (200) and the payment is applied.
 *
 * The gateway runs in this worker (handlers in-process, AWS clients pointed at the suite's emulators by
 * test/support/env.ts), so the flood does not throttle the shared stack other test files use.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBankPayload } from '../../shared/adapters/bank/signature.ts';
import { startGateway } from '../../local/gateway.ts';
import { throttleClasses } from '../../shared/topology.ts';
import { api, eventually, newCustomer, newInvoice, paymentSucceededEvent, stack, unique } from '../support/stack.ts';

let server: Server;
let base: string;

beforeAll(async () => {
  server = await startGateway(0, '127.0.0.1', { throttle: true });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const refusals: string[] = [];

async function flood(path: string, total: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let sent = 0; sent < total; sent += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, total - sent) }, () =>
        fetch(`${base}${path}`).then(async (r) => {
          const text = await r.text();
          if (r.status === 429) refusals.push(text);
          return r.status;
        }),
      ),
    );
    statuses.push(...batch);
  }
  return statuses;
}

describe('per-route throttling', () => {
  it('a flood of link pages is refused with 429 while the Stripe and bank webhooks still get 200', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 4200 });

    // Far more than the public burst, faster than its rate refills.
    const statuses = await flood(`/pay/${invoice.id}?t=forged`, throttleClasses.public.burstLimit * 3);
    const refused = statuses.filter((s) => s === 429).length;
    expect(refused, `statuses: ${statuses.join(',')}`).toBeGreaterThan(throttleClasses.public.burstLimit);
    // What got through was the function's own answer (a forged link), never a 5xx.
    expect(statuses.filter((s) => s !== 429).every((s) => s < 500)).toBe(true);
    // API Gateway's own answer; the function was not invoked.
    expect(JSON.parse(refusals[0] as string)).toEqual({ message: 'Too Many Requests' });
    // Another link route has its own bucket.
    const other = await fetch(`${base}/preferences/${customer.id}?t=forged`);
    await other.arrayBuffer();
    expect(other.status).not.toBe(429);

    // The Stripe webhook, signed as Stripe signs, during the flood: accepted and applied.
    const payload = JSON.stringify(paymentSucceededEvent(invoice.id, 4200));
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: stack.stripeWebhookSecret });
    const [stripeRes] = await Promise.all([
      fetch(`${base}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload }),
      flood(`/pay/${invoice.id}?t=forged`, 25),
    ]);
    expect(stripeRes.status, await stripeRes.text()).toBe(200);

    // And the bank webhook (an unknown-payer credit: stored and queued for review).
    const bankBody = JSON.stringify({
      id: unique('ntf'),
      account: { iban: 'DE89370400440532013000' },
      credits: [{ id: unique('txn'), status: 'booked', amount: 777, currency: 'EUR', bookingDate: '2026-11-20', debtor: { name: 'Someone Unknown' }, references: [unique('ref')] }],
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const bankRes = await fetch(`${base}/webhooks/bank`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-bank-timestamp': String(timestamp),
        'x-bank-signature': signBankPayload(bankBody, stack.bankWebhookSecret, timestamp),
      },
      body: bankBody,
    });
    expect(bankRes.status, await bankRes.text()).toBe(200);

    await eventually(async () => (await api('GET', `/invoices/${invoice.id}`)).body.status === 'paid', 15_000, 'the webhook payment applied');

    // The refused route recovers as its bucket refills (rate per second), without a restart.
    await eventually(async () => {
      const r = await fetch(`${base}/pay/${invoice.id}?t=forged`);
      await r.arrayBuffer();
      return r.status !== 429;
    }, 5_000, 'the pay page answering again');
  });
});
