/**
 * A promise to pay, made in the portal in Chromium, moves what collections does next: reminders for the invoice
 * pause until the promised date plus the grace days, then — not paid — the promise is broken and the ladder resumes
 * with the step now due, its mail saying so. The clock moves (schedules fired at chosen instants, the browser's
 * requests carry `X-Local-Time`), so this file has a stack of its own.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../shared/domain/dates.ts';
import { en } from '../../shared/domain/i18n/en.ts';
import { PROMISE_GRACE_DAYS } from '../../shared/domain/promises.ts';
import { checkPage, newContext, useBrowser } from '../support/browser.ts';
import { unique, useOwnStack } from '../support/own-stack.ts';
import { portalBase, signInByMail } from './portal-steps.ts';

const chromium = useBrowser();
const own = useOwnStack('browser-promise');

/** A stable fragment of the broken-promise line (the part after its date placeholder). */
const brokenLine = en.messages['reminder.promiseBroken'].split('}')[1]?.slice(2, 40) ?? '';

describe('a promise to pay made in the portal', () => {
  it('pauses the reminders until the promised date plus grace, then the ladder resumes and the mail says the promise was broken', async () => {
    const { stack, info } = own;
    const base = portalBase(info.apiUrl);
    const at = (iso: string) => ({ 'x-local-time': iso });
    const customer = (await stack.api('POST', '/customers', { name: 'Hedwig Dohm', email: `${unique('hedwig')}@example.com`, locale: 'en-GB', timeZone: 'Europe/Berlin', currency: 'EUR' }, at('2027-03-01T08:00:00Z'))).body;
    const invoice = (await stack.api('POST', '/invoices', { customerId: customer.id, currency: 'EUR', amount: 64_000, issueDate: '2027-03-01', dueDate: '2027-03-31' }, at('2027-03-01T08:00:00Z'))).body;
    // The reminders the customer received (their communication history), newest last.
    const reminders = async () =>
      ((await stack.api('GET', `/customers/${customer.id}/communications`)).body.mails as { kind: string; subject: string; createdAt: string }[])
        .filter((m) => m.kind.startsWith('reminder'))
        .sort((x, y) => x.createdAt.localeCompare(y.createdAt));
    // Overdue: the due-day and gentle reminders went out (the firm one is due on 14 April).
    for (const day of ['2027-03-31', '2027-04-05']) await stack.fire('reminders', `${day}T09:00:00Z`);
    const before = (await reminders()).length;
    expect(before).toBeGreaterThan(0);

    // On 6 April the customer promises to pay by 12 April (in the portal, at that simulated time).
    const promisedAt = '2027-04-06T09:00:00Z';
    const promised = '2027-04-12';
    const context = await newContext(chromium.browser, 'desktop', { extraHTTPHeaders: at(promisedAt) });
    const check = (page: Page, name: string) => checkPage(page, `promise-${name}-desktop`);
    try {
      const page = await context.newPage();
      await signInByMail(page, { base, email: customer.email, mails: () => stack.mails(customer.email), headers: at(promisedAt) });
      await page.goto(`${base}/portal/invoices/${invoice.id}`);
      await check(page, 'invoice');
      await page.locator('input[name="date"]').fill(promised);
      await Promise.all([page.waitForURL(/notice=promise_made/), page.locator('form[action$="/promise"] button[type="submit"]').click()]);
      await check(page, 'promised');
      expect(await page.locator('.badge-promised').count()).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
    const afterPromise = (await reminders()).length; // the promise's acknowledgement is not a reminder
    const state = async () => (await stack.api('GET', `/invoices/${invoice.id}`)).body as { promise?: { status: string; date: string } };
    expect((await state()).promise).toMatchObject({ status: 'open', date: promised });

    // Paused: daily sweeps through the promised date and its grace days send nothing for the invoice
    // (the firm step fell due on 14 April meanwhile).
    const lastPausedDay = addDays(promised, PROMISE_GRACE_DAYS);
    for (let day = '2027-04-07'; day <= lastPausedDay; day = addDays(day, 1)) await stack.fire('reminders', `${day}T09:00:00Z`);
    expect((await reminders()).length).toBe(afterPromise);
    expect((await state()).promise?.status).toBe('open');

    // The day after the grace: not paid → broken; the ladder resumes with the step now due, and its mail says so.
    await stack.fire('reminders', `${addDays(lastPausedDay, 1)}T09:00:00Z`);
    expect((await state()).promise?.status).toBe('broken');
    const resumed = (await reminders()).slice(afterPromise);
    expect(resumed).toHaveLength(1);
    const mail = (await stack.mails(customer.email)).find((m) => m.subject === resumed[0]?.subject && m.body.text.includes(brokenLine));
    expect(mail, `a reminder saying “…${brokenLine}…”`).toBeDefined();
  }, 240_000);
});
