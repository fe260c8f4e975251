/**
 * Signing in to the customer portal: the sign-in mail (one-time links, rate-limited), opening a session from a
 * mailed link (a one-time sign-in link or a "View your account" link), finding the live session of a request, and
 * ending it. Tokens and cookies never reach a log line: sessions are known by the SHA-256 of their token.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Customer } from '../domain/customer.ts';
import { linkState, checkLinkToken } from '../domain/links.ts';
import {
  checkLoginToken,
  isLoginToken,
  LOGIN_MAILS_PER_ADDRESS,
  LOGIN_MAX_ACCOUNTS,
  LOGIN_REQUESTS_PER_CLIENT,
  LOGIN_TOKEN_LIFETIME_MS,
  LOGIN_WINDOW_MS,
  nextIdleExpiry,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  sessionLive,
  signLoginToken,
  touchDue,
} from '../domain/portal/session-rules.ts';
import { renderLoginMail } from '../domain/portal/login-mail.ts';
import { branding, publicBaseUrl } from '../config/runtime.ts';
import { customersByEmail, getCustomer } from '../store/customers.ts';
import { newMail, putMail } from '../store/mail.ts';
import { countHit, deleteSession, getSession, putLoginToken, putSession, spendLoginToken, touchSession, type PortalSession } from '../store/sessions.ts';
import { isSuppressed, normaliseAddress } from '../store/suppression.ts';
import { linkKeys } from './links.ts';
import { deliverSoon } from './outbox.ts';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const randomToken = () => randomBytes(32).toString('base64url');

export type SignInOutcome = 'sent' | 'unknown' | 'suppressed' | 'address_limited' | 'client_limited';

/**
 * `POST /portal/login`: mails one-time sign-in links to the accounts of a known address. The caller answers the same
 * page whatever the outcome, except `client_limited` (429: one client asking too often, whatever the address).
 * Several customers sharing the address get one mail with a sign-in button per account (at most LOGIN_MAX_ACCOUNTS);
 * the mail is kept in the first account's communication history.
 */
export async function requestSignIn(email: string, clientIp: string, now: Date): Promise<SignInOutcome> {
  if ((await countHit(`login-client#${sha256(clientIp)}`, LOGIN_WINDOW_MS, now)) > LOGIN_REQUESTS_PER_CLIENT) return 'client_limited';
  const address = normaliseAddress(email);
  if ((await countHit(`login-address#${sha256(address)}`, LOGIN_WINDOW_MS, now)) > LOGIN_MAILS_PER_ADDRESS) return 'address_limited';
  const accounts = (await customersByEmail(address, LOGIN_MAX_ACCOUNTS)).filter((c) => !c.mailSuppressed);
  if (accounts.length === 0) return 'unknown';
  if (await isSuppressed(address)) return 'suppressed';
  const keys = await linkKeys();
  const base = publicBaseUrl().replace(/\/+$/, '');
  const links: { customer: Customer; href: string }[] = [];
  for (const customer of accounts) {
    const nonce = randomToken();
    await putLoginToken(sha256(nonce), {
      customerId: customer.id,
      linkVersion: customer.linkVersion ?? 0,
      issuedAt: now.toISOString(),
      validUntil: new Date(now.getTime() + LOGIN_TOKEN_LIFETIME_MS).toISOString(),
    });
    const token = signLoginToken(keys, customer.id, nonce, now);
    links.push({ customer, href: `${base}/portal/session?c=${encodeURIComponent(customer.id)}&t=${encodeURIComponent(token)}` });
  }
  const first = accounts[0] as Customer;
  const rendered = renderLoginMail({
    locale: first.locale,
    timeZone: first.timeZone,
    customerName: first.name,
    accounts: links.map((l) => ({ name: l.customer.name, href: l.href })),
    expiresAt: new Date(now.getTime() + LOGIN_TOKEN_LIFETIME_MS),
    brand: branding(),
  });
  const key = `portal_login#${now.toISOString()}#${randomBytes(4).toString('hex')}`;
  await putMail(newMail(first, key, 'portal_login', rendered, now));
  await deliverSoon({ customerId: first.id, key }, now);
  return 'sent';
}

