/**
 * The pay link's card button: a Stripe Checkout Session for an invoice's balance — or, when Stripe cannot charge that
 * amount exactly (a currency whose Stripe unit is unknown, a BHD amount not ending in 0, fractional MGA…), a clear
 * "card not available" outcome with no Stripe call, so the page offers bank transfer instead. Never a rounded charge.
 */
import Stripe from 'stripe';
import { createCheckoutSession } from '../adapters/stripe-checkout.ts';
import { getSecret } from '../adapters/secrets.ts';
import { stripeChargeProblem } from '../adapters/stripe-units.ts';
import type { Invoice } from '../domain/invoice.ts';
import { logger } from '../logger.ts';

export type CardPayment = { kind: 'checkout'; url: string } | { kind: 'card_unavailable'; reason: string };

/** Why card payment cannot take this balance, or undefined when it can. Pure check: no Stripe call. */
export function cardPaymentProblem(invoice: Pick<Invoice, 'balanceDue' | 'currency'>): string | undefined {
  return stripeChargeProblem({ amount: invoice.balanceDue, currency: invoice.currency })?.message;
}

export async function startCardPayment(
  invoice: Pick<Invoice, 'id' | 'number' | 'balanceDue' | 'currency'>,
  returnUrl: string,
  customerEmail: string | undefined,
): Promise<CardPayment> {
  const problem = cardPaymentProblem(invoice);
  if (problem) {
    logger.info('card payment not offered: Stripe cannot charge this amount exactly', { invoiceId: invoice.id, reason: problem });
    return { kind: 'card_unavailable', reason: problem };
  }
  try {
    const url = await createCheckoutSession(await getSecret('STRIPE_API_KEY'), {
      invoiceId: invoice.id,
      invoiceNumber: invoice.number,
      currency: invoice.currency,
      amount: invoice.balanceDue,
      returnUrl,
      ...(customerEmail ? { customerEmail } : {}),
    });
    return { kind: 'checkout', url };
  } catch (error) {
    // Stripe refused the request itself (a currency it does not offer here, an amount under its minimum): the customer
    // can still pay by bank transfer. Anything else (network, Stripe down) stays an error.
    if (error instanceof Stripe.errors.StripeInvalidRequestError) {
      logger.error('Stripe refused the checkout session; card payment not offered', {
        invoiceId: invoice.id,
        code: error.code,
        param: error.param,
        stripeMessage: error.message,
      });
      return { kind: 'card_unavailable', reason: `Stripe: ${error.message}` };
    }
    throw error;
  }
}
