/**
 * Statements of account: what a customer owed at the start of a period, every booking in it, what they owed at its
 * end and how old that is — per currency, from the append-only ledger. Pure: the caller loads the customer's ledger
 * entries and invoices. The rules live here; the renderers beside it turn a statement into CSV (statement-csv.ts), a
 * printable HTML page (statement-html.ts) and a mail in the customer's language (statement-mail.ts).
 *
 * Dates are the customer's: a period `from`–`to` is a range of calendar days in their time zone. A booking belongs to
 * the local calendar date of its instant — except bookings of calendar-date facts (an invoice's issue date, a check's
 * received date, a bank line's booking date), which the ledger stores at 00:00:00.000Z of that date: those belong to
 * that date in every time zone (otherwise an invoice issued on 1 March would open a New York customer's February).
 *
 * Invariant, per currency: opening + Σ activity = closing = Σ receivable entries dated up to `to` = Σ aging buckets.
 */
import { effectiveDueDate } from './collections.ts';
import { daysBetween, localDate } from './dates.ts';
import type { LedgerEntry, LedgerEntryType } from './ledger.ts';
import { agingBucket as reportBucket, type AgingBucket as ReportBucket } from './reports.ts';

export type StatementLineType = 'invoice' | 'payment' | 'credit' | 'interest' | 'fee' | 'reversal';
export type CreditLineType = 'overpayment' | 'credit_used' | 'refund' | 'reversal' | 'adjustment';
export type AgingBucket = 'current' | 'days1To30' | 'days31To60' | 'days61To90' | 'over90';
export const AGING_BUCKETS: readonly AgingBucket[] = ['current', 'days1To30', 'days31To60', 'days61To90', 'over90'];

export interface StatementLine<T extends string = StatementLineType> {
  /** The customer-local calendar date of the booking. */
  date: string;
  type: T;
  /** The invoice number (invoices, credits, interest, fees) or the payment id (payments, reversals). */
  reference: string;
  /** The ledger entry behind the line. */
  entryId: string;
  entryType: LedgerEntryType;
  bookedAt: string;
  invoiceId?: string;
  invoiceNumber?: string;
  paymentId?: string;
  /** Signed, minor units: + raises what is owed (receivable) or what we owe them (credit). */
  amount: number;
  /** Running balance after this line. */
  balance: number;
}

export interface OpenItem {
  /** Undefined for receivable bookings that name no invoice (none do today; kept so the sums always hold). */
  invoiceId?: string;
  invoiceNumber?: string;
  /** The due date in force (an extension's, else the invoice's). */
  dueDate?: string;
  /** Owed on this invoice at the end of the period, minor units. */
  balance: number;
  /** Days past the due date in force at `to` (≤ 0: not yet due). */
  daysPastDue: number;
  bucket: AgingBucket;
}

export interface CurrencyStatement {
  currency: string;
  openingBalance: number;
  lines: StatementLine[];
  closingBalance: number;
  /** The closing balance by age (days past the due date in force, as of `to`); sums to the closing balance. */
  aging: Record<AgingBucket, number>;
  /** The invoices behind the closing balance, oldest due date first. */
  openItems: OpenItem[];
  /** The customer_credit account (overpayments we owe the customer), shown apart from what they owe. */
  credit: { openingBalance: number; lines: StatementLine<CreditLineType>[]; closingBalance: number };
}

export interface Statement {
  customerId: string;
  customerName: string;
  locale: string;
  timeZone: string;
  from: string;
  to: string;
  currencies: CurrencyStatement[];
}

export interface StatementCustomer {
  id: string;
  name: string;
  locale: string;
  timeZone: string;
}

export interface StatementInvoice {
  id: string;
  number: string;
  currency: string;
  dueDate: string;
  extension?: { dueDate: string };
}

export interface StatementInput {
  customer: StatementCustomer;
  /** First and last customer-local calendar day of the period (inclusive). */
  from: string;
  to: string;
  /** The customer's ledger entries (any order). */
  entries: readonly LedgerEntry[];
  /** The customer's invoices (numbers and due dates for references and aging). */
  invoices: readonly StatementInvoice[];
}

const DATE_FACT = /^(\d{4}-\d{2}-\d{2})T00:00:00(?:\.000)?Z$/;

/** The customer-local calendar date a booking belongs to (see the module comment for calendar-date facts). */
export function entryDate(bookedAt: string, timeZone: string): string {
  const fact = DATE_FACT.exec(bookedAt);
  if (fact) return fact[1] as string;
  return localDate(new Date(bookedAt), timeZone);
}

