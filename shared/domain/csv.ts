/**
 * The one CSV writer of every CSV the system produces (RFC 4180: CRLF line ends, fields quoted when they hold a comma,
 * a quote, CR or LF, quotes doubled), with formula-injection defence (OWASP "CSV Injection"):
 *
 * - A TEXT cell whose first character a spreadsheet reads as the start of a formula — `=`, `+`, `-`, `@`, tab or CR,
 *   or their full-width forms `＝ ＋ － ＠` — is neutralised by a leading single quote (`=1+2` → `'=1+2`), so
 *   Excel, LibreOffice and Google Sheets show it as text and never evaluate it. Text cells are everything a customer,
 *   a bank or a payer could have written: references, invoice numbers, names, notes.
 * - An AMOUNT cell is written as a decimal number (`-12.50`) and left alone, so a spreadsheet still sums it: it is
 *   typed as a decimal and checked to be exactly `-?digits[.digits]` — nothing else can be written unneutralised.
 *
 * Pure.
 */

/** An amount cell: a decimal string from minor units (e.g. `decimalAmount`), written as a number. */
export interface CsvDecimal {
  readonly decimal: string;
}
export type CsvCell = string | CsvDecimal;

const FORMULA_START = /^[=+\-@\t\r＝＋－＠]/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The text as a spreadsheet will show it, never as a formula: a leading `'` when it starts like one. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF; quotes doubled. No formula handling. */
export function csvQuote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** An amount cell; refuses anything but a plain decimal (it would otherwise bypass the neutralisation). */
export function csvDecimal(decimal: string): CsvDecimal {
  if (!DECIMAL.test(decimal)) throw new RangeError(`not a decimal amount: ${JSON.stringify(decimal)}`);
  return { decimal };
}

/** One cell: text neutralised then quoted; an amount as its decimal. */
export function csvCell(cell: CsvCell): string {
  if (typeof cell === 'string') return csvQuote(neutraliseFormula(cell));
  if (!DECIMAL.test(cell.decimal)) throw new RangeError(`not a decimal amount: ${JSON.stringify(cell.decimal)}`);
  return cell.decimal;
}

/** Rows to an RFC 4180 document (CRLF after every row, the last included). */
export function csvDocument(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
