import { linkUrl } from './links.ts';

/**
 * Signed pay links: `<base>/pay/<invoiceId>?t=<token>`. The token (see links.ts: purpose `pay`, the invoice id, an
 * expiry, the customer's link version, a key id) opens only the invoice it was made for and cannot be guessed. No
 * login: the link is the credential, like a Stripe payment link.
 */
export function payUrl(baseUrl: string, invoiceId: string, token: string): string {
  return linkUrl(baseUrl, { purpose: 'pay', id: invoiceId }, token);
}
