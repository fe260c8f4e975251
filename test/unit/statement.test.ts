import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BRAND } from '../../shared/domain/ui/brand.ts';
import type { LedgerEntry, LedgerEntryType } from '../../shared/domain/ledger.ts';
import {
  AGING_BUCKETS,
  addYears,
  buildStatement,
  entryDate,
  hasContent,
  lastFullMonth,
  periodTooLong,
  type Statement,
  type StatementInvoice,
} from '../../shared/domain/statement.ts';
import { csvField, decimalAmount, statementCsv, statementFileName } from '../../shared/domain/statement-csv.ts';
import { statementHtml } from '../../shared/domain/statement-html.ts';
import { renderStatementMail } from '../../shared/domain/statement-mail.ts';

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

let n = 0;
function entry(fields: Partial<LedgerEntry> & Pick<LedgerEntry, 'type' | 'amount' | 'bookedAt'>): LedgerEntry {
  return { id: `e${String(++n).padStart(4, '0')}`, customerId: 'cus_1', account: 'receivable', currency: 'EUR', ...fields };
}

const berlin = { id: 'cus_1', name: 'Ada Lovelace', locale: 'de-DE', timeZone: 'Europe/Berlin' };
const newYork = { id: 'cus_1', name: 'Brian O’Neil', locale: 'en-US', timeZone: 'America/New_York' };

const invoices: StatementInvoice[] = [
  { id: 'inv_a', number: 'INV-000001', currency: 'EUR', dueDate: '2027-02-15' },
  { id: 'inv_b', number: 'INV-000002', currency: 'EUR', dueDate: '2027-04-04' },
  { id: 'inv_c', number: 'INV-000003', currency: 'EUR', dueDate: '2026-12-01', extension: { dueDate: '2027-03-20' } },
  { id: 'inv_d', number: 'INV-000004', currency: 'EUR', dueDate: '2026-11-15' },
  { id: 'inv_u', number: 'INV-000005', currency: 'USD', dueDate: '2027-03-01' },
];

/** A portfolio around March 2027 for a Berlin customer. */
function march(): LedgerEntry[] {
  return [
    entry({ type: 'invoice_issued', amount: 10_000, invoiceId: 'inv_a', bookedAt: '2027-01-16T00:00:00.000Z' }),
    entry({ type: 'invoice_issued', amount: 5_000, invoiceId: 'inv_d', bookedAt: '2026-10-16T00:00:00.000Z' }),
    entry({ type: 'invoice_issued', amount: 25_000, invoiceId: 'inv_b', bookedAt: '2027-03-05T00:00:00.000Z' }),
    entry({ type: 'invoice_issued', amount: 8_000, invoiceId: 'inv_c', bookedAt: '2026-11-01T00:00:00.000Z' }),
    // 28 Feb 23:30 UTC is 1 March 00:30 in Berlin: in March, not in the opening balance.
    entry({ type: 'payment_applied', amount: -4_000, invoiceId: 'inv_a', paymentId: 'pay_1', bookedAt: '2027-02-28T23:30:00.000Z' }),
    // 28 Feb 22:59 UTC is 23:59 in Berlin: still February.
    entry({ type: 'interest_charged', amount: 120, invoiceId: 'inv_d', bookedAt: '2027-02-28T22:59:00.000Z' }),
    entry({ type: 'credit_note', amount: -5_000, invoiceId: 'inv_b', bookedAt: '2027-03-20T10:00:00.000Z' }),
    entry({ type: 'late_fee_charged', amount: 4_000, invoiceId: 'inv_d', bookedAt: '2027-03-02T01:15:00.000Z' }),
    entry({ type: 'payment_applied', amount: -3_000, invoiceId: 'inv_c', paymentId: 'pay_2', bookedAt: '2027-03-18T00:00:00.000Z' }),
    entry({ type: 'refund_reversal', amount: 3_000, invoiceId: 'inv_c', paymentId: 'pay_2', bookedAt: '2027-03-25T09:00:00.000Z' }),
    entry({ type: 'early_payment_discount', amount: -100, invoiceId: 'inv_c', paymentId: 'pay_3', bookedAt: '2027-03-26T09:00:00.000Z' }),
    entry({ type: 'overpayment_credit', account: 'customer_credit', amount: 700, paymentId: 'pay_3', bookedAt: '2027-03-26T09:00:00.000Z' }),
    entry({ type: 'payment_unapplied', account: 'unapplied', amount: 99_999, paymentId: 'pay_4', bookedAt: '2027-03-27T09:00:00.000Z' }),
    // 31 March 22:30 UTC is 1 April 00:30 in Berlin (summer time): after the period.
    entry({ type: 'payment_applied', amount: -6_000, invoiceId: 'inv_a', paymentId: 'pay_5', bookedAt: '2027-03-31T22:30:00.000Z' }),
    entry({ type: 'invoice_issued', amount: 1_000, currency: 'USD', invoiceId: 'inv_u', bookedAt: '2027-02-01T00:00:00.000Z' }),
  ];
}

