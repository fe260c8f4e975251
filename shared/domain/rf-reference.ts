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

/** Finds checksum-valid RF references in free remittance text (spaces inside a reference allowed). */
export function findRfReferences(text: string): string[] {
  const found = new Set<string>();
  const candidates = text.toUpperCase().match(/RF\s?\d{2}(?:\s?[A-Z0-9]){1,21}/g) ?? [];
  for (const candidate of candidates) {
    const compact = normaliseReference(candidate);
    // The greedy match may swallow a following word; try the longest valid prefix.
    for (let len = compact.length; len >= 5; len--) {
      const prefix = compact.slice(0, len);
      if (isValidRfReference(prefix)) {
        found.add(prefix);
        break;
      }
    }
  }
  return [...found];
}
