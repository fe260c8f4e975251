/**
 * The console's payments to review through the shared local stack, signed in as real members of staff
 * (test/support/console.ts): a payment the rules left for a person is in the queue (the payer's words escaped), is
 * applied from its page's form (amounts typed in the currency; the invoice paid, the ledger agrees, the decision names
 * the member) and an allocation reversed from it. A bad amount, a viewer, and the same form sent twice (at once, and
 * again later) change nothing more — read back through the admin API. Money in suspense: the customer found by an
 * invoice number, then the form.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBankPayload } from '../../shared/adapters/bank/index.ts';
import { SUSPENSE } from '../../shared/domain/ledger.ts';
import { paymentIdFor } from '../../shared/services/payments.ts';
import { invoiceState, ledgerAgrees, postBank, processed } from '../support/flows.ts';
import { consoleRequest, consoleSignIn, type ConsoleClient, type ConsoleResponse } from '../support/console.ts';
import { decodeEntities } from '../support/portal.ts';
import { api, newCustomer, newInvoice, unique } from '../support/stack.ts';

interface PaymentView {
  id: string;
  status: string;
  customerId: string;
  unapplied: number;
  revision: number;
  allocations: { invoiceId: string; amount: number }[];
  decisions: { rule: string; by: string; staffId?: string }[];
}

const payment = async (id: string) => (await api('GET', `/payments/${id}`)).body as PaymentView;

/** Follows the queue's "Next page" links until a page lists `needle` (other files' payments wait there too). */
async function queuePageWith(staff: ConsoleClient, needle: string): Promise<ConsoleResponse> {
  let next: string | undefined = '/console/review';
  for (let i = 0; next && i < 40; i++) {
    const page = await staff.get(next);
    expect(page.status, page.text.slice(0, 300)).toBe(200);
    if (page.text.includes(needle)) return page;
    const href = /<a href="([^"]+)">Next page/.exec(page.text)?.[1];
    next = href ? decodeEntities(href) : undefined;
  }
  throw new Error(`${needle} not in the review queue`);
}

/** The allocation form's row of an invoice, and the revision the page's forms carry. */
function formOf(page: string): { row: (invoiceId: string) => string; revision: string } {
  const revision = /<input type="hidden" name="revision" value="(\d+)">/.exec(page)?.[1];
  if (revision === undefined) throw new Error('no revision on the page');
  return {
    revision,
    row: (invoiceId) => {
      const k = new RegExp(`name="allocations\\.(\\d+)\\.invoiceId" value="${invoiceId}"`).exec(page)?.[1];
      if (k === undefined) throw new Error(`invoice ${invoiceId} is not a row of the form`);
      return k;
    },
  };
}

