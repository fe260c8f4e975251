/**
 * The one conversion between our amounts (ISO 4217 minor units, `shared/domain/money.ts`) and Stripe's API amounts.
 * Every Stripe path goes through it, both directions: Checkout sessions out; payment intents, charges, refunds,
 * disputes, checkout sessions and cash-balance transactions in. Pure: no I/O.
 *
 * Stripe's units are its own (docs.stripe.com/currencies, "Zero-decimal", "Three-decimal" and "Special cases"):
 * - Two-decimal by default: Stripe amount = ISO minor units (EUR, USD, GBP, …).
 * - Zero-decimal (BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF VND VUV XAF XOF XPF): amount in whole units. For MGA, whose
 *   ISO minor unit is 2, that means our amount must be whole ariary.
 * - ISK and UGX are zero-decimal in ISO 4217, but Stripe keeps them two-decimal for backwards compatibility and only
 *   accepts whole units: 5,000 ISK is `500000`, and an amount not divisible by 100 is refused
 *   (`invalid_charge_amount_no_decimal_compatible`).
 * - HUF and TWD: two-decimal in the API. Stripe requires whole units (divisible by 100) only for *payouts*; charges —
 *   Checkout included — take two-decimal amounts, so a charge is exact for any amount. We create no payouts.
 * - Three-decimal (BHD JOD KWD OMR TND): amount in ISO minor units, but the last digit must be 0 (steps of 10).
 * - Any other currency whose ISO minor unit is not 2 (IQD, LYD, CLF, UYW, UYI) has no documented Stripe unit: refused
 *   rather than guessed.
 * An amount Stripe cannot represent or charge exactly throws StripeAmountError — never a silent rounding.
 */
import { currencyExponent, isCurrency, type Money } from '../domain/money.ts';

export type StripeAmountProblem = 'unsupported_currency' | 'not_exact';

export class StripeAmountError extends Error {
  override name = 'StripeAmountError';
  constructor(
    readonly problem: StripeAmountProblem,
    message: string,
  ) {
    super(message);
  }
}

interface StripeUnit {
  /** Decimal digits of Stripe's amount for this currency. */
  readonly exponent: number;
  /** Stripe amounts (in Stripe units) must be a multiple of this for a charge. */
  readonly step: number;
}

const ZERO_DECIMAL = ['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'];
const WHOLE_UNITS_IN_TWO_DECIMALS = ['ISK', 'UGX'];
const THREE_DECIMAL = ['BHD', 'JOD', 'KWD', 'OMR', 'TND'];

const rule = (codes: readonly string[], unit: StripeUnit) => codes.map((c): [string, StripeUnit] => [c, unit]);
const SPECIAL: ReadonlyMap<string, StripeUnit> = new Map([
  ...rule(ZERO_DECIMAL, { exponent: 0, step: 1 }),
  ...rule(WHOLE_UNITS_IN_TWO_DECIMALS, { exponent: 2, step: 100 }),
  ...rule(THREE_DECIMAL, { exponent: 3, step: 10 }),
]);

/** Stripe's unit for an ISO currency; throws StripeAmountError for a currency Stripe's units are not known for. */
export function stripeUnit(currency: string): StripeUnit & { isoExponent: number } {
  const code = currency.toUpperCase();
  if (!isCurrency(code)) throw new StripeAmountError('unsupported_currency', `${currency} is not an ISO 4217 currency`);
  const isoExponent = currencyExponent(code);
  const special = SPECIAL.get(code);
  if (special) return { ...special, isoExponent };
  if (isoExponent === 2) return { exponent: 2, step: 1, isoExponent };
  throw new StripeAmountError('unsupported_currency', `Stripe documents no amount unit for ${code} (ISO minor unit ${isoExponent})`);
}

function checkAmount(amount: number, what: string): void {
  if (!Number.isSafeInteger(amount)) throw new StripeAmountError('not_exact', `${what} must be a safe integer, got ${amount}`);
}

/** Our amount (ISO minor units) → Stripe's `amount` and lower-case `currency`, exactly, or StripeAmountError. */
export function toStripeAmount(m: Money): { amount: number; currency: string } {
  checkAmount(m.amount, 'amount');
  const unit = stripeUnit(m.currency);
  const code = m.currency.toUpperCase();
  let amount: number;
  if (unit.exponent >= unit.isoExponent) {
    amount = m.amount * 10 ** (unit.exponent - unit.isoExponent);
    if (!Number.isSafeInteger(amount)) throw new StripeAmountError('not_exact', `${m.amount} ${code} is too large for Stripe`);
  } else {
    const factor = 10 ** (unit.isoExponent - unit.exponent);
    if (m.amount % factor !== 0) {
      throw new StripeAmountError('not_exact', `Stripe charges ${code} in whole units only; ${m.amount} minor units is not a whole number`);
    }
    amount = m.amount / factor;
  }
  if (amount % unit.step !== 0) {
    const isoStep = (unit.step * 10 ** unit.isoExponent) / 10 ** unit.exponent;
    throw new StripeAmountError(
      'not_exact',
      `Stripe charges ${code} only in steps of ${isoStep} minor unit${isoStep === 1 ? '' : 's'}; ${m.amount} is not a multiple`,
    );
  }
  return { amount: amount === 0 ? 0 : amount, currency: code.toLowerCase() };
}

/** Stripe's amount in `currency` (any case) → our Money (ISO minor units), exactly, or StripeAmountError. */
export function fromStripeAmount(stripeAmount: number, currency: string): Money {
  checkAmount(stripeAmount, 'Stripe amount');
  const unit = stripeUnit(currency);
  const code = currency.toUpperCase();
  if (unit.exponent <= unit.isoExponent) {
    const amount = stripeAmount * 10 ** (unit.isoExponent - unit.exponent);
    if (!Number.isSafeInteger(amount)) throw new StripeAmountError('not_exact', `${stripeAmount} ${code} from Stripe is too large`);
    return { amount: amount === 0 ? 0 : amount, currency: code };
  }
  const factor = 10 ** (unit.exponent - unit.isoExponent);
  if (stripeAmount % factor !== 0) {
    throw new StripeAmountError(
      'not_exact',
      `${stripeAmount} ${code} in Stripe units is not a whole number of ISO minor units (Stripe counts ${code} in 1/${factor})`,
    );
  }
  const amount = stripeAmount / factor;
  return { amount: amount === 0 ? 0 : amount, currency: code };
}

/** Can Stripe charge exactly this amount? (A positive amount, in a currency and step Stripe takes.) */
export function stripeChargeProblem(m: Money): StripeAmountError | undefined {
  if (m.amount <= 0) return new StripeAmountError('not_exact', 'Stripe charges only positive amounts');
  try {
    toStripeAmount(m);
    return undefined;
  } catch (error) {
    if (error instanceof StripeAmountError) return error;
    throw error;
  }
}
