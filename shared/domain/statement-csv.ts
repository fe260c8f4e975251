/**
 * A statement of account as CSV (RFC 4180) and its download file name. The statement's rules: ./statement.ts.
 */
import { csvDecimal, csvDocument, csvQuote, type CsvCell } from './csv.ts';
import { currencyExponent } from './money.ts';
import type { Statement, StatementLine } from './statement.ts';

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
