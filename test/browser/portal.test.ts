/**
 * A customer's journeys through the portal in Chromium, on the suite's local stack: sign in from the mailed link,
 * see the overview, pay two invoices together (Stripe Checkout, then the `checkout.session.completed` Stripe would
 * send), dispute one, change the language to German, sign out; the same pages on a 360 px phone; sign-in and pay with
 * JavaScript off. Every page: axe-core (no serious or critical violation), no sideways scrolling, a screenshot
 * (test-artifacts/screenshots/).
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { de } from '../../shared/domain/i18n/de.ts';
import { checkPage, newContext, screenshot, useBrowser, type Device } from '../support/browser.ts';
import { api, newCustomer, newInvoice, sendStripe, sentMail, stack } from '../support/stack.ts';
import { signedLink } from '../support/links.ts';
import { completedEventFor, continueFromLink, portalBase, signInByMail, until } from './portal-steps.ts';

const chromium = useBrowser();
const base = portalBase(stack.apiUrl);
const standIn = inject('stripeStandInUrl');

/** A customer with several open invoices in EUR (two overdue, one due next month). */
async function customerWithInvoices(name: string) {
  const customer = await newCustomer({ name, locale: 'en-GB', timeZone: 'Europe/Berlin', currency: 'EUR' });
  const a = await newInvoice(customer.id, { amount: 120_000, issueDate: '2026-09-01', dueDate: '2026-10-01' });
  const b = await newInvoice(customer.id, { amount: 48_050, issueDate: '2026-10-01', dueDate: '2026-10-31' });
  const c = await newInvoice(customer.id, { amount: 9_900, issueDate: '2026-11-15', dueDate: '2027-01-15' });
  return { customer, a, b, c };
}

const mailsTo = (email: string) => () => sentMail(email);

/** The "View your account" link every mail carries (signed as the mails sign it; not rate-limited like the form). */
const accountLink = (customerId: string) => signedLink({ purpose: 'portal', id: customerId }, { base });

async function open(page: Page, path: string, name: string, check: (page: Page, name: string) => Promise<void>) {
  const res = await page.goto(`${base}${path}`);
  expect(res?.status(), `${path} answers`).toBe(200);
  await check(page, name);
}

async function invoiceStatus(id: string): Promise<{ status: string; balanceDue: number; dispute?: { reasonCode?: string } }> {
  return (await api('GET', `/invoices/${id}`)).body;
}

