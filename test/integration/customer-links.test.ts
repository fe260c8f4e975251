/**
 * Signed customer links through the running local stack: nothing happens on GET (mail scanners open every link), a
 * rating is recorded only by the page's POST and validated there, links expire and can be revoked per customer, and
 * an expired or revoked link offers a fresh one by mail (one mail, whatever is clicked, and a link that works).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../shared/adapters/aws.ts';
import { keys } from '../../shared/store/keys.ts';
import { tableName } from '../../shared/store/table.ts';
import { payLink, signedLink } from '../support/links.ts';
import { api, newCustomer, newInvoice, sentMail, stack, unique } from '../support/stack.ts';

const DAY = 86_400_000;

async function feedbackStored(customerId: string) {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': keys.customer(customerId).PK, ':sk': 'FEEDBACK#' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as { rating: number; comment?: string }[];
}

const get = async (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers }).then(async (r) => ({ status: r.status, text: await r.text(), headers: r.headers }));

async function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
  return { status: r.status, text: await r.text() };
}

/** Follows a page's form like a browser: its action (relative to the API) and its fields (hidden and chosen). */
function formOf(html: string, base = stack.apiUrl): { action: string; fields: Record<string, string> } {
  const form = /<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error('no form on the page');
  const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  const fields: Record<string, string> = {};
  for (const m of (form[2] as string).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1] as string] = decode(m[2] as string);
  return { action: new URL(decode(form[1] as string), base).toString(), fields };
}

const linkIn = (text: string | undefined, path: string) => {
  const m = new RegExp(`https?://\\S+/${path}/\\S+`).exec(text ?? '');
  if (!m) throw new Error(`no ${path} link in the mail`);
  return m[0];
};

async function paidCustomer(locale = 'en-GB') {
  const customer = await newCustomer({ locale, timeZone: 'Europe/London' });
  await newInvoice(customer.id, { amount: 12_000 });
  const pay = await api('POST', '/payments', { customerId: customer.id, method: 'check', reference: unique('chk'), amount: 12_000, currency: 'EUR', receivedDate: '2026-11-20' });
  expect(pay.status, pay.text).toBe(201);
  return { customer, paymentId: pay.body.id as string };
}

const freshMails = async (email: string) => (await sentMail(email)).filter((m) => /^(Your new link|Ihr neuer Link)$/.test(m.subject));

describe('rating links: nothing on GET, the rating on POST', () => {
  it('opening the rating link from the receipt any number of times records nothing; the form’s POST records once', async () => {
    const { customer } = await paidCustomer();
    const receipt = (await sentMail(customer.email)).find((m) => m.subject.startsWith('Payment received'));
    const links = (receipt?.body.text ?? '').match(/https?:\/\/\S+\/feedback\/\S+/g) ?? [];
    expect(links).toHaveLength(5);
    const four = links[3] as string;
    for (let i = 0; i < 3; i++) {
      const page = await get(four);
      expect(page.status).toBe(200);
      expect(page.text).toContain('How did we do?');
      expect(page.text).toContain('value="4" required checked'); // the clicked rating is preselected, not recorded
    }
    for (const other of links) expect((await get(other)).status).toBe(200);
    expect(await feedbackStored(customer.id)).toEqual([]);

    const { action } = formOf((await get(four)).text);
    expect(action).not.toContain('r=4'); // the form posts the token back; the rating comes from the form only
    const saved = await post(action, { rating: '4', comment: 'Clear and friendly <3' });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('Your rating: 4 out of 5.');
    expect(saved.text).toContain('Clear and friendly &lt;3');
    expect(await feedbackStored(customer.id)).toMatchObject([{ rating: 4, comment: 'Clear and friendly <3' }]);
    // A second POST (a changed mind) updates the same record: still one rating for this payment.
    expect((await post(action, { rating: '5', comment: 'Even better' })).status).toBe(200);
    expect(await feedbackStored(customer.id)).toMatchObject([{ rating: 5, comment: 'Even better' }]);
    // Reopening the link afterwards still changes nothing.
    await get(links[0] as string);
    expect(await feedbackStored(customer.id)).toMatchObject([{ rating: 5 }]);
  });

  it('a rating outside 1–5 (or not a whole number, or missing) is a 400 page naming the field; nothing is stored', async () => {
    const { customer, paymentId } = await paidCustomer('de-DE');
    const link = signedLink({ purpose: 'feedback', id: customer.id, context: `payment:${paymentId}` });
    for (const rating of ['0', '6', '4.5', '-1', 'five', '', '1e0', '10']) {
      const res = await post(link, { rating });
      expect(res.status, `rating=${rating}`).toBe(400);
      expect(res.text).toContain('<strong>rating</strong>');
      expect(res.text).toContain('Bitte wählen Sie eine Bewertung');
    }
    expect((await post(link, { comment: 'no rating' })).status).toBe(400);
    // The rating in the URL counts for nothing on POST either.
    expect((await post(`${link}&r=5`, {})).status).toBe(400);
    expect(await feedbackStored(customer.id)).toEqual([]);
  });

  it('a forged rating link is a 403 page with no fresh-link offer, and records nothing', async () => {
    const { customer, paymentId } = await paidCustomer();
    const link = signedLink({ purpose: 'feedback', id: customer.id, context: `payment:${paymentId}` });
    const forged = link.replace(/t=[^&]+/, 't=forged');
    const page = await get(forged);
    expect(page.status).toBe(403);
    expect(page.text).toContain('This link is not valid');
    expect(page.text).not.toContain('<form');
    expect((await post(forged, { rating: '5' })).status).toBe(403);
    // Another payment's context with this token: also not valid.
    expect((await post(link.replace(`payment%3A${paymentId}`, 'payment%3Apay_other'), { rating: '5' })).status).toBe(403);
    expect(await feedbackStored(customer.id)).toEqual([]);
  });
});

