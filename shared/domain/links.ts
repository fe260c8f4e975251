import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed customer links (no login: the link is the credential): a purpose (`feedback`, `preferences`,
 * `plan-request`) and a subject (customer id, plus a context), HMAC-SHA256 with the link secret. A token opens only
 * the purpose and subject it was made for.
 */
export function linkToken(purpose: string, subject: string, secret: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${subject}`).digest('base64url').slice(0, 32);
}

export function isValidLinkToken(purpose: string, subject: string, given: string | undefined, secret: string): boolean {
  if (!given) return false;
  const expected = Buffer.from(linkToken(purpose, subject, secret));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const base = (b: string) => b.replace(/\/+$/, '');

/** One link per rating 1–5 for a context (`payment:<id>`, `plan:<id>`). */
export function feedbackLinks(baseUrl: string, customerId: string, context: string, secret: string): string[] {
  const t = linkToken('feedback', `${customerId}:${context}`, secret);
  return [1, 2, 3, 4, 5].map(
    (r) => `${base(baseUrl)}/feedback/${encodeURIComponent(customerId)}?c=${encodeURIComponent(context)}&r=${r}&t=${t}`,
  );
}

export function preferencesLink(baseUrl: string, customerId: string, secret: string): string {
  return `${base(baseUrl)}/preferences/${encodeURIComponent(customerId)}?t=${linkToken('preferences', customerId, secret)}`;
}

export function planRequestLink(baseUrl: string, customerId: string, secret: string): string {
  return `${base(baseUrl)}/plan-request/${encodeURIComponent(customerId)}?t=${linkToken('plan-request', customerId, secret)}`;
}
