/**
 * Statements of account: what a customer owed at the start of a period, every booking in it, what they owed at its
 * end and how old that is — per currency, from the append-only ledger. Pure: the caller loads the customer's ledger
 * entries and invoices; renderers turn the statement into CSV, a printable HTML page and a mail in the customer's
 * language.
 *
 * Dates are the customer's: a period `from`–`to` is a range of calendar days in their time zone. A booking belongs to
 * the local calendar date of its instant — except bookings of calendar-date facts (an invoice's issue date, a check's
 * received date, a bank line's booking date), which the ledger stores at 00:00:00.000Z of that date: those belong to
 * that date in every time zone (otherwise an invoice issued on 1 March would open a New York customer's February).
 *
 * Invariant, per currency: opening + Σ activity = closing = Σ receivable entries dated up to `to` = Σ aging buckets.
 */
import { csvDecimal, csvDocument, csvQuote, type CsvCell } from './csv.ts';
import { daysBetween, localDate } from './dates.ts';
import type { LedgerEntry, LedgerEntryType } from './ledger.ts';
import { escapeHtml, formatDate, language, paragraphsMail, type RenderedMail } from './messages.ts';
import { currencyExponent, formatMoney } from './money.ts';
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
      const dueDate = invoice ? (invoice.extension?.dueDate ?? invoice.dueDate) : undefined;
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

// ---------------------------------------------------------------------------------------------------------------
// CSV (RFC 4180)

/** Minor units as a decimal string with the currency's exponent: (−1234, EUR) → "-12.34"; (5, BHD) → "0.005". */
export function decimalAmount(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`Amount must be an integer in minor units, got ${amount}`);
  const exponent = currencyExponent(currency);
  const digits = Math.abs(amount).toString().padStart(exponent + 1, '0');
  const body = exponent === 0 ? digits : `${digits.slice(0, digits.length - exponent)}.${digits.slice(digits.length - exponent)}`;
  return amount < 0 ? `-${body}` : body;
}

/** One RFC 4180 field (quoting only; the statement's cells go through `csvDocument`, which also neutralises formulas). */
export const csvField = csvQuote;

export const CSV_HEADER = ['Account', 'Currency', 'Date', 'Type', 'Reference', 'Invoice', 'Amount', 'Balance'] as const;

/**
 * The statement as CSV (RFC 4180: CRLF line ends, a header row): per currency the receivable account — an
 * `opening_balance` row dated `from`, one row per booking with its running balance, a `closing_balance` row dated
 * `to` — then, when there is any, the customer_credit account the same way. Amounts are decimal strings (no floats).
 * Text cells that start like a spreadsheet formula (`= + - @`, tab, CR) are prefixed with `'` (shared/domain/csv.ts);
 * amounts stay numbers.
 */
export function statementCsv(statement: Statement): string {
  const rows: CsvCell[][] = [[...CSV_HEADER]];
  for (const c of statement.currencies) {
    // Amount and Balance are numbers (a spreadsheet sums them); every other cell is text, neutralised by csvDocument.
    const amount = (n: number) => csvDecimal(decimalAmount(n, c.currency));
    const section = (account: string, opening: number, lines: readonly StatementLine<string>[], closing: number) => {
      rows.push([account, c.currency, statement.from, 'opening_balance', '', '', '', amount(opening)]);
      for (const l of lines) rows.push([account, c.currency, l.date, l.type, l.reference, l.invoiceNumber ?? '', amount(l.amount), amount(l.balance)]);
      rows.push([account, c.currency, statement.to, 'closing_balance', '', '', '', amount(closing)]);
    };
    section('receivable', c.openingBalance, c.lines, c.closingBalance);
    if (c.credit.openingBalance !== 0 || c.credit.closingBalance !== 0 || c.credit.lines.length > 0) {
      section('customer_credit', c.credit.openingBalance, c.credit.lines, c.credit.closingBalance);
    }
  }
  return csvDocument(rows);
}