/** Why a mailed link did not open a session (the edge renders the page: expired/used 410, revoked/invalid 403). */
export class SignInRefused extends Error {
  constructor(
    readonly state: 'invalid' | 'expired' | 'used' | 'revoked',
    readonly locale?: string,
  ) {
    super(`sign-in link ${state}`);
  }
}

/**
 * Checks a mailed link without spending anything (the one-button page of `GET /portal/session`): the customer it
 * is for, or SignInRefused. A one-time link already spent is only found out by the POST.
 */
export async function checkSignInLink(customerId: string, token: string, now: Date): Promise<Customer> {
  if (!customerId || !token || customerId.length > 200 || token.length > 400) throw new SignInRefused('invalid');
  const keys = await linkKeys();
  if (isLoginToken(token)) {
    const check = checkLoginToken(keys, customerId, token, now);
    if (check.state === 'invalid') throw new SignInRefused('invalid');
    const customer = await getCustomer(customerId);
    if (!customer) throw new SignInRefused('invalid');
    if (check.state === 'expired') throw new SignInRefused('expired', customer.locale);
    return customer;
  }
  const check = checkLinkToken(keys, { purpose: 'portal', id: customerId }, token, now);
  if (!check.authentic) throw new SignInRefused('invalid');
  const customer = await getCustomer(customerId);
  if (!customer) throw new SignInRefused('invalid');
  const state = linkState(check, customer.linkVersion ?? 0);
  if (state !== 'valid') throw new SignInRefused(state, customer.locale);
  return customer;
}

/**
 * `POST /portal/session`: spends a one-time sign-in link (a conditional delete: it works once) or accepts a "View
 * your account" link (reusable until it expires or the customer's links are revoked), and starts a session. The
 * cookie token is returned once, to be set; only its SHA-256 is stored.
 */
export async function startSession(customerId: string, token: string, now: Date): Promise<{ token: string; session: PortalSession; customer: Customer }> {
  const customer = await checkSignInLink(customerId, token, now);
  if (isLoginToken(token)) {
    const check = checkLoginToken(await linkKeys(), customerId, token, now);
    if (check.state !== 'valid') throw new SignInRefused('invalid', customer.locale);
    const record = await spendLoginToken(sha256(check.nonce), customerId);
    if (!record) throw new SignInRefused('used', customer.locale);
    if (record.linkVersion !== (customer.linkVersion ?? 0)) throw new SignInRefused('revoked', customer.locale);
  }
  const cookieToken = randomToken();
  const session: PortalSession = {
    id: sha256(cookieToken),
    customerId: customer.id,
    csrf: randomToken(),
    linkVersion: customer.linkVersion ?? 0,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    idleUntil: new Date(now.getTime() + SESSION_IDLE_MS).toISOString(),
    absoluteUntil: new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString(),
  };
  await putSession(session);
  return { token: cookieToken, session, customer };
}

/**
 * The live session a cookie token stands for, with its customer: undefined when unknown, past its idle or absolute
 * expiry, or revoked (the customer's link version moved since it began). Moves the idle expiry at most once a minute.
 */
export async function sessionOf(cookieToken: string | undefined, now: Date): Promise<{ session: PortalSession; customer: Customer } | undefined> {
  if (!cookieToken) return undefined;
  const session = await getSession(sha256(cookieToken));
  if (!session || !sessionLive(session, now)) return undefined;
  const customer = await getCustomer(session.customerId);
  if (!customer || (customer.linkVersion ?? 0) !== session.linkVersion) return undefined;
  if (touchDue(session, now)) {
    const idleUntil = nextIdleExpiry(session, now);
    if (!(await touchSession(session, now, idleUntil))) return undefined;
    return { session: { ...session, lastSeenAt: now.toISOString(), idleUntil }, customer };
  }
  return { session, customer };
}

/** `POST /portal/logout`: the session item is deleted (the cookie is cleared by the edge). */
export async function endSession(sessionId: string): Promise<void> {
  await deleteSession(sessionId);
}
