/**
 * Normalised bank lines: what every bank format (camt.053/054, BAI2, our JSON notification) is turned into before
 * cash application sees it. Shared helpers for exact amounts, dates, account numbers and idempotency keys.
 *
 * See docs/bank-formats.md for the mapping of each format and the key strategy.
 */
import { normaliseAccount as normaliseCustomerAccount } from '../../domain/customer.ts';
import { createHash } from 'node:crypto';
import { currencyExponent, isCurrency } from '../../domain/money.ts';
import { findRfReferences, normaliseReference } from '../../domain/rf-reference.ts';

export type BankFormat = 'camt.053' | 'camt.054' | 'bai2' | 'json';

export interface BankLine {
  /**
   * Stable idempotency key of this line, the same whenever the same line is re-sent:
   * - `acct:<AcctSvcrRef>` when the bank gives an account-servicer reference (camt);
   * - `prov:<provider id>` for the JSON credit id or the BAI2 bank reference;
   * - `hash:<sha256>` of a canonical string of account, dates, amount, currency, debtor, remittance, references,
   *   kind and the line's position in the file, when the bank gives no reference.
   * A reversal's key always ends in `:reversal`, so it never collides with the credit it reverses even when the bank
   * reuses the original reference (or re-sends a JSON credit with the same id and status `reversed`).
   */
  key: string;
  /** `reversal`: camt RvslInd=true on a debit, a BAI2 return/reversal debit code, JSON status `reversed`. */
  kind: 'credit' | 'reversal';
  /** Positive integer minor units of `currency`. */
  amount: number;
  /** ISO 4217 code. */
  currency: string;
  /** YYYY-MM-DD. */
  bookingDate: string;
  valueDate?: string;
  /** Our account the money landed on: IBAN (camt, JSON) or the account number (camt Othr/Id, BAI2), no spaces. */
  accountIban?: string;
  debtorName?: string;
  /** Payer's IBAN or account number, upper case, no spaces. */
  debtorAccount?: string;
  /** Structured creditor references, checksum-valid RF references found in the text, and a real EndToEndId. */
  references: string[];
  /** Unstructured remittance lines joined with a space. */
  remittanceText: string;
  /** The payer's end-to-end id when it is not `NOTPROVIDED`. */
  endToEndId?: string;
  /** For a reversal: the key of the line it reverses, when the payload says which one. */
  reversesKey?: string;
  format: BankFormat;
}

export interface IgnoredEntry {
  reason: string;
  /** Where in the payload, e.g. `Stmt[1]/Ntry[3]`, `02[1]/03[2]/16[4]` or `credits[1]`. */
  position: string;
}

export interface ParseResult {
  format: BankFormat;
  lines: BankLine[];
  ignored: IgnoredEntry[];
}

/** The payload is not a well-formed bank file of a supported format; the message names what is wrong. */
export class BankFormatError extends Error {
  override name = 'BankFormatError';
}

/** `acct:`/`prov:` keys: the reference as the bank wrote it (trimmed; leading zeros kept). */
export function referenceKey(prefix: 'acct' | 'prov', reference: string, kind: BankLine['kind']): string {
  return `${prefix}:${reference}${kind === 'reversal' ? ':reversal' : ''}`;
}

/** `hash:` keys: SHA-256 over a JSON array of the line's content and position (JSON so no delimiter is ambiguous). */
export function contentHashKey(
  line: Omit<BankLine, 'key' | 'reversesKey'>,
  position: string,
): string {
  const canonical = JSON.stringify([
    line.format.startsWith('camt') ? 'camt' : line.format,
    line.accountIban ?? '',
    line.bookingDate,
    line.valueDate ?? '',
    line.amount,
    line.currency,
    line.debtorName ?? '',
    line.debtorAccount ?? '',
    line.remittanceText,
    line.references,
    line.endToEndId ?? '',
    line.kind,
    position,
  ]);
  const digest = createHash('sha256').update(canonical, 'utf8').digest('hex');
  return `hash:${digest}${line.kind === 'reversal' ? ':reversal' : ''}`;
}