/** A file name for the statement: only letters, digits, `-`, `_` and `.`. */
export function statementFileName(statement: Pick<Statement, 'customerId' | 'from' | 'to'>, extension: string): string {
  return `statement-${statement.customerId.replace(/[^A-Za-z0-9_-]/g, '_')}-${statement.from}-${statement.to}.${extension}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Words

const words = {
  en: {
    title: 'Statement of account',
    period: (from: string, to: string) => `${from} – ${to}`,
    customer: 'Customer',
    date: 'Date',
    type: 'Type',
    reference: 'Reference',
    invoice: 'Invoice',
    amount: 'Amount',
    balance: 'Balance',
    dueDate: 'Due date',
    daysPastDue: 'Days past due',
    opening: (date: string) => `Opening balance on ${date}`,
    closing: (date: string) => `Closing balance on ${date}`,
    openingShort: 'Opening balance',
    closingShort: 'Closing balance',
    aging: 'Ageing of the closing balance',
    openItems: 'Open items',
    creditTitle: 'Credit on your account (we owe you)',
    noActivity: 'No bookings in this period.',
    buckets: { current: 'Not yet due', days1To30: '1–30 days overdue', days31To60: '31–60 days overdue', days61To90: '61–90 days overdue', over90: 'More than 90 days overdue' },
    types: { invoice: 'Invoice', payment: 'Payment', credit: 'Credit', interest: 'Interest', fee: 'Late fee', reversal: 'Reversal' },
    entryTypes: { early_payment_discount: 'Early-payment discount', shortfall_write_off: 'Write-off', credit_note: 'Credit note', credit_applied: 'Payment from credit' } as Partial<Record<LedgerEntryType, string>>,
    creditTypes: { overpayment: 'Overpayment', credit_used: 'Credit used', refund: 'Refund', reversal: 'Reversal', adjustment: 'Adjustment' },
    subjectMonth: (month: string) => `Your statement for ${month}`,
    subjectRange: (from: string, to: string) => `Your statement for ${from} – ${to}`,
    greeting: (name: string) => `Dear ${name},`,
    intro: (period: string) => `here is your statement of account for ${period}.`,
    overdue: 'Of this, overdue:',
    creditLine: (amount: string) => `Credit on your account: ${amount}. It will be used for your next invoice, or refunded on request.`,
    payLink: (n: string, amount: string, link: string) => `Invoice ${n}: ${amount} open — pay online: ${link}`,
    more: (n: number) => `… and ${n} more bookings: ask us for the full statement.`,
    settled: 'Nothing is owed at the end of the period. Thank you!',
    help: 'If anything on this statement looks wrong to you, just reply to this email.',
    closingWords: 'Kind regards,\nAccounts receivable',
  },
  de: {
    title: 'Kontoauszug',
    period: (from: string, to: string) => `${from} – ${to}`,
    customer: 'Kunde',
    date: 'Datum',
    type: 'Art',
    reference: 'Referenz',
    invoice: 'Rechnung',
    amount: 'Betrag',
    balance: 'Saldo',
    dueDate: 'Fällig am',
    daysPastDue: 'Tage überfällig',
    opening: (date: string) => `Anfangssaldo am ${date}`,
    closing: (date: string) => `Endsaldo am ${date}`,
    openingShort: 'Anfangssaldo',
    closingShort: 'Endsaldo',
    aging: 'Altersstruktur des Endsaldos',
    openItems: 'Offene Posten',
    creditTitle: 'Guthaben auf Ihrem Konto (schulden wir Ihnen)',
    noActivity: 'Keine Buchungen in diesem Zeitraum.',
    buckets: { current: 'Noch nicht fällig', days1To30: '1–30 Tage überfällig', days31To60: '31–60 Tage überfällig', days61To90: '61–90 Tage überfällig', over90: 'Mehr als 90 Tage überfällig' },
    types: { invoice: 'Rechnung', payment: 'Zahlung', credit: 'Gutschrift', interest: 'Zinsen', fee: 'Mahngebühr', reversal: 'Rückbuchung' },
    entryTypes: { early_payment_discount: 'Skonto', shortfall_write_off: 'Ausbuchung', credit_note: 'Gutschrift', credit_applied: 'Zahlung aus Guthaben' } as Partial<Record<LedgerEntryType, string>>,
    creditTypes: { overpayment: 'Überzahlung', credit_used: 'Guthaben verrechnet', refund: 'Erstattung', reversal: 'Rückbuchung', adjustment: 'Korrektur' },
    subjectMonth: (month: string) => `Ihr Kontoauszug für ${month}`,
    subjectRange: (from: string, to: string) => `Ihr Kontoauszug für ${from} – ${to}`,
    greeting: (name: string) => `Guten Tag ${name},`,
    intro: (period: string) => `anbei Ihr Kontoauszug für ${period}.`,
    overdue: 'Davon überfällig:',
    creditLine: (amount: string) => `Guthaben auf Ihrem Konto: ${amount}. Wir verrechnen es mit Ihrer nächsten Rechnung oder erstatten es auf Wunsch.`,
    payLink: (n: string, amount: string, link: string) => `Rechnung ${n}: ${amount} offen — online bezahlen: ${link}`,
    more: (n: number) => `… und ${n} weitere Buchungen: Den vollständigen Auszug senden wir Ihnen gern.`,
    settled: 'Zum Ende des Zeitraums ist nichts offen. Vielen Dank!',
    help: 'Wenn Ihnen auf diesem Auszug etwas nicht stimmig erscheint, antworten Sie einfach auf diese E-Mail.',
    closingWords: 'Mit freundlichen Grüßen\nDebitorenbuchhaltung',
  },
};

type Words = (typeof words)['en'];

function lineLabel(w: Words, line: StatementLine): string {
  return w.entryTypes[line.entryType] ?? w.types[line.type];
}

/** "March 2027" when the period is one whole calendar month, else undefined. */
function wholeMonth(from: string, to: string, locale: string): string | undefined {
  if (!from.endsWith('-01')) return undefined;
  if (previousMonth(nextDay(to)).from !== from || !nextDay(to).endsWith('-01')) return undefined;
  return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${from}T12:00:00Z`));
}

