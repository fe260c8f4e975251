/**
 * The Stripe stand-in the Checkout tests run against refuses what Stripe refuses, in Stripe's format: driven here by
 * the real Stripe SDK, whose error classes must read the fake's answers (type, code, param, status).
 */
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { withFakeStripe } from '../support/fake-stripe.ts';

type SessionParams = Stripe.Checkout.SessionCreateParams;

const valid = (): SessionParams => ({
  mode: 'payment',
  line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 9900, product_data: { name: 'Invoice INV-1' } } }],
  metadata: { invoice_id: 'inv_1' },
  payment_intent_data: { metadata: { invoice_id: 'inv_1' } },
  customer_email: 'ada@example.com',
  success_url: 'https://pay.example/pay/inv_1?t=x&paid=1',
  cancel_url: 'https://pay.example/pay/inv_1?t=x',
});

function client(apiKey = 'sk_test_fake'): Stripe {
  const base = new URL(process.env.STRIPE_API_BASE as string);
  return new Stripe(apiKey, { host: base.hostname, port: Number(base.port), protocol: 'http', maxNetworkRetries: 0 });
}

/** Creates a session with `params` (or `edit(valid())`) and returns Stripe's error as the SDK reads it. */
async function refusal(edit: (p: SessionParams) => unknown, options: { apiKey?: string; idempotencyKey?: string } = {}) {
  return withFakeStripe(async () => {
    try {
      await client(options.apiKey).checkout.sessions.create(edit(valid()) as SessionParams, options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {});
    } catch (error) {
      const e = error as Stripe.errors.StripeError;
      return { class: e.constructor.name, type: e.type, status: e.statusCode, code: e.code, param: e.param, message: e.message };
    }
    throw new Error('the fake accepted it');
  });
}

const line = (p: SessionParams) => (p.line_items as Stripe.Checkout.SessionCreateParams.LineItem[])[0] as Stripe.Checkout.SessionCreateParams.LineItem & { price_data: Record<string, unknown> };

describe('the fake Stripe validates Checkout Sessions like Stripe', () => {
  it('accepts a valid session and answers with its URL and total', async () => {
    await withFakeStripe(async (received) => {
      const session = await client().checkout.sessions.create(valid());
      expect(session).toMatchObject({ id: 'cs_test_1', url: 'https://checkout.stripe.com/c/pay/cs_test_1', currency: 'eur', amount_total: 9900 });
      expect(received).toHaveLength(1);
    });
  });

  it.each<[string, (p: SessionParams) => unknown, { code?: string; param?: string }]>([
    ['no mode', ({ mode: _m, ...p }) => p, { code: 'parameter_missing', param: 'mode' }],
    ['no success_url', ({ success_url: _s, ...p }) => p, { code: 'parameter_missing', param: 'success_url' }],
    ['a relative success_url', (p) => ({ ...p, success_url: '/pay/inv_1?paid=1' }), { code: 'url_invalid', param: 'success_url' }],
    ['a cancel_url that is no URL', (p) => ({ ...p, cancel_url: 'pay.example/cancel' }), { code: 'url_invalid', param: 'cancel_url' }],
    ['no line_items', ({ line_items: _l, ...p }) => p, { code: 'parameter_missing', param: 'line_items' }],
    ['quantity 0', (p) => ((line(p).quantity = 0), p), { code: 'parameter_invalid_integer', param: 'line_items[0][quantity]' }],
    ['no quantity', (p) => (delete line(p).quantity, p), { code: 'parameter_missing', param: 'line_items[0][quantity]' }],
    ['an upper-case currency', (p) => ((line(p).price_data.currency = 'EUR'), p), { code: 'parameter_invalid_string', param: 'line_items[0][price_data][currency]' }],
    ['a currency Stripe does not offer (CUP)', (p) => ((line(p).price_data.currency = 'cup'), p), { code: 'parameter_invalid_string', param: 'line_items[0][price_data][currency]' }],
    ['a fractional unit_amount', (p) => ((line(p).price_data.unit_amount = 99.5), p), { code: 'parameter_invalid_integer', param: 'line_items[0][price_data][unit_amount]' }],
    ['no unit_amount', (p) => (delete line(p).price_data.unit_amount, p), { code: 'parameter_missing', param: 'line_items[0][price_data][unit_amount]' }],
    ['no product name', (p) => ((line(p).price_data.product_data = {} as never), p), { code: 'parameter_missing', param: 'line_items[0][price_data][product_data][name]' }],
    ['€0.49 (under Stripe’s €0.50)', (p) => ((line(p).price_data.unit_amount = 49), p), { code: 'amount_too_small', param: 'line_items' }],
    ['174.99 Ft (under Stripe’s 175.00 Ft)', (p) => ((line(p).price_data.currency = 'huf'), (line(p).price_data.unit_amount = 17499), p), { code: 'amount_too_small', param: 'line_items' }],
    ['¥49 (under Stripe’s ¥50)', (p) => ((line(p).price_data.currency = 'jpy'), (line(p).price_data.unit_amount = 49), p), { code: 'amount_too_small', param: 'line_items' }],
    ['$1,000,000.00 (over eight digits)', (p) => ((line(p).price_data.currency = 'usd'), (line(p).price_data.unit_amount = 100_000_000), p), { code: 'amount_too_large', param: 'line_items' }],
    ['a metadata value of 501 characters', (p) => ({ ...p, metadata: { invoice_id: 'x'.repeat(501) } }), { param: 'metadata[invoice_id]' }],
    ['a payment intent metadata key of 41 characters', (p) => ({ ...p, payment_intent_data: { metadata: { ['k'.repeat(41)]: 'v' } } }), { param: `payment_intent_data[metadata][${'k'.repeat(41)}]` }],
    ['an unknown parameter', (p) => ({ ...p, invoice: 'inv_1' }), { code: 'parameter_unknown', param: 'invoice' }],
    ['mode subscription', (p) => ({ ...p, mode: 'subscription' }), { param: 'mode' }],
    ['an invalid customer_email', (p) => ({ ...p, customer_email: 'not an address' }), { code: 'email_invalid', param: 'customer_email' }],
  ])('refuses %s: 400 invalid_request_error naming the param', async (_what, edit, expected) => {
    const e = await refusal(edit);
    expect(e).toMatchObject({ class: 'StripeInvalidRequestError', type: 'StripeInvalidRequestError', status: 400, ...expected });
    expect(e.message.length).toBeGreaterThan(0);
  });

  it('accepts €0.50, 175.00 Ft, ¥50 and 999,999.99 USD (the limits themselves)', async () => {
    await withFakeStripe(async () => {
      for (const [currency, unit_amount] of [['eur', 50], ['huf', 17500], ['jpy', 50], ['usd', 99_999_999]] as const) {
        const p = valid();
        Object.assign(line(p).price_data, { currency, unit_amount });
        expect((await client().checkout.sessions.create(p)).amount_total).toBe(unit_amount);
      }
    });
  });

  it('refuses a missing API key (401) and an idempotency key reused with other parameters', async () => {
    expect(await refusal((p) => p, { apiKey: 'not-a-key' })).toMatchObject({ class: 'StripeAuthenticationError', status: 401 });
    await withFakeStripe(async () => {
      const first = await client().checkout.sessions.create(valid(), { idempotencyKey: 'k1' });
      expect((await client().checkout.sessions.create(valid(), { idempotencyKey: 'k1' })).id).toBe(first.id); // a replay
      const other = valid();
      line(other).price_data.unit_amount = 9901;
      await expect(client().checkout.sessions.create(other, { idempotencyKey: 'k1' })).rejects.toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
    });
  });
});
