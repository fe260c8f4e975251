/**
 * The customer pages that exist without signing in, in a real browser: the pay page and a link page, on a desktop
 * and on a 360 px phone, accessible (axe-core) and without sideways scrolling; screenshots as test artifacts.
 */
import { describe, expect, it } from 'vitest';
import { checkPage, newContext, useBrowser, type Device } from '../support/browser.ts';
import { payLink, signedLink } from '../support/links.ts';
import { eventually, newCustomer, newInvoice, paymentSucceededEvent, sendStripe, sentMail } from '../support/stack.ts';

const chromium = useBrowser();

describe.each<Device>(['desktop', 'phone'])('on a %s', (device) => {
  it('the pay page shows the amount and the ways to pay, accessibly', async () => {
    const customer = await newCustomer({ name: 'Grace Hopper' });
    const invoice = await newInvoice(customer.id, { amount: 45_000 });
    const context = await newContext(chromium.browser, device);
    try {
      const page = await context.newPage();
      const res = await page.goto(payLink(invoice.id));
      expect(res?.status()).toBe(200);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBeTruthy();
      expect(await page.textContent('body')).toContain('450.00');
      await checkPage(page, `pay-page-${device}`);
      // The card button opens Stripe Checkout (the suite's Stripe stand-in) for the balance.
      await Promise.all([page.waitForURL(/\/c\/pay\//), page.locator('form[action*="/checkout"] button[type="submit"]').click()]);
      expect(await page.textContent('#invoices')).toBe(invoice.id);
    } finally {
      await context.close();
    }
  });

  it('a receipt mail reads on this screen (rendered from the SES inbox), accessibly', async () => {
    const customer = await newCustomer({ name: 'Grace Hopper' });
    const invoice = await newInvoice(customer.id, { amount: 45_000 });
    expect((await sendStripe(JSON.stringify(paymentSucceededEvent(invoice.id, 45_000, 'eur')))).status).toBe(200);
    const mail = await eventually(async () => (await sentMail(customer.email)).find((m) => m.body.html), 10_000, 'the receipt mail');
    const context = await newContext(chromium.browser, device);
    try {
      const page = await context.newPage();
      await page.setContent(mail.body.html, { waitUntil: 'load' });
      expect(await page.textContent('body')).toContain('450.00');
      await checkPage(page, `receipt-mail-${device}`);
    } finally {
      await context.close();
    }
  });

  it('the preferences link page offers its form, accessibly', async () => {
    const customer = await newCustomer({ name: 'Grace Hopper' });
    const context = await newContext(chromium.browser, device);
    try {
      const page = await context.newPage();
      const res = await page.goto(signedLink({ purpose: 'preferences', id: customer.id }));
      expect(res?.status()).toBe(200);
      expect(await page.locator('form').count()).toBeGreaterThan(0);
      await checkPage(page, `preferences-link-${device}`);
    } finally {
      await context.close();
    }
  });
});
