import { describe, expect, it } from 'vitest';
import { importedState, MAX_IMPORT_ROWS, parseImportCsv, validateImportRow } from '../../shared/domain/invoice-import.ts';
import { importedInvoiceOf, importInvoices, scheduleOf } from '../../shared/services/imports.ts';
import { planDunning } from '../../shared/domain/collections.ts';
import type { Customer } from '../../shared/domain/customer.ts';

const TODAY = '2026-06-30';
const base = { customerId: 'cus_1', number: 'A-1', currency: 'eur', amount: 10_000, issueDate: '2026-01-01', dueDate: '2026-01-31' };

describe('invoice import rows', () => {
  it('normalises a row: currency upper case, paidDate as one payment of the whole amount, settled that day', () => {
    const out = validateImportRow({ ...base, paidDate: '2026-02-10' }, TODAY);
    expect(out).toEqual({ row: { ...base, currency: 'EUR', payments: [{ date: '2026-02-10', amount: 10_000 }] } });
    if (!('row' in out)) throw new Error('expected a row');
    expect(importedState(out.row)).toEqual({ paid: 10_000, balanceDue: 0, settledAt: '2026-02-10' });
  });

  it('settles on the last of several payments; a partly paid invoice has no settle date', () => {
    const full = validateImportRow({ ...base, payments: [{ date: '2026-03-01', amount: 6_000 }, { date: '2026-02-01', amount: 4_000 }] }, TODAY);
    if (!('row' in full)) throw new Error('expected a row');
    expect(full.row.payments.map((p) => p.date)).toEqual(['2026-02-01', '2026-03-01']);
    expect(importedState(full.row).settledAt).toBe('2026-03-01');
    const part = validateImportRow({ ...base, payments: [{ date: '2026-02-01', amount: 4_000 }] }, TODAY);
    if (!('row' in part)) throw new Error('expected a row');
    expect(importedState(part.row)).toEqual({ paid: 4_000, balanceDue: 6_000 });
  });

  it.each([
    [{ ...base, amount: 12.5 }, 'amount'],
    [{ ...base, amount: undefined }, 'amount'],
    [{ ...base, currency: 'XXY' }, 'currency'],
    [{ ...base, issueDate: '2026-02-30' }, 'issueDate'],
    [{ ...base, dueDate: '2025-12-31' }, 'dueDate'],
    [{ ...base, issueDate: '2026-07-01', dueDate: '2026-07-31' }, 'issueDate'],
    [{ ...base, paidDate: '2026-07-01' }, 'paidDate'],
    [{ ...base, paidDate: '2025-12-01' }, 'paidDate'],
    [{ ...base, payments: [{ date: '2026-02-01', amount: 20_000 }] }, 'payments'],
    [{ ...base, paidDate: '2026-02-01', payments: [] }, 'paidDate'],
    [{ ...base, number: '' }, 'number'],
    [{ ...base, extra: 1 }, 'row'],
  ])('refuses %j naming the field %s', (row, field) => {
    const out = validateImportRow(row, TODAY);
    expect('errors' in out && out.errors.map((e) => e.field)).toContain(field);
  });

  it('parses CSV with a header in any order, quotes, CRLF, empty cells absent and payments cells', () => {
    const csv = '\uFEFFnumber,customerId,amount,currency,issueDate,dueDate,payments\r\n"A-1",cus_1,10000,EUR,2026-01-01,2026-01-31,2026-02-01:4000;2026-02-10:6000\r\nA-2,"cus_""2",500,EUR,2026-01-01,2026-01-31,\r\n\r\n';
    expect(parseImportCsv(csv)).toEqual({
      rows: [
        { number: 'A-1', customerId: 'cus_1', amount: '10000', currency: 'EUR', issueDate: '2026-01-01', dueDate: '2026-01-31', payments: [{ date: '2026-02-01', amount: '4000' }, { date: '2026-02-10', amount: '6000' }] },
        { number: 'A-2', customerId: 'cus_"2', amount: '500', currency: 'EUR', issueDate: '2026-01-01', dueDate: '2026-01-31' },
      ],
    });
    const first = parseImportCsv(csv);
    if (!('rows' in first)) throw new Error('expected rows');
    expect('row' in validateImportRow(first.rows[0], TODAY)).toBe(true);
    expect(parseImportCsv('number,total\nA,1')).toEqual({ error: expect.stringContaining('unknown column: total') });
    expect(parseImportCsv('')).toEqual({ error: 'the CSV has no header row' });
  });

  it('a request past its time budget starts no more rows: they are not_processed (nothing written), to be sent again', async () => {
    const out = await importInvoices([base, { ...base, number: 'A-2' }], new Date('2026-06-30T12:00:00Z'), 0);
    expect(out.summary).toEqual({ rows: 2, created: 0, unchanged: 0, errors: 0, notProcessed: 2 });
    expect(out.rows.map((r) => [r.row, r.status])).toEqual([
      [1, 'not_processed'],
      [2, 'not_processed'],
    ]);
  });

  it('refuses an empty request and one above the row limit as a whole', async () => {
    await expect(importInvoices([], new Date())).rejects.toThrow('no rows');
    await expect(importInvoices(new Array(MAX_IMPORT_ROWS + 1).fill(base), new Date())).rejects.toThrow(`at most ${MAX_IMPORT_ROWS} rows`);
  });
});

describe('where an imported unpaid invoice enters the reminder ladder', () => {
  const customer: Customer = { id: 'cus_1', name: 'Payer GmbH', email: 'p@example.com', locale: 'en-US', timeZone: 'UTC', currency: 'EUR', bankAccounts: [], createdAt: '2025-01-01T00:00:00.000Z', version: 1 };
  const row = { customerId: 'cus_1', number: 'H-1', currency: 'EUR', amount: 80_000, issueDate: '2026-10-11', dueDate: '2026-11-10', payments: [] };

  // Monday 2026-11-30: before the sending hours, inside them, after them; and a Sunday.
  it.each(['2026-11-30T03:00:00Z', '2026-11-30T10:00:00Z', '2026-11-30T19:30:00Z', '2026-11-29T12:00:00Z'])(
    'imported at %s: the step already due by the calendar is passed without a mail, and the sweep a few hours later sends nothing',
    (at) => {
      const now = new Date(at);
      const invoice = importedInvoiceOf(row, 'inv_1', customer, now);
      const schedule = scheduleOf(customer, invoice, now);
      expect(invoice.lastStepSent).toBeDefined();
      expect(schedule?.dunningAt && schedule.dunningAt > now.toISOString()).toBe(true);
      for (const hours of [1, 6, 24]) {
        const later = new Date(now.getTime() + hours * 3_600_000);
        expect(planDunning(customer, [invoice], later).mail, `${hours} h later`).toBeUndefined();
      }
    },
  );
});
