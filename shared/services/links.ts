/**
 * Signed customer links (see domain/links.ts for the token): signing the links our mails carry, opening a link
 * (signature → the customer's link version → expiry), revoking a customer's links, and mailing a fresh link.
 */
import type { Customer } from '../domain/customer.ts';
import type { Invoice } from '../domain/invoice.ts';
import {
  checkLinkToken,
  feedbackLinks,
  issueLinkToken,
  LINK_PURPOSES,
  linkExpiry,
  linkState,
  linkUrl,
  type LinkKeys,
  type LinkPurpose,
  type LinkTarget,
} from '../domain/links.ts';
import { renderFreshLinkMail } from '../domain/link-pages.ts';
import { getSecret } from '../adapters/secrets.ts';
import { NotFound } from './errors.ts';
import { bumpLinkVersion, getCustomer } from '../store/customers.ts';
import { getInvoice } from '../store/invoices.ts';
import { latestMail, newMail, putMail } from '../store/mail.ts';
import { branding, publicBaseUrl } from '../config/runtime.ts';
import { deliverSoon } from './outbox.ts';

/**
 * The key ring. `v1` is `LINK_SIGNING_SECRET`. To rotate: add the new secret under `v2`, make it current, and keep
 * `v1` in the ring for the longest link lifetime (60 days) so links already mailed keep working until they expire.
 */
export async function linkKeys(): Promise<LinkKeys> {
  return { current: 'v1', secrets: { v1: await getSecret('LINK_SIGNING_SECRET') } };
}

/** Who a link is issued to: the customer id and their current link version (absent = 0). */
export type LinkHolder = Pick<Customer, 'id' | 'linkVersion'>;

/** Signs the links our mails carry, issued at `now` (the mail's time), with the public base URL. */
export interface LinkSigner {
  pay(customer: LinkHolder, invoiceId: string): string;
  /** One link per rating 1–5 for a context (`payment:<id>`, `plan:<id>`); each opens the rating form. */
  feedback(customer: LinkHolder, context: string): string[];
  preferences(customer: LinkHolder): string;
  planRequest(customer: LinkHolder): string;
  /** "View your account": signs the customer in to the portal (30 days, revocable with the customer's other links). */
  portal(customer: LinkHolder): string;
  /** Any link, for a target (the fresh link). */
  link(customer: LinkHolder, target: LinkTarget): string;
}

export async function linkSigner(now: Date): Promise<LinkSigner> {
  const keys = await linkKeys();
  const base = publicBaseUrl();
  const token = (customer: LinkHolder, target: LinkTarget) => issueLinkToken(keys, target, customer.linkVersion ?? 0, now);
  const link = (customer: LinkHolder, target: LinkTarget) => linkUrl(base, target, token(customer, target));
  return {
    pay: (customer, invoiceId) => link(customer, { purpose: 'pay', id: invoiceId }),
    feedback: (customer, context) => feedbackLinks(base, customer.id, context, token(customer, { purpose: 'feedback', id: customer.id, context })),
    preferences: (customer) => link(customer, { purpose: 'preferences', id: customer.id }),
    planRequest: (customer) => link(customer, { purpose: 'plan-request', id: customer.id }),
    portal: (customer) => link(customer, { purpose: 'portal', id: customer.id }),
    link,
  };
}

/**
 * A link that does not open (a use-case error; the HTTP edge renders the page): `invalid` (not signed by us, or
 * not for this target), `expired`, `revoked`. Expired and revoked links carry their target, token and the customer's
 * language, for the page that offers a fresh link.
 */
export class LinkRefused extends Error {
  constructor(
    readonly state: 'invalid' | 'expired' | 'revoked',
    readonly locale?: string,
    readonly target?: LinkTarget,
    readonly token?: string,
  ) {
    super(`link ${state}`);
  }
}

function refuseUnlessValid(customer: Customer, target: LinkTarget, token: string, check: ReturnType<typeof checkLinkToken>): void {
  const state = linkState(check, customer.linkVersion ?? 0);
  if (state === 'valid') return;
  if (state === 'invalid') throw new LinkRefused('invalid', customer.locale);
  throw new LinkRefused(state, customer.locale, target, token);
}

