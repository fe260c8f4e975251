import Stripe from 'stripe';

/** Stripe's default signature tolerance: 300 s. */
export const STRIPE_TOLERANCE_SECONDS = 300;

export type StripeEvent = Stripe.Event;

export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}

/**
 * Verifies the `Stripe-Signature` header over the raw bytes (never a re-serialised body) and returns the event.
 * A bad, missing or expired signature throws WebhookSignatureError. `receivedAt` is when the request arrived: the
 * tolerance is measured from it (the SDK takes it in milliseconds).
 */
export function verifyStripeEvent(
  rawBody: Buffer,
  signature: string | undefined,
  secret: string,
  receivedAt: Date,
): StripeEvent {
  if (!signature) throw new WebhookSignatureError('missing Stripe-Signature header');
  // The SDK only bounds a signature's age; a timestamp from the future is refused too.
  const signedAt = Number(/(?:^|,)\s*t=(\d{1,12})(?:,|$)/.exec(signature)?.[1]);
  if (Number.isFinite(signedAt) && signedAt * 1000 > receivedAt.getTime() + STRIPE_TOLERANCE_SECONDS * 1000) {
    throw new WebhookSignatureError('timestamp is in the future');
  }
  try {
    return Stripe.webhooks.constructEvent(rawBody, signature, secret, STRIPE_TOLERANCE_SECONDS, undefined, receivedAt.getTime());
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      throw new WebhookSignatureError(error.message);
    }
    throw new WebhookSignatureError('payload is not a valid Stripe event');
  }
}

export function parseStoredStripeEvent(payload: string): StripeEvent {
  return JSON.parse(payload) as StripeEvent;
}
