/**
 * The console's home (GET /console) through the shared local stack, signed in as a real member of staff
 * (test/support/console.ts): the worklist in a currency of this file's own (DKK: no other test file bills in it), its
 * figures as GET /worklist has them, the overdue counter of that currency; no session → the sign-in form; a bad filter
 * or a cursor of another filter → 400 naming the field.
 */
import { describe, expect, it } from 'vitest';
import { addDays } from '../../shared/domain/dates.ts';
import { formatMoney } from '../../shared/domain/money.ts';
import { consoleRequest, consoleSignIn } from '../support/console.ts';
import { api, newCustomer, newInvoice } from '../support/stack.ts';

const dkk = (amount: number) => formatMoney({ amount, currency: 'DKK' }, 'en-GB');
const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('console: the home page', () => {
  it('shows the worklist of a currency with the figures of GET /worklist and the overdue counter; bad filters are 400', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const [viewer, big, small] = await Promise.all([
      consoleSignIn({ role: 'viewer' }),
      newCustomer({ name: 'Havn & <Søn> ApS', currency: 'DKK', timeZone: 'Europe/Copenhagen' }),
      newCustomer({ name: 'Lille Bager', currency: 'DKK', timeZone: 'Europe/Copenhagen' }),
    ]);
    await newInvoice(big.id, { currency: 'DKK', amount: 480_000, issueDate: addDays(today, -70), dueDate: addDays(today, -40) });
    await newInvoice(big.id, { currency: 'DKK', amount: 120_000, issueDate: addDays(today, -5), dueDate: addDays(today, 25) });
    await newInvoice(small.id, { currency: 'DKK', amount: 35_000, issueDate: addDays(today, -20), dueDate: addDays(today, -3) });

    // A viewer reads it too (reading changes nothing).
    const page = await viewer.get('/console?currency=DKK');
    expect(page.status, page.text.slice(0, 300)).toBe(200);
    const list = (await api('GET', '/worklist?currency=DKK&limit=25')).body as { items: { customerId: string; overdueBalance: number; oldestDaysPastDue: number; next: { summary: string } }[] };
    expect(list.items.map((i) => i.customerId)).toEqual([big.id, small.id]);
    const rows = [...page.text.matchAll(/<tr><td data-label="Rank"[^]*?<\/tr>/g)].map((m) => m[0]);
    expect(rows).toHaveLength(2);
    for (const [k, item] of list.items.entries()) {
      const row = rows[k] as string;
      expect(row).toContain(`<a href="/console/customers/${item.customerId}">`);
      expect(row).toContain(`<td data-label="Overdue" class="num">${dkk(item.overdueBalance)}</td>`);
      expect(row).toContain(`<td data-label="Days overdue" class="num">${item.oldestDaysPastDue}</td>`);
      expect(row).toContain(escaped(item.next.summary));
    }
    expect(rows[0]).toContain(`${escaped('Havn & <Søn> ApS')}</a>`);
    expect(list.items.map((i) => [i.overdueBalance, i.oldestDaysPastDue])).toEqual([[480_000, 40], [35_000, 3]]);
    // The counter: what is overdue in DKK (not the invoice due next month), of all that is unpaid.
    expect(page.text).toContain(`<span class="label">Overdue (DKK)</span><span class="amount">${dkk(515_000)}</span><span class="muted">of ${dkk(635_000)} unpaid</span>`);
    expect(page.text).toContain('<option value="DKK" selected>DKK</option>');

    // No session: the sign-in form, nothing shown.
    const anonymous = await consoleRequest('GET', '/console?currency=DKK');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/console/login');

    // A currency that is not one, and a cursor another filter issued: 400 naming the field.
    const bad = await viewer.get('/console?currency=DK');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('currency:');
    const cursor = (await api('GET', '/worklist?currency=DKK&limit=1')).body.nextCursor as string;
    const stale = await viewer.get(`/console?currency=SEK&cursor=${encodeURIComponent(cursor)}`);
    expect(stale.status).toBe(400);
    expect(stale.text).toContain('cursor');
    // The same cursor with its own filter: the second customer, ranked 2.
    const second = await viewer.get(`/console?currency=DKK&cursor=${encodeURIComponent(cursor)}`);
    expect(second.status).toBe(200);
    expect(second.text).toContain(`<td data-label="Rank" class="num">2</td><td data-label="Customer"><div><a href="/console/customers/${small.id}">`);
    expect(second.text).toContain('<a href="/console?currency=DKK">Back to the top</a>');
  }, 60_000);
});
