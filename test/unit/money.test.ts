import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ISO_4217_MINOR_UNITS, ISO_4217_PUBLISHED } from '../../shared/domain/iso4217.ts';
import { allocate, currencyExponent, divideRounded, formatMoney, isCurrency, money, sum } from '../../shared/domain/money.ts';

describe('money', () => {
  it('takes the exponent from ISO 4217', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('BHD')).toBe(3);
    expect(() => currencyExponent('XYZ')).toThrow(/Unknown ISO 4217/);
  });

  it('takes exponents from the ISO 4217 table, not from the runtime locale data (CLDR says HUF 0, IQD 0, ALL 0, LBP 0)', () => {
    const iso: Record<string, number> = { HUF: 2, ISK: 0, IQD: 3, ALL: 2, LBP: 2, JPY: 0, BHD: 3, KWD: 3, TWD: 2, CLF: 4, UYW: 4, EUR: 2, USD: 2, XCG: 2 };
    for (const [code, exponent] of Object.entries(iso)) expect([code, currencyExponent(code)]).toEqual([code, exponent]);
    expect(ISO_4217_PUBLISHED).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('knows the currencies of the same table, and only those', () => {
    for (const code of ['EUR', 'HUF', 'ISK', 'IQD', 'CLF', 'XCG']) expect(isCurrency(code)).toBe(true);
    // Not money (no minor unit in ISO 4217), withdrawn, or not a code at all — whatever the runtime's Intl knows.
    for (const code of ['XAU', 'XXX', 'XDR', 'XTS', 'HRK', 'SLL', 'VEF', 'ZWL', 'eur', 'EURO', '', 'constructor', 'toString']) {
      expect([code, isCurrency(code)]).toEqual([code, false]);
    }
    expect(Object.keys(ISO_4217_MINOR_UNITS).length).toBeGreaterThan(150);
  });

  it('shows exactly the ISO number of decimals, whatever Intl would', () => {
    expect(formatMoney({ amount: 123456, currency: 'HUF' }, 'hu-HU')).toBe('1234,56\u00a0Ft');
    expect(formatMoney({ amount: 500000, currency: 'HUF' }, 'en-US')).toMatch(/5,000\.00/);
    expect(formatMoney({ amount: 5000, currency: 'ISK' }, 'en-US')).toMatch(/5,000$/);
    expect(formatMoney({ amount: 1234, currency: 'IQD' }, 'en-US')).toMatch(/1\.234/);
    expect(formatMoney({ amount: 1050, currency: 'ALL' }, 'en-US')).toMatch(/10\.50/);
    expect(formatMoney({ amount: 123456, currency: 'CLF' }, 'en-US')).toMatch(/12\.3456/);
    expect(formatMoney({ amount: 1050, currency: 'TWD' }, 'en-US')).toMatch(/10\.50/);
  });

  it('refuses non-integer amounts and unknown currencies', () => {
    expect(() => money(1.5, 'EUR')).toThrow(/integer/);
    expect(() => money(2 ** 53, 'EUR')).toThrow(/integer/);
    expect(() => money(1, 'eur')).toThrow(/currency/);
    expect(() => sum('EUR', [money(1, 'EUR'), money(1, 'USD')])).toThrow(/mismatch/);
  });

  it('formats in the customer locale without float rounding', () => {
    expect(formatMoney({ amount: 12500, currency: 'EUR' }, 'de-DE')).toBe('125,00\u00a0€');
    expect(formatMoney({ amount: 1234567, currency: 'JPY' }, 'en-US')).toBe('¥1,234,567');
    expect(formatMoney({ amount: 1005, currency: 'BHD' }, 'en-US')).toMatch(/1\.005/);
    expect(formatMoney({ amount: 900719925474099, currency: 'EUR' }, 'en-US')).toBe('€9,007,199,254,740.99');
    expect(formatMoney({ amount: -5, currency: 'EUR' }, 'en-US')).toBe('-€0.05');
  });

  it('rounds half away from zero, once', () => {
    expect(divideRounded(5n, 2n)).toBe(3n);
    expect(divideRounded(-5n, 2n)).toBe(-3n);
    expect(divideRounded(4n, 3n)).toBe(1n);
    expect(divideRounded(5n, 3n)).toBe(2n);
    expect(() => divideRounded(1n, 0n)).toThrow();
  });

  it('splits so that parts always sum to the whole, each within one unit of its exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 24 }).filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          const weightSum = weights.reduce((a, b) => a + b, 0);
          parts.forEach((p, i) => {
            const exact = (BigInt(total) * BigInt(weights[i] as number)) / BigInt(weightSum);
            expect(Math.abs(p - Number(exact))).toBeLessThanOrEqual(1);
            if (weights[i] === 0) expect(p).toBe(0);
          });
        },
      ),
    );
  });

  it('splits evenly with the remainder going to the first parts', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
  });
});
