/**
 * Promises to pay and portal disputes through a running local stack of its own (the clock moves: time travel on the
 * schedules and on the portal's requests): a promise pauses the reminders, a broken one lets the ladder resume with
 * the step now due and a kind line; a payment keeps one at once; staff list them; the KPIs count them; the portal's
 * forms refuse a missing CSRF token and another customer's invoice, changing nothing; every promise and a portal
 * dispute are in the communication history and the decisions trail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { StackDriver } from '../../local/time-travel.ts';
import { unique, useOwnStack } from '../support/own-stack.ts';

const own = useOwnStack('promises');
let stack: StackDriver;
beforeAll(() => {
  stack = own.stack;
});

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** A customer's browser on this stack: a cookie jar; every request at a given instant (the gateway's X-Local-Time). */
class Browser {
  readonly cookies = new Map<string, string>();
  csrf = '';
  async send(method: 'GET' | 'POST', path: string, at: Date, form?: Record<string, string>) {
    const headers: Record<string, string> = { 'x-local-time': at.toISOString() };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(`${stack.info.apiUrl}${path}`, { method, headers, redirect: 'manual', ...(form ? { body: new URLSearchParams(form).toString() } : {}) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      if (/max-age=0/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location') ?? undefined, body: await res.text() };
  }

  /** Signs in through the real flow: login form → mailed link → one-button page → its POST. */
  async signIn(email: string, at: Date): Promise<void> {
    const before = (await stack.mails(email)).length;
    expect((await this.send('POST', '/portal/login', at, { email })).status).toBe(200);
    let link: string | undefined;
    for (let i = 0; i < 80 && !link; i++) {
      const mails = await stack.mails(email);
      if (mails.length > before) link = decode(mails.at(-1)?.body.text.match(/https?:\/\/\S+\/portal\/session\?\S+/)?.[0] ?? '') || undefined;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(link, 'the sign-in mail').toBeDefined();
    const url = new URL(link as string);
    const page = await this.send('GET', url.pathname + url.search, at);
    expect(page.status).toBe(200);
    const form = /<form method="post" action="\/portal\/session"[^>]*>([\s\S]*?)<\/form>/.exec(page.body)?.[1] ?? '';
    const fields = Object.fromEntries([...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1] as string, decode(m[2] as string)]));
    expect((await this.send('POST', '/portal/session', at, fields)).status).toBe(303);
    const overview = await this.send('GET', '/portal', at);
    expect(overview.status).toBe(200);
    this.csrf = decode(/<input type="hidden" name="csrf" value="([^"]+)">/.exec(overview.body)?.[1] ?? '');
  }

  post(path: string, at: Date, form: Record<string, string>) {
    return this.send('POST', path, at, { csrf: this.csrf, ...form });
  }
}

async function customer(fields: Record<string, unknown> = {}) {
  const res = await stack.api('POST', '/customers', { name: 'Ada Lovelace', email: `${unique('ada')}@example.com`, timeZone: 'Europe/Berlin', locale: 'en-GB', ...fields });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; email: string };
}

async function invoice(customerId: string, fields: Record<string, unknown> = {}) {
  const res = await stack.api('POST', '/invoices', { customerId, currency: 'EUR', amount: 100_000, issueDate: '2027-03-01', dueDate: '2027-03-31', ...fields });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; number: string };
}

async function getInvoice(id: string) {
  const res = await stack.api('GET', `/invoices/${id}`);
  expect(res.status).toBe(200);
  return res.body as { balanceDue: number; version: number; promise?: { id: string; status: string; date: string; amount?: number; until: string }; dispute?: { reasonCode?: string; reason: string } };
}

async function history(customerId: string) {
  const res = await stack.api('GET', `/customers/${customerId}/communications`);
  expect(res.status, res.text).toBe(200);
  return res.body as { mails: { kind: string; subject: string; invoiceIds?: string[] }[]; decisions: { kind: string; by: string; invoiceId: string; subjectId: string; reason: string }[] };
}

const reminders = async (customerId: string) => (await history(customerId)).mails.filter((m) => m.kind.startsWith('reminder:')).map((m) => m.kind);

/** 09:00 UTC (11:00 in Berlin, business hours) on a date. */
const at9 = (date: string) => new Date(`${date}T09:00:00Z`);

