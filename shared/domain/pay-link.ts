import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed pay links: `<base>/pay/<invoiceId>?t=<token>`, the token an HMAC of the invoice id, so a link opens only the
 * invoice it was made for and cannot be guessed. No login: the link is the credential, like a Stripe payment link.
 */
function token(invoiceId: string, secret: string): string {
  return createHmac('sha256', secret).update(`pay:${invoiceId}`).digest('base64url').slice(0, 32);
}

export function payLink(baseUrl: string, invoiceId: string, secret: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/pay/${encodeURIComponent(invoiceId)}?t=${token(invoiceId, secret)}`;
}

export function isValidPayToken(invoiceId: string, given: string | undefined, secret: string): boolean {
  if (!given) return false;
  const expected = Buffer.from(token(invoiceId, secret));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