/** Checks an ISO 4217 code (upper case, known to Intl); `where` names the field for the error. */
export function checkCurrency(raw: string | undefined, where: string): string {
  const code = (raw ?? '').trim();
  if (!code) throw new BankFormatError(`${where}: currency is missing`);
  if (!isCurrency(code)) throw new BankFormatError(`${where}: "${code}" is not an ISO 4217 currency code`);
  return code;
}

/**
 * Converts a decimal string ("8.10", "1250", "0.500") to integer minor units of `currency` with string arithmetic
 * only. More decimals than the currency has are accepted only when the extra digits are zeros ("8.100" EUR → 810);
 * otherwise the amount cannot be represented and the payload is rejected.
 */
export function decimalToMinorUnits(raw: string | undefined, currency: string, where: string): number {
  const value = (raw ?? '').trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) throw new BankFormatError(`${where}: amount "${value}" is not a non-negative decimal number`);
  if (!isCurrency(currency)) throw new BankFormatError(`${where}: "${currency}" is not an ISO 4217 currency code`);
  const whole = match[1] as string;
  const fraction = match[2] ?? '';
  const exponent = currencyExponent(currency);
  const kept = fraction.slice(0, exponent);
  const extra = fraction.slice(exponent);
  if (/[^0]/.test(extra)) {
    throw new BankFormatError(`${where}: amount ${value} has more decimals than ${currency} allows (${exponent})`);
  }
  return toSafeInteger(`${whole}${kept.padEnd(exponent, '0')}`, where, value);
}

/** An unsigned digit string (BAI2 amounts, JSON amounts written as strings) as a safe integer. */
export function toSafeInteger(digits: string, where: string, shown: string = digits): number {
  if (!/^\d+$/.test(digits)) throw new BankFormatError(`${where}: "${shown}" is not a whole number`);
  const big = BigInt(digits);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new BankFormatError(`${where}: amount ${shown} is too large`);
  return Number(big);
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}

/** Account identifiers as cash application compares them: upper case, no spaces. */
export function normaliseAccount(raw: string | undefined): string | undefined {
  // The same normalisation as the accounts staff register on customers, so the two compare equal.
  return raw && raw.trim() ? normaliseCustomerAccount(raw) : undefined;
}

/** A non-empty trimmed string or undefined. */
export function clean(raw: string | undefined): string | undefined {
  const value = (raw ?? '').replace(/\s+/g, ' ').trim();
  return value ? value : undefined;
}

/**
 * The references of a line, in order and without duplicates (compared without spaces, case-insensitive): structured
 * references as given, then checksum-valid RF references found in the text, then the EndToEndId when real.
 */
export function collectReferences(structured: readonly string[], text: string, endToEndId: string | undefined): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const push = (ref: string): void => {
    const trimmed = ref.trim();
    if (!trimmed) return;
    const norm = normaliseReference(trimmed);
    if (seen.has(norm)) return;
    seen.add(norm);
    out.push(trimmed);
  };
  structured.forEach(push);
  findRfReferences(text).forEach(push);
  if (endToEndId) push(endToEndId);
  return out;
}

/** A real end-to-end id: present and not the ISO placeholder NOTPROVIDED. */
export function realEndToEndId(raw: string | undefined): string | undefined {
  const value = clean(raw);
  if (!value || value.toUpperCase() === 'NOTPROVIDED') return undefined;
  return value;
}

/** Rejects a payload that names the same line key twice: the bank reused a reference, or the file is corrupt. */
export function assertUniqueKeys(lines: readonly BankLine[], positions: readonly string[]): void {
  const seen = new Map<string, string>();
  lines.forEach((line, i) => {
    const earlier = seen.get(line.key);
    if (earlier !== undefined) {
      throw new BankFormatError(
        `the same line key ${line.key} appears twice (${earlier} and ${positions[i]}); refusing an ambiguous payload`,
      );
    }
    seen.set(line.key, positions[i] ?? '');
  });
}
