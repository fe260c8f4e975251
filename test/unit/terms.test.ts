import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountTermsSchema,
  discountFor,
  dueDateFor,
  effectiveAnnualRateBasisPoints,
  interestAccrual,
  interestForPeriod,
  interestPeriodKey,
  interestStartDate,
  lateFeeDue,
  monthlyToAnnualBasisPoints,
  resolveTerms,
  termsOverrideSchema,
  type PaymentTerms,
} from '../../shared/domain/terms.ts';

const account: PaymentTerms = {
  netDays: 30,
  earlyPaymentDiscount: { basisPoints: 200, days: 10 },
  lateInterest: { mode: 'simple', annualRateBasisPoints: 1800, startDaysPastDue: 60 },
  fixedLateFee: { EUR: 4000, USD: 4000 },
  graceDays: 0,
  minimumAmounts: { EUR: 500, USD: 500 },
};

describe('terms inheritance', () => {
  it('uses the account defaults when nothing overrides them', () => {
    expect(resolveTerms(account)).toEqual(account);
    expect(resolveTerms(account)).not.toBe(account);
  });

  it('lets the customer override field by field and the invoice override the customer', () => {
    const t = resolveTerms(
      account,
      { netDays: 14, graceDays: 3, minimumAmounts: { EUR: 1000 } },
      { netDays: 7, fixedLateFee: { EUR: 2500 } },
    );
    expect(t.netDays).toBe(7); // invoice wins over customer
    expect(t.graceDays).toBe(3); // customer wins over account
    expect(t.earlyPaymentDiscount).toEqual({ basisPoints: 200, days: 10 }); // inherited
    expect(t.lateInterest).toEqual(account.lateInterest);
    expect(t.minimumAmounts).toEqual({ EUR: 1000, USD: 500 }); // merged per currency
    expect(t.fixedLateFee).toEqual({ EUR: 2500, USD: 4000 });
  });

  it('removes inherited agreements with null / mode none', () => {
    const t = resolveTerms(account, { earlyPaymentDiscount: null, lateInterest: { mode: 'none' } }, { fixedLateFee: null });
    expect(t.earlyPaymentDiscount).toBeUndefined();
    expect(t.fixedLateFee).toBeUndefined();
    expect(t.lateInterest).toEqual({ mode: 'none' });
  });

  it('replaces late interest as a whole (no mixing of modes)', () => {
    const t = resolveTerms(account, undefined, {
      lateInterest: { mode: 'statutory', referenceRateBasisPoints: 215, marginBasisPoints: 800, startDaysPastDue: 0 },
    });
    expect(t.lateInterest).toEqual({ mode: 'statutory', referenceRateBasisPoints: 215, marginBasisPoints: 800, startDaysPastDue: 0 });
  });

  it('derives the due date and the discount from the terms', () => {
    expect(dueDateFor('2026-01-31', { netDays: 30 })).toBe('2026-03-02');
    expect(discountFor(10_050, '2026-01-31', { earlyPaymentDiscount: { basisPoints: 500, days: 10 } })).toEqual({
      basisPoints: 500,
      amount: 503, // 502.5 → 503, half away from zero
      until: '2026-02-10',
    });
    expect(discountFor(10_000, '2026-01-31', {})).toBeUndefined();
  });
});

describe('terms schema', () => {
  it('converts a monthly rate: 1.5 % per month = 1800 bp per year', () => {
    expect(monthlyToAnnualBasisPoints(150)).toBe(1800);
    const parsed = termsOverrideSchema.parse({ lateInterest: { mode: 'simple', monthlyRateBasisPoints: 150, startDaysPastDue: 60 } });
    expect(parsed.lateInterest).toEqual({ mode: 'simple', annualRateBasisPoints: 1800, startDaysPastDue: 60 });
  });

  it('fills account defaults and accepts statutory mode', () => {
    const parsed = accountTermsSchema.parse({
      lateInterest: { mode: 'statutory', referenceRateBasisPoints: 215, marginBasisPoints: 800 },
      minimumAmounts: { EUR: 500 },
    });
    expect(parsed).toEqual({
      netDays: 30,
      graceDays: 0,
      lateInterest: { mode: 'statutory', referenceRateBasisPoints: 215, marginBasisPoints: 800, startDaysPastDue: 0 },
      minimumAmounts: { EUR: 500 },
    });
  });

  it('rejects bad input with clear messages', () => {
    const messages = (input: unknown, schema: typeof termsOverrideSchema | typeof accountTermsSchema = termsOverrideSchema) => {
      const r = schema.safeParse(input);
      expect(r.success).toBe(false);
      return r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join(' | ') ?? '';
    };
    expect(messages({ netDays: 1.5 })).toMatch(/netDays: must be a whole number of days/);
    expect(messages({ netDays: -1 })).toMatch(/netDays: must not be negative/);
    expect(messages({ lateInterest: { mode: 'simple', startDaysPastDue: 0 } })).toMatch(
      /give exactly one of annualRateBasisPoints or monthlyRateBasisPoints/,
    );
    expect(messages({ lateInterest: { mode: 'weekly' } })).toMatch(/mode must be one of/);
    expect(messages({ minimumAmounts: { euro: 5 } })).toMatch(/ISO 4217/);
    expect(messages({ fixedLateFee: { EUR: 1.5 } })).toMatch(/integer in minor units/);
    expect(messages({ unknown: 1 })).toMatch(/unknown|Unrecognized/i);
    expect(messages({ netDays: 10, earlyPaymentDiscount: { basisPoints: 200, days: 14 } }, accountTermsSchema)).toMatch(
      /earlyPaymentDiscount.days: must not be longer than netDays/,
    );
  });
});