export function receivableLineType(type: LedgerEntryType): StatementLineType {
  switch (type) {
    case 'invoice_issued':
      return 'invoice';
    case 'payment_applied':
    case 'manual_allocation':
    case 'credit_applied':
    case 'payment_reapplied':
    case 'imported_payment':
      return 'payment';
    case 'early_payment_discount':
    case 'shortfall_write_off':
    case 'credit_note':
      return 'credit';
    case 'interest_charged':
      return 'interest';
    case 'late_fee_charged':
      return 'fee';
    case 'refund_reversal':
    case 'chargeback_reversal':
    case 'allocation_reversed':
    case 'adjustment_reversed':
    case 'overpayment_credit':
    case 'payment_unapplied':
      return 'reversal';
  }
}

function creditLineType(entry: LedgerEntry): CreditLineType {
  switch (entry.type) {
    case 'overpayment_credit':
    case 'payment_reapplied':
      return 'overpayment';
    case 'credit_applied':
      return 'credit_used';
    case 'refund_reversal':
      return 'refund';
    case 'chargeback_reversal':
    case 'allocation_reversed':
      return 'reversal';
    default:
      return entry.amount < 0 ? 'credit_used' : 'adjustment';
  }
}

/** The statement's names for the report's aging buckets (one definition of the boundaries: reports.ts). */
const STATEMENT_BUCKET: Record<ReportBucket, AgingBucket> = {
  current: 'current',
  '1-30': 'days1To30',
  '31-60': 'days31To60',
  '61-90': 'days61To90',
  '90+': 'over90',
};

export function agingBucket(daysPastDue: number): AgingBucket {
  return STATEMENT_BUCKET[reportBucket(daysPastDue)];
}

interface Dated {
  entry: LedgerEntry;
  date: string;
}

function byDate(a: Dated, b: Dated): number {
  return a.date.localeCompare(b.date) || a.entry.bookedAt.localeCompare(b.entry.bookedAt) || a.entry.id.localeCompare(b.entry.id);
}

function runningLines<T extends string>(
  opening: number,
  dated: readonly Dated[],
  typeOf: (e: LedgerEntry) => T,
  referenceOf: (e: LedgerEntry, type: T) => string,
  numberOf: (invoiceId: string | undefined) => string | undefined,
): { lines: StatementLine<T>[]; closing: number } {
  let balance = opening;
  const lines = dated.map(({ entry, date }) => {
    balance += entry.amount;
    const type = typeOf(entry);
    const invoiceNumber = numberOf(entry.invoiceId);
    return {
      date,
      type,
      reference: referenceOf(entry, type),
      entryId: entry.id,
      entryType: entry.type,
      bookedAt: entry.bookedAt,
      ...(entry.invoiceId ? { invoiceId: entry.invoiceId } : {}),
      ...(invoiceNumber ? { invoiceNumber } : {}),
      ...(entry.paymentId ? { paymentId: entry.paymentId } : {}),
      amount: entry.amount,
      balance,
    };
  });
  return { lines, closing: balance };
}

