/**
 * The portal's account pages through the local stack: the overview, invoices and an invoice with its forms, paying
 * several invoices in one Checkout Session, payments, the statement (html, csv), security headers on every page, and
 * no cross-customer read or write (another customer's ids answer 404/403 and change nothing).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { api, newCustomer, newInvoice, unique } from '../support/stack.ts';
import { PortalClient, signIn } from '../support/portal.ts';

let mine: { id: string; email: string };
let other: { id: string; email: string };
let a: { id: string; number: string };
let b: { id: string; number: string };
let theirs: { id: string; number: string };
let client: PortalClient;
let csrf: string;

beforeAll(async () => {
  mine = await newCustomer({ name: 'Portal Pages', locale: 'en-GB', timeZone: 'Europe/London' });
  other = await newCustomer({ name: 'Someone Else' });
  a = await newInvoice(mine.id, { amount: 12_000, dueDate: '2026-11-15' });
  b = await newInvoice(mine.id, { amount: 3_450 });
  theirs = await newInvoice(other.id, { amount: 9_900 });
  ({ client, csrf } = await signIn(mine.email));
});

function expectPageHeaders(r: { headers: Record<string, string | string[] | undefined> }) {
  expect(r.headers['x-content-type-options']).toBe('nosniff');
  expect(String(r.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  expect(r.headers['referrer-policy']).toBe('no-referrer');
  expect(r.headers['cache-control']).toBe('no-store');
}

describe('pages', () => {
  it('overview, invoices, an invoice, payments, statement: 200 with security headers, in the customer’s locale', async () => {
    for (const path of ['/portal', '/portal/invoices', '/portal/invoices?status=all', '/portal/invoices?status=paid', `/portal/invoices/${a.id}`, '/portal/payments', '/portal/statement', '/portal/preferences', '/portal/plan-request', '/portal/feedback']) {
      const r = await client.get(path);
      expect(r.status, path).toBe(200);
      expectPageHeaders(r);
      expect(r.body, path).toContain('action="/portal/logout"');
    }
    const overview = (await client.get('/portal')).body;
    expect(overview).toContain('€154.50'); // 120.00 + 34.50, en-GB
    expect(overview).toContain(`value="${a.id}"`);
    // The pay form: the table without a second frame; "Choose the invoices to pay" once (the legend), not on every row.
    expect(overview).toContain('<fieldset class="table"><legend>Choose the invoices to pay</legend>');
    expect(overview).not.toContain('data-label="Choose the invoices to pay"');
    const detail = (await client.get(`/portal/invoices/${a.id}`)).body;
    expect(detail).toContain(`action="/portal/invoices/${a.id}/disputes"`);
    expect(detail).toContain(`action="/portal/invoices/${a.id}/promise"`);
    expect(detail).toContain('value="already_paid"');
  });

  it('plan request, preferences and feedback: the portal navigation in the header and one CSRF field in each form', async () => {
    const rated = await newInvoice(mine.id, { amount: 1_000 });
    const paid = await api('POST', '/payments', { customerId: mine.id, method: 'check', reference: unique('CHK'), amount: 1_000, currency: 'EUR', receivedDate: '2026-11-20', allocations: [{ invoiceId: rated.id, amount: 1_000 }] });
    expect(paid.status, paid.text).toBe(201); // something to rate: the feedback form
    for (const [path, section] of [['/portal/plan-request', 'plan-request'], ['/portal/preferences', 'preferences'], ['/portal/feedback', 'feedback']] as const) {
      const { body } = await client.get(path);
      const header = body.slice(body.indexOf('<header'), body.indexOf('</header>'));
      expect(header, path).toContain('class="portal-nav"');
      expect(header, path).toContain(`href="/portal/${section}" aria-current="page"`);
      const forms = body.match(/<form method="post"[^>]*>(?:(?!<\/form>)[\s\S])*<\/form>/g) ?? [];
      expect(forms.length, path).toBe(2); // the page's form and sign-out
      for (const form of forms) expect(form.match(/name="csrf"/g), `${path}: ${form.slice(0, 80)}`).toHaveLength(1);
      expect(body.match(new RegExp(`name="csrf" value="${csrf}"`, 'g')), path).toHaveLength(2);
    }
    const refused = await client.post('/portal/feedback', { csrf, rating: '9' });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('class="portal-nav"');
    expect(refused.body).toContain('<strong>rating</strong>');
  });

  it('the public pages carry the security headers too', async () => {
    for (const path of ['/portal/login', '/portal/session?c=x&t=y']) expectPageHeaders(await new PortalClient().get(path));
  });

  it('statement as csv and as printable html', async () => {
    const csv = await client.get('/portal/statement?from=2026-11-01&to=2026-12-31&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\n')[0]).toContain('Account');
    const page = await client.get('/portal/statement?from=2026-11-01&to=2026-12-31&format=html');
    expect(page.status).toBe(200);
    expect(page.body).toContain(a.number);
    expect(page.body).not.toContain('class="portal-nav"'); // printable: no navigation
    expect(page.body).toMatch(/<p class="no-print back"><a href="\/portal">Back to your account<\/a><\/p>/);
    const form = (await client.get('/portal/statement?from=2026-11-01&to=2026-12-31')).body;
    expect(form).toContain('<input type="hidden" name="format" value="html">');
    expect((await client.get('/portal/statement?from=2026-12-31&to=2026-11-01&format=csv')).status).toBe(400);
  });

  it('pays several invoices in one Checkout Session (303 to Stripe)', async () => {
    const r = await client.post('/portal/pay', { csrf, invoiceIds: [a.id, b.id] });
    expect(r.status, r.body.slice(0, 500)).toBe(303);
    expect(String(r.headers.location)).toMatch(/^https?:\/\//);
  });
});

describe('no cross-customer access', () => {
  it('another customer’s invoice answers the same 404 as an unknown one; paying it changes nothing', async () => {
    const unknown = await client.get('/portal/invoices/inv_does_not_exist');
    const foreign = await client.get(`/portal/invoices/${theirs.id}`);
    expect(unknown.status).toBe(404);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toBe(unknown.body);
    expect((await client.post('/portal/pay', { csrf, invoiceIds: [theirs.id] })).status).toBe(404);
    expect((await client.post('/portal/pay', { csrf, invoiceIds: [a.id, theirs.id] })).status).toBe(404);
    expect((await client.post('/portal/plan-request', { csrf, invoiceId: theirs.id, instalments: '3', frequency: 'monthly' })).status).toBe(404);
    expect((await client.get(`/portal/feedback?c=plan:${theirs.id}`)).status).toBe(404);
    for (const path of [`/portal/invoices/${theirs.id}/disputes`, `/portal/invoices/${theirs.id}/promise`]) {
      const r = await client.post(path, { csrf, reason: 'other', message: 'not mine', date: '2026-12-20' });
      expect(r.status, path).toBe(404);
    }
    const after = await api('GET', `/invoices/${theirs.id}`);
    expect(after.body.balanceDue).toBe(9_900);
    expect(after.body.dispute).toBeUndefined();
    expect(after.body.promise).toBeUndefined();
  });

  it('a POST without CSRF to any signed-in form answers 403 and changes nothing', async () => {
    for (const path of ['/portal/pay', `/portal/invoices/${a.id}/disputes`, `/portal/invoices/${a.id}/promise`, '/portal/preferences', '/portal/plan-request', '/portal/feedback']) {
      const r = await client.post(path, { invoiceIds: a.id, reason: 'other', message: 'x', date: '2026-12-20', locale: 'de-DE' });
      expect(r.status, path).toBe(403);
    }
    const invoice = await api('GET', `/invoices/${a.id}`);
    expect(invoice.body.dispute).toBeUndefined();
    expect((await api('GET', `/customers/${mine.id}`)).body.locale).toBe('en-GB');
  });
});
