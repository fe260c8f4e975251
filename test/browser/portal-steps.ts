/**
 * Steps of a customer's portal journeys in the browser, shared by the browser tests (and written against the
 * portal's pages the way a customer uses them: by labels, buttons and the fields the forms post).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { completedEvent, type StandInSession } from '../../local/stripe-stand-in.ts';
import type { SesStoredMail } from '../../local/time-travel.ts';
import { eventually } from '../support/stack.ts';

/** The portal as the customer reaches it: the stack's public base URL (its mails' links point there). */
export function portalBase(apiUrl: string): string {
  return apiUrl.replace('127.0.0.1', 'localhost');
}

/** The sign-in link (`/portal/session?c=…&t=…`) in the newest mail to the customer that carries one. */
export function signInLinkOf(mails: SesStoredMail[]): string | undefined {
  for (const mail of [...mails].reverse()) {
    const href = /href="([^"]*\/portal\/session\?[^"]+)"/.exec(mail.body.html ?? '')?.[1] ?? /(https?:\/\/\S+\/portal\/session\?\S+)/.exec(mail.body.text ?? '')?.[1];
    if (href) return href.replace(/&amp;/g, '&');
  }
  return undefined;
}

/** Polls `check` until it returns a value (not undefined/false) or the deadline passes (`eventually`, with the browser steps' longer default). */
export function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  return eventually(check, timeoutMs, what);
}

/**
 * Signs in as a customer does: the sign-in form with their address, the link from the mail in the SES inbox, the
 * one-button page (opening it spends nothing), its button; lands on the overview. `check` runs on every page.
 */
export async function signInByMail(
  page: Page,
  input: {
    base: string;
    email: string;
    mails: () => Promise<SesStoredMail[]>;
    check?: (page: Page, name: string) => Promise<void>;
    /** Headers the mail scanner's GET carries too (e.g. the local stack's `x-local-time`). */
    headers?: Record<string, string>;
  },
): Promise<void> {
  const before = signInLinkOf(await input.mails());
  await page.goto(`${input.base}/portal/login`);
  await input.check?.(page, 'login');
  await page.locator('input[name="email"]').fill(input.email);
  await Promise.all([page.waitForURL(/\/portal\/login/), page.locator('form[action="/portal/login"] button[type="submit"]').click()]);
  await input.check?.(page, 'login-sent');
  const link = await until(async () => {
    const found = signInLinkOf(await input.mails());
    return found !== before && found;
  }, `the sign-in mail to the customer`);
  // A mail scanner opens the link first: that spends nothing.
  expect((await fetch(link, { headers: input.headers ?? {} })).status).toBe(200);
  await continueFromLink(page, link, input.check);
}

/** Opens a sign-in link (the mailed one, or a mail's "View your account" link) and presses its one button. */
export async function continueFromLink(page: Page, link: string, check?: (page: Page, name: string) => Promise<void>): Promise<void> {
  const res = await page.goto(link);
  expect(res?.status(), 'the sign-in link opens its page').toBe(200);
  await check?.(page, 'session');
  await Promise.all([page.waitForURL(/\/portal$/), page.locator('form[action="/portal/session"] button[type="submit"]').click()]);
}

/** What Stripe sends when the customer pays the session the portal opened (the page's URL is the session's). */
export async function completedEventFor(standInUrl: string, checkoutPageUrl: string): Promise<{ session: StandInSession; payload: string }> {
  const id = /\/c\/pay\/([\w-]+)/.exec(checkoutPageUrl)?.[1];
  if (!id) throw new Error(`not a Checkout page: ${checkoutPageUrl}`);
  const session = (await (await fetch(`${standInUrl}/v1/checkout/sessions/${id}`)).json()) as StandInSession;
  return { session, payload: completedEvent(session) };
}
