/**
 * Portal sign-in and sessions through the local stack: the same answer for known and unknown addresses, one mail,
 * rate limits per address and per client, the mailed link's GET spends nothing and its POST spends it once, the
 * cookie's attributes, idle and absolute expiry, sign-out, revocation, CSRF.
 */
import { describe, expect, it } from 'vitest';
import { suppress } from '../../shared/store/suppression.ts';
import { api, newCustomer, sentMail, staysTrue, unique } from '../support/stack.ts';
import { hiddenFields, PortalClient, signIn, signInLinks } from '../support/portal.ts';

const MIN = 60_000;
const signInMails = async (email: string) => (await sentMail(email)).filter((m) => m.subject === 'Your sign-in link');
const pathOf = (link: string) => `${new URL(link).pathname}${new URL(link).search}`;

describe('sign-in by mail', () => {
  it('answers the same page for a known and an unknown address; only the known one gets one mail with a one-time link', async () => {
    const customer = await newCustomer({ locale: 'en-GB' });
    const client = new PortalClient();
    const form = await client.get('/portal/login');
    expect(form.status).toBe(200);
    expect(form.body).toContain('name="email"');
    const known = await client.post('/portal/login', { email: customer.email.toUpperCase() });
    const unknown = await client.post('/portal/login', { email: `${unique('nobody')}@example.com` });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(unknown.body).toBe(known.body);
    const links = await signInLinks(customer.email);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(/\/portal\/session\?c=[^&]+&t=login\./);
    expect(await signInMails(customer.email)).toHaveLength(1);
  });

  it('refuses a malformed address with 400 naming the field, and mails nothing', async () => {
    const r = await new PortalClient().post('/portal/login', { email: 'not-an-address' });
    expect(r.status).toBe(400);
    expect(r.body).toContain('Email address');
  });

  it('sends at most 3 mails per address per 15 minutes; the 4th request gets the same page and no mail', async () => {
    const customer = await newCustomer();
    const pages = [];
    for (let i = 0; i < 4; i++) pages.push(await new PortalClient().post('/portal/login', { email: customer.email }));
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(pages.map((p) => p.body)).size).toBe(1);
    await signInLinks(customer.email, 3);
    expect(await signInMails(customer.email)).toHaveLength(3);
  });

  it('answers 429 to a client past 20 requests in 15 minutes, whatever the address', async () => {
    const client = new PortalClient();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await client.post('/portal/login', { email: `${unique('probe')}@example.com` })).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
    // Another client is not affected.
    expect((await new PortalClient().post('/portal/login', { email: `${unique('probe')}@example.com` })).status).toBe(200);
  });

  it('mails a suppressed address nothing (the same page)', async () => {
    const customer = await newCustomer();
    await suppress({ address: customer.email, kind: 'bounce', reason: 'General', at: new Date().toISOString(), messageId: unique('msg'), feedbackId: unique('fb') }, new Date());
    const r = await new PortalClient().post('/portal/login', { email: customer.email });
    expect(r.status).toBe(200);
    expect(await staysTrue(async () => (await signInMails(customer.email)).length === 0, 1000)).toBe(true);
  });
});