describe('buildStatement', () => {
  const s = buildStatement({ customer: berlin, from: '2027-03-01', to: '2027-03-31', entries: march(), invoices });
  const eur = s.currencies.find((c) => c.currency === 'EUR');
  const usd = s.currencies.find((c) => c.currency === 'USD');

  it('opens with everything booked before the first local day and cuts at the local midnights', () => {
    // 10,000 + 5,000 + 8,000 + 120 (22:59 UTC = 23:59 Berlin, February); the payment at 23:30 UTC is March.
    expect(eur?.openingBalance).toBe(23_120);
    expect(eur?.lines[0]).toMatchObject({ date: '2027-03-01', type: 'payment', reference: 'pay_1', invoiceNumber: 'INV-000001', amount: -4_000, balance: 19_120 });
    // The payment at 22:30 UTC on 31 March is 1 April in Berlin: not on the March statement.
    expect(eur?.lines.some((l) => l.paymentId === 'pay_5')).toBe(false);
  });

  it('lists every receivable booking of the period in order with a running balance, typed', () => {
    expect(eur?.lines.map((l) => [l.date, l.type, l.reference, l.amount, l.balance])).toEqual([
      ['2027-03-01', 'payment', 'pay_1', -4_000, 19_120],
      ['2027-03-02', 'fee', 'INV-000004', 4_000, 23_120],
      ['2027-03-05', 'invoice', 'INV-000002', 25_000, 48_120],
      ['2027-03-18', 'payment', 'pay_2', -3_000, 45_120],
      ['2027-03-20', 'credit', 'INV-000002', -5_000, 40_120],
      ['2027-03-25', 'reversal', 'pay_2', 3_000, 43_120],
      ['2027-03-26', 'credit', 'INV-000003', -100, 43_020],
    ]);
    expect(eur?.closingBalance).toBe(43_020);
  });

  it('opening + activity = closing = Σ receivable up to `to`; aging and open items sum to the closing balance', () => {
    for (const c of s.currencies) {
      expect(c.openingBalance + c.lines.reduce((a, l) => a + l.amount, 0)).toBe(c.closingBalance);
      const upTo = march().filter((e) => e.account === 'receivable' && e.currency === c.currency && e.bookedAt < '2027-03-31T22:00:00.000Z');
      expect(upTo.reduce((a, e) => a + e.amount, 0)).toBe(c.closingBalance);
      expect(AGING_BUCKETS.reduce((a, b) => a + c.aging[b], 0)).toBe(c.closingBalance);
      expect(c.openItems.reduce((a, i) => a + i.balance, 0)).toBe(c.closingBalance);
    }
  });

  it('ages the closing balance by the due date in force (the extension) as of `to`', () => {
    expect(eur?.aging).toEqual({
      current: 20_000, // INV-000002, due 4 April
      days1To30: 7_900, // INV-000003: extended to 20 March, 11 days
      days31To60: 6_000, // INV-000001: due 15 February, 44 days
      days61To90: 0,
      over90: 9_120, // INV-000004: due 15 November, 136 days
    });
    expect(eur?.openItems.map((i) => [i.invoiceNumber, i.dueDate, i.daysPastDue, i.bucket])).toEqual([
      ['INV-000004', '2026-11-15', 136, 'over90'],
      ['INV-000001', '2027-02-15', 44, 'days31To60'],
      ['INV-000003', '2027-03-20', 11, 'days1To30'],
      ['INV-000002', '2027-04-04', -4, 'current'],
    ]);
  });

  it('shows customer credit apart, ignores unapplied money, and keeps currencies apart', () => {
    expect(eur?.credit).toMatchObject({ openingBalance: 0, closingBalance: 700 });
    expect(eur?.credit.lines).toEqual([expect.objectContaining({ type: 'overpayment', reference: 'pay_3', amount: 700, balance: 700 })]);
    expect(usd).toMatchObject({ openingBalance: 1_000, lines: [], closingBalance: 1_000 });
    expect(usd?.aging.days1To30).toBe(1_000);
    expect(hasContent(s)).toBe(true);
  });

  it('books calendar-date facts (issue dates, received dates) on their date in every time zone', () => {
    // Stored at 00:00Z — 19:00 the day before in New York, but the invoice was issued on 1 March.
    expect(entryDate('2027-03-01T00:00:00.000Z', 'America/New_York')).toBe('2027-03-01');
    expect(entryDate('2027-03-01T00:00:01.000Z', 'America/New_York')).toBe('2027-02-28');
    expect(entryDate('2027-03-01T04:59:00.000Z', 'America/New_York')).toBe('2027-02-28');
    expect(entryDate('2027-03-01T05:00:00.000Z', 'America/New_York')).toBe('2027-03-01');
    const entries = [
      entry({ type: 'invoice_issued', amount: 10_000, invoiceId: 'inv_b', bookedAt: '2027-03-01T00:00:00.000Z' }),
      // 1 March 03:00 UTC is still 28 February in New York: opening balance.
      entry({ type: 'interest_charged', amount: 50, invoiceId: 'inv_a', bookedAt: '2027-03-01T03:00:00.000Z' }),
      // 1 April 02:00 UTC is 31 March 22:00 in New York: still March.
      entry({ type: 'payment_applied', amount: -1_000, invoiceId: 'inv_b', paymentId: 'pay_9', bookedAt: '2027-04-01T02:00:00.000Z' }),
    ];
    const ny = buildStatement({ customer: newYork, from: '2027-03-01', to: '2027-03-31', entries, invoices });
    expect(ny.currencies[0]?.openingBalance).toBe(50);
    expect(ny.currencies[0]?.lines.map((l) => [l.date, l.type])).toEqual([
      ['2027-03-01', 'invoice'],
      ['2027-03-31', 'payment'],
    ]);
    const berlinView = buildStatement({ customer: berlin, from: '2027-03-01', to: '2027-03-31', entries, invoices });
    // The same instants in Berlin: interest on 1 March (04:00), the payment on 1 April (04:00).
    expect(berlinView.currencies[0]?.openingBalance).toBe(0);
    expect(berlinView.currencies[0]?.lines.map((l) => [l.date, l.type])).toEqual([
      ['2027-03-01', 'invoice'],
      ['2027-03-01', 'interest'],
    ]);
  });

  it('has nothing to tell when nothing moved and nothing is owed; rejects an inverted period', () => {
    const empty = buildStatement({ customer: berlin, from: '2027-03-01', to: '2027-03-31', entries: [], invoices });
    expect(empty.currencies).toEqual([]);
    expect(hasContent(empty)).toBe(false);
    const settledEarlier = buildStatement({
      customer: berlin,
      from: '2027-03-01',
      to: '2027-03-31',
      entries: [
        entry({ type: 'invoice_issued', amount: 100, invoiceId: 'inv_a', bookedAt: '2027-01-01T00:00:00.000Z' }),
        entry({ type: 'payment_applied', amount: -100, invoiceId: 'inv_a', paymentId: 'p', bookedAt: '2027-01-05T00:00:00.000Z' }),
      ],
      invoices,
    });
    expect(hasContent(settledEarlier)).toBe(false);
    expect(() => buildStatement({ customer: berlin, from: '2027-03-02', to: '2027-03-01', entries: [], invoices })).toThrow(RangeError);
  });

  it('property: opening + Σ activity = closing = Σ receivable entries dated up to `to` = Σ aging, in any zone', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'UTC', 'Asia/Kolkata'];
    const types: LedgerEntryType[] = ['invoice_issued', 'payment_applied', 'credit_note', 'interest_charged', 'late_fee_charged', 'refund_reversal', 'early_payment_discount', 'overpayment_credit'];
    const start = Date.parse('2026-06-01T00:00:00Z');
    const arbEntry = fc.record({
      type: fc.constantFrom(...types),
      amount: fc.integer({ min: -1_000_000, max: 1_000_000 }),
      at: fc.integer({ min: 0, max: 400 * 24 }).map((h) => new Date(start + h * 3_600_000).toISOString()),
      account: fc.constantFrom('receivable', 'receivable', 'receivable', 'customer_credit', 'unapplied'),
      currency: fc.constantFrom('EUR', 'JPY', 'BHD'),
      invoice: fc.constantFrom('inv_a', 'inv_b', 'inv_c', 'inv_zz', undefined),
    });
    const arbDate = fc.integer({ min: 0, max: 400 }).map((d) => new Date(start + d * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(fc.array(arbEntry, { maxLength: 60 }), arbDate, arbDate, fc.constantFrom(...zones), (raw, a, b, timeZone) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const entries = raw.map((r, i) =>
          ({ id: `x${i}`, customerId: 'cus_1', account: r.account, type: r.type, amount: r.amount, currency: r.currency, bookedAt: r.at, ...(r.invoice ? { invoiceId: r.invoice, paymentId: `pay_${i}` } : {}) }) as LedgerEntry,
        );
        const s = buildStatement({ customer: { ...berlin, timeZone }, from, to, entries, invoices });
        for (const c of s.currencies) {
          const dated = entries.filter((e) => e.currency === c.currency && entryDate(e.bookedAt, timeZone) <= to);
          const receivable = dated.filter((e) => e.account === 'receivable');
          expect(c.openingBalance + c.lines.reduce((x, l) => x + l.amount, 0)).toBe(c.closingBalance);
          expect(receivable.reduce((x, e) => x + e.amount, 0)).toBe(c.closingBalance);
          expect(receivable.filter((e) => entryDate(e.bookedAt, timeZone) < from).reduce((x, e) => x + e.amount, 0)).toBe(c.openingBalance);
          expect(AGING_BUCKETS.reduce((x, k) => x + c.aging[k], 0)).toBe(c.closingBalance);
          const credit = dated.filter((e) => e.account === 'customer_credit');
          expect(credit.reduce((x, e) => x + e.amount, 0)).toBe(c.credit.closingBalance);
          expect(c.credit.openingBalance + c.credit.lines.reduce((x, l) => x + l.amount, 0)).toBe(c.credit.closingBalance);
          for (const [i, l] of c.lines.entries()) {
            expect(l.date >= from && l.date <= to).toBe(true);
            if (i > 0) expect(l.date >= (c.lines[i - 1]?.date ?? '')).toBe(true);
          }
        }
        // Every currency with something dated up to `to` in receivable or credit is on the statement, unless all zero.
        const shown = new Set(s.currencies.map((c) => c.currency));
        for (const e of entries) {
          if (e.account !== 'unapplied' && e.amount !== 0 && entryDate(e.bookedAt, timeZone) >= from && entryDate(e.bookedAt, timeZone) <= to) {
            expect(shown.has(e.currency)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('periods', () => {
  it('the last full calendar month is the customer’s', () => {
    // 1 April 06:00 UTC: April in Berlin, still 31 March in Los Angeles.
    expect(lastFullMonth(new Date('2027-04-01T06:00:00Z'), 'Europe/Berlin')).toEqual({ from: '2027-03-01', to: '2027-03-31', month: '2027-03' });
    expect(lastFullMonth(new Date('2027-04-01T06:00:00Z'), 'America/Los_Angeles')).toEqual({ from: '2027-02-01', to: '2027-02-28', month: '2027-02' });
    expect(lastFullMonth(new Date('2027-01-15T12:00:00Z'), 'UTC')).toEqual({ from: '2026-12-01', to: '2026-12-31', month: '2026-12' });
    expect(lastFullMonth(new Date('2028-03-10T12:00:00Z'), 'UTC').to).toBe('2028-02-29');
  });
  it('allows at most two years', () => {
    expect(periodTooLong('2025-01-01', '2026-12-31')).toBe(false);
    expect(periodTooLong('2025-01-01', '2027-01-01')).toBe(true);
    expect(addYears('2028-02-29', 2)).toBe('2030-02-28');
    expect(periodTooLong('2028-02-29', '2030-02-27')).toBe(false);
    expect(periodTooLong('2028-02-29', '2030-02-28')).toBe(true);
  });
});

describe('CSV', () => {
  it('writes amounts as exact decimal strings by the currency’s exponent', () => {
    expect(decimalAmount(12_345, 'EUR')).toBe('123.45');
    expect(decimalAmount(-5, 'EUR')).toBe('-0.05');
    expect(decimalAmount(0, 'EUR')).toBe('0.00');
    expect(decimalAmount(1_234, 'JPY')).toBe('1234');
    expect(decimalAmount(-1_234, 'JPY')).toBe('-1234');
    expect(decimalAmount(5, 'BHD')).toBe('0.005');
    expect(decimalAmount(9_007_199_254_740_991, 'EUR')).toBe('90071992547409.91');
    expect(() => decimalAmount(1.5, 'EUR')).toThrow(RangeError);
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (amount) => {
        const text = decimalAmount(amount, 'EUR');
        expect(text).toMatch(/^-?\d+\.\d{2}$/);
        expect(BigInt(text.replace('.', ''))).toBe(BigInt(amount));
      }),
    );
  });

  it('quotes fields per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('is exactly the header, then per currency opening, bookings, closing and the credit account, CRLF-terminated', () => {
    const s = buildStatement({ customer: berlin, from: '2027-03-01', to: '2027-03-31', entries: march(), invoices: [...invoices, { id: 'inv_q', number: 'Q,"1"', currency: 'EUR', dueDate: '2027-03-31' }] });
    const withQuoted = buildStatement({
      customer: berlin,
      from: '2027-03-01',
      to: '2027-03-31',
      entries: [entry({ type: 'invoice_issued', amount: 1_050, invoiceId: 'inv_q', bookedAt: '2027-03-03T00:00:00.000Z' })],
      invoices: [{ id: 'inv_q', number: 'Q,"1"', currency: 'EUR', dueDate: '2027-03-31' }],
    });
    expect(statementCsv(withQuoted)).toBe(
      'Account,Currency,Date,Type,Reference,Invoice,Amount,Balance\r\n' +
        'receivable,EUR,2027-03-01,opening_balance,,,,0.00\r\n' +
        'receivable,EUR,2027-03-03,invoice,"Q,""1""","Q,""1""",10.50,10.50\r\n' +
        'receivable,EUR,2027-03-31,closing_balance,,,,10.50\r\n',
    );
    expect(statementCsv(s)).toBe(
      [
        'Account,Currency,Date,Type,Reference,Invoice,Amount,Balance',
        'receivable,EUR,2027-03-01,opening_balance,,,,231.20',
        'receivable,EUR,2027-03-01,payment,pay_1,INV-000001,-40.00,191.20',
        'receivable,EUR,2027-03-02,fee,INV-000004,INV-000004,40.00,231.20',
        'receivable,EUR,2027-03-05,invoice,INV-000002,INV-000002,250.00,481.20',
        'receivable,EUR,2027-03-18,payment,pay_2,INV-000003,-30.00,451.20',
        'receivable,EUR,2027-03-20,credit,INV-000002,INV-000002,-50.00,401.20',
        'receivable,EUR,2027-03-25,reversal,pay_2,INV-000003,30.00,431.20',
        'receivable,EUR,2027-03-26,credit,INV-000003,INV-000003,-1.00,430.20',
        'receivable,EUR,2027-03-31,closing_balance,,,,430.20',
        'customer_credit,EUR,2027-03-01,opening_balance,,,,0.00',
        'customer_credit,EUR,2027-03-26,overpayment,pay_3,,7.00,7.00',
        'customer_credit,EUR,2027-03-31,closing_balance,,,,7.00',
        'receivable,USD,2027-03-01,opening_balance,,,,10.00',
        'receivable,USD,2027-03-31,closing_balance,,,,10.00',
        '',
      ].join('\r\n'),
    );
    expect(statementFileName({ customerId: 'cus_1/../x"', from: '2027-03-01', to: '2027-03-31' }, 'csv')).toBe('statement-cus_1____x_-2027-03-01-2027-03-31.csv');
  });
});

describe('printable HTML', () => {
  it('escapes everything, carries print CSS and formats in the customer’s locale', () => {
    const s: Statement = buildStatement({
      customer: { ...berlin, name: 'Ada <script>alert(1)</script> & Co' },
      from: '2027-03-01',
      to: '2027-03-31',
      entries: march(),
      invoices: [...invoices.filter((i) => i.id !== 'inv_b'), { id: 'inv_b', number: 'B<1>', currency: 'EUR', dueDate: '2027-04-04' }],
    });
    const html = statementHtml(s, DEFAULT_BRAND);
    expect(html).not.toContain('<script>');
    expect(html).toContain('Ada &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(html).toContain('B&lt;1&gt;');
    expect(html).toContain('@media print');
    expect(html).toContain('@page');
    expect(html).toContain('<html lang="de-DE">');
    expect(nbsp(html)).toContain('430,20 €');
    expect(html).toContain('1. März 2027');
    expect(html).toContain('Kontoauszug');
    expect(html).toContain('Skonto');
  });
});

describe('statement mail', () => {
  const s = (customer: typeof berlin) => buildStatement({ customer, from: '2027-03-01', to: '2027-03-31', entries: march(), invoices });

  it('speaks German to a German customer: month, dates and amounts in their format', () => {
    const mail = renderStatementMail(s(berlin), { payLinks: new Map([['inv_b', 'https://pay.example/inv_b?t=x']]) });
    expect(mail.subject).toBe('Ihr Kontoauszug für März 2027');
    const text = nbsp(mail.text);
    expect(text).toContain('Guten Tag Ada Lovelace,');
    expect(text).toContain('Anfangssaldo am 1. März 2027: 231,20 €');
    expect(text).toContain('5. März 2027 · Rechnung INV-000002 · 250,00 € · Saldo 481,20 €');
    expect(text).toContain('Endsaldo am 31. März 2027: 430,20 €');
    expect(text).toContain('Davon überfällig:');
    expect(text).toContain('Mehr als 90 Tage überfällig: 91,20 €');
    expect(text).toContain('Guthaben auf Ihrem Konto: 7,00 €');
    expect(text).toContain('Rechnung INV-000002: 200,00 € offen.\nJetzt bezahlen: https://pay.example/inv_b?t=x');
    expect(text).toContain('10,00 $');
    expect(mail.html).toContain('<html lang="de-DE">');
  });

  it('speaks English to an English customer, with their date and money format', () => {
    const mail = renderStatementMail(s({ ...newYork, timeZone: 'Europe/Berlin', name: 'Brian <b>' }));
    expect(mail.subject).toBe('Your statement for March 2027');
    const text = nbsp(mail.text);
    expect(text).toContain('Dear Brian <b>,');
    expect(text).toContain('Opening balance on March 1, 2027: €231.20');
    expect(text).toContain('March 20, 2027 · Credit note INV-000002 · -€50.00 · Balance €401.20');
    expect(text).toContain('Closing balance on March 31, 2027: €430.20');
    expect(text).toContain('1–30 days overdue: €79.00');
    expect(text).toContain('$10.00');
    expect(mail.html).toContain('Dear Brian &lt;b&gt;,');
    expect(mail.html).not.toContain('<b>');
  });

  it('names a period that is not one month by its dates; thanks when nothing is owed', () => {
    const mail = renderStatementMail(
      buildStatement({
        customer: berlin,
        from: '2027-03-05',
        to: '2027-03-31',
        entries: [
          entry({ type: 'invoice_issued', amount: 100, invoiceId: 'inv_a', bookedAt: '2027-03-06T00:00:00.000Z' }),
          entry({ type: 'payment_applied', amount: -100, invoiceId: 'inv_a', paymentId: 'p', bookedAt: '2027-03-07T00:00:00.000Z' }),
        ],
        invoices,
      }),
    );
    expect(mail.subject).toBe('Ihr Kontoauszug für 5. März 2027 – 31. März 2027');
    expect(mail.text).toContain('Zum Ende des Zeitraums ist nichts offen.');
  });
});