describe('a customer in the portal, on a desktop', () => {
  it('signs in from the mailed link, pays two invoices together, disputes one, switches to German and signs out', async () => {
    const { customer, a, b, c } = await customerWithInvoices('Margarete Steiff');
    const context = await newContext(chromium.browser, 'desktop');
    const check = (page: Page, name: string) => checkPage(page, `portal-${name}-desktop`);
    try {
      const page = await context.newPage();
      await signInByMail(page, { base, email: customer.email, mails: mailsTo(customer.email), check });

      // The overview: the balance (three open invoices, €1,779.50) and what is overdue.
      await check(page, 'overview');
      expect(await page.textContent('main')).toContain('1,779.50');
      await open(page, '/portal/invoices', 'invoices', check);
      for (const inv of [a, b, c]) expect(await page.textContent('main')).toContain(inv.number);
      await open(page, `/portal/invoices/${a.id}`, 'invoice', check);
      await open(page, '/portal/payments', 'payments', check);

      // Pay two together: both boxes, one button → Stripe Checkout for their balances.
      await page.goto(`${base}/portal/invoices`);
      await page.locator(`input[name="invoiceIds"][value="${a.id}"]`).check();
      await page.locator(`input[name="invoiceIds"][value="${b.id}"]`).check();
      await screenshot(page, 'portal-pay-selection-desktop');
      await Promise.all([page.waitForURL(/\/c\/pay\//), page.locator('form[action="/portal/pay"] button[type="submit"]').first().click()]);
      const { session, payload } = await completedEventFor(standIn, page.url());
      expect(session.amount_total).toBe(120_000 + 48_050);
      expect(session.metadata.invoice_ids?.split(',').sort()).toEqual([a.id, b.id].sort());
      // The customer pays; Stripe sends the event (signed) and the portal shows both paid.
      expect((await sendStripe(payload)).status).toBe(200);
      for (const inv of [a, b]) {
        await until(async () => {
          await page.goto(`${base}/portal/invoices/${inv.id}`);
          return (await page.locator('.badge-paid').count()) > 0;
        }, `invoice ${inv.number} shown as paid`);
        expect((await invoiceStatus(inv.id)).status).toBe('paid');
      }
      await check(page, 'invoice-paid');
      await page.goto(`${base}/portal/payments`);
      await screenshot(page, 'portal-payments-after-desktop');
      expect(await page.textContent('main')).toContain('1,680.50');

      // Dispute the third: a reason code and a message; the invoice shows it disputed.
      await page.goto(`${base}/portal/invoices/${c.id}`);
      await page.locator('select[name="reason"]').selectOption('wrong_amount');
      await page.locator('textarea[name="message"]').fill('The quantity on line 1 should be 2, not 3.');
      await Promise.all([page.waitForURL(/notice=dispute_opened/), page.locator('form[action$="/disputes"] button[type="submit"]').click()]);
      await check(page, 'invoice-disputed');
      expect(await page.locator('.badge-disputed').count()).toBeGreaterThan(0);
      expect((await invoiceStatus(c.id)).dispute?.reasonCode).toBe('wrong_amount');

      // German: the preferences form; the next page speaks German.
      await open(page, '/portal/preferences', 'preferences', check);
      const german = await page.locator('select[name="locale"] option[value^="de"]').first().getAttribute('value');
      await page.locator('select[name="locale"]').selectOption(german as string);
      await Promise.all([page.waitForNavigation(), page.locator('form[action="/portal/preferences"] button[type="submit"]').click()]);
      await open(page, '/portal', 'overview-de', check);
      expect(await page.getAttribute('html', 'lang')).toMatch(/^de/);
      expect(await page.textContent('nav')).toContain(de.messages['portal.nav.overview']);
      expect(await page.textContent('main')).toContain('99,00'); // the disputed invoice's balance, German style

      // Sign out: the session ends; the portal asks to sign in again.
      await Promise.all([page.waitForNavigation(), page.locator('form[action="/portal/logout"] button[type="submit"]').click()]);
      await check(page, 'signed-out');
      await page.goto(`${base}/portal`);
      expect(new URL(page.url()).pathname).toBe('/portal/login');
    } finally {
      await context.close();
    }
  }, 240_000);
});

/** Every main page on the 360 px phone; the overview and the invoices on a 390 px one too. */
const PHONE_PAGES = (invoiceId: string) =>
  [
    ['/portal/invoices', 'invoices'],
    [`/portal/invoices/${invoiceId}`, 'invoice'],
    ['/portal/payments', 'payments'],
    ['/portal/statement', 'statement'],
    ['/portal/preferences', 'preferences'],
    ['/portal/plan-request', 'plan-request'],
    ['/portal/messages', 'messages'],
    ['/portal/feedback', 'feedback'],
  ] as const;

describe.each<[Device, number]>([
  ['phone', PHONE_PAGES('').length],
  ['phone-390', 2],
])('the portal on a %s', (device, count) => {
  it('the main pages are accessible and fit the screen', async () => {
    const { customer, a } = await customerWithInvoices('Käthe Kruse');
    const context = await newContext(chromium.browser, device);
    const check = (page: Page, name: string) => checkPage(page, `portal-${name}-${device}`);
    try {
      const page = await context.newPage();
      await continueFromLink(page, accountLink(customer.id), check);
      await check(page, 'overview');
      for (const [path, name] of PHONE_PAGES(a.id).slice(0, count)) await open(page, path, name, check);
    } finally {
      await context.close();
    }
  }, 180_000);
});

describe('the portal without JavaScript', () => {
  it('signs in and pays an invoice with plain forms', async () => {
    const { customer, b } = await customerWithInvoices('Emil Berliner');
    const context = await newContext(chromium.browser, 'phone', { javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      // axe needs script: the pages are the ones checked above; here only that the forms work.
      const shot = (p: Page, name: string) => screenshot(p, `portal-nojs-${name}`).then(() => undefined);
      await signInByMail(page, { base, email: customer.email, mails: mailsTo(customer.email), check: shot });
      await page.goto(`${base}/portal/invoices`);
      await page.locator(`input[name="invoiceIds"][value="${b.id}"]`).check();
      await Promise.all([page.waitForURL(/\/c\/pay\//), page.locator('form[action="/portal/pay"] button[type="submit"]').first().click()]);
      const { session } = await completedEventFor(standIn, page.url());
      expect(session.metadata.invoice_ids ?? session.metadata.invoice_id).toBe(b.id);
      expect(session.amount_total).toBe(48_050);
    } finally {
      await context.close();
    }
  }, 120_000);
});