describe('interest', () => {
  it('follows the formula exactly: 10,000.00 EUR at 1800 bp for 30 days = 147.95 EUR', () => {
    // 1,000,000 × 1800 × 30 / (10,000 × 365) = 14,794.52… → 14,795
    expect(interestForPeriod(1_000_000, 1800, 30)).toBe(14_795);
    // 5,000.00 at 1050 bp (statutory 250 + 800) for 10 days: 5,250,000,000 / 3,650,000 = 1,438.36 → 1,438
    expect(interestForPeriod(500_000, 1050, 10)).toBe(1438);
    expect(interestForPeriod(1_000_000, 1800, 0)).toBe(0);
    expect(interestForPeriod(1_000_000, 0, 30)).toBe(0);
    // 365 days at 1000 bp is exactly 10 %
    expect(interestForPeriod(123_456, 1000, 365)).toBe(12_346); // 12,345.6 → 12,346
  });

  it('rounds half away from zero, once', () => {
    // 1825 × 1000 × 1 / 3,650,000 = 0.5 exactly
    expect(interestForPeriod(1825, 1000, 1)).toBe(1);
    expect(interestForPeriod(-1825, 1000, 1)).toBe(-1);
    expect(interestForPeriod(5475, 1000, 1)).toBe(2); // 1.5
    expect(interestForPeriod(1824, 1000, 1)).toBe(0); // 0.4997…
    // once, not per day: 30 days of 0.4 each would round to 0 per day, but 12 in total
    expect(interestForPeriod(1460, 1000, 30)).toBe(12);
  });

  it('is exact for large balances (BigInt, no float)', () => {
    expect(interestForPeriod(900_719_925_474_099, 1800, 365)).toBe(162_129_586_585_338); // × 0.18 = …337.82 → …338
    expect(() => interestForPeriod(1.5, 1800, 1)).toThrow(/integer/);
    expect(() => interestForPeriod(100, 1800, -1)).toThrow(/negative/);
  });

  it('is additive up to one minor unit across split periods (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 }), (b, r, d1, d2) => {
        const whole = interestForPeriod(b, r, d1 + d2);
        const parts = interestForPeriod(b, r, d1) + interestForPeriod(b, r, d2);
        expect(Math.abs(whole - parts)).toBeLessThanOrEqual(1);
        expect(whole).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('uses reference + margin in statutory mode', () => {
    expect(effectiveAnnualRateBasisPoints({ mode: 'statutory', referenceRateBasisPoints: 215, marginBasisPoints: 800, startDaysPastDue: 0 })).toBe(1015);
    expect(effectiveAnnualRateBasisPoints({ mode: 'statutory', referenceRateBasisPoints: -900, marginBasisPoints: 800, startDaysPastDue: 0 })).toBe(0);
    expect(effectiveAnnualRateBasisPoints({ mode: 'simple', annualRateBasisPoints: 1800, startDaysPastDue: 60 })).toBe(1800);
    expect(effectiveAnnualRateBasisPoints({ mode: 'none' })).toBe(0);
  });

  const base = {
    balance: 1_000_000,
    currency: 'EUR',
    dueDate: '2026-01-31',
    graceDays: 0,
    startDaysPastDue: 60,
    rateBasisPoints: 1800,
    timeZone: 'Europe/Berlin',
    minimumAmounts: { EUR: 500 },
  };

  it('starts after dueDate + startDaysPastDue (local calendar days)', () => {
    // 2026-01-31 + 60 days = 2026-04-01; the first interest-bearing day is the day after.
    expect(interestStartDate('2026-01-31', 0, 60)).toBe('2026-04-02');
    expect(interestStartDate('2026-01-31', 0, 0)).toBe('2026-02-01'); // the first overdue day
    expect(interestStartDate('2026-01-31', 10, 3)).toBe('2026-02-11'); // grace is a floor
    // March: entirely before the start
    expect(interestAccrual({ ...base, periodStart: '2026-03-01', periodEnd: '2026-04-01' })).toEqual({ days: 0, amount: 0 });
    // Period [04-01, 05-01): 04-02 … 04-30 = 29 days; 1,000,000 × 1800 × 29 / 3,650,000 = 14,301.37 → 14,301
    expect(interestAccrual({ ...base, periodStart: '2026-04-01', periodEnd: '2026-05-01' })).toEqual({
      days: 29,
      amount: 14_301,
      from: '2026-04-02',
      to: '2026-05-01',
    });
    // May: all 31 days → 15,287.67 → 15,288
    expect(interestAccrual({ ...base, periodStart: '2026-05-01', periodEnd: '2026-06-01' }).amount).toBe(15_288);
  });

  it('reads instants as the customer local date', () => {
    // 2026-03-31T22:30Z is 2026-04-01 00:30 in Berlin (CEST)
    const r = interestAccrual({ ...base, periodStart: new Date('2026-03-31T22:30:00Z'), periodEnd: new Date('2026-04-30T22:30:00Z') });
    expect(r).toMatchObject({ days: 29, amount: 14_301 });
  });

  it('charges nothing below the minimum or on a zero balance', () => {
    expect(interestAccrual({ ...base, balance: 499, periodStart: '2026-04-01', periodEnd: '2026-05-01' }).amount).toBe(0);
    expect(interestAccrual({ ...base, balance: 500, periodStart: '2026-04-01', periodEnd: '2026-05-01' }).amount).toBe(7); // 500 × 1800 × 29 / 3,650,000 = 7.15 → 7
    expect(interestAccrual({ ...base, balance: 0, periodStart: '2026-04-01', periodEnd: '2026-05-01' }).amount).toBe(0);
  });

  it('is keyed once per period: re-running the same period yields the same key and amount', () => {
    const run = () => ({
      key: interestPeriodKey('inv_1', '2026-05-01'),
      ...interestAccrual({ ...base, periodStart: '2026-04-01', periodEnd: '2026-05-01' }),
    });
    expect(run()).toEqual(run());
    expect(run().key).toBe('interest#inv_1#2026-05-01');
    expect(interestPeriodKey('inv_1', '2026-06-01')).not.toBe(run().key);
    expect(() => interestPeriodKey('inv_1', '2026-13-01')).toThrow(/calendar date/);
  });

  it('statutory mode accrues reference + margin from the first overdue day', () => {
    const rate = effectiveAnnualRateBasisPoints({ mode: 'statutory', referenceRateBasisPoints: 250, marginBasisPoints: 800, startDaysPastDue: 0 });
    const r = interestAccrual({ ...base, balance: 500_000, startDaysPastDue: 0, rateBasisPoints: rate, periodStart: '2026-01-30', periodEnd: '2026-02-11' });
    expect(r).toEqual({ days: 10, amount: 1438, from: '2026-02-01', to: '2026-02-11' });
  });
});

describe('late fee', () => {
  const input = {
    invoiceId: 'inv_1',
    balance: 10_000,
    currency: 'EUR',
    dueDate: '2026-03-02',
    today: '2026-03-06',
    timeZone: 'Europe/Berlin',
    terms: { fixedLateFee: { EUR: 4000 }, graceDays: 3, minimumAmounts: { EUR: 500 } },
    alreadyCharged: false,
  };

  it('is due once after the grace period, keyed per invoice', () => {
    expect(lateFeeDue(input)).toEqual({ amount: 4000, currency: 'EUR', key: 'late-fee#inv_1' });
    expect(lateFeeDue({ ...input, today: '2026-03-05' })).toBeUndefined(); // last grace day
    expect(lateFeeDue({ ...input, alreadyCharged: true })).toBeUndefined();
    // 2026-03-05T23:30Z is already 03-06 in Berlin
    expect(lateFeeDue({ ...input, today: new Date('2026-03-05T23:30:00Z') })).toBeDefined();
    expect(lateFeeDue({ ...input, today: new Date('2026-03-05T22:30:00Z') })).toBeUndefined();
  });

  it('is never charged below the minimum, without terms, in another currency, disputed or held', () => {
    expect(lateFeeDue({ ...input, balance: 499 })).toBeUndefined();
    expect(lateFeeDue({ ...input, balance: 0 })).toBeUndefined();
    expect(lateFeeDue({ ...input, currency: 'USD' })).toBeUndefined();
    expect(lateFeeDue({ ...input, terms: { ...input.terms, fixedLateFee: undefined } })).toBeUndefined();
    expect(lateFeeDue({ ...input, disputed: true })).toBeUndefined();
    expect(lateFeeDue({ ...input, held: true })).toBeUndefined();
  });
});
