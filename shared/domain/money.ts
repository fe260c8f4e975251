/**
 * Money as integer minor units with an ISO 4217 currency (like Stripe: `{ amount: 12500, currency: "EUR" }`).
 *
 * No floating point ever touches an amount: amounts are safe integers, and any division rounds once by the rule
 * below. Rounding rule (the only one in the system): half away from zero, at the currency's minor unit, applied once
 * to the final figure. Splits use the largest-remainder method so that the parts always sum to the whole.
 */

import { ISO_4217_MINOR_UNITS } from './iso4217.ts';

export interface Money {
  /** Integer count of the currency's minor unit (cents for EUR, yen for JPY, fils for BHD). */
  readonly amount: number;
  /** Upper-case ISO 4217 code. */
  readonly currency: string;
}

/**
 * Is `code` an upper-case ISO 4217 currency with a minor unit? The table is ISO 4217 List One (./iso4217.ts), never the
 * runtime's locale data: Intl (CLDR) knows codes ISO has withdrawn and says HUF 0, IQD 0, ALL 0 where ISO says 2, 3, 2.
 */
export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && Object.hasOwn(ISO_4217_MINOR_UNITS, code);
}

/** Number of minor-unit digits for an ISO 4217 currency, from ISO 4217 List One: JPY 0, EUR 2, HUF 2, BHD 3, CLF 4. */
export function currencyExponent(currency: string): number {
  if (!isCurrency(currency)) throw new RangeError(`Unknown ISO 4217 currency: ${currency}`);
  return ISO_4217_MINOR_UNITS[currency] as number;
}

export function money(amount: number, currency: string): Money {
  assertMinorUnits(amount);
  if (!isCurrency(currency)) throw new RangeError(`Unknown ISO 4217 currency: ${currency}`);
  return { amount, currency };
}

export function assertMinorUnits(amount: number): void {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`Amount must be an integer in minor units, got ${amount}`);
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new RangeError(`Currency mismatch: ${a.currency} vs ${b.currency}`);
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

export function sum(currency: string, parts: readonly Money[]): Money {
  return parts.reduce((acc, p) => add(acc, p), money(0, currency));
}

/**
 * Divides `numerator / denominator` (integers, denominator > 0) and rounds half away from zero — the one rounding
 * rule. BigInt so products of large amounts and rates stay exact.
 */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  const q = abs / denominator;
  const r = abs % denominator;
  const rounded = r * 2n >= denominator ? q + 1n : q;
  return negative ? -rounded : rounded;
}

/**
 * Splits `total` into parts proportional to `weights` (non-negative integers, not all zero) by the largest-remainder
 * method: every part is floor(total × w / Σw), and the leftover minor units go one each to the largest remainders
 * (ties to the earlier part). The parts always sum exactly to `total`.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  assertMinorUnits(total);
  if (weights.length === 0) throw new RangeError('allocate needs at least one weight');
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0) throw new RangeError(`weights must be non-negative integers, got ${w}`);
  }
  const weightSum = weights.reduce((a, b) => a + BigInt(b), 0n);
  if (weightSum === 0n) throw new RangeError('weights must not all be zero');
  const sign = total < 0 ? -1n : 1n;
  const abs = BigInt(Math.abs(total));
  const parts = weights.map((w) => (abs * BigInt(w)) / weightSum);
  const remainders = weights.map((w, i) => ({ i, r: (abs * BigInt(w)) % weightSum }));
  let leftover = abs - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (leftover === 0n) break;
    parts[i] = (parts[i] as bigint) + 1n;
    leftover -= 1n;
  }
  return parts.map((p) => Number(p * sign));
}

/** Formats for people, in their locale: `formatMoney({amount: 12500, currency: 'EUR'}, 'de-DE')` → "125,00 €". */
export function formatMoney(m: Money, locale: string): string {
  const exponent = currencyExponent(m.currency);
  // Build the decimal string from integers, then let Intl format the string (no float rounding of the amount).
  const negative = m.amount < 0;
  const digits = Math.abs(m.amount).toString().padStart(exponent + 1, '0');
  const decimal =
    exponent === 0 ? digits : `${digits.slice(0, digits.length - exponent)}.${digits.slice(digits.length - exponent)}`;
  // Intl's own digits come from CLDR (HUF 0, IQD 0): show exactly the ISO minor units instead.
  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: m.currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  return formatter.format(`${negative ? '-' : ''}${decimal}` as unknown as number);
}
