/**
 * The staff console in Chromium, on the suite's local stack: a collector signs in as staff do (the sign-in form, the
 * link from the mail in the SES inbox, the one-button page), reads the worklist's figures, walks the console's pages on
 * a desktop (1280 px) and on a 360 px phone (the same session), and signs out. Every page: no sideways scrolling,
 * nothing in the browser's console (a CSP violation — an inline style, a script — is logged there as an error), a
 * screenshot (test-artifacts/screenshots/console-*); axe-core (no serious or critical violation) once per page, on the
 * desktop, and on the phone for the worklist (see `visit`). The data is this file's own: the worklist's customers bill
 * in NOK (no other test file does, so the NOK worklist is this file's), the casework customer in EUR.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../shared/domain/dates.ts';
import { formatMoney } from '../../shared/domain/money.ts';
import type { InvoicePrediction } from '../../shared/domain/prediction/types.ts';
import { keys } from '../../shared/store/keys.ts';
import { checkPage, expectAccessible, expectNoHorizontalScroll, newContext, screenshot, useBrowser, type Device } from '../support/browser.ts';
import { newStaffMember } from '../support/console.ts';
import { signIn as portalSignIn } from '../support/portal.ts';
import { api, eventually, newCustomer, newInvoice, sentMail, stack, unique } from '../support/stack.ts';
import { portalBase, until } from './portal-steps.ts';

const chromium = useBrowser();
// The mailed links point at the stack's public base URL (localhost: the session cookie is not Secure there).
const base = portalBase(stack.apiUrl);
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
const nok = (amount: number) => formatMoney({ amount, currency: 'NOK' }, 'en-GB');

/** What the nightly insights run writes onto an open invoice (shared/store/insights.ts): the page shows its band and date. */
async function predict(invoiceId: string, p: Pick<InvoicePrediction, 'riskBand' | 'lateProbability' | 'expectedPaymentDate' | 'factors'>, today: string) {
  const prediction: InvoicePrediction = { ...p, factorCodes: [], asOf: today, modelVersion: 'test', cdf: { days: [0, 30, 60], p: [0.1, 0.4, 0.8] } };
  await db.send(new UpdateCommand({ TableName: stack.tableName, Key: keys.invoice(invoiceId), UpdateExpression: 'SET prediction = :p', ExpressionAttributeValues: { ':p': prediction } }));
}

/** Two NOK customers: one far overdue and predicted high risk (a call), one a little overdue (the reminders run). */
async function worklistCustomers() {
  const today = new Date().toISOString().slice(0, 10);
  const fjord = await newCustomer({ name: 'Fjordhandel AS', currency: 'NOK', locale: 'en-GB', timeZone: 'Europe/Oslo' });
  const old = await newInvoice(fjord.id, { currency: 'NOK', amount: 1_250_000, issueDate: addDays(today, -90), dueDate: addDays(today, -60) });
  await newInvoice(fjord.id, { currency: 'NOK', amount: 340_000, issueDate: addDays(today, -10), dueDate: addDays(today, 20) });
  await predict(old.id, { riskBand: 'high', lateProbability: 0.8, expectedPaymentDate: addDays(today, 45), factors: ['usually pays 40 days late'] }, today);
  const bryggen = await newCustomer({ name: 'Bryggen Kaffe', currency: 'NOK', locale: 'en-GB', timeZone: 'Europe/Oslo' });
  await newInvoice(bryggen.id, { currency: 'NOK', amount: 89_900, issueDate: addDays(today, -40), dueDate: addDays(today, -5) });
  return { fjord, old, bryggen, expectedPaymentDate: addDays(today, 45) };
}

