/**
 * Importing invoice history (`POST /imports/invoices`): closed and open invoices from another system, row by row.
 *
 * - Idempotent per invoice number: the invoice id is derived from the number, so the same row again changes nothing
 *   (`unchanged`); the same number with different content is that row's error, and so is a number already used by an
 *   invoice issued here.
 * - Validated row by row: a bad row is reported (row number, field, message) and writes nothing; the other rows go on.
 * - No mail for the past: a paid invoice never enters the reminder ladder; an unpaid one enters it from the import on
 *   — a step already due at the import is recorded as passed without a mail (never a back-dated reminder), the next
 *   step is sent when due. Interest accrues only from the import day (`accrualFrom`), never for the time before.
 * - Money trail: the payments made before the import are history, not cash applied today — each is an
 *   `imported_payment` ledger entry on the day it was paid (receivable −) and listed on the invoice
 *   (`importedPayments`); `settledAt` is the day the balance reached zero. No payment record, no receipt.
 */
import { createRfReference } from '../domain/rf-reference.ts';
import { actionShard, firstActionAt, interestRun, planDunning } from '../domain/collections.ts';
import type { Customer } from '../domain/customer.ts';
import { buildInvoice, newInvoiceSchema, statusFor, type Invoice } from '../domain/invoice.ts';
import { importedState, MAX_IMPORT_ROWS, validateImportRow, type ImportRow, type RowError } from '../domain/invoice-import.ts';
import { resolveTerms } from '../domain/terms.ts';
import { accountTerms } from '../config/terms.ts';
import { getCustomer } from '../store/customers.ts';
import { commitImportedInvoice, importedInvoice } from '../store/imports.ts';
import type { InvoiceSchedule } from '../store/invoices.ts';
import { ACTION_SHARDS } from '../topology.ts';
import { Invalid } from './errors.ts';
import { requestHash } from './idempotency.ts';
import { randomReferenceBody, stableId } from './ids.ts';

export interface ImportRowResult {
  /** 1-based: the data row (CSV: not counting the header) or the array index + 1. */
  row: number;
  number?: string;
  /** `not_processed`: the request's time budget ran out before the row was started; nothing written — send it again. */
  status: 'created' | 'unchanged' | 'error' | 'not_processed';
  invoiceId?: string;
  errors?: RowError[];
}

export interface ImportResult {
  summary: { rows: number; created: number; unchanged: number; errors: number; notProcessed: number };
  rows: ImportRowResult[];
}

/** Rows imported at once (each its own transaction). */
const CONCURRENCY = 8;
/**
 * No row is started after this long (API Gateway answers within 30 s): the rest are `not_processed`, and sending the
 * same file again is safe (rows already imported are `unchanged`).
 */
export const IMPORT_TIME_BUDGET_MS = 20_000;

export async function importInvoices(rows: readonly unknown[], now: Date, budgetMs = IMPORT_TIME_BUDGET_MS): Promise<ImportResult> {
  const stopAt = performance.now() + budgetMs;
  if (rows.length === 0) throw new Invalid('rows', 'no rows to import');
  if (rows.length > MAX_IMPORT_ROWS) throw new Invalid('rows', `at most ${MAX_IMPORT_ROWS} rows per request (got ${rows.length}); split the file`);
  const today = now.toISOString().slice(0, 10);
  const customers = new Map<string, Promise<Customer | undefined>>();
  const customer = (id: string) => {
    let c = customers.get(id);
    if (!c) customers.set(id, (c = getCustomer(id)));
    return c;
  };
  const results: ImportRowResult[] = new Array(rows.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, rows.length) }, async () => {
      while (next < rows.length) {
        const i = next++;
        results[i] =
          performance.now() < stopAt
            ? await importRow(rows[i], i + 1, today, now, customer)
            : { row: i + 1, status: 'not_processed', errors: [{ field: 'row', message: 'not processed: the request ran out of time; nothing was written, send the row again' }] };
      }
    }),
  );
  const count = (s: ImportRowResult['status']) => results.filter((r) => r.status === s).length;
  return {
    summary: { rows: rows.length, created: count('created'), unchanged: count('unchanged'), errors: count('error'), notProcessed: count('not_processed') },
    rows: results,
  };
}