describe('expired and revoked links', () => {
  it('an expired pay link shows a friendly page in the customer’s language (410), whose button mails exactly one fresh link that works', async () => {
    const customer = await newCustomer({ locale: 'de-DE', timeZone: 'Europe/Berlin' });
    const invoice = await newInvoice(customer.id, { amount: 12_500 });
    const expired = payLink(invoice.id, { expiresAt: new Date(Date.now() - DAY) });
    const page = await get(expired);
    expect(page.status).toBe(410);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('Dieser Link ist abgelaufen');
    expect(page.text).toContain('Neuen Link per E-Mail senden');
    expect(page.text).not.toContain(customer.email);
    // The checkout POST with the expired token is refused the same way (no Stripe session).
    expect((await post(expired.replace('?t=', '/checkout?t='), {})).status).toBe(410);

    const { action, fields } = formOf(page.text);
    expect(new URL(action).pathname).toBe('/links/fresh');
    const first = await post(action, fields);
    expect(first.status).toBe(200);
    expect(first.text).toContain('Bitte sehen Sie in Ihr Postfach');
    expect(first.text).not.toContain(customer.email);
    const again = await post(action, fields); // a double click, a reload: the same answer, no second mail
    expect(again).toEqual(first);
    const mails = await freshMails(customer.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('Ihr neuer Link');
    const fresh = linkIn(mails[0]?.body.text, 'pay');
    const opened = await get(fresh);
    expect(opened.status).toBe(200);
    expect(opened.text).toMatch(/125,00/);
    // Ten minutes later another request may send another.
    await post(action, fields, { 'x-local-time': new Date(Date.now() + 11 * 60_000).toISOString() });
    expect(await freshMails(customer.email)).toHaveLength(2);
  });

  it('a rating link issued 31 days ago has expired (the rating lifetime is 30 days); a 29-day-old one still opens', async () => {
    const { customer, paymentId } = await paidCustomer();
    const target = { purpose: 'feedback' as const, id: customer.id, context: `payment:${paymentId}` };
    const old = await get(signedLink(target, { now: new Date(Date.now() - 31 * DAY), r: 5 }));
    expect(old.status).toBe(410);
    expect(old.text).toContain('This link has expired');
    expect((await get(signedLink(target, { now: new Date(Date.now() - 29 * DAY), r: 5 }))).status).toBe(200);
    // The fresh rating link opens the form with nothing chosen.
    await post(formOf(old.text).action, formOf(old.text).fields);
    const [mail] = await freshMails(customer.email);
    const form = await get(linkIn(mail?.body.text, 'feedback'));
    expect(form.status).toBe(200);
    expect(form.text).not.toContain('checked');
    expect(await feedbackStored(customer.id)).toEqual([]);
  });

  it('revoking a customer’s links (admin) refuses every earlier link with a friendly page; new mails carry working links; others are untouched', async () => {
    const customer = await newCustomer({ locale: 'en-GB' });
    const other = await newCustomer({ locale: 'en-GB' });
    const invoice = await newInvoice(customer.id, { amount: 5_000 });
    const prefs = signedLink({ purpose: 'preferences', id: customer.id });
    const pay = payLink(invoice.id);
    const othersPrefs = signedLink({ purpose: 'preferences', id: other.id });
    expect((await get(prefs)).status).toBe(200);

    expect((await fetch(`${stack.apiUrl}/customers/${customer.id}/links/revoke`, { method: 'POST' })).status).toBe(401);
    const revoked = await api('POST', `/customers/${customer.id}/links/revoke`);
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body).toEqual({ customerId: customer.id, linkVersion: 1 });
    expect((await api('POST', '/customers/cus_nobody/links/revoke')).status).toBe(404);

    const page = await get(prefs);
    expect(page.status).toBe(403);
    expect(page.text).toContain('This link is no longer valid');
    expect(page.text).toContain('Email me a fresh link');
    expect((await get(pay)).status).toBe(403);
    // A change through a revoked link does nothing.
    expect((await post(prefs, { locale: 'de-DE' })).status).toBe(403);
    expect((await api('GET', `/customers/${customer.id}`)).body).toMatchObject({ locale: 'en-GB', linkVersion: 1 });
    // Another customer's links are untouched; a link of the new version works.
    expect((await get(othersPrefs)).status).toBe(200);
    expect((await get(signedLink({ purpose: 'preferences', id: customer.id }, { version: 1 }))).status).toBe(200);
    // The profile still changes normally afterwards (the revocation moved its version).
    expect((await api('PATCH', `/customers/${customer.id}`, { name: 'Ada L.' })).status).toBe(200);
    expect((await api('GET', `/customers/${customer.id}`)).body.linkVersion).toBe(1);

    // The next mail (a receipt) carries links of the new version.
    await api('POST', '/payments', { customerId: customer.id, method: 'check', reference: unique('chk'), amount: 5_000, currency: 'EUR', receivedDate: '2026-11-21' });
    const receipt = (await sentMail(customer.email)).find((m) => m.subject.startsWith('Payment received'));
    expect((await get(linkIn(receipt?.body.text, 'preferences'))).status).toBe(200);

    // The revoked link's button mails a fresh link to the address on file.
    await post(formOf(page.text).action, formOf(page.text).fields);
    const mails = await freshMails(customer.email);
    expect(mails).toHaveLength(1);
    expect((await get(linkIn(mails[0]?.body.text, 'preferences'))).text).toContain('Your communication preferences');
  });

  it('an old-format link (no expiry, from before links expired) counts as expired and offers a fresh link', async () => {
    const customer = await newCustomer({ locale: 'en-GB' });
    const legacy = createHmac('sha256', stack.linkSigningSecret).update(`preferences:${customer.id}`).digest('base64url').slice(0, 32);
    const page = await get(`${stack.apiUrl}/preferences/${customer.id}?t=${legacy}`);
    expect(page.status).toBe(410);
    expect(page.text).toContain('This link has expired');
    await post(formOf(page.text).action, formOf(page.text).fields);
    expect(await freshMails(customer.email)).toHaveLength(1);
  });

  it('the fresh-link answer is the same for a forged token, an unknown customer and a real one — and only the real one mails', async () => {
    const customer = await newCustomer({ locale: 'en-GB' });
    const real = { p: 'preferences', id: customer.id, t: signedLink({ purpose: 'preferences', id: customer.id }, { expiresAt: new Date(Date.now() - DAY) }).split('t=')[1] as string };
    const answers = [
      await post(`${stack.apiUrl}/links/fresh`, { ...real, t: 'v1.1.0.' + 'A'.repeat(43) }),
      await post(`${stack.apiUrl}/links/fresh`, { p: 'nonsense', id: 'x', t: 'y' }),
      await post(`${stack.apiUrl}/links/fresh`, {}),
      await post(`${stack.apiUrl}/links/fresh`, real),
      await post(`${stack.apiUrl}/links/fresh`, real),
    ];
    for (const a of answers) expect(a).toEqual(answers[3]);
    expect(answers[3]?.status).toBe(200);
    expect(await freshMails(customer.email)).toHaveLength(1);
    // GET is not a way to ask.
    expect((await get(`${stack.apiUrl}/links/fresh`)).status).toBe(404);
  });
});