/** Opens a customer link (feedback, preferences, plan request): the customer, if the token is valid now. */
export async function openCustomerLink(target: LinkTarget, token: string | undefined, now: Date): Promise<Customer> {
  const check = checkLinkToken(await linkKeys(), target, token, now);
  if (!check.authentic) throw new LinkRefused('invalid');
  const customer = await getCustomer(target.id);
  if (!customer) throw new NotFound('no such customer');
  refuseUnlessValid(customer, target, token as string, check);
  return customer;
}

/** Opens a pay link: the invoice and its customer, if the token is valid now. */
export async function openPayLink(invoiceId: string, token: string | undefined, now: Date): Promise<{ invoice: Invoice; customer: Customer }> {
  const target: LinkTarget = { purpose: 'pay', id: invoiceId };
  const check = checkLinkToken(await linkKeys(), target, token, now);
  if (!check.authentic) throw new LinkRefused('invalid');
  const invoice = await getInvoice(invoiceId);
  if (!invoice) throw new NotFound(`invoice ${invoiceId} not found`);
  const customer = await getCustomer(invoice.customerId);
  if (!customer) throw new NotFound(`invoice ${invoiceId} not found`);
  refuseUnlessValid(customer, target, token as string, check);
  return { invoice, customer };
}

/** Revokes every link issued to the customer so far (their next mails carry links of the new version). */
export async function revokeLinks(customerId: string): Promise<{ customerId: string; linkVersion: number }> {
  const linkVersion = await bumpLinkVersion(customerId);
  if (linkVersion === undefined) throw new NotFound(`customer ${customerId} not found`);
  return { customerId, linkVersion };
}

/** At most one fresh-link mail per customer in this window. */
export const FRESH_LINK_INTERVAL_MS = 10 * 60_000;
const FRESH_KEY = 'fresh_link#';

export type FreshLinkOutcome = 'sent' | 'not_authentic' | 'unknown' | 'suppressed' | 'rate_limited' | 'exists';

/**
 * Mails a fresh link for the target of an authentic link (expired, revoked, an old-format one — or a valid one) to
 * the customer's address on file. At most one per customer per 10 minutes: the last fresh-link mail is checked and
 * the mail key names the 10-minute window (so two requests in one window write one mail). The caller answers the
 * same whatever the outcome.
 */
export async function sendFreshLink(form: { p?: string | null; id?: string | null; c?: string | null; t?: string | null }, now: Date): Promise<{ outcome: FreshLinkOutcome; locale?: string }> {
  const purpose = form.p as LinkPurpose;
  if (!LINK_PURPOSES.includes(purpose) || !form.id || !form.t || form.id.length > 200 || (form.c ?? '').length > 200) return { outcome: 'not_authentic' };
  const target: LinkTarget = purpose === 'feedback' ? { purpose, id: form.id, context: form.c ?? '' } : { purpose, id: form.id };
  const check = checkLinkToken(await linkKeys(), target, form.t, now);
  if (!check.authentic) return { outcome: 'not_authentic' };
  const customerId = purpose === 'pay' ? (await getInvoice(form.id))?.customerId : form.id;
  const customer = customerId ? await getCustomer(customerId) : undefined;
  if (!customer) return { outcome: 'unknown' };
  if (customer.mailSuppressed) return { outcome: 'suppressed', locale: customer.locale };
  const last = await latestMail(customer.id, FRESH_KEY);
  if (last && now.getTime() - new Date(last.createdAt).getTime() < FRESH_LINK_INTERVAL_MS) return { outcome: 'rate_limited', locale: customer.locale };
  const window = Math.floor(now.getTime() / FRESH_LINK_INTERVAL_MS);
  const key = `${FRESH_KEY}${String(window).padStart(12, '0')}`;
  const link = (await linkSigner(now)).link(customer, target);
  const rendered = renderFreshLinkMail({ customerName: customer.name, locale: customer.locale, timeZone: customer.timeZone, purpose, link, expiresAt: linkExpiry(purpose, now), brand: branding() });
  if (!(await putMail(newMail(customer, key, `fresh_link:${purpose}`, rendered, now)))) return { outcome: 'exists', locale: customer.locale };
  await deliverSoon({ customerId: customer.id, key }, now); // a failed send stays pending: the outbox retries it
  return { outcome: 'sent', locale: customer.locale };
}
