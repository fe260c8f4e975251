import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, currencyExponent, divideRounded, formatMoney, money, sum } from '../../shared/domain/money.ts';

describe('money', () => {
  it('takes the exponent from ISO 4217', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('BHD')).toBe(3);
    expect(() => currencyExponent('XYZ')).toThrow(/Unknown ISO 4217/);
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
