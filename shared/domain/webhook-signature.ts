/**
 * How a webhook attempt is signed (Standard Webhooks), pure: the headers of one attempt for a secret, an id, a
 * timestamp and the exact body. The signature is the standardwebhooks library's own (`Webhook.sign`), so what
 * subscribers verify with that library (or any Standard Webhooks implementation) is exactly what was computed.
 */
import { Webhook } from 'standardwebhooks';

export const USER_AGENT = 'Collections-Webhooks/1.0 (Standard Webhooks)';

/** What is signed: `<webhook-id>.<webhook-timestamp>.<body>` (Standard Webhooks). */
export function signedContent(id: string, timestampSeconds: number, body: string): string {
  return `${id}.${timestampSeconds}.${body}`;
}

/**
 * The headers of one attempt: `webhook-id` (the event id — the same on every retry, so the subscriber de-duplicates
 * on it), `webhook-timestamp` (Unix seconds of this attempt), `webhook-signature` (`v1,<base64 HMAC-SHA256 of the
 * signed content with the secret's bytes>`, computed by the standardwebhooks library), content type and user agent.
 */
export function webhookHeaders(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': new Webhook(secret).sign(id, new Date(timestampSeconds * 1000), body),
  };
}
