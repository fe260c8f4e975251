import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromStripeAmount, StripeAmountError, stripeChargeProblem, stripeUnit, toStripeAmount } from '../../shared/adapters/stripe-units.ts';
import { ISO_4217_MINOR_UNITS } from '../../shared/domain/iso4217.ts';
import { currencyExponent } from '../../shared/domain/money.ts';

const problemOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof StripeAmountError) return error.problem;
    throw error;
  }
};

/** Every ISO currency for which Stripe's unit is documented (the others are refused, tested below). */
const stripeCurrencies = Object.keys(ISO_4217_MINOR_UNITS).filter((c) => problemOf(() => stripeUnit(c)) === undefined);
const amount = fc.integer({ min: 0, max: 10 ** 12 });

describe('Stripe units', () => {
  it.each([
    ['EUR', 12500, 12500],
    ['USD', 9900, 9900],
    ['JPY', 5000, 5000],
    ['ISK', 5000, 500000],
    ['UGX', 5, 500],
    ['HUF', 123456, 123456],
    ['TWD', 1050, 1050],
    ['BHD', 1250, 1250],
    ['KWD', 5120, 5120],
    ['MGA', 12300, 123],
  ])('%s %i (ISO minor units) is %i in Stripe units, and back', (currency, iso, stripe) => {
    expect(toStripeAmount({ amount: iso, currency })).toEqual({ amount: stripe, currency: currency.toLowerCase() });
    expect(fromStripeAmount(stripe, currency.toLowerCase())).toEqual({ amount: iso, currency });
  });

  it.each([
    ['BHD', 1255, 'last digit of a three-decimal amount must be 0'],
    ['KWD', 5124, 'last digit of a three-decimal amount must be 0'],
    ['JOD', 1, 'last digit of a three-decimal amount must be 0'],
    ['MGA', 12345, 'Stripe charges MGA in whole ariary'],
  ])('refuses %s %i: %s', (currency, iso) => {
    expect(problemOf(() => toStripeAmount({ amount: iso, currency }))).toBe('not_exact');
    expect(stripeChargeProblem({ amount: iso, currency })?.problem).toBe('not_exact');
  });

  it('refuses amounts from Stripe that are not a whole number of ISO minor units (fractional ISK/UGX)', () => {
    expect(problemOf(() => fromStripeAmount(4010, 'isk'))).toBe('not_exact');
    expect(problemOf(() => fromStripeAmount(501, 'ugx'))).toBe('not_exact');
    expect(problemOf(() => fromStripeAmount(1.5, 'eur'))).toBe('not_exact');
  });

  it('refuses currencies whose Stripe unit is not documented instead of guessing', () => {
    for (const c of ['IQD', 'LYD', 'CLF', 'UYW', 'UYI', 'XYZ', 'XAU']) {
      expect([c, problemOf(() => toStripeAmount({ amount: 1000, currency: c }))]).toEqual([c, 'unsupported_currency']);
      expect([c, problemOf(() => fromStripeAmount(1000, c.toLowerCase()))]).toEqual([c, 'unsupported_currency']);
    }
  });

  it('a charge needs a positive amount', () => {
    expect(stripeChargeProblem({ amount: 0, currency: 'EUR' })?.problem).toBe('not_exact');
    expect(stripeChargeProblem({ amount: 1, currency: 'EUR' })).toBeUndefined();
  });

  it('property: what goes to Stripe comes back unchanged (ISO → Stripe → ISO)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...stripeCurrencies), amount, (currency, iso) => {
        let out: { amount: number; currency: string };
        try {
          out = toStripeAmount({ amount: iso, currency });
        } catch (error) {
          if (error instanceof StripeAmountError) return; // rejection is its own property below
          throw error;
        }
        expect(fromStripeAmount(out.amount, out.currency)).toEqual({ amount: iso, currency });
      }),
      { numRuns: 2000 },
    );
  });

  it('property: every chargeable Stripe amount maps to our units and back (Stripe → ISO → Stripe)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...stripeCurrencies), amount, (currency, raw) => {
        const { step } = stripeUnit(currency);
        const stripe = raw - (raw % step); // a multiple of Stripe's step: an amount Stripe itself could report
        const ours = fromStripeAmount(stripe, currency.toLowerCase());
        expect(toStripeAmount(ours).amount).toBe(stripe);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: exact — the value in major units is the same on both sides, no rounding anywhere', () => {
    fc.assert(
      fc.property(fc.constantFrom(...stripeCurrencies), amount, (currency, iso) => {
        const problem = problemOf(() => toStripeAmount({ amount: iso, currency }));
        if (problem) return;
        const out = toStripeAmount({ amount: iso, currency });
        const { exponent } = stripeUnit(currency);
        // iso / 10^isoExponent === stripe / 10^stripeExponent, compared in integers
        expect(BigInt(iso) * 10n ** BigInt(exponent)).toBe(BigInt(out.amount) * 10n ** BigInt(currencyExponent(currency)));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: refused exactly when Stripe could not charge that amount to the unit', () => {
    fc.assert(
      fc.property(fc.constantFrom(...stripeCurrencies), amount, (currency, iso) => {
        const { exponent, step } = stripeUnit(currency);
        const isoExponent = currencyExponent(currency);
        // Exactly chargeable ⇔ iso × 10^exponent is a multiple of step × 10^isoExponent.
        const chargeable = (BigInt(iso) * 10n ** BigInt(exponent)) % (BigInt(step) * 10n ** BigInt(isoExponent)) === 0n;
        expect(problemOf(() => toStripeAmount({ amount: iso, currency }))).toBe(chargeable ? undefined : 'not_exact');
      }),
      { numRuns: 3000 },
    );
  });

  it('knows the documented special cases and leaves the rest two-decimal', () => {
    expect(stripeUnit('ISK')).toMatchObject({ exponent: 2, step: 100, isoExponent: 0 });
    expect(stripeUnit('HUF')).toMatchObject({ exponent: 2, step: 1, isoExponent: 2 });
    expect(stripeUnit('TWD')).toMatchObject({ exponent: 2, step: 1, isoExponent: 2 });
    expect(stripeUnit('KWD')).toMatchObject({ exponent: 3, step: 10, isoExponent: 3 });
    expect(stripeUnit('jpy')).toMatchObject({ exponent: 0, step: 1, isoExponent: 0 });
    expect(stripeUnit('EUR')).toMatchObject({ exponent: 2, step: 1, isoExponent: 2 });
    expect(stripeCurrencies.length).toBeGreaterThan(150);
  });
});
