/**
 * `npm run screenshots` — the README's pictures of the customer portal, taken from the real thing: starts a fresh
 * in-memory local stack (with a sample brand and a Stripe stand-in), seeds a customer with a realistic account, signs
 * in as they do (the sign-in form, the link from the mail in the SES inbox) in Debian's Chromium, and saves PNGs to
 * docs/screenshots/: the overview (desktop and phone), an invoice, paying several invoices (the selection), and a
 * reminder mail as a phone shows it; and the staff console (a member of staff signs in the same way): the worklist
 * (desktop and phone) and a customer's page.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { addDays } from '../shared/domain/dates.ts';
import { startChildStack } from './child-stack.ts';
import { launchChromium } from './chromium.ts';
import { loadConfig } from './config.ts';
import { startStripeStandIn } from './stripe-stand-in.ts';
import { StackDriver } from './time-travel.ts';

const OUT = join('docs', 'screenshots');
const MAX_BYTES = 300 * 1024;
const log = (line: string) => process.stdout.write(`${line}\n`);

const BRAND = {
  companyName: 'Nordlicht Werkstätten GmbH',
  primaryColour: '#0f5e73',
  supportEmail: 'accounts@nordlicht.example',
  supportPhone: '+49 30 1234 5678',
  logo: {
    svg: '<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28" viewBox="0 0 28 28" role="img" aria-label="Nordlicht"><rect width="28" height="28" rx="6" fill="#0f5e73"/><path d="M7 20V8l7 8 7-8v12" fill="none" stroke="#fff" stroke-width="2.5" stroke-linejoin="round"/></svg>',
  },
};

const desktop: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, locale: 'en-GB' };
const phone: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, locale: 'en-GB' };

async function save(page: Page, name: string, fullPage = true): Promise<void> {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage });
  const { size } = await stat(path);
  log(`  ${path}  ${(size / 1024).toFixed(0)} KB`);
  if (size > MAX_BYTES) throw new Error(`${path} is ${(size / 1024).toFixed(0)} KB, over the 300 KB the README allows`);
}

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// `npm run screenshots -- console` (or `portal`) takes only that part's pictures; without an argument, all of them.
const parts = process.argv.slice(2);
const want = (part: 'portal' | 'console') => parts.length === 0 || parts.includes(part);

const config = loadConfig([]);
log('Starting a fresh in-memory local stack for the screenshots…');
const stripe = await startStripeStandIn();
const child = await startChildStack({
  name: 'screenshots',
  tableName: 'collections-screenshots',
  secrets: config.secrets,
  env: { STRIPE_API_BASE: stripe.url, BRANDING: JSON.stringify(BRAND) },
});
const driver = new StackDriver(child.info);
const browser = await launchChromium();
try {
  await mkdir(OUT, { recursive: true });
  const today = new Date().toISOString().slice(0, 10);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await driver.api(method, path, body);
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };

  // A small business customer with an account that has a history: paid, overdue, due soon, not yet due.
  const customer = await api('POST', '/customers', {
    name: 'Clara Hoffmann',
    email: 'clara.hoffmann@example.com',
    locale: 'en-GB',
    timeZone: 'Europe/Berlin',
    currency: 'EUR',
    terms: { netDays: 30 },
  });
  const invoice = (amount: number, issued: number, due: number) =>
    api('POST', '/invoices', { customerId: customer.id, currency: 'EUR', amount, issueDate: addDays(today, issued), dueDate: addDays(today, due) });
  const paid = await invoice(86_000, -75, -45);
  const overdue = await invoice(142_800, -40, -10);
  const older = await invoice(39_450, -33, -3);
  const soon = await invoice(61_200, -20, 10);
  await invoice(24_990, -5, 25);
  await api('POST', '/payments', { customerId: customer.id, method: 'bank_transfer', reference: paid.paymentReference, amount: 86_000, currency: 'EUR', receivedDate: addDays(today, -44) });
  log(`Seeded ${customer.name}: 5 invoices (${[paid, overdue, older, soon].map((i: { number: string }) => i.number).join(', ')}, …), one paid.`);

  // The reminder the customer gets three days after the older invoice's due date (business hours in Berlin, a weekday).
  let sweep = today;
  while ([0, 6].includes(new Date(`${sweep}T12:00:00Z`).getUTCDay())) sweep = addDays(sweep, 1);
  await driver.fire('reminders', `${sweep}T09:00:00Z`);
  const reminder = (await driver.mails(customer.email)).find((m) => m.body.html && /remind|overdue|due/i.test(m.subject));

  const base = child.info.apiUrl.replace('127.0.0.1', 'localhost');
  const signIn = async (page: Page) => {
    const known = (await driver.mails(customer.email)).length;
    await page.goto(`${base}/portal/login`);
    await page.locator('input[name="email"]').fill(customer.email);
    await Promise.all([page.waitForURL(/\/portal\/login/), page.locator('form[action="/portal/login"] button[type="submit"]').click()]);
    const link = await until(async () => {
      const mails = (await driver.mails(customer.email)).slice(known);
      const href = mails.map((m) => /href="([^"]*\/portal\/session\?[^"]+)"/.exec(m.body.html)?.[1]).find(Boolean);
      return href?.replace(/&amp;/g, '&');
    }, 'the sign-in mail');
    await page.goto(link);
    await Promise.all([page.waitForURL(/\/portal$/), page.locator('form[action="/portal/session"] button[type="submit"]').click()]);
  };

  if (want('portal')) {
    log('Taking screenshots:');
    const wide = await browser.newContext(desktop);
    const page = await wide.newPage();
    await signIn(page);
    await save(page, 'portal-overview-desktop');
    await page.goto(`${base}/portal/invoices/${overdue.id}`);
    await save(page, 'portal-invoice-desktop');
    await page.goto(`${base}/portal/invoices`);
    for (const inv of [overdue, older]) await page.locator(`input[name="invoiceIds"][value="${inv.id}"]`).check();
    await save(page, 'portal-pay-several-desktop');
    await wide.close();

    const narrow = await browser.newContext(phone);
    const small = await narrow.newPage();
    await signIn(small);
    await save(small, 'portal-overview-phone');
    if (reminder) {
      await small.goto('about:blank');
      await small.setContent(reminder.body.html, { waitUntil: 'load' });
      await save(small, 'reminder-mail-phone');
    } else {
      log('  (no reminder mail was sent: reminder-mail-phone.png not taken)');
      process.exitCode = 1;
    }
    await narrow.close();
  }

  if (want('console')) {
    // The staff console: a collector's worklist (Clara and two more customers, predicted by the nightly insights
    // run) and Clara's page, signed in as staff do (the sign-in form, the link from the mail).
    const more = async (name: string, email: string, invoices: [amount: number, issued: number, due: number][]) => {
      const c = await api('POST', '/customers', { name, email, locale: 'en-GB', timeZone: 'Europe/Berlin', currency: 'EUR', terms: { netDays: 30 } });
      for (const [amount, issued, due] of invoices) {
        await api('POST', '/invoices', { customerId: c.id, currency: 'EUR', amount, issueDate: addDays(today, issued), dueDate: addDays(today, due) });
      }
    };
    await more('Brandt Logistik GmbH', 'ap@brandt-logistik.example', [[412_500, -95, -65], [96_000, -50, -20], [54_300, -10, 20]]);
    await more('Café Morgenrot', 'kasse@morgenrot.example', [[18_750, -32, -2]]);
    await driver.fire('insights', new Date());
    const staff = { email: 'jonas.weber@nordlicht.example', name: 'Jonas Weber', role: 'collector' };
    await api('POST', '/staff', staff);
    const staffSignIn = async (page: Page) => {
      const known = (await driver.mails(staff.email)).length;
      await page.goto(`${base}/console/login`);
      await page.locator('input[name="email"]').fill(staff.email);
      await Promise.all([page.waitForURL(/\/console\/login/), page.locator('form[action="/console/login"] button[type="submit"]').click()]);
      const link = await until(async () => {
        const mails = (await driver.mails(staff.email)).slice(known);
        const href = mails.map((m) => /href="([^"]*\/console\/session\?[^"]+)"/.exec(m.body.html)?.[1]).find(Boolean);
        return href?.replace(/&amp;/g, '&');
      }, 'the console sign-in mail');
      await page.goto(link);
      await Promise.all([page.waitForURL(/\/console$/), page.locator('form[action="/console/session"] button[type="submit"]').click()]);
    };
    for (const [device, options] of [['desktop', desktop], ['phone', phone]] as const) {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      await staffSignIn(page);
      // On the phone, the first screen: the counters and the top of the worklist (the whole page is over the size limit).
      await save(page, `console-home-${device}`, device === 'desktop');
      await page.goto(`${base}/console/customers/${customer.id}`);
      // The customer's page is long: on the phone, the first screen.
      await save(page, `console-customer-${device}`, device === 'desktop');
      await context.close();
    }
  }
} finally {
  await browser.close();
  driver.close();
  await child.stop();
  await stripe.stop();
}
