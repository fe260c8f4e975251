/**
 * Security headers through the local stack: every response of every manifest route — JSON, CSV, HTML, success or
 * error — carries `X-Content-Type-Options: nosniff`, a referrer policy and a CSP; every HTML page (pay page, customer
 * link pages, printable statement, letters print run, and their error pages) has a CSP that forbids framing and
 * scripts and allows exactly the page's own `<style>` blocks by hash (no 'unsafe-inline').
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { functions } from '../../shared/topology.ts';
import { mailHistory } from '../../shared/store/mail.ts';
import { payLink, signedLink } from '../support/links.ts';
import { api, eventually, newCustomer, newInvoice, paymentSucceededEvent, sendStripe, stack } from '../support/stack.ts';

interface Fetched {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

async function get(url: string, init: RequestInit = {}): Promise<Fetched> {
  const res = await fetch(url.startsWith('http') ? url : `${stack.apiUrl}${url}`, { redirect: 'manual', ...init });
  return { url, status: res.status, headers: res.headers, body: await res.text() };
}

const admin = { authorization: `Bearer ${stack.adminKey}` };

function expectBaseHeaders(r: Fetched) {
  expect(r.headers.get('x-content-type-options'), `${r.url} ${r.status}`).toBe('nosniff');
  expect(r.headers.get('referrer-policy'), `${r.url} ${r.status}`).toBe('no-referrer');
  const csp = r.headers.get('content-security-policy') ?? '';
  expect(csp, `${r.url} ${r.status}`).toContain("default-src 'none'");
  expect(csp, `${r.url} ${r.status}`).toContain("frame-ancestors 'none'");
}

/** An HTML page: no script allowed, no 'unsafe-inline', each of its <style> blocks allowed by its hash. */
function expectHtmlPolicy(r: Fetched) {
  expectBaseHeaders(r);
  expect(r.headers.get('content-type'), r.url).toMatch(/^text\/html/);
  const csp = r.headers.get('content-security-policy') as string;
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('script-src');
  expect(csp).toContain("base-uri 'none'");
  expect(r.headers.get('x-frame-options')).toBe('DENY');
  const blocks = [...r.body.matchAll(/<style(?:\s[^>]*)?>([\s\S]*?)<\/style>/gi)].map((m) => m[1] ?? '');
  for (const block of blocks) {
    expect(csp, `${r.url}: style block not allowed by hash`).toContain(`'sha256-${createHash('sha256').update(block, 'utf8').digest('base64')}'`);
  }
  // Nothing on the page needs more than that: no script, no inline style attribute, no inline handler.
  expect(r.body).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
}

let customer: { id: string; email: string };
let links: string[] = [];

beforeAll(async () => {
  customer = await newCustomer({ name: 'Header Check', postalAddress: ['1 Main St', '10115 Berlin', 'Germany'] });
  const invoice = await newInvoice(customer.id, { amount: 5000 });
  const other = await newInvoice(customer.id, { amount: 7000 });
  // Mails with signed links: an extension confirmation (pay and preferences links) and a receipt (rating links).
  expect((await api('POST', `/invoices/${other.id}/extensions`, { newDueDate: '2027-02-01', reason: 'asked' })).status).toBe(201);
  // Paid by card (a signed Stripe event): the reconcile worker writes the receipt with its rating links.
  const paid = await sendStripe(JSON.stringify(paymentSucceededEvent(other.id, 7000)));
  expect(paid.status, paid.text).toBe(200);
  // The mails as written (sending may wait for the customer's business hours).
  const mails = await eventually(async () => {
    const found = await mailHistory(customer.id);
    return found.length >= 2 ? found : undefined;
  }, 15_000, 'the extension and receipt mails');
  const all = mails.flatMap((m) => [...m.text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((x) => x[0]));
  // Plus the pay page and the plan request (their links come in reminders), signed as our mails sign them.
  all.push(payLink(invoice.id), signedLink({ purpose: 'plan-request', id: customer.id }));
  links = [...new Set(all.filter((l) => /\/(pay|feedback|preferences|plan-request)\//.test(l)))];
}, 60_000);

describe('security headers', () => {
  it('every HTML page: pay page, customer link pages, printable statement and letters', async () => {
    const kinds = new Set(links.map((l) => /\/(pay|feedback|preferences|plan-request)\//.exec(l)![1]));
    expect([...kinds].sort()).toEqual(['feedback', 'pay', 'plan-request', 'preferences']);
    const pages: Fetched[] = [];
    for (const link of links) pages.push(await get(link));
    const preferences = links.find((l) => l.includes('/preferences/'))!;
    pages.push(await get(preferences, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'tone=neutral' }));
    pages.push(await get(`/customers/${customer.id}/statement?format=html&from=2026-11-01&to=2026-11-30`, { headers: admin }));
    pages.push(await get('/letters?date=2026-11-20', { headers: admin }));
    for (const page of pages) {
      expect(page.status, `${page.url}: ${page.body.slice(0, 200)}`).toBeLessThan(400);
      expectHtmlPolicy(page);
    }
    // The pages that have styles are allowed them (by hash), so they still look as designed.
    expect(pages.some((p) => /<style/.test(p.body))).toBe(true);
  });

  it('error pages and errors on every manifest route carry them too', async () => {
    const responses: Fetched[] = [];
    for (const fn of functions) {
      for (const t of fn.triggers) {
        if (t.type !== 'http') continue;
        const path = t.path.replace(/\{[^}]+\}/g, 'nope');
        // A bad link token, a missing admin key, an unsigned webhook: whatever the route refuses.
        responses.push(await get(`${path}?t=forged`, { method: t.method, ...(t.method === 'GET' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } }) }));
      }
    }
    responses.push(await get('/invoices?status=open&cursor=forged', { headers: admin }));
    responses.push(await get(`/customers/${customer.id}/statement?format=html&from=bad`, { headers: admin }));
    expect(responses.filter((r) => r.status >= 400).length).toBeGreaterThan(10);
    for (const r of responses) {
      expectBaseHeaders(r);
      if ((r.headers.get('content-type') ?? '').startsWith('text/html')) expectHtmlPolicy(r);
    }
  });

  it('JSON and CSV responses get nosniff', async () => {
    const jsonRes = await get(`/customers/${customer.id}`, { headers: admin });
    expect(jsonRes.status).toBe(200);
    expectBaseHeaders(jsonRes);
    const csv = await get(`/customers/${customer.id}/statement?format=csv&from=2026-11-01&to=2026-11-30`, { headers: admin });
    expect(csv.status, csv.body).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expectBaseHeaders(csv);
    const health = await get('/health');
    expectBaseHeaders(health);
    // The local gateway's own answers (no route) too.
    const none = await get('/no/such/route');
    expect(none.status).toBe(404);
    expect(none.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
