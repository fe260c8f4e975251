import { WebhookSignatureError } from '../../shared/adapters/stripe.ts';
import { getHeader, httpHandler, HttpError, json, rawBody } from '../../shared/http/api.ts';
import { ingestStripe, StripeEventShapeError } from '../../shared/services/ingest.ts';

/** Verify over the raw bytes → store → enqueue → 200. No JSON parsing before the signature is checked. */
export const handler = httpHandler({
  'POST /webhooks/stripe': async (event) => {
    const receivedAt = new Date(event.requestContext.timeEpoch);
    try {
      const outcome = await ingestStripe(rawBody(event), getHeader(event, 'stripe-signature'), receivedAt);
      return json(200, { received: true, duplicate: outcome === 'duplicate' });
    } catch (error) {
      if (error instanceof WebhookSignatureError) {
        throw new HttpError(400, 'invalid_signature', `Stripe-Signature: ${error.message}`, 'Stripe-Signature');
      }
      if (error instanceof StripeEventShapeError) throw new HttpError(400, 'invalid_event', error.message);
      throw error;
    }
  },
});
