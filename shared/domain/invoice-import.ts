/**
 * Importing invoice history (`POST /imports/invoices`): the rows as CSV or JSON, validated one by one. Pure: no I/O,
 * `today` is passed in.
 *
 * A row: `customerId, number, currency, amount` (minor units), `issueDate, dueDate`, and either `paidDate` (paid in
 * full that day) or `payments` (JSON: `[{date, amount}]`; CSV: `2025-03-01:50000;2025-03-20:50000`). Payments are
 * history paid elsewhere: never after the import day, never before the issue date, together at most the amount.
 */
import { z } from 'zod';
import { isCalendarDate } from './dates.ts';
import { isCurrency } from './money.ts';

/** Rows per request (each row is one DynamoDB transaction of at most 4 + 1 + MAX_IMPORT_PAYMENTS actions). */
export const MAX_IMPORT_ROWS = 1000;
export const MAX_IMPORT_PAYMENTS = 20;

const calendarDate = z.string().trim().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD');
const minorUnits = z.coerce
  .number({ error: 'must be an integer amount in minor units' })
  .int('must be an integer amount in minor units')
  .refine(Number.isSafeInteger, 'must be a safe integer (minor units)')
  .refine((n) => n > 0, 'must be positive');

const paymentSchema = z.object({ date: calendarDate, amount: minorUnits }).strict();

export const importRowSchema = z
  .object({
    customerId: z.string().trim().min(1, 'is required').max(100),
    number: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'must be letters, digits and . _ / -'),
    currency: z.string().trim().toUpperCase().refine(isCurrency, 'must be an ISO 4217 currency code such as "EUR"'),
    amount: minorUnits,
    issueDate: calendarDate,
    dueDate: calendarDate,
    paidDate: calendarDate.optional(),
    payments: z.array(paymentSchema).max(MAX_IMPORT_PAYMENTS, `at most ${MAX_IMPORT_PAYMENTS} payments per invoice`).optional(),
  })
  .strict();

export type ImportRow = z.infer<typeof importRowSchema> & { payments: { date: string; amount: number }[] };
export interface RowError {
  field: string;
  message: string;
}

/** One row checked: the normal form (payments in date order; `paidDate` as one payment of the whole amount) or its errors. */
export function validateImportRow(raw: unknown, today: string): { row: ImportRow } | { errors: RowError[] } {
  const parsed = importRowSchema.safeParse(raw);
  if (!parsed.success) {
    return { errors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'row', message: i.message })) };
  }
  const r = parsed.data;
  const errors: RowError[] = [];
  if (r.paidDate && r.payments) errors.push({ field: 'paidDate', message: 'give paidDate or payments, not both' });
  const payments = (r.payments ?? (r.paidDate ? [{ date: r.paidDate, amount: r.amount }] : [])).slice().sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  if (r.dueDate < r.issueDate) errors.push({ field: 'dueDate', message: 'must not be before issueDate' });
  if (r.issueDate > today) errors.push({ field: 'issueDate', message: `must not be after the import day (${today})` });
  const field = r.paidDate ? 'paidDate' : 'payments';
  payments.forEach((p, i) => {
    const at = r.paidDate ? field : `payments.${i}.date`;
    if (p.date < r.issueDate) errors.push({ field: at, message: 'must not be before issueDate' });
    if (p.date > today) errors.push({ field: at, message: `must not be after the import day (${today}): history only` });
  });
  if (payments.reduce((a, p) => a + p.amount, 0) > r.amount) errors.push({ field, message: 'payments must not exceed the amount' });
  if (errors.length) return { errors };
  const { paidDate: _p, ...rest } = r;
  return { row: { ...rest, payments } };
}

/** What the history says about the invoice now: paid so far, the balance, the day the balance reached zero. */
export function importedState(row: ImportRow): { paid: number; balanceDue: number; settledAt?: string } {
  const paid = row.payments.reduce((a, p) => a + p.amount, 0);
  const balanceDue = row.amount - paid;
  return { paid, balanceDue, ...(balanceDue === 0 ? { settledAt: (row.payments.at(-1) as { date: string }).date } : {}) };
}

/** The columns a CSV import may have (a header row names them; order free). */
export const IMPORT_COLUMNS = ['customerId', 'number', 'currency', 'amount', 'issueDate', 'dueDate', 'paidDate', 'payments'] as const;

/**
 * RFC 4180 CSV (quotes, doubled quotes, CRLF or LF) with a header row → one object per data row; empty cells are
 * absent; `payments` cells `date:amount;date:amount` become a list. Unknown columns are an error for the whole file.
 */
export function parseImportCsv(text: string): { rows: Record<string, unknown>[] } | { error: string } {
  const records = csvRecords(text.replace(/^\uFEFF/, ''));
  const header = records.shift();
  if (!header || header.every((h) => h.trim() === '')) return { error: 'the CSV has no header row' };
  const names = header.map((h) => h.trim());
  const unknown = names.filter((n) => !(IMPORT_COLUMNS as readonly string[]).includes(n));
  if (unknown.length) return { error: `unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (allowed: ${IMPORT_COLUMNS.join(', ')})` };
  const rows = records
    .filter((r) => r.some((c) => c.trim() !== ''))
    .map((r) => {
      const row: Record<string, unknown> = {};
      names.forEach((n, i) => {
        const cell = (r[i] ?? '').trim();
        if (cell === '') return;
        row[n] =
          n === 'payments'
            ? cell.split(';').map((p) => {
                const [date = '', amount = ''] = p.split(':');
                return { date: date.trim(), amount: amount.trim() };
              })
            : cell;
      });
      return row;
    });
  return { rows };
}

function csvRecords(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      out.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    out.push(row);
  }
  return out;
}