async function importRow(raw: unknown, n: number, today: string, now: Date, customerOf: (id: string) => Promise<Customer | undefined>): Promise<ImportRowResult> {
  const number = typeof raw === 'object' && raw !== null && typeof (raw as { number?: unknown }).number === 'string' ? String((raw as { number: string }).number).trim() : undefined;
  const fail = (errors: RowError[]): ImportRowResult => ({ row: n, ...(number ? { number } : {}), status: 'error', errors });
  const checked = validateImportRow(raw, today);
  if ('errors' in checked) return fail(checked.errors);
  const row = checked.row;
  const customer = await customerOf(row.customerId);
  if (!customer) return fail([{ field: 'customerId', message: 'no such customer' }]);
  const id = stableId('inv', `import:${row.number}`);
  const hash = requestHash(row);
  const same = async (): Promise<ImportRowResult | undefined> => {
    const existing = await importedInvoice(id);
    if (!existing) return undefined;
    if (existing.requestHash === hash) return { row: n, number: row.number, status: 'unchanged', invoiceId: id };
    return fail([{ field: 'number', message: `invoice ${row.number} was imported before with different content` }]);
  };
  const earlier = await same();
  if (earlier) return earlier;
  for (let attempt = 0; attempt < 8; attempt++) {
    const invoice = importedInvoiceOf(row, id, customer, now);
    const result = await commitImportedInvoice(invoice, hash, scheduleOf(customer, invoice, now));
    switch (result) {
      case 'created':
        return { row: n, number: row.number, status: 'created', invoiceId: id };
      case 'exists':
        return (await same()) ?? fail([{ field: 'number', message: 'concurrent import of the same number; retry' }]);
      case 'duplicate_number':
        return fail([{ field: 'number', message: `invoice number ${row.number} is taken by an invoice not from an import` }]);
      case 'no_customer':
        return fail([{ field: 'customerId', message: 'no such customer' }]);
      case 'duplicate_reference':
        continue; // astronomically rare: draw another reference
      case 'conflict':
        // Rows of one customer imported at once check the same customer item: back off a little and try again.
        await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * Math.random()));
        continue;
    }
  }
  return fail([{ field: 'row', message: 'could not be written (concurrent changes to the customer); nothing was written, import the row again' }]);
}

/** The invoice as the history says it is now (history: no early-payment discount, no interest before the import). */
export function importedInvoiceOf(row: ImportRow, id: string, customer: Customer, now: Date): Invoice {
  const input = newInvoiceSchema.parse({ customerId: row.customerId, currency: row.currency, amount: row.amount, issueDate: row.issueDate, dueDate: row.dueDate, number: row.number });
  const terms = resolveTerms(accountTerms(), customer.terms, undefined);
  const built = buildInvoice(input, { id, number: row.number, paymentReference: createRfReference(randomReferenceBody()) }, now, { terms, timeZone: customer.timeZone });
  const { earlyPaymentDiscount: _d, ...invoice } = built;
  const state = importedState(row);
  return {
    ...invoice,
    balanceDue: state.balanceDue,
    status: statusFor(invoice.total, state.balanceDue),
    importedAt: now.toISOString(),
    ...(row.payments.length ? { importedPayments: row.payments } : {}),
    ...(state.settledAt ? { settledAt: state.settledAt } : {}),
    ...(state.balanceDue > 0 ? { accrualFrom: now.toISOString().slice(0, 10) } : {}),
  };
}

/**
 * Where an unpaid imported invoice enters the sweeps: a ladder step already due at the import is recorded as passed
 * (lastStepSent, no mail) — due by the calendar, whatever the hour of the import —, so the first mail is the next
 * step, when it is due. Paid: nowhere.
 */
export function scheduleOf(customer: Customer, invoice: Invoice, now: Date): InvoiceSchedule | undefined {
  if (invoice.balanceDue <= 0) return undefined;
  const due = planDunning(customer, [invoice], now, { anyHour: true }).mail?.step;
  if (due) Object.assign(invoice, { lastStepSent: due.id, lastStepAt: now.toISOString() });
  const shard = actionShard(customer.id, ACTION_SHARDS);
  let dunningAt = firstActionAt(customer, invoice, now);
  // Nothing is sent at the import itself: the worker looks again a day later at the earliest.
  if (dunningAt <= now.toISOString()) dunningAt = new Date(now.getTime() + 86_400_000).toISOString();
  const run = interestRun(invoice, customer, now);
  return { shard, dunningAt, ...(run.nextOn ? { interestOn: run.nextOn } : {}) };
}
