import { feedbackLinks, planRequestLink, preferencesLink } from '../domain/links.ts';
import { payLink } from '../domain/pay-link.ts';
import { getSecret } from '../adapters/secrets.ts';
import { env } from '../topology.ts';

/** Signs the links our mails carry, with the link secret and the public base URL (read once per use). */
export interface LinkSigner {
  pay(invoiceId: string): string;
  /** One link per rating 1–5 for a context (`payment:<id>`, `plan:<id>`). */
  feedback(customerId: string, context: string): string[];
  preferences(customerId: string): string;
  planRequest(customerId: string): string;
}

export async function linkSigner(): Promise<LinkSigner> {
  const secret = await getSecret('LINK_SIGNING_SECRET');
  const base = process.env[env.publicBaseUrl] ?? '';
  return {
    pay: (invoiceId) => payLink(base, invoiceId, secret),
    feedback: (customerId, context) => feedbackLinks(base, customerId, context, secret),
    preferences: (customerId) => preferencesLink(base, customerId, secret),
    planRequest: (customerId) => planRequestLink(base, customerId, secret),
  };
}