/** The statement of one customer for `from`–`to` (customer-local calendar days, inclusive). */
export function buildStatement(input: StatementInput): Statement {
  const { customer, from, to } = input;
  if (to < from) throw new RangeError('to must not be before from');
  const invoices = new Map(input.invoices.map((i) => [i.id, i]));
  const numberOf = (id: string | undefined) => (id ? invoices.get(id)?.number : undefined);

  // Everything dated up to `to`, split by currency and account.
  const byCurrency = new Map<string, { receivable: Dated[]; credit: Dated[] }>();
  for (const entry of input.entries) {
    if (entry.account !== 'receivable' && entry.account !== 'customer_credit') continue;
    const date = entryDate(entry.bookedAt, customer.timeZone);
    if (date > to) continue;
    let slot = byCurrency.get(entry.currency);
    if (!slot) byCurrency.set(entry.currency, (slot = { receivable: [], credit: [] }));
    (entry.account === 'receivable' ? slot.receivable : slot.credit).push({ entry, date });
  }

  const currencies: CurrencyStatement[] = [];
  for (const currency of [...byCurrency.keys()].sort()) {
    const slot = byCurrency.get(currency) as { receivable: Dated[]; credit: Dated[] };
    const before = (d: Dated) => d.date < from;
    const sumOf = (ds: readonly Dated[]) => ds.reduce((s, d) => s + d.entry.amount, 0);

    const openingBalance = sumOf(slot.receivable.filter(before));
    const receivable = runningLines(
      openingBalance,
      slot.receivable.filter((d) => !before(d)).sort(byDate),
      (e) => receivableLineType(e.type),
      (e, type) =>
        (type === 'payment' || type === 'reversal') && e.paymentId ? e.paymentId : (numberOf(e.invoiceId) ?? e.invoiceId ?? e.paymentId ?? e.id),
      numberOf,
    );

    // Aging: what is owed per invoice at the end of the period, by the age of its due date in force at `to`.
    const perInvoice = new Map<string, number>();
    for (const { entry } of slot.receivable) perInvoice.set(entry.invoiceId ?? '', (perInvoice.get(entry.invoiceId ?? '') ?? 0) + entry.amount);
    const openItems: OpenItem[] = [];
    for (const [invoiceId, balance] of perInvoice) {
      if (balance === 0) continue;
      const invoice = invoiceId ? invoices.get(invoiceId) : undefined;
      const dueDate = invoice ? effectiveDueDate(invoice) : undefined;
      const daysPastDue = dueDate ? daysBetween(dueDate, to) : 0;
      openItems.push({
        ...(invoiceId ? { invoiceId } : {}),
        ...(invoice ? { invoiceNumber: invoice.number } : {}),
        ...(dueDate ? { dueDate } : {}),
        balance,
        daysPastDue,
        bucket: agingBucket(daysPastDue),
      });
    }
    openItems.sort((a, b) => (a.dueDate ?? '').localeCompare(b.dueDate ?? '') || (a.invoiceNumber ?? a.invoiceId ?? '').localeCompare(b.invoiceNumber ?? b.invoiceId ?? ''));
    const aging = Object.fromEntries(AGING_BUCKETS.map((b) => [b, 0])) as Record<AgingBucket, number>;
    for (const item of openItems) aging[item.bucket] += item.balance;

    const creditOpening = sumOf(slot.credit.filter(before));
    const credit = runningLines(
      creditOpening,
      slot.credit.filter((d) => !before(d)).sort(byDate),
      creditLineType,
      (e) => e.paymentId ?? numberOf(e.invoiceId) ?? e.id,
      numberOf,
    );

    const statement: CurrencyStatement = {
      currency,
      openingBalance,
      lines: receivable.lines,
      closingBalance: receivable.closing,
      aging,
      openItems,
      credit: { openingBalance: creditOpening, lines: credit.lines, closingBalance: credit.closing },
    };
    if (isEmpty(statement)) continue;
    currencies.push(statement);
  }
  return { customerId: customer.id, customerName: customer.name, locale: customer.locale, timeZone: customer.timeZone, from, to, currencies };
}

function isEmpty(c: CurrencyStatement): boolean {
  return c.openingBalance === 0 && c.closingBalance === 0 && c.lines.length === 0 && c.credit.openingBalance === 0 && c.credit.closingBalance === 0 && c.credit.lines.length === 0;
}

/** Anything to tell the customer: activity in the period, or something owed either way at its end. */
export function hasContent(statement: Statement): boolean {
  return statement.currencies.some((c) => c.lines.length > 0 || c.credit.lines.length > 0 || c.closingBalance !== 0 || c.credit.closingBalance !== 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Periods

/** The calendar month before the one `localToday` (YYYY-MM-DD) falls in: its first and last day. */
export function previousMonth(localToday: string): { from: string; to: string; month: string } {
  const y = Number(localToday.slice(0, 4));
  const m = Number(localToday.slice(5, 7));
  const py = m === 1 ? y - 1 : y;
  const pm = m === 1 ? 12 : m - 1;
  const month = `${String(py).padStart(4, '0')}-${String(pm).padStart(2, '0')}`;
  const last = new Date(Date.UTC(py, pm, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}`, month };
}

/** The last full calendar month in the customer's time zone at `now`. */
export function lastFullMonth(now: Date, timeZone: string): { from: string; to: string; month: string } {
  return previousMonth(localDate(now, timeZone));
}

/** The same calendar date `years` later (29 February → 28 February). */
export function addYears(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) + years;
  const m = Number(date.slice(5, 7));
  const d = Math.min(Number(date.slice(8, 10)), new Date(Date.UTC(y, m, 0)).getUTCDate());
  return `${String(y).padStart(4, '0')}-${date.slice(5, 7)}-${String(d).padStart(2, '0')}`;
}

/** A period is at most two years: `to` is before the same date two years after `from`. */
export const MAX_PERIOD_YEARS = 2;
export function periodTooLong(from: string, to: string): boolean {
  return to >= addYears(from, MAX_PERIOD_YEARS);
}
