/**
 * The customer pages that exist without signing in, in a real browser: the pay page and a link page, on a desktop
 * and on a 360 px phone, accessible (axe-core) and without sideways scrolling; screenshots as test artifacts.
 */
import { describe, expect, it } from 'vitest';
import { checkPage, newContext, useBrowser, type Device } from '../support/browser.ts';
import { payLink, signedLink } from '../support/links.ts';
import { newCustomer, newInvoice } from '../support/stack.ts';

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
