import Stripe from 'stripe';
import { toStripeAmount } from './stripe-units.ts';
import { stripeApiBase } from '../config/runtime.ts';

/**
 * Creates a Stripe Checkout Session for the balance of one invoice (or of several, one line item each). `amount` is in ISO minor units and goes to Stripe
 * through the one units adapter (5,000 ISK → `unit_amount` 500000); an amount Stripe cannot charge exactly throws
 * StripeAmountError before any call (check first with `stripeChargeProblem`). The session and its payment intent carry the
 * invoice id in metadata, so `checkout.session.completed` / `payment_intent.succeeded` apply it by tier 1.
 * STRIPE_API_BASE (e.g. http://127.0.0.1:12111 for stripe-mock) points the SDK elsewhere for local work and tests.
 */
/** One invoice's balance (pay link), or several invoices' balances in one session (the portal), one line item each. */
export type CheckoutInput =
  | { invoiceId: string; invoiceNumber: string; currency: string; amount: number; returnUrl: string; customerEmail?: string }
  | {
      invoices: readonly { id: string; number: string; amount: number }[];
      currency: string;
      returnUrl: string;
      customerEmail?: string;
      /** Over the sorted ids and amounts: the same selection and balances never open two sessions. */
      idempotencyKey: string;
    };

export async function createCheckoutSession(apiKey: string, input: CheckoutInput): Promise<string> {
  const base = stripeApiBase();
  const stripe = new Stripe(apiKey, {
    maxNetworkRetries: 2,
    timeout: 8000,
    ...(base ? { host: base.hostname, port: Number(base.port), protocol: base.protocol.replace(':', '') as 'http' | 'https' } : {}),
  });
  const invoices = 'invoices' in input ? input.invoices : [{ id: input.invoiceId, number: input.invoiceNumber, amount: input.amount }];
  const lineItems = invoices.map((i) => {
    const charge = toStripeAmount({ amount: i.amount, currency: input.currency });
    return { quantity: 1, price_data: { currency: charge.currency, unit_amount: charge.amount, product_data: { name: `Invoice ${i.number}` } } };
  });
  // One invoice: `invoice_id` (as pay links always did); several: `invoice_ids`, comma-separated, applied in this order.
  const metadata: Record<string, string> = 'invoices' in input ? { invoice_ids: invoices.map((i) => i.id).join(',') } : { invoice_id: input.invoiceId };
  const session = await stripe.checkout.sessions.create(
    {
      mode: 'payment',
      line_items: lineItems,
      metadata,
      payment_intent_data: { metadata },
      ...(input.customerEmail ? { customer_email: input.customerEmail } : {}),
      success_url: `${input.returnUrl}${input.returnUrl.includes('?') ? '&' : '?'}paid=1`,
      cancel_url: input.returnUrl,
    },
    // The same invoice balance never opens two sessions at once from double clicks.
    { idempotencyKey: 'invoices' in input ? input.idempotencyKey : `checkout:${input.invoiceId}:${input.amount}:${input.currency}` },
  );
  if (!session.url) throw new Error('Stripe returned a checkout session without a URL');
  return session.url;
}