describe('the mailed link', () => {
  it('GET shows one button any number of times and spends nothing; the POST spends it once and sets the session cookie', async () => {
    const customer = await newCustomer();
    const client = new PortalClient();
    await client.post('/portal/login', { email: customer.email });
    const [link] = await signInLinks(customer.email);
    for (let i = 0; i < 3; i++) {
      const page = await new PortalClient().get(pathOf(link as string));
      expect(page.status).toBe(200);
      expect(page.body).toContain('Continue to your account');
      expect(page.setCookies).toEqual([]);
    }
    const page = await client.get(pathOf(link as string));
    const fields = hiddenFields(page.body, '/portal/session');
    const started = await client.post('/portal/session', fields);
    expect(started.status).toBe(303);
    expect(started.headers.location).toBe('/portal');
    const cookie = started.setCookies.find((c) => c.startsWith('portal_session=')) as string;
    expect(cookie).toMatch(/^portal_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/portal');
    expect(cookie).not.toContain('Secure'); // the test stack's base URL is plain http on localhost
    const overview = await client.get('/portal');
    expect(overview.status).toBe(200);

    // Spent: a second POST (another browser, or a replay) gets the "already used" page and no cookie.
    const again = await new PortalClient().post('/portal/session', fields);
    expect(again.status).toBe(410);
    expect(again.body).toContain('already used');
    expect(again.setCookies).toEqual([]);
  });

  it('an expired sign-in link answers 410 with the sign-in button; a forged one 403', async () => {
    const customer = await newCustomer();
    await new PortalClient().post('/portal/login', { email: customer.email });
    const [link] = await signInLinks(customer.email);
    const late = new Date(Date.now() + 16 * MIN);
    const expired = await new PortalClient().get(pathOf(link as string), { at: late });
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('href="/portal/login"');
    const forged = await new PortalClient().get(pathOf((link as string).replace(/.(?=$)/, (c) => (c === 'A' ? 'B' : 'A'))));
    expect(forged.status).toBe(403);
  });

  it('the "View your account" link from a mail is reusable until the customer’s links are revoked', async () => {
    const customer = await newCustomer();
    const { signedLink } = await import('../support/links.ts');
    const link = signedLink({ purpose: 'portal', id: customer.id });
    for (let i = 0; i < 2; i++) {
      const client = new PortalClient();
      const page = await client.get(pathOf(link));
      expect(page.status).toBe(200);
      expect((await client.post('/portal/session', hiddenFields(page.body, '/portal/session'))).status).toBe(303);
      expect((await client.get('/portal')).status).toBe(200);
    }
    expect((await api('POST', `/customers/${customer.id}/links/revoke`)).status).toBe(200);
    const revoked = await new PortalClient().get(pathOf(link));
    expect(revoked.status).toBe(403);
  });
});

describe('sessions', () => {
  it('without a session: GET redirects to sign-in, POST answers 401', async () => {
    const client = new PortalClient();
    const r = await client.get('/portal/invoices');
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/portal/login');
    expect((await client.post('/portal/logout', { csrf: 'x' })).status).toBe(401);
  });

  it('ends after 30 minutes idle; activity keeps it alive until 12 hours', async () => {
    const customer = await newCustomer();
    const { client } = await signIn(customer.email);
    const start = Date.now();
    expect((await client.get('/portal', { at: new Date(start + 29 * MIN) })).status).toBe(200);
    // 29 min after the last touch: still live; 31 min after it: gone.
    expect((await client.get('/portal', { at: new Date(start + 58 * MIN) })).status).toBe(200);
    expect((await client.get('/portal', { at: new Date(start + 90 * MIN) })).status).toBe(303);

    const { client: busy } = await signIn(customer.email, new PortalClient());
    const t0 = Date.now();
    for (let m = 25; m < 12 * 60; m += 25) {
      expect((await busy.get('/portal', { at: new Date(t0 + m * MIN) })).status, `after ${m} minutes`).toBe(200);
    }
    expect((await busy.get('/portal', { at: new Date(t0 + 12 * 60 * MIN + MIN) })).status).toBe(303);
  });

  it('sign-out deletes the session and clears the cookie; the old cookie no longer works', async () => {
    const customer = await newCustomer();
    const { client, csrf } = await signIn(customer.email);
    const cookie = client.cookies.get('portal_session') as string;
    const out = await client.post('/portal/logout', { csrf });
    expect(out.status).toBe(200);
    expect(out.setCookies.some((c) => /^portal_session=;.*Max-Age=0/.test(c))).toBe(true);
    const replay = new PortalClient();
    replay.cookies.set('portal_session', cookie);
    expect((await replay.get('/portal')).status).toBe(303);
  });

  it('revoking the customer’s links ends their sessions', async () => {
    const customer = await newCustomer();
    const { client } = await signIn(customer.email);
    expect((await api('POST', `/customers/${customer.id}/links/revoke`)).status).toBe(200);
    expect((await client.get('/portal')).status).toBe(303);
  });

  it('a POST without the session’s CSRF token, or with a wrong one, answers 403 and changes nothing', async () => {
    const customer = await newCustomer();
    const { client, csrf } = await signIn(customer.email);
    expect((await client.post('/portal/logout', {})).status).toBe(403);
    expect((await client.post('/portal/logout', { csrf: `${csrf}x` })).status).toBe(403);
    expect((await client.get('/portal')).status).toBe(200); // still signed in: nothing changed
  });
});