describe('promises to pay', () => {
  it('pause the reminders until the promised date plus the grace days; a broken one resumes the ladder with the step now due and says so kindly', async () => {
    const c = await customer();
    const inv = await invoice(c.id);
    for (const day of ['2027-03-24', '2027-03-31', '2027-04-05']) await stack.fire('reminders', at9(day));
    expect(await reminders(c.id)).toEqual(['reminder:heads-up', 'reminder:due-day', 'reminder:gentle']);

    const browser = new Browser();
    await browser.signIn(c.email, at9('2027-04-06'));
    const made = await browser.post(`/portal/invoices/${inv.id}/promise`, at9('2027-04-06'), { date: '2027-04-16' });
    expect(made.status, made.body.slice(0, 500)).toBe(303);
    expect(made.location).toBe(`/portal/invoices/${inv.id}?notice=promise_made`);
    // A double click is one promise.
    expect((await browser.post(`/portal/invoices/${inv.id}/promise`, at9('2027-04-06'), { date: '2027-04-16' })).status).toBe(303);
    const promised = await getInvoice(inv.id);
    // Until the start of 20 April in Berlin (16 April + 3 grace days, the terms having none).
    expect(promised.promise).toMatchObject({ status: 'open', date: '2027-04-16', until: '2027-04-19T22:00:00.000Z' });
    const confirmation = (await stack.mails(c.email)).find((m) => m.subject.startsWith('Thank you: your promise to pay'));
    expect(confirmation?.body.text).toContain('16 April 2027');

    // The firm step (due + 14 = 14 April) waits while the promise is open, and the day before its end too.
    for (const day of ['2027-04-14', '2027-04-16', '2027-04-19']) await stack.fire('reminders', at9(day));
    await stack.fire('escalation', at9('2027-04-19'));
    expect(await reminders(c.id)).toEqual(['reminder:heads-up', 'reminder:due-day', 'reminder:gentle']);

    await stack.fire('reminders', at9('2027-04-20'));
    expect(await reminders(c.id)).toEqual(['reminder:heads-up', 'reminder:due-day', 'reminder:gentle', 'reminder:firm']);
    const firm = (await stack.mails(c.email)).at(-1);
    expect(firm?.body.text).toContain('We had noted your promise to pay this invoice by 16 April 2027; we have not received the payment yet.');
    expect((await getInvoice(inv.id)).promise).toMatchObject({ status: 'broken' });
    // Re-firing adds nothing.
    await stack.fire('reminders', at9('2027-04-20'));
    expect((await reminders(c.id)).length).toBe(4);

    const trail = (await history(c.id)).decisions.filter((d) => d.invoiceId === inv.id);
    expect(trail.map((d) => [d.kind, d.by])).toEqual([
      ['promise_made', 'portal'],
      ['promise_broken', 'reminders'],
    ]);
    expect((await history(c.id)).mails.map((m) => m.kind)).toContain('promise_made');

    // A new promise right after a broken one is refused (409 page), nothing changed (a new session: days went by).
    await browser.signIn(c.email, at9('2027-04-20'));
    const again = await browser.post(`/portal/invoices/${inv.id}/promise`, at9('2027-04-20'), { date: '2027-04-25' });
    expect(again.status).toBe(409);
    expect((await getInvoice(inv.id)).promise?.status).toBe('broken');

    const broken = await stack.api('GET', '/promises?status=broken');
    expect(broken.body.items.map((p: { invoiceId: string }) => p.invoiceId)).toContain(inv.id);
    const open = await stack.api('GET', '/promises?status=open');
    expect(open.body.items.map((p: { invoiceId: string }) => p.invoiceId)).not.toContain(inv.id);
  }, 240_000);

  it('is kept the moment a payment covers it: no reminder after its end; the KPIs give the kept rate', async () => {
    const c = await customer();
    const inv = await invoice(c.id);
    const partial = await invoice(c.id, { amount: 50_000 });
    const browser = new Browser();
    await browser.signIn(c.email, at9('2027-04-06'));
    expect((await browser.post(`/portal/invoices/${inv.id}/promise`, at9('2027-04-06'), { date: '2027-04-12' })).status).toBe(303);
    // A partial promise: 200.00 of 500.00 (typed in euros, the German way).
    expect((await browser.post(`/portal/invoices/${partial.id}/promise`, at9('2027-04-06'), { date: '2027-04-12', amount: '200,00' })).status).toBe(303);
    expect((await getInvoice(partial.id)).promise).toMatchObject({ status: 'open', amount: 20_000 });

    const pay = (invoiceId: string, amount: number) =>
      stack.api(
        'POST',
        '/payments',
        { customerId: c.id, method: 'bank_transfer', reference: unique('TRF'), amount, currency: 'EUR', receivedDate: '2027-04-09', allocations: [{ invoiceId, amount }] },
        { 'x-local-time': at9('2027-04-09').toISOString() },
      );
    expect((await pay(inv.id, 100_000)).status).toBe(201);
    expect((await pay(partial.id, 10_000)).status).toBe(201);
    expect((await getInvoice(inv.id)).promise?.status).toBe('kept');
    // 100.00 of the 200.00 promised: still open; the rest arrives.
    expect((await getInvoice(partial.id)).promise?.status).toBe('open');
    expect((await pay(partial.id, 10_000)).status).toBe(201);
    expect((await getInvoice(partial.id)).promise?.status).toBe('kept');

    await stack.fire('reminders', at9('2027-04-16'));
    // The partial promise was kept: the ladder goes on for the 300.00 still open (due 31 March: the firm step), without a word about a broken promise.
    const mails = (await history(c.id)).mails;
    expect(mails.filter((m) => m.kind.startsWith('reminder:') && m.invoiceIds?.includes(inv.id))).toEqual([]);
    const last = (await stack.mails(c.email)).at(-1);
    expect(last?.body.text).not.toContain('We had noted your promise');

    const trail = (await history(c.id)).decisions;
    expect(trail.filter((d) => d.kind === 'promise_kept').map((d) => [d.invoiceId, d.by]).sort()).toEqual([
      [inv.id, 'payment'],
      [partial.id, 'payment'],
    ].sort());
    const kept = await stack.api('GET', '/promises?status=kept&limit=1');
    expect(kept.status).toBe(200);
    expect(kept.body.items).toHaveLength(1);
    const next = await stack.api('GET', `/promises?status=kept&limit=1&cursor=${encodeURIComponent(kept.body.nextCursor)}`);
    expect(next.body.items).toHaveLength(1);
    expect(new Set([kept.body.items[0].invoiceId, next.body.items[0].invoiceId])).toEqual(new Set([inv.id, partial.id]));
    // A cursor of another filter is refused.
    expect((await stack.api('GET', `/promises?status=broken&cursor=${encodeURIComponent(kept.body.nextCursor)}`)).status).toBe(400);
    expect((await stack.api('GET', '/promises?status=late')).status).toBe(400);

    // This stack's promises settled in April: 2 kept here, 1 broken in the test before.
    const kpis = await stack.api('GET', '/reports/kpis?from=2027-04-01&to=2027-04-30&asOf=2027-04-30');
    expect(kpis.status, kpis.text).toBe(200);
    expect(kpis.body.promiseKeptRate).toEqual({ kept: 2, broken: 1, percent: 66.67 });
  }, 120_000);

  it('the portal forms refuse a missing CSRF token, another customer’s invoice and bad fields, changing nothing', async () => {
    const c = await customer();
    const other = await customer();
    const mine = await invoice(c.id);
    const theirs = await invoice(other.id);
    const browser = new Browser();
    const now = at9('2027-04-06');
    await browser.signIn(c.email, now);

    const noCsrf = await browser.send('POST', `/portal/invoices/${mine.id}/promise`, now, { date: '2027-04-16' });
    expect(noCsrf.status).toBe(403);
    const wrongCsrf = await browser.send('POST', `/portal/invoices/${mine.id}/disputes`, now, { csrf: 'x'.repeat(20), reason: 'wrong_amount', message: 'Too much' });
    expect(wrongCsrf.status).toBe(403);
    const foreign = await browser.post(`/portal/invoices/${theirs.id}/promise`, now, { date: '2027-04-16' });
    expect(foreign.status).toBe(404);
    const foreignDispute = await browser.post(`/portal/invoices/${theirs.id}/disputes`, now, { reason: 'duplicate', message: 'Not mine' });
    expect(foreignDispute.status).toBe(404);
    const unknown = await browser.post('/portal/invoices/inv_unknown/promise', now, { date: '2027-04-16' });
    expect(unknown.status).toBe(404);
    expect(foreign.body.replaceAll(theirs.id, '')).toBe(unknown.body.replaceAll('inv_unknown', ''));

    const tooLate = await browser.post(`/portal/invoices/${mine.id}/promise`, now, { date: '2027-05-07' });
    expect(tooLate.status).toBe(400);
    expect(tooLate.body).toContain('date: must be at most 30 days ahead');
    const past = await browser.post(`/portal/invoices/${mine.id}/promise`, now, { date: '2027-04-05' });
    expect(past.status).toBe(400);
    const badAmount = await browser.post(`/portal/invoices/${mine.id}/promise`, now, { date: '2027-04-16', amount: '12.345' });
    expect(badAmount.status).toBe(400);
    expect(badAmount.body).toContain('amount:');
    const tooMuch = await browser.post(`/portal/invoices/${mine.id}/promise`, now, { date: '2027-04-16', amount: '1000.01' });
    expect(tooMuch.status).toBe(400);
    const noCode = await browser.post(`/portal/invoices/${mine.id}/disputes`, now, { reason: 'because', message: 'Too much' });
    expect(noCode.status).toBe(400);
    expect(noCode.body).toContain('reason:');

    expect((await getInvoice(mine.id)).promise).toBeUndefined();
    expect((await getInvoice(mine.id)).dispute).toBeUndefined();
    expect((await getInvoice(theirs.id)).promise).toBeUndefined();
    expect((await getInvoice(theirs.id)).dispute).toBeUndefined();
    expect((await history(c.id)).decisions).toEqual([]);
    expect((await history(other.id)).decisions).toEqual([]);
  }, 120_000);

  it('a portal dispute is the staff workflow with a reason code: collection paused, the mail names the reason, reported and in the trail', async () => {
    const c = await customer({ locale: 'de-DE' });
    const inv = await invoice(c.id);
    const browser = new Browser();
    const now = at9('2027-04-06');
    await browser.signIn(c.email, now);
    // A promise on a disputed invoice is refused; a dispute on a promised one pauses it all the same.
    const opened = await browser.post(`/portal/invoices/${inv.id}/disputes`, now, { reason: 'not_received', message: 'Die Lieferung fehlt.' });
    expect(opened.status, opened.body.slice(0, 300)).toBe(303);
    expect(opened.location).toBe(`/portal/invoices/${inv.id}?notice=dispute_opened`);
    // The same form sent twice is one dispute.
    expect((await browser.post(`/portal/invoices/${inv.id}/disputes`, now, { reason: 'not_received', message: 'Die Lieferung fehlt.' })).status).toBe(303);
    expect((await getInvoice(inv.id)).dispute).toMatchObject({ reasonCode: 'not_received', reason: 'Die Lieferung fehlt.' });
    expect((await browser.post(`/portal/invoices/${inv.id}/promise`, now, { date: '2027-04-16' })).status).toBe(409);

    const received = (await stack.mails(c.email)).find((m) => m.subject.startsWith('Ihr Einwand'));
    expect(received?.body.text).toContain('Angegebener Grund: Ware oder Leistung nicht erhalten.');
    await stack.fire('reminders', at9('2027-04-14'));
    expect(await reminders(c.id)).toEqual([]);
    const trail = (await history(c.id)).decisions;
    expect(trail.map((d) => [d.kind, d.by])).toEqual([['dispute_opened', 'portal']]);

    // Staff: the reason code is optional (other) and checked.
    const staffInvoice = await invoice(c.id);
    const staff = await stack.api('POST', `/invoices/${staffInvoice.id}/disputes`, { reason: 'Phoned in' }, { 'x-local-time': now.toISOString() });
    expect(staff.status, staff.text).toBe(201);
    expect(staff.body.reasonCode).toBe('other');
    const coded = await invoice(c.id);
    const bad = await stack.api('POST', `/invoices/${coded.id}/disputes`, { reason: 'x', reasonCode: 'too_expensive' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('reasonCode');
    expect((await getInvoice(coded.id)).dispute).toBeUndefined();
    expect((await stack.api('POST', `/invoices/${coded.id}/disputes`, { reason: 'Billed twice', reasonCode: 'duplicate' }, { 'x-local-time': now.toISOString() })).status).toBe(201);

    // A resolved dispute still counts among those opened in the period (its resolution keeps the listing).
    const resolved = await stack.api('POST', `/disputes/${staff.body.id}/resolve`, { outcome: 'rejected', explanation: 'Checked: the delivery was signed for.' }, { 'x-local-time': now.toISOString() });
    expect(resolved.status, resolved.text).toBe(200);
    const kpis = await stack.api('GET', '/reports/kpis?from=2027-04-01&to=2027-04-30&asOf=2027-04-30');
    expect(kpis.body.disputesByReason).toEqual({ wrong_amount: 0, not_received: 1, defective: 0, duplicate: 1, already_paid: 0, other: 1 });
  }, 120_000);
});
