/**
 * Statements of account through a running local stack of its own (the monthly run mails every customer with a balance,
 * and these tests move the clock, so they must not share a stack with tests that count mails): the statement's
 * arithmetic against the ledger, the CSV and HTML formats, the query's validation, and the monthly run sending each
 * customer one statement however often it fires.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { StackDriver } from '../../local/time-travel.ts';
import { unique, useOwnStack } from '../support/own-stack.ts';

const own = useOwnStack('statements');
let stack: StackDriver;
beforeAll(() => {
  stack = own.stack;
});

interface Line {
  date: string;
  type: string;
  reference: string;
  invoiceNumber?: string;
  amount: number;
  balance: number;
  bookedAt: string;
}
interface CurrencyStatement {
  currency: string;
  openingBalance: number;
  lines: Line[];
  closingBalance: number;
  aging: Record<string, number>;
  openItems: { invoiceId?: string; invoiceNumber?: string; balance: number; bucket: string }[];
  credit: { openingBalance: number; closingBalance: number; lines: Line[] };
}
interface Statement {
  customerId: string;
  from: string;
  to: string;
  currencies: CurrencyStatement[];
}
interface Entry {
  account: string;
  amount: number;
  currency: string;
  bookedAt: string;
  type: string;
}

async function customer(fields: Record<string, unknown>) {
  const res = await stack.api('POST', '/customers', { name: 'Ada Lovelace', email: `${unique('ada')}@example.com`, ...fields });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; email: string };
}

async function invoice(customerId: string, fields: Record<string, unknown>) {
  const res = await stack.api('POST', '/invoices', { customerId, currency: 'EUR', ...fields });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; number: string; dueDate: string };
}

async function pay(customerId: string, amount: number, receivedDate: string, allocations: { invoiceId: string; amount: number }[]) {
  const res = await stack.api(
    'POST',
    '/payments',
    { customerId, method: 'bank_transfer', reference: unique('transfer'), amount, currency: 'EUR', receivedDate, allocations },
    { 'x-local-time': `${receivedDate}T10:00:00Z` },
  );
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

async function statement(customerId: string, query: string, headers: Record<string, string> = {}) {
  return stack.api<Statement>('GET', `/customers/${customerId}/statement${query}`, undefined, headers);
}

async function receivable(customerId: string, before?: string): Promise<number> {
  const res = await stack.api<{ entries: Entry[] }>('GET', `/customers/${customerId}/ledger`);
  expect(res.status).toBe(200);
  return res.body.entries
    .filter((e) => e.account === 'receivable' && e.currency === 'EUR' && (before === undefined || e.bookedAt < before))
    .reduce((s, e) => s + e.amount, 0);
}

async function fireStatements(time: string): Promise<{ sent: number; complete: boolean }> {
  const res = await stack.api('POST', '/local/schedules/statements/fire', { time });
  expect(res.status, res.text).toBe(200);
  await stack.drain();
  return res.body.result as { sent: number; complete: boolean };
}

async function statementMails(customerId: string) {
  const res = await stack.api<{ mails: { key: string; kind: string; status: string; subject: string }[] }>('GET', `/customers/${customerId}/communications`);
  expect(res.status).toBe(200);
  return res.body.mails.filter((m) => m.kind === 'statement');
}

const sumOf = (lines: readonly Line[]) => lines.reduce((s, l) => s + l.amount, 0);

describe('statement of account', () => {
  // A Berlin customer: one invoice from February, two in March; a partial and a full payment in March, a dispute
  // upheld with a credit note just after midnight on 1 April Berlin time (still 31 March in UTC), a payment in April.
  let c: { id: string; email: string };
  let febInvoice: { id: string; number: string };
  let marInvoice: { id: string; number: string };
  let paidInvoice: { id: string; number: string };

  beforeAll(async () => {
    c = await customer({ name: 'Ada <Lovelace> & Co', locale: 'de-DE', timeZone: 'Europe/Berlin' });
    febInvoice = await invoice(c.id, { amount: 10_000, issueDate: '2027-02-10', dueDate: '2027-02-24' });
    marInvoice = await invoice(c.id, { amount: 25_000, issueDate: '2027-03-05', dueDate: '2027-04-04' });
    paidInvoice = await invoice(c.id, { amount: 8_000, issueDate: '2027-03-10', dueDate: '2027-03-20' });
    await pay(c.id, 4_000, '2027-03-15', [{ invoiceId: febInvoice.id, amount: 4_000 }]); // partial
    await pay(c.id, 8_000, '2027-03-18', [{ invoiceId: paidInvoice.id, amount: 8_000 }]); // full
    const dispute = await stack.api('POST', `/invoices/${marInvoice.id}/disputes`, { reason: 'Two items missing', amount: 5_000 }, { 'x-local-time': '2027-03-25T09:00:00Z' });
    expect(dispute.status, dispute.text).toBe(201);
    // 22:30 UTC on 31 March is 00:30 on 1 April in Berlin (summer time).
    const upheld = await stack.api('POST', `/disputes/${dispute.body.id}/resolve`, { outcome: 'upheld', explanation: 'Credited.' }, { 'x-local-time': '2027-03-31T22:30:00Z' });
    expect(upheld.status, upheld.text).toBe(200);
    await pay(c.id, 3_000, '2027-04-12', [{ invoiceId: febInvoice.id, amount: 3_000 }]);
    await stack.drain();
  }, 60_000);

  it('March in JSON: opening + activity = closing = the ledger’s receivable sum up to the end of 31 March, Berlin time', async () => {
    const res = await statement(c.id, '?from=2027-03-01&to=2027-03-31');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ customerId: c.id, from: '2027-03-01', to: '2027-03-31' });
    const eur = res.body.currencies.find((x) => x.currency === 'EUR') as CurrencyStatement;
    // Berlin midnights: 1 March 00:00 = 28 Feb 23:00 UTC; 1 April 00:00 = 31 March 22:00 UTC (summer time).
    expect(eur.openingBalance).toBe(await receivable(c.id, '2027-02-28T23:00:00.000Z'));
    expect(eur.openingBalance).toBe(10_000);
    expect(eur.openingBalance + sumOf(eur.lines)).toBe(eur.closingBalance);
    expect(eur.closingBalance).toBe(await receivable(c.id, '2027-03-31T22:00:00.000Z'));
    expect(eur.lines.map((l) => [l.date, l.type, l.invoiceNumber, l.amount, l.balance])).toEqual([
      ['2027-03-05', 'invoice', marInvoice.number, 25_000, 35_000],
      ['2027-03-10', 'invoice', paidInvoice.number, 8_000, 43_000],
      ['2027-03-15', 'payment', febInvoice.number, -4_000, 39_000],
      ['2027-03-18', 'payment', paidInvoice.number, -8_000, 31_000],
    ]);
    expect(eur.lines.find((l) => l.type === 'payment')?.reference).toMatch(/^pay_/);
    // Aging as of 31 March: the February invoice 35 days past due, the March one not yet due; the paid one is gone.
    expect(eur.aging).toEqual({ current: 25_000, days1To30: 0, days31To60: 6_000, days61To90: 0, over90: 0 });
    expect(eur.openItems.map((i) => [i.invoiceNumber, i.balance, i.bucket])).toEqual([
      [febInvoice.number, 6_000, 'days31To60'],
      [marInvoice.number, 25_000, 'current'],
    ]);
    expect(eur.credit).toEqual({ openingBalance: 0, lines: [], closingBalance: 0 });
  });

  it('April: the credit note on Berlin’s 1 April and the April payment; a statement up to today equals the ledger', async () => {
    const april = (await statement(c.id, '?from=2027-04-01&to=2027-04-30')).body.currencies[0] as CurrencyStatement;
    expect(april.openingBalance).toBe(31_000);
    expect(april.lines.map((l) => [l.date, l.type, l.amount])).toEqual([
      ['2027-04-01', 'credit', -5_000],
      ['2027-04-12', 'payment', -3_000],
    ]);
    expect(april.lines[0]?.reference).toBe(marInvoice.number);
    expect(april.closingBalance).toBe(23_000);

    const all = await statement(c.id, '?from=2027-01-01&to=2027-12-31');
    const eur = all.body.currencies[0] as CurrencyStatement;
    expect(eur.openingBalance).toBe(0);
    expect(eur.openingBalance + sumOf(eur.lines)).toBe(eur.closingBalance);
    expect(eur.closingBalance).toBe(await receivable(c.id));
    const profile = await stack.api('GET', `/customers/${c.id}`);
    expect(eur.closingBalance).toBe(profile.body.balances.receivable.EUR);
    expect(new Set(eur.lines.map((l) => l.type))).toEqual(new Set(['invoice', 'payment', 'credit']));
  });

  it('defaults to the last full calendar month in the customer’s time zone', async () => {
    // 1 April 00:30 Berlin: March is the last full month.
    const res = await statement(c.id, '', { 'x-local-time': '2027-03-31T22:30:00Z' });
    expect(res.status, res.text).toBe(200);
    expect([res.body.from, res.body.to]).toEqual(['2027-03-01', '2027-03-31']);
    // 31 March 23:30 Berlin: still March, so February.
    const earlier = await statement(c.id, '', { 'x-local-time': '2027-03-31T21:30:00Z' });
    expect([earlier.body.from, earlier.body.to]).toEqual(['2027-02-01', '2027-02-28']);
  });

  it('CSV: a download with a header row and exact decimal amounts', async () => {
    const res = await fetch(`${own.info.apiUrl}/customers/${c.id}/statement?from=2027-03-01&to=2027-03-31&format=csv`, {
      headers: { authorization: `Bearer ${own.info.adminKey}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="statement-${c.id}-2027-03-01-2027-03-31.csv"`);
    const text = await res.text();
    const rows = text.split('\r\n');
    expect(rows[0]).toBe('Account,Currency,Date,Type,Reference,Invoice,Amount,Balance');
    expect(rows[1]).toBe('receivable,EUR,2027-03-01,opening_balance,,,,100.00');
    expect(rows[2]).toBe(`receivable,EUR,2027-03-05,invoice,${marInvoice.number},${marInvoice.number},250.00,350.00`);
    expect(rows[3]).toBe(`receivable,EUR,2027-03-10,invoice,${paidInvoice.number},${paidInvoice.number},80.00,430.00`);
    expect(rows[4]).toMatch(new RegExp(`^receivable,EUR,2027-03-15,payment,pay_[0-9a-f]+,${febInvoice.number},-40\\.00,390\\.00$`));
    expect(rows[5]).toMatch(new RegExp(`^receivable,EUR,2027-03-18,payment,pay_[0-9a-f]+,${paidInvoice.number},-80\\.00,310\\.00$`));
    expect(rows[6]).toBe('receivable,EUR,2027-03-31,closing_balance,,,,310.00');
    expect(rows.slice(7)).toEqual(['']);
  });

  it('HTML: printable, escaped, in the customer’s language', async () => {
    const res = await fetch(`${own.info.apiUrl}/customers/${c.id}/statement?from=2027-03-01&to=2027-03-31&format=html`, {
      headers: { authorization: `Bearer ${own.info.adminKey}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('Ada &lt;Lovelace&gt; &amp; Co');
    expect(html).not.toContain('<Lovelace>');
    expect(html).toContain('@media print');
    expect(html).toContain('Kontoauszug');
    expect(html.replace(/[\u00a0\u202f]/g, ' ')).toContain('310,00 €');
  });

  it('400 names the bad field; 404 for an unknown customer; 401 without the key', async () => {
    const cases: [string, string][] = [
      ['?from=2027-02-30&to=2027-03-31', 'from'],
      ['?from=2027-03-01&to=31.03.2027', 'to'],
      ['?from=2027-03-31&to=2027-03-01', 'to'],
      ['?from=2025-01-01&to=2027-01-01', 'to'],
      ['?from=2027-03-01', 'to'],
      ['?to=2027-03-01', 'from'],
      ['?format=xml', 'format'],
    ];
    for (const [query, field] of cases) {
      const res = await stack.api('GET', `/customers/${c.id}/statement${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.field, query).toBe(field);
    }
    expect((await statement(c.id, '?from=2025-01-01&to=2026-12-31')).status).toBe(200);
    const unknown = await stack.api('GET', '/customers/cus_nobody/statement');
    expect(unknown.status).toBe(404);
    const anonymous = await fetch(`${own.info.apiUrl}/customers/${c.id}/statement`);
    expect(anonymous.status).toBe(401);
  });

  it('the monthly run mails each customer with something to tell their statement once, however often it fires', async () => {
    // Nothing booked and nothing owed: no statement. A suppressed address: no statement.
    const quiet = await customer({ locale: 'en-US', timeZone: 'America/New_York' });
    const bounced = await customer({ locale: 'en-GB', timeZone: 'Europe/London' });
    await invoice(bounced.id, { amount: 1_000, issueDate: '2027-03-02', dueDate: '2027-03-30' });
    const sns = await stack.api('POST', '/local/sns/ses-events', {
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', feedbackId: unique('fb'), timestamp: '2027-03-03T10:00:00Z', bouncedRecipients: [{ emailAddress: bounced.email }] },
      mail: { messageId: unique('msg'), tags: { customer_id: [bounced.id] } },
    });
    expect(sns.status, sns.text).toBe(200);

    const first = await fireStatements('2027-04-01T06:00:00Z');
    expect(first.complete).toBe(true);
    expect(first.sent).toBeGreaterThanOrEqual(1);
    await fireStatements('2027-04-01T06:00:00Z');
    await fireStatements('2027-04-20T06:00:00Z'); // a re-run later in the month: still March, still one

    const mails = await statementMails(c.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ key: `statement#${c.id}#2027-03`, status: 'sent', subject: 'Ihr Kontoauszug für März 2027' });
    const inbox = (await stack.mails(c.email)).filter((m) => m.subject.startsWith('Ihr Kontoauszug'));
    expect(inbox).toHaveLength(1);
    const text = inbox[0]?.body.text.replace(/[\u00a0\u202f]/g, ' ') ?? '';
    expect(text).toContain('Anfangssaldo am 1. März 2027: 100,00 €');
    expect(text).toContain('Endsaldo am 31. März 2027: 310,00 €');
    expect(text).toContain(`Rechnung ${marInvoice.number}`);
    expect(text).toMatch(/\nJetzt bezahlen: http:\/\/[^ ]+\/pay\//);
    expect(text).toMatch(/\nIhr Kundenkonto ansehen: http:\/\/[^ ]+\/portal\/session\?c=/);
    expect(inbox[0]?.body.html).toContain('Ada &lt;Lovelace&gt; &amp; Co');

    expect(await statementMails(quiet.id)).toHaveLength(0);
    expect(await statementMails(bounced.id)).toHaveLength(0);
    expect(await stack.mails(quiet.email)).toHaveLength(0);

    // The next month: April's statement, once.
    await fireStatements('2027-05-01T06:00:00Z');
    await fireStatements('2027-05-01T06:00:00Z');
    expect((await statementMails(c.id)).map((m) => m.key)).toEqual([`statement#${c.id}#2027-03`, `statement#${c.id}#2027-04`]);
    expect((await stack.mails(c.email)).filter((m) => m.subject.startsWith('Ihr Kontoauszug'))).toHaveLength(2);
  }, 120_000);

  it('the monthly run pages through the customers (100 a page) and reaches the last one', async () => {
    for (let i = 0; i < 100; i += 10) {
      await Promise.all(Array.from({ length: 10 }, () => customer({ timeZone: 'UTC' })));
    }
    // Listed oldest first: created "later" than everyone, this customer is on the last page.
    const last = await stack.api('POST', '/customers', { name: 'Zoe Last', email: `${unique('zoe')}@example.com`, locale: 'en-GB', timeZone: 'Europe/London' }, { 'x-local-time': '2099-01-01T00:00:00Z' });
    expect(last.status, last.text).toBe(201);
    await invoice(last.body.id, { amount: 1_234, issueDate: '2027-05-10', dueDate: '2027-06-09' });

    // The scheduled invocation does the first page and hands the cursor to the collections queue; the worker does
    // the rest, one page per message.
    const res = await stack.api('POST', '/local/schedules/statements/fire', { time: '2027-06-01T06:00:00Z' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.result).toMatchObject({ complete: false, pages: 1 });
    await stack.drain();
    expect((await statementMails(last.body.id)).map((m) => m.key)).toEqual([`statement#${last.body.id}#2027-05`]);
    const [mail] = await stack.mails(last.body.email);
    expect(mail?.subject).toBe('Your statement for May 2027');
    expect(mail?.body.text).toContain('Closing balance on 31 May 2027: €12.34');
  }, 120_000);
});