function nextDay(date: string): string {
  return new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)) + 1)).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------------------
// Printable HTML

const PRINT_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;margin:2rem auto;max-width:60rem;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:2rem 0 .5rem}h3{font-size:1rem;margin:1.25rem 0 .4rem}
.meta{color:#444;margin:0 0 1.5rem}
table{border-collapse:collapse;width:100%;margin:.25rem 0 1rem}
th,td{padding:.3rem .5rem;border-bottom:1px solid #ccc;text-align:left;vertical-align:top}
th{border-bottom:2px solid #333;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:600;border-bottom:2px solid #333}
@page{size:A4;margin:15mm}
@media print{body{margin:0;max-width:none;font-size:10pt}thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}h2{break-after:avoid;page-break-after:avoid}section{break-inside:auto}}
`;

/** A printable HTML page of the statement (everything escaped; print CSS: A4, header rows repeat on every page). */
export function statementHtml(statement: Statement): string {
  const w = words[language(statement.locale)];
  const locale = statement.locale;
  const d = (date: string) => escapeHtml(formatDate(date, locale, statement.timeZone));
  const e = escapeHtml;
  const sections = statement.currencies.map((c) => {
    const m = (amount: number) => e(formatMoney({ amount, currency: c.currency }, locale));
    const rows = c.lines
      .map(
        (l) =>
          `<tr><td>${d(l.date)}</td><td>${e(lineLabel(w, l))}</td><td>${e(l.reference)}</td><td>${e(l.invoiceNumber ?? '')}</td><td class="num">${m(l.amount)}</td><td class="num">${m(l.balance)}</td></tr>`,
      )
      .join('');
    const activity = `<table><thead><tr><th>${e(w.date)}</th><th>${e(w.type)}</th><th>${e(w.reference)}</th><th>${e(w.invoice)}</th><th class="num">${e(w.amount)}</th><th class="num">${e(w.balance)}</th></tr></thead><tbody>
<tr class="total"><td>${d(statement.from)}</td><td colspan="4">${e(w.openingShort)}</td><td class="num">${m(c.openingBalance)}</td></tr>
${rows || `<tr><td colspan="6">${e(w.noActivity)}</td></tr>`}
<tr class="total"><td>${d(statement.to)}</td><td colspan="4">${e(w.closingShort)}</td><td class="num">${m(c.closingBalance)}</td></tr></tbody></table>`;
    const aging = `<h3>${e(w.aging)}</h3><table><tbody>${AGING_BUCKETS.map((b) => `<tr><td>${e(w.buckets[b])}</td><td class="num">${m(c.aging[b])}</td></tr>`).join('')}</tbody></table>`;
    const open = c.openItems.length
      ? `<h3>${e(w.openItems)}</h3><table><thead><tr><th>${e(w.invoice)}</th><th>${e(w.dueDate)}</th><th class="num">${e(w.daysPastDue)}</th><th class="num">${e(w.amount)}</th></tr></thead><tbody>${c.openItems
          .map((i) => `<tr><td>${e(i.invoiceNumber ?? i.invoiceId ?? '—')}</td><td>${i.dueDate ? d(i.dueDate) : '—'}</td><td class="num">${Math.max(0, i.daysPastDue)}</td><td class="num">${m(i.balance)}</td></tr>`)
          .join('')}</tbody></table>`
      : '';
    const hasCredit = c.credit.openingBalance !== 0 || c.credit.closingBalance !== 0 || c.credit.lines.length > 0;
    const credit = hasCredit
      ? `<h3>${e(w.creditTitle)}</h3><table><thead><tr><th>${e(w.date)}</th><th>${e(w.type)}</th><th>${e(w.reference)}</th><th class="num">${e(w.amount)}</th><th class="num">${e(w.balance)}</th></tr></thead><tbody>
<tr class="total"><td>${d(statement.from)}</td><td colspan="3">${e(w.openingShort)}</td><td class="num">${m(c.credit.openingBalance)}</td></tr>
${c.credit.lines.map((l) => `<tr><td>${d(l.date)}</td><td>${e(w.creditTypes[l.type])}</td><td>${e(l.reference)}</td><td class="num">${m(l.amount)}</td><td class="num">${m(l.balance)}</td></tr>`).join('')}
<tr class="total"><td>${d(statement.to)}</td><td colspan="3">${e(w.closingShort)}</td><td class="num">${m(c.credit.closingBalance)}</td></tr></tbody></table>`
      : '';
    return `<section><h2>${e(c.currency)}</h2>${activity}${aging}${open}${credit}</section>`;
  });
  const title = `${w.title} — ${statement.customerName}`;
  return `<!doctype html><html lang="${e(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(title)}</title><style>${PRINT_CSS}</style></head><body>
<h1>${e(w.title)}</h1>
<p class="meta">${e(w.customer)}: ${e(statement.customerName)} (${e(statement.customerId)})<br>${d(statement.from)} – ${d(statement.to)}</p>
${sections.join('\n') || `<p>${e(w.noActivity)}</p>`}
</body></html>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Mail

/** The most bookings a mail lists per currency; the rest are summarised (the full statement is one request away). */
export const MAIL_MAX_LINES = 100;

export interface StatementMailOptions {
  /** Signed pay links of invoices still unpaid now, by invoice id. */
  payLinks?: ReadonlyMap<string, string>;
}

/** The statement as a mail in the customer's language, amounts by Intl in their locale, dates as their calendar days. */
export function renderStatementMail(statement: Statement, options: StatementMailOptions = {}): RenderedMail {
  const w = words[language(statement.locale)];
  const locale = statement.locale;
  const d = (date: string) => formatDate(date, locale, statement.timeZone);
  const month = wholeMonth(statement.from, statement.to, locale);
  const subject = month ? w.subjectMonth(month) : w.subjectRange(d(statement.from), d(statement.to));
  const paragraphs: string[] = [w.greeting(statement.customerName), w.intro(month ? `${month} (${w.period(d(statement.from), d(statement.to))})` : w.period(d(statement.from), d(statement.to)))];
  for (const c of statement.currencies) {
    const m = (amount: number) => formatMoney({ amount, currency: c.currency }, locale);
    const shown = c.lines.slice(0, MAIL_MAX_LINES);
    paragraphs.push(
      [
        w.opening(d(statement.from)) + `: ${m(c.openingBalance)}`,
        ...shown.map((l) => `${d(l.date)} · ${lineLabel(w, l)} ${l.reference}${l.invoiceNumber && l.invoiceNumber !== l.reference ? ` (${l.invoiceNumber})` : ''} · ${m(l.amount)} · ${w.balance} ${m(l.balance)}`),
        ...(c.lines.length > shown.length ? [w.more(c.lines.length - shown.length)] : []),
        w.closing(d(statement.to)) + `: ${m(c.closingBalance)}`,
      ].join('\n'),
    );
    const overdue = AGING_BUCKETS.filter((b) => b !== 'current' && c.aging[b] !== 0);
    if (overdue.length) paragraphs.push([w.overdue, ...overdue.map((b) => `${w.buckets[b]}: ${m(c.aging[b])}`)].join('\n'));
    const links = c.openItems.filter((i) => i.balance > 0 && i.invoiceId && options.payLinks?.has(i.invoiceId));
    if (links.length) paragraphs.push(links.map((i) => w.payLink(i.invoiceNumber ?? (i.invoiceId as string), m(i.balance), options.payLinks?.get(i.invoiceId as string) as string)).join('\n'));
    if (c.credit.closingBalance > 0) paragraphs.push(w.creditLine(m(c.credit.closingBalance)));
  }
  if (statement.currencies.every((c) => c.closingBalance <= 0)) paragraphs.push(w.settled);
  paragraphs.push(w.help, w.closingWords);
  return paragraphsMail(locale, subject, paragraphs);
}
