/**
 * The console's customers through the shared local stack, signed in as real members of staff (test/support/console.ts):
 * finding a customer by each exact key, the customer's page and an invoice's page with the right figures, and the
 * actions taken there — a hold placed and released, an extension granted, a dispute resolved — each read back through
 * the admin API with the member recorded. Bad and stale forms answer 4xx naming the field or what changed, a viewer's
 * POST 403; nothing changes in either case.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { consoleRequest, consoleSignIn, type ConsoleClient } from '../support/console.ts';
import { decodeEntities } from '../support/portal.ts';
import { api, eventually, newCustomer, newInvoice, unique } from '../support/stack.ts';

const DAY = 86_400_000;
/** A calendar date `days` from today (UTC: the test customer's time zone). */
const day = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

interface CustomerBody {
  id: string;
  version: number;
  holds?: { id: string; reason: string; expiresAt?: string; releasedAt?: string; staffId?: string; releasedBy?: string }[];
}
interface InvoiceBody {
  id: string;
  balanceDue: number;
  status: string;
  version: number;
  dueDate: string;
  extension?: { dueDate: string; reason: string; staffId?: string };
  dispute?: { id: string };
}
const customerOf = async (id: string) => (await api('GET', `/customers/${id}`)).body as CustomerBody;
const invoiceOf = async (id: string) => (await api('GET', `/invoices/${id}`)).body as InvoiceBody;
const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));
const hidden = (page: string, name: string) => new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(page)?.[1];

let collector: ConsoleClient;
let viewer: ConsoleClient;
let customer: { id: string; email: string; name: string };
let overdue: { id: string; number: string; paymentReference: string };
let later: { id: string; number: string };
let settled: { id: string; number: string };
let paymentId: string;

beforeAll(async () => {
  [collector, viewer] = await Promise.all([consoleSignIn({ role: 'collector', name: 'Cora Collector' }), consoleSignIn({ role: 'viewer', name: 'Vic Viewer' })]);
  const name = `Console Customers ${unique('cc')}`;
  customer = { ...(await newCustomer({ name, email: `${unique('cc')}@example.com`.toLowerCase(), locale: 'en-GB', timeZone: 'UTC' })), name };
  overdue = await newInvoice(customer.id, { amount: 12_345, issueDate: day(-50), dueDate: day(-20) });
  later = await newInvoice(customer.id, { amount: 5_000, issueDate: day(-1), dueDate: day(29) });
  settled = await newInvoice(customer.id, { amount: 1_000, issueDate: day(-40), dueDate: day(-10) });
  const paid = await api('POST', '/payments', { customerId: customer.id, method: 'check', reference: unique('CHK'), amount: 1_000, currency: 'EUR', receivedDate: day(-2), allocations: [{ invoiceId: settled.id, amount: 1_000 }] });
  expect(paid.status, paid.text).toBe(201);
  paymentId = paid.body.id as string;
}, 30_000);