/** Casework of a customer of its own (EUR, off the NOK worklist): a question and a plan request from the portal. */
async function casework() {
  const customer = await newCustomer({ name: 'Kari Nordmann', locale: 'en-GB', timeZone: 'Europe/Oslo' });
  const invoice = await newInvoice(customer.id, { amount: 120_000 });
  const { client, csrf } = await portalSignIn(customer.email);
  const subject = unique('Invoice address');
  expect((await client.post('/portal/messages', { csrf, subject, message: 'Please send invoices to our new address.', invoiceId: invoice.id })).status).toBe(303);
  // Twelve monthly instalments is outside the policy: the plan waits for staff's approval.
  expect((await client.post('/portal/plan-request', { csrf, invoiceId: invoice.id, instalments: '12', frequency: 'monthly' })).status).toBe(200);
  const questionId = await eventually(async () => {
    const listed = (await api('GET', '/support-requests?status=open&limit=100')).body.items as { id: string; customerId: string }[];
    return listed.find((q) => q.customerId === customer.id)?.id;
  }, 8000, 'the question listed');
  const planId = await eventually(async () => {
    const mails = (await api('GET', `/customers/${customer.id}/communications`)).body.mails as { key: string }[];
    return mails.map((m) => /^plan#(plan_[^#]+)#requested$/.exec(m.key)?.[1]).find(Boolean);
  }, 8000, 'the plan request');
  // A check matching no invoice's amount: the rules leave it for a person (the payments to review).
  const check = await api('POST', '/payments', { customerId: customer.id, method: 'check', reference: unique('chk'), amount: 17_000, currency: 'EUR', receivedDate: new Date().toISOString().slice(0, 10) });
  expect(check.status, check.text).toBe(201);
  return { customerId: customer.id, questionId, planId, paymentId: check.body.id as string };
}

const signInLinkOf = (mails: { body: { html?: string } }[]) => {
  for (const mail of [...mails].reverse()) {
    const href = /href="([^"]*\/console\/session\?[^"]+)"/.exec(mail.body.html ?? '')?.[1];
    if (href) return href.replace(/&amp;/g, '&');
  }
  return undefined;
};

/** Errors the page logs (a CSP violation is one) and scripts that throw: both must stay empty. */
function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/**
 * Opens a console page (200, not a redirect to sign in), checks it and the browser's console. axe-core is most of
 * this file's time (seconds a page on a busy machine), so it runs once per page: on the desktop, and on the phone only
 * for the worklist (its table stacked into rows); every page is checked for width on the phone and screenshotted.
 */
async function visit(page: Page, errors: string[], path: string, name: string, device: Device, axe: boolean): Promise<void> {
  const res = await page.goto(`${base}${path}`);
  expect(res?.status(), `${path} answers`).toBe(200);
  expect(new URL(page.url()).pathname, `${path} is shown`).toBe(path.split('?')[0]);
  if (axe) await expectAccessible(page, `${path} (${device})`);
  await expectNoHorizontalScroll(page, `${path} (${device})`);
  await screenshot(page, `console-${name}-${device}`);
  expect(errors, `${path}: the browser's console`).toEqual([]);
}

/** Signs in through the pages: the form, the mailed link (a scanner's GET spends nothing), its one button. */
async function signIn(page: Page, errors: string[], member: { email: string; name: string }): Promise<void> {
  await page.goto(`${base}/console/login`);
  await checkPage(page, 'console-login-desktop');
  await page.locator('input[name="email"]').fill(member.email);
  await Promise.all([page.waitForURL(/\/console\/login/), page.locator('form[action="/console/login"] button[type="submit"]').click()]);
  await checkPage(page, 'console-login-sent-desktop');
  const link = await until(async () => signInLinkOf(await sentMail(member.email)), 'the console sign-in mail');
  expect((await fetch(link)).status, 'a mail scanner opens the link').toBe(200);
  expect((await page.goto(link))?.status()).toBe(200);
  expect(await page.textContent('main')).toContain(member.name);
  await checkPage(page, 'console-session-desktop');
  await Promise.all([page.waitForURL(/\/console$/), page.locator('form[action="/console/session"] button[type="submit"]').click()]);
  expect(errors, "the sign-in pages: the browser's console").toEqual([]);
}

/** The console's pages besides the home page (checked with its figures), with this file's own data. */
function consolePages(d: { fjordId: string; invoiceId: string; customerId: string; questionId: string; planId: string; paymentId: string }): [path: string, name: string][] {
  return [
    ['/console/customers', 'customers'],
    [`/console/customers/${d.fjordId}`, 'customer'],
    [`/console/invoices/${d.invoiceId}`, 'invoice'],
    ['/console/review', 'review'],
    [`/console/payments/${d.paymentId}`, 'payment'],
    ['/console/questions', 'questions'],
    [`/console/questions/${d.customerId}/${d.questionId}`, 'question'],
    ['/console/plans', 'plans'],
    [`/console/plans/${d.planId}`, 'plan'],
    ['/console/promises', 'promises'],
  ];
}

describe('the staff console', () => {
  it('a collector signs in through the browser, sees the worklist, walks the pages on a desktop and a phone, signs out', async () => {
    const [{ fjord, old, bryggen, expectedPaymentDate }, cases, member] = await Promise.all([
      worklistCustomers(),
      casework(),
      newStaffMember({ role: 'collector', name: 'Grete Innkrever' }),
    ]);
    const pages = consolePages({ ...cases, fjordId: fjord.id, invoiceId: old.id });
    const contexts: BrowserContext[] = [];
    try {
      const desktop = await newContext(chromium.browser, 'desktop');
      contexts.push(desktop);
      const page = await desktop.newPage();
      const errors = watchConsole(page);
      await signIn(page, errors, member);

      // Home: the member in the header, the counters (NOK overdue: this file's two overdue invoices).
      await visit(page, errors, '/console', 'home', 'desktop', false);
      expect(await page.textContent('header')).toContain(member.name);
      const kpis = await page.locator('.kpis').textContent();
      expect(kpis).toContain('Payments to review');
      expect(kpis).toContain('Plans to approve');
      expect(kpis).toContain(`Overdue (NOK)${nok(1_250_000 + 89_900)}of ${nok(1_250_000 + 340_000 + 89_900)} unpaid`);

      // The NOK worklist through the filter form: Fjordhandel first (more at stake, high risk, 60 days), then Bryggen.
      await page.locator('select[name="currency"]').selectOption('NOK');
      await Promise.all([page.waitForURL(/currency=NOK/), page.locator('form.inline button[type="submit"]').click()]);
      await checkPage(page, 'console-worklist-nok-desktop');
      const rows = page.locator('table.rows tbody tr');
      expect(await rows.count()).toBe(2);
      const cell = (row: number, label: string) => rows.nth(row).locator(`td[data-label="${label}"]`).textContent();
      expect(await rows.nth(0).locator('td[data-label="Customer"] a').getAttribute('href')).toBe(`/console/customers/${fjord.id}`);
      expect(await cell(0, 'Overdue')).toBe(nok(1_250_000));
      expect(await cell(0, 'Days overdue')).toBe('60');
      expect(await rows.nth(0).locator('.badge-high').textContent()).toBe('High');
      expect(await cell(0, 'Expected payment')).toContain(expectedPaymentDate);
      expect(await cell(0, 'Next action')).toContain('Call the customer');
      expect(await rows.nth(1).locator('td[data-label="Customer"] a').getAttribute('href')).toBe(`/console/customers/${bryggen.id}`);
      expect(await cell(1, 'Overdue')).toBe(nok(89_900));
      expect(await cell(1, 'Next action')).toContain('Let the reminders run');

      for (const [path, name] of pages) await visit(page, errors, path, name, 'desktop', true);

      // The same session on a 360 px phone: the worklist (rows stacked) and every page fit and read.
      const phone = await newContext(chromium.browser, 'phone', { storageState: await desktop.storageState() });
      contexts.push(phone);
      const small = await phone.newPage();
      const smallErrors = watchConsole(small);
      await visit(small, smallErrors, '/console?currency=NOK', 'worklist-nok', 'phone', true);
      for (const [path, name] of pages) await visit(small, smallErrors, path, name, 'phone', false);

      // Sign out (the header's button): the sign-in form with a notice; the session is gone on both screens.
      await Promise.all([small.waitForURL(/\/console\/login/), small.locator('form[action="/console/logout"] button[type="submit"]').click()]);
      expect(await small.locator('.notice').textContent()).toContain('signed out');
      await expectNoHorizontalScroll(small);
      await screenshot(small, 'console-signed-out-phone');
      await page.goto(`${base}/console`);
      expect(new URL(page.url()).pathname).toBe('/console/login');
      expect([...errors, ...smallErrors]).toEqual([]);
    } finally {
      for (const c of contexts) await c.close();
    }
  }, 300_000);
});