describe('console: payments to review', () => {
  let collector: ConsoleClient;
  let viewer: ConsoleClient;

  beforeAll(async () => {
    [collector, viewer] = await Promise.all([consoleSignIn({ role: 'collector', name: unique('Rosa') }), consoleSignIn({ role: 'viewer' })]);
  });

  it('a check left for review is in the queue, applied from the form once (twice sent), reversed; bad amounts and a viewer change nothing', async () => {
    const customer = await newCustomer({ name: 'Check & Co' });
    const a = await newInvoice(customer.id, { amount: 12_500, dueDate: '2026-12-01' });
    const b = await newInvoice(customer.id, { amount: 7_500, dueDate: '2026-12-15' });
    const reference = `chk <b>${unique('memo')}</b>`;
    // No invoice or set of them has this amount: the rules leave it for a person, the customer known. Received long
    // ago, so it is near the front of the queue (oldest first).
    const recorded = await api('POST', '/payments', { customerId: customer.id, method: 'check', reference, amount: 17_000, currency: 'EUR', receivedDate: '2001-02-03' });
    expect(recorded.status, recorded.text).toBe(201);
    const id = recorded.body.id as string;
    expect(await payment(id)).toMatchObject({ status: 'unapplied', unapplied: 17_000, customerId: customer.id });

    const queue = await queuePageWith(collector, `/console/payments/${id}`);
    const escapedRef = reference.replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(queue.text).toContain(escapedRef);
    expect(queue.text).not.toContain(reference);
    expect(queue.text).toContain('€170.00');
    expect(queue.text).toContain('2001-02-03');

    const page = await collector.get(`/console/payments/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/Unapplied<\/span><span class="amount">€170\.00/);
    expect(page.text).toContain('Check &amp; Co');
    const form = formOf(page.text);
    const [ra, rb] = [form.row(a.id), form.row(b.id)];
    const before = await payment(id);
    const unchanged = async () => {
      expect(await payment(id)).toMatchObject({ unapplied: 17_000, revision: before.revision });
      expect(await invoiceState(a.id)).toMatchObject({ status: 'open', balanceDue: 12_500 });
      expect(await invoiceState(b.id)).toMatchObject({ status: 'open', balanceDue: 7_500 });
    };
    const fields = (amountA: string, amountB: string) => ({
      revision: form.revision,
      [`allocations.${ra}.invoiceId`]: a.id,
      [`allocations.${ra}.amount`]: amountA,
      [`allocations.${rb}.invoiceId`]: b.id,
      [`allocations.${rb}.amount`]: amountB,
    });

    // Bad amounts: 400 naming the form's field; nothing changed.
    const decimals = await collector.post(`/console/payments/${id}/allocations`, fields('125.001', ''));
    expect(decimals.status).toBe(400);
    expect(decimals.text).toContain(`allocations.${ra}.amount: too many decimals: EUR has 2`);
    const decimalComma = await collector.post(`/console/payments/${id}/allocations`, fields('', '12,50'));
    expect(decimalComma.status).toBe(400);
    expect(decimalComma.text).toContain(`allocations.${rb}.amount: not an amount`);
    const tooMuch = await collector.post(`/console/payments/${id}/allocations`, fields('', '75.01'));
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.text).toContain(`allocations.${rb}.amount: exceeds the invoice balance`);
    expect((await collector.post(`/console/payments/${id}/allocations`, fields('', ''))).status).toBe(400);
    await unchanged();

    // A viewer: 403, nothing changed.
    expect((await viewer.post(`/console/payments/${id}/allocations`, fields('125.00', '30'))).status).toBe(403);
    expect((await viewer.get(`/console/payments/${id}`)).text).not.toContain(`action="/console/payments/${id}/allocations"`);
    await unchanged();

    // The same form sent twice at once (a double click), and once more later: each answered as the first, applied once.
    const allocated = `/console/payments/${id}?notice=allocated`;
    const twice = await Promise.all([1, 2].map(() => collector.post(`/console/payments/${id}/allocations`, fields('125.00', '30'))));
    expect(twice.map((r) => [r.status, r.headers.get('location')])).toEqual([[303, allocated], [303, allocated]]);
    expect((await collector.post(`/console/payments/${id}/allocations`, fields('125.00', '30'))).headers.get('location')).toBe(allocated);
    // Another form from the same page (another split) is stale: 409 naming what changed.
    const other = await collector.post(`/console/payments/${id}/allocations`, fields('100', '30'));
    expect(other.status).toBe(409);
    expect(other.text).toContain('the payment changed since this form was loaded');
    const applied = await payment(id);
    expect(applied).toMatchObject({ status: 'unapplied', unapplied: 1_500, revision: before.revision + 1 });
    expect(applied.decisions.at(-1)).toMatchObject({ rule: 'staff_allocation', by: 'staff', staffId: collector.staffId, evidence: { amounts: `${a.id}:12500,${b.id}:3000` } });
    expect(await invoiceState(a.id)).toMatchObject({ status: 'paid', balanceDue: 0 });
    expect(await invoiceState(b.id)).toMatchObject({ status: 'partially_paid', balanceDue: 4_500 });
    await ledgerAgrees(customer.id, [a.id, b.id]);

    const after = await collector.get(`/console/payments/${id}?notice=allocated`);
    expect(after.text).toContain('<p class="notice" role="status">The money was applied');
    expect(after.text).toContain(`by ${collector.name}`);
    expect(after.text).toMatch(/Applied<\/span><span class="amount">€155\.00/);
    const reverse = `/console/payments/${id}/allocations/${a.id}/reverse`;
    expect(after.text).toContain(`action="${reverse}"`);
    const revision = formOf(after.text).revision;

    // Reverse: a viewer may not; a stale form is refused; the collector's reopens the invoice, the money waits again.
    expect((await viewer.post(reverse, { revision })).status).toBe(403);
    expect((await collector.post(reverse, { revision: String(Number(revision) - 1) })).status).toBe(409);
    expect(await invoiceState(a.id)).toMatchObject({ status: 'paid', balanceDue: 0 });
    const reversed = await collector.post(reverse, { revision });
    expect(reversed.status, reversed.text.slice(0, 500)).toBe(303);
    expect(reversed.headers.get('location')).toBe(`/console/payments/${id}?notice=reversed`);
    expect(await invoiceState(a.id)).toMatchObject({ status: 'open', balanceDue: 12_500 });
    const back = await payment(id);
    expect(back).toMatchObject({ unapplied: 14_000 });
    expect(back.decisions.at(-1)).toMatchObject({ rule: 'staff_reversal', by: 'staff', staffId: collector.staffId });
    // The reverse form sent again: answered as the first, nothing more done.
    expect((await collector.post(reverse, { revision })).headers.get('location')).toBe(`/console/payments/${id}?notice=reversed`);
    expect(await payment(id)).toMatchObject({ unapplied: 14_000, revision: back.revision });
    await ledgerAgrees(customer.id, [a.id, b.id]);
  });

  it('money in suspense: the customer found by an invoice number, then applied to their invoice', async () => {
    const customer = await newCustomer({ name: 'Found By Number' });
    const invoice = await newInvoice(customer.id, { amount: 9_900 });
    // A bank credit from an account nobody knows, without a reference: the money waits in suspense.
    const body = JSON.stringify({
      id: unique('ntf'),
      account: { iban: 'DE89370400440532013000' },
      credits: [{ id: unique('txn'), status: 'booked', amount: 5_000, currency: 'EUR', bookingDate: '2001-02-05', debtor: { name: 'Nobody <Known>', iban: `NL91ZZZZ${String(Date.now() % 1e10).padStart(10, '0')}` }, remittance: 'see letter' }],
    });
    expect((await postBank(body)).status).toBe(200);
    const key = parseBankPayload(body, 'application/json').lines[0]?.key as string;
    await processed('bank-line', key, 10_000);
    const id = paymentIdFor('bank', key);
    expect(await payment(id)).toMatchObject({ status: 'unapplied', customerId: SUSPENSE });

    const page = await collector.get(`/console/payments/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Find the customer');
    expect(page.text).toContain('Nobody &lt;Known&gt;');
    expect(page.text).not.toContain(`action="/console/payments/${id}/allocations"`);
    expect((await collector.get(`/console/payments/${id}?find=${encodeURIComponent('no-such-number')}`)).text).toContain('No customer found');
    const found = await collector.get(`/console/payments/${id}?find=${encodeURIComponent(invoice.number)}`);
    expect(found.status).toBe(200);
    expect(found.text).toContain('Unpaid invoices of Found By Number in EUR');
    const form = formOf(found.text);
    const k = form.row(invoice.id);
    const done = await collector.post(`/console/payments/${id}/allocations`, { revision: form.revision, [`allocations.${k}.invoiceId`]: invoice.id, [`allocations.${k}.amount`]: '50' });
    expect(done.status, done.text.slice(0, 500)).toBe(303);
    expect(await payment(id)).toMatchObject({ status: 'applied', unapplied: 0, customerId: customer.id, allocations: [{ invoiceId: invoice.id, amount: 5_000 }] });
    expect(await invoiceState(invoice.id)).toMatchObject({ status: 'partially_paid', balanceDue: invoice.balanceDue - 5_000 });
    await ledgerAgrees(customer.id, [invoice.id]);
  });

  it('an unknown payment is the 404 page; a bad cursor a 400 page; no session redirects to sign-in', async () => {
    expect((await collector.get('/console/payments/pay_nope')).status).toBe(404);
    expect((await collector.get('/console/review?cursor=garbage')).status).toBe(400);
    const anonymous = await consoleRequest('GET', '/console/review');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/console/login');
  });
});
