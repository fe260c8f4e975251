import Stripe from 'stripe';
import { toStripeAmount } from './stripe-units.ts';
import { stripeApiBase } from '../config/runtime.ts';

/**
 * Creates a Stripe Checkout Session for the balance of one invoice. `amount` is in ISO minor units and goes to Stripe
 * through the one units adapter (5,000 ISK → `unit_amount` 500000); an amount Stripe cannot charge exactly throws
 * StripeAmountError before any call (check first with `stripeChargeProblem`). The session and its payment intent carry the
 * invoice id in metadata, so `checkout.session.completed` / `payment_intent.succeeded` apply it by tier 1.
 * STRIPE_API_BASE (e.g. http://127.0.0.1:12111 for stripe-mock) points the SDK elsewhere for local work and tests.
 */
export async function createCheckoutSession(
  apiKey: string,
  input: { invoiceId: string; invoiceNumber: string; currency: string; amount: number; returnUrl: string; customerEmail?: string },
): Promise<string> {
  const base = stripeApiBase();
  const stripe = new Stripe(apiKey, {
    maxNetworkRetries: 2,
    timeout: 8000,
    ...(base ? { host: base.hostname, port: Number(base.port), protocol: base.protocol.replace(':', '') as 'http' | 'https' } : {}),
  });
  const charge = toStripeAmount({ amount: input.amount, currency: input.currency });
  const session = await stripe.checkout.sessions.create(
    {
      mode: 'payment',
      line_items: [
        {
          quantity: 1,
          price_data: { currency: charge.currency, unit_amount: charge.amount, product_data: { name: `Invoice ${input.invoiceNumber}` } },
        },
      ],
      metadata: { invoice_id: input.invoiceId },
      payment_intent_data: { metadata: { invoice_id: input.invoiceId } },
      ...(input.customerEmail ? { customer_email: input.customerEmail } : {}),
      success_url: `${input.returnUrl}&paid=1`,
      cancel_url: input.returnUrl,
    },
    // The same invoice balance never opens two sessions at once from double clicks.
    { idempotencyKey: `checkout:${input.invoiceId}:${input.amount}:${input.currency}` },
  );
  if (!session.url) throw new Error('Stripe returned a checkout session without a URL');
  return session.url;
}