describe('finding a customer', () => {
  it('by each exact key; nothing for another text; the form and a hint for none', async () => {
    const keys = [customer.email.toUpperCase(), customer.id, overdue.number, overdue.number.toLowerCase(), overdue.id, overdue.paymentReference.replace(/(.{4})/g, '$1 ').toLowerCase()];
    for (const q of keys) {
      const page = await eventually(async () => {
        const r = await collector.get(`/console/customers?q=${encodeURIComponent(q)}`);
        return r.text.includes(`href="/console/customers/${customer.id}"`) && r;
      }, 5000, `found by ${q}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('<h2>1 customer</h2>');
    }
    const byNumber = await collector.get(`/console/customers?q=${encodeURIComponent(overdue.number)}`);
    expect(text(byNumber.text)).toContain(`Invoice number ${overdue.number}`);
    const none = await collector.get(`/console/customers?q=${encodeURIComponent(unique('nobody'))}`);
    expect(none.text).toContain('No customer has that');
    const empty = await collector.get('/console/customers');
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('Exact keys only');
    const long = await collector.get(`/console/customers?q=${'x'.repeat(300)}`);
    expect(long.status).toBe(400);
    expect(long.text).toContain('q:');
    const signedOut = await consoleRequest('GET', `/console/customers/${customer.id}`);
    expect([signedOut.status, signedOut.headers.get('location')]).toEqual([303, '/console/login']);
  });
});

describe('the customer page', () => {
  it('shows the balances, the open invoices with days overdue, the contact and the hold form; 404 for an unknown id', async () => {
    const page = await collector.get(`/console/customers/${customer.id}`);
    expect(page.status).toBe(200);
    const t = text(page.text);
    expect(t).toContain('Owed (EUR) €173.45');
    expect(t).toContain('Overdue €123.45');
    expect(page.text).toContain(`href="/console/invoices/${overdue.id}">${overdue.number}</a>`);
    expect(page.text).toContain('<td data-label="Days overdue" class="num">20</td>');
    expect(page.text).toContain(`href="/console/invoices/${later.id}">${later.number}</a>`);
    expect(t).toContain('Time zone UTC');
    // The payment, linked to its page, applied to the paid invoice by its number (not among the open ones).
    expect(page.text).toContain(`href="/console/payments/${paymentId}"`);
    expect(page.text).toContain(`href="/console/invoices/${settled.id}">${settled.number}</a>: €10.00`);
    expect(page.text).not.toContain(`<td data-label="Invoice"><a href="/console/invoices/${settled.id}">`);
    expect(page.text).toContain(`action="/console/customers/${customer.id}/holds"`);
    const unknown = await collector.get('/console/customers/cus_nobody');
    expect(unknown.status).toBe(404);
    // A viewer reads the same page, without forms.
    const read = await viewer.get(`/console/customers/${customer.id}`);
    expect(read.status).toBe(200);
    expect(read.text).toContain(overdue.number);
    expect(read.text).not.toContain(`action="/console/customers/${customer.id}/holds"`);
  });
});

describe('holds', () => {
  it('placed (once for the same form sent twice) and released, by the member; bad forms and a viewer change nothing', async () => {
    const page = await collector.get(`/console/customers/${customer.id}`);
    const version = hidden(page.text, 'version') as string;
    const form = { version, reason: 'Hardship: lost a large client', expiresAt: day(10) };

    for (const [fields, field] of [
      [{ ...form, expiresAt: 'next week' }, 'expiresAt'],
      [{ ...form, expiresAt: day(-1) }, 'expiresAt'],
      [{ ...form, reason: '  ' }, 'reason'],
      [{ reason: form.reason }, 'version'],
    ] as const) {
      const bad = await collector.post(`/console/customers/${customer.id}/holds`, fields);
      expect(bad.status, JSON.stringify(fields)).toBe(400);
      expect(bad.text).toContain(`${field}:`);
    }
    const refused = await viewer.post(`/console/customers/${customer.id}/holds`, form);
    expect(refused.status).toBe(403);
    expect((await customerOf(customer.id)).holds ?? []).toEqual([]);

    const [first, second] = await Promise.all([collector.post(`/console/customers/${customer.id}/holds`, form), collector.post(`/console/customers/${customer.id}/holds`, form)]);
    for (const r of [first, second]) expect([r.status, r.headers.get('location')]).toEqual([303, `/console/customers/${customer.id}?notice=hold_placed`]);
    const holds = (await customerOf(customer.id)).holds ?? [];
    expect(holds).toHaveLength(1);
    const hold = holds[0]!;
    // The last day in the customer's calendar (UTC): the hold ends when that day does.
    expect(hold).toMatchObject({ reason: form.reason, staffId: collector.staffId, expiresAt: `${day(11)}T00:00:00.000Z` });

    const shown = await collector.get(`/console/customers/${customer.id}?notice=hold_placed`);
    expect(shown.text).toContain('<p class="notice" role="status">Hold placed');
    expect(text(shown.text)).toContain('by Cora Collector');
    expect(shown.text).toContain(`action="/console/customers/${customer.id}/holds/${hold.id}/release"`);

    expect((await viewer.post(`/console/customers/${customer.id}/holds/${hold.id}/release`, {})).status).toBe(403);
    expect((await customerOf(customer.id)).holds?.[0]?.releasedAt).toBeUndefined();
    const released = await collector.post(`/console/customers/${customer.id}/holds/${hold.id}/release`, {});
    expect([released.status, released.headers.get('location')]).toEqual([303, `/console/customers/${customer.id}?notice=hold_released`]);
    expect((await customerOf(customer.id)).holds?.[0]).toMatchObject({ id: hold.id, releasedBy: collector.staffId, releasedAt: expect.any(String) });
    expect((await collector.post(`/console/customers/${customer.id}/holds/hold_nobody/release`, {})).status).toBe(404);
  });
});

describe('the invoice page and its actions', () => {
  it('an extension at the version shown, by the member; a stale or bad form and a viewer change nothing', async () => {
    const page = await collector.get(`/console/invoices/${later.id}`);
    expect(page.status).toBe(200);
    expect(text(page.text)).toContain('Balance €50.00');
    const version = hidden(page.text, 'version') as string;
    const before = await invoiceOf(later.id);
    expect(version).toBe(String(before.version));

    const bad = await collector.post(`/console/invoices/${later.id}/extensions`, { version, newDueDate: before.dueDate, reason: 'Hardship' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('newDueDate:');
    expect((await viewer.post(`/console/invoices/${later.id}/extensions`, { version, newDueDate: day(45), reason: 'Hardship' })).status).toBe(403);
    expect((await invoiceOf(later.id)).extension).toBeUndefined();

    // Sent twice at once (a double click): one extension, both answered the same.
    const grant = () => collector.post(`/console/invoices/${later.id}/extensions`, { version, newDueDate: day(45), reason: 'Hardship' });
    for (const granted of await Promise.all([grant(), grant()])) {
      expect([granted.status, granted.headers.get('location')]).toEqual([303, `/console/invoices/${later.id}?notice=extension_granted`]);
    }
    expect((await invoiceOf(later.id)).extension).toMatchObject({ dueDate: day(45), reason: 'Hardship', staffId: collector.staffId });
    // The same form again is the same extension; another date from the old page is a stale form.
    expect((await collector.post(`/console/invoices/${later.id}/extensions`, { version, newDueDate: day(45), reason: 'Hardship' })).status).toBe(303);
    const stale = await collector.post(`/console/invoices/${later.id}/extensions`, { version, newDueDate: day(60), reason: 'More' });
    expect(stale.status).toBe(409);
    expect(text(stale.text)).toContain('changed since the form was shown');
    expect((await invoiceOf(later.id)).extension?.dueDate).toBe(day(45));

    const after = await collector.get(`/console/invoices/${later.id}?notice=extension_granted`);
    expect(after.text).toContain('<p class="notice" role="status">Extension granted');
    expect(text(after.text)).toContain(`New due date ${day(45)} (was ${before.dueDate})`);
    expect(text(after.text)).toContain('by Cora Collector');

    // The customer's notice is among the latest communications, and in the whole history.
    expect(text((await collector.get(`/console/customers/${customer.id}`)).text)).toContain('extension confirmed');
    const all = await collector.get(`/console/customers/${customer.id}?history=all`);
    expect(all.status).toBe(200);
    expect(all.text).toContain('The whole history, oldest first');
    expect(text(all.text)).toContain('extension confirmed');
    expect((await collector.get(`/console/customers/${customer.id}?history=not-a-position`)).status).toBe(400);
  });

  it('a dispute resolved as upheld with a credit typed in the currency, by the member; bad and repeated forms change nothing', async () => {
    const opened = await api('POST', `/invoices/${overdue.id}/disputes`, { reason: 'Two items missing', amount: 2_000 });
    expect(opened.status).toBe(201);
    const disputeId = opened.body.id as string;
    const page = await collector.get(`/console/invoices/${overdue.id}`);
    expect(page.text).toContain(`action="/console/disputes/${disputeId}/resolve"`);
    expect(text(page.text)).toContain('Two items missing');
    expect((await viewer.get(`/console/invoices/${overdue.id}`)).text).not.toContain('/resolve"');
    const form = { invoiceId: overdue.id, outcome: 'upheld', amount: '15.00', explanation: 'We credit the missing items.' };

    for (const [fields, field] of [
      [{ ...form, amount: '15.001' }, 'amount'],
      [{ ...form, amount: '-3' }, 'amount'],
      // The console's one reading of a typed amount (as the payment form's): a decimal comma is refused, not guessed.
      [{ ...form, amount: '15,00' }, 'amount'],
      [{ ...form, outcome: 'maybe' }, 'outcome'],
      [{ ...form, explanation: '' }, 'explanation'],
      [{ ...form, outcome: 'rejected' }, 'amount'],
    ] as const) {
      const bad = await collector.post(`/console/disputes/${disputeId}/resolve`, fields);
      expect(bad.status, JSON.stringify(fields)).toBe(400);
      expect(bad.text).toContain(`${field}:`);
    }
    expect((await viewer.post(`/console/disputes/${disputeId}/resolve`, form)).status).toBe(403);
    expect(await invoiceOf(overdue.id)).toMatchObject({ balanceDue: 12_345, dispute: { id: disputeId } });

    const resolved = await collector.post(`/console/disputes/${disputeId}/resolve`, form);
    expect([resolved.status, resolved.headers.get('location')]).toEqual([303, `/console/invoices/${overdue.id}?notice=dispute_upheld`]);
    const after = await invoiceOf(overdue.id);
    expect(after.balanceDue).toBe(10_845);
    expect(after.dispute).toBeUndefined();
    // The same form again answers the same; the other outcome is refused.
    expect((await collector.post(`/console/disputes/${disputeId}/resolve`, form)).status).toBe(303);
    const other = await collector.post(`/console/disputes/${disputeId}/resolve`, { ...form, outcome: 'rejected', amount: '' });
    expect(other.status).toBe(409);
    expect((await invoiceOf(overdue.id)).balanceDue).toBe(10_845);

    const shown = text((await collector.get(`/console/invoices/${overdue.id}?notice=dispute_upheld`)).text);
    expect(shown).toContain('Dispute upheld');
    expect(shown).toMatch(/Upheld \d{4}-\d\d-\d\d \d\d:\d\d UTC by Cora Collector — credit note €15\.00/);
    expect(shown).toContain('Balance €108.45');
    expect((await collector.get('/console/invoices/inv_nobody')).status).toBe(404);
  });
});
