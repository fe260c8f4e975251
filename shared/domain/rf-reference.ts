/**
 * ISO 11649 creditor references ("RF references"): `RF` + two check digits + 1–21 alphanumerics, valid when the
 * rearranged string (body + "RF" + check digits, letters as 10–35) is ≡ 1 (mod 97). Customers put it on bank
 * transfers; a typo fails the checksum, so a reference match is never silently wrong.
 *
 * The mod-97 runs over the digit string piecewise, so references of any length stay exact (no parseInt overflow).
 */

const BODY = /^[A-Z0-9]{1,21}$/;

function toDigits(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    out += code >= 65 && code <= 90 ? String(code - 55) : ch;
  }
  return out;
}

export function mod97(digits: string): number {
  let remainder = 0;
  for (let i = 0; i < digits.length; i += 7) {
    remainder = Number(`${remainder}${digits.slice(i, i + 7)}`) % 97;
  }
  return remainder;
}

/** Normalises what a person or a bank typed: upper case, no spaces. */
export function normaliseReference(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

export function createRfReference(body: string): string {
  const clean = normaliseReference(body);
  if (!BODY.test(clean)) throw new RangeError('RF reference body must be 1–21 characters A–Z/0–9');
  const check = 98 - mod97(toDigits(`${clean}RF00`));
  return `RF${String(check).padStart(2, '0')}${clean}`;
}

export function isValidRfReference(raw: string): boolean {
  const ref = normaliseReference(raw);
  if (!/^RF\d{2}[A-Z0-9]{1,21}$/.test(ref)) return false;
  return mod97(toDigits(`${ref.slice(4)}${ref.slice(0, 4)}`)) === 1;
}

/** Formats in groups of four for printing on invoices: "RF18 5390 0754 7034". */
export function formatRfReference(ref: string): string {
  return normaliseReference(ref).replace(/(.{4})(?=.)/g, '$1 ');
}

const RF_AT = /RF\s?\d{2}(?:\s?[A-Z0-9]){1,21}/y;
const MIN_RF_LENGTH = 5;
const ALNUM = /[A-Z0-9]/;

/**
 * Scans free remittance text for RF references, starting at every "RF" (so "RF18 5390 0754 7034 and RF62 …" yields
 * both). A reference may be printed in groups of four; the longest checksum-valid prefix that ends at a token boundary
 * wins (a valid prefix that ends inside a longer token is a typo that happens to pass the checksum, not a reference).
 * RF-like runs with no such prefix are returned as `invalid`, never corrected.
 */
export function scanRfReferences(text: string): { valid: string[]; invalid: string[] } {
  const valid = new Set<string>();
  const invalid = new Set<string>();
  const upper = text.toUpperCase();
  let coveredUntil = 0;
  for (let start = upper.indexOf('RF'); start >= 0; start = upper.indexOf('RF', start + 1)) {
    if (start < coveredUntil) continue;
    RF_AT.lastIndex = start;
    const run = RF_AT.exec(upper);
    if (!run) continue;
    const compact = normaliseReference(run[0]);
    let found: string | undefined;
    for (let len = compact.length; len >= MIN_RF_LENGTH && !found; len--) {
      const prefix = compact.slice(0, len);
      if (!isValidRfReference(prefix)) continue;
      const end = endOfCompact(upper, start, len);
      // Must end at a token boundary: a valid prefix of a longer token is a typo that happens to pass, not a reference.
      if (ALNUM.test(upper[end] ?? ' ')) continue;
      found = prefix;
      coveredUntil = end;
    }
    if (found) valid.add(found);
    else invalid.add(firstToken(compact, run[0]));
  }
  return { valid: [...valid], invalid: [...invalid] };
}

/** Checksum-valid RF references in free remittance text. */
export function findRfReferences(text: string): string[] {
  return scanRfReferences(text).valid;
}

/** Index in `text` just after the first `chars` non-space characters from `start`. */
function endOfCompact(text: string, start: number, chars: number): number {
  let seen = 0;
  let i = start;
  while (i < text.length && seen < chars) if (!/\s/.test(text[i++] as string)) seen++;
  return i;
}

/** An invalid run as evidence: up to the first space after the 4-character groups a printed reference has. */
function firstToken(compact: string, run: string): string {
  const grouped = /^RF\d{2}(?: [A-Z0-9]{4})+(?: [A-Z0-9]{1,3})?(?![A-Z0-9])/.exec(run);
  if (grouped) return normaliseReference(grouped[0]);
  const token = /^RF\s?\d{2}[A-Z0-9]*/.exec(run);
  return token ? normaliseReference(token[0]) : compact;
}
