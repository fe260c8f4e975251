import { describe, expect, it } from 'vitest';
import { cashForecast, cdfAt, forecastPeriods, type ForecastInvoice } from '../../shared/domain/forecast.ts';
import { ageFactor, invoiceExpectedLoss, rankCustomers, suggestAction, UNPREDICTED_LATE_PROBABILITY, type WorklistInvoice } from '../../shared/domain/worklist.ts';

const today = '2027-05-03'; // a Monday

describe('forecast maths', () => {
  it('cuts the range into weeks from `from` or calendar months, the last one clipped', () => {
    expect(forecastPeriods('2027-05-03', '2027-05-20', 'week')).toEqual([
      { start: '2027-05-03', end: '2027-05-09' },
      { start: '2027-05-10', end: '2027-05-16' },
      { start: '2027-05-17', end: '2027-05-20' },
    ]);
    expect(forecastPeriods('2027-05-03', '2027-07-10', 'month')).toEqual([
      { start: '2027-05-03', end: '2027-05-31' },
      { start: '2027-06-01', end: '2027-06-30' },
      { start: '2027-07-01', end: '2027-07-10' },
    ]);
  });

  it('reads the cdf linearly between knots, 0 before and flat after', () => {
    const cdf = { days: [0, 10], p: [0.2, 0.8] };
    expect(cdfAt(cdf, -1)).toBe(0);
    expect(cdfAt(cdf, 0)).toBe(0.2);
    expect(cdfAt(cdf, 5)).toBeCloseTo(0.5);
    expect(cdfAt(cdf, 99)).toBe(0.8);
  });

  it('expects the conditional mass per period, exactly; a certain payment has a band equal to its expectation', () => {
    // Certain to pay 7 days after due (due today → paid 2027-05-10, the second week).
    const sure: ForecastInvoice = { id: 'a', currency: 'EUR', balanceDue: 100_00, dueDate: today, cdf: { days: [6, 7], p: [0, 1] } };
    const [eur] = cashForecast([sure], { from: today, to: '2027-05-23', interval: 'week', today });
    expect(eur?.periods.map((p) => [p.expected, p.p10, p.p90])).toEqual([
      [0, 0, 0],
      [100_00, 100_00, 100_00],
      [0, 0, 0],
    ]);
    expect(eur?.expectedNever).toBe(0);
  });

  it('conditions on being open today and keeps the never-pays mass apart', () => {
    // Due 10 days ago; by today the cdf had given 0.5; half of the rest pays on day 14 after due, the rest never.
    const inv: ForecastInvoice = { id: 'b', currency: 'EUR', balanceDue: 1_000_00, dueDate: '2027-04-23', cdf: { days: [0, 13, 14], p: [0.5, 0.5, 0.75] } };
    const [eur] = cashForecast([inv], { from: today, to: '2027-05-16', interval: 'week', today });
    // Day 14 after 04-23 = 05-07 (first week): P = (0.75 − 0.5) / (1 − 0.5) = 0.5.
    expect(eur?.periods[0]?.expected).toBe(500_00);
    expect(eur?.expectedNever).toBe(500_00);
    expect(eur?.periods[0]?.p10).toBe(0);
    expect(eur?.periods[0]?.p90).toBe(1_000_00);
  });

  it('is deterministic, keeps currencies apart and reports invoices without a prediction', () => {
    const many: ForecastInvoice[] = Array.from({ length: 200 }, (_, k) => ({
      id: `i${k}`,
      currency: k % 2 ? 'EUR' : 'JPY',
      balanceDue: 1000 + k,
      dueDate: '2027-05-10',
      cdf: { days: [-5, 0, 10, 30, 60], p: [0, 0.3, 0.6, 0.85, 0.95] },
    }));
    const range = { from: today, to: '2027-08-01', interval: 'week' as const, today };
    const one = cashForecast([...many, { id: 'x', currency: 'EUR', balanceDue: 5, dueDate: today }], range);
    const two = cashForecast([...many].reverse().concat({ id: 'x', currency: 'EUR', balanceDue: 5, dueDate: today }), range);
    expect(one).toEqual(two);
    expect(one.map((c) => c.currency)).toEqual(['EUR', 'JPY']);
    expect(one[0]?.unpredicted).toEqual({ invoices: 1, balance: 5 });
    for (const c of one) {
      for (const p of c.periods) {
        expect(p.p10).toBeLessThanOrEqual(p.expected + 1);
        expect(p.p90).toBeGreaterThanOrEqual(p.expected - 1);
      }
      const total = c.periods.reduce((s, p) => s + p.expected, 0) + c.expectedAfter + c.expectedNever;
      expect(Math.abs(total - c.openBalance)).toBeLessThanOrEqual(c.periods.length + 2);
    }
  });
});

describe('worklist ranking', () => {
  const inv = (fields: Partial<WorklistInvoice>): WorklistInvoice => ({
    id: 'i',
    customerId: 'c',
    number: 'INV-1',
    currency: 'EUR',
    balanceDue: 1000_00,
    dueDate: today,
    ...fields,
  });
  const pred = (lateProbability: number, riskBand: 'low' | 'medium' | 'high') => ({ lateProbability, riskBand, factors: ['usually pays 40 days late', 'worsening'], expectedPaymentDate: '2027-06-20' });

  it('weighs balance × late probability × age', () => {
    expect(ageFactor(-5)).toBe(1);
    expect(ageFactor(90)).toBe(2);
    expect(ageFactor(400)).toBe(3);
    expect(invoiceExpectedLoss(inv({ prediction: pred(0.5, 'high'), dueDate: '2027-02-02' }), today)).toBeCloseTo(1000_00 * 0.5 * 2);
    expect(invoiceExpectedLoss(inv({}), today)).toBe(1000_00 * UNPREDICTED_LATE_PROBABILITY);
  });

  it('ranks customers by expected loss within a currency; a big reliable balance ranks below a smaller risky one', () => {
    const ranked = rankCustomers(
      [
        inv({ id: 'a1', customerId: 'reliable', balanceDue: 10_000_00, prediction: pred(0.02, 'low') }),
        inv({ id: 'b1', customerId: 'risky', balanceDue: 2_000_00, dueDate: '2027-03-01', prediction: pred(0.8, 'high') }),
        inv({ id: 'b2', customerId: 'risky', balanceDue: 500_00, prediction: pred(0.6, 'high') }),
        inv({ id: 'c1', customerId: 'middle', balanceDue: 3_000_00, prediction: pred(0.2, 'medium') }),
        inv({ id: 'd1', customerId: 'yen', currency: 'JPY', balanceDue: 9_999_999, prediction: pred(0.9, 'high') }),
      ],
      today,
    );
    expect(ranked.map((e) => `${e.currency}:${e.customerId}`)).toEqual(['EUR:risky', 'EUR:middle', 'EUR:reliable', 'JPY:yen']);
    const risky = ranked[0];
    expect(risky?.openBalance).toBe(2_500_00);
    expect(risky?.overdueBalance).toBe(2_000_00);
    expect(risky?.oldestDaysPastDue).toBe(63);
    expect(risky?.riskBand).toBe('high');
    expect(risky?.invoices[0]?.id).toBe('b1');
    expect(suggestAction(risky!, today, {})).toMatchObject({ action: 'call', summary: 'Call the customer' });
    expect(suggestAction(risky!, today, {}).why).toContain('usually pays 40 days late');
    expect(suggestAction(ranked[2]!, today, {}).action).toBe('none');
  });

  it('suggests leaving alone what is paused, and says why', () => {
    const [held] = rankCustomers([inv({ prediction: pred(0.8, 'high'), dueDate: '2027-03-01' })], today);
    expect(suggestAction(held!, today, { onHold: { reason: 'hardship', until: '2027-06-01T00:00:00Z' } })).toEqual({
      action: 'wait_hold',
      summary: 'On hold until 2027-06-01: no contact',
      why: 'hold: hardship',
    });
    const [disputed] = rankCustomers([inv({ disputed: true, prediction: pred(0.8, 'high') })], today);
    expect(suggestAction(disputed!, today, {}).action).toBe('resolve_dispute');
    const [promised] = rankCustomers([inv({ promisedUntil: '2027-05-10', prediction: pred(0.8, 'high') })], today);
    expect(suggestAction(promised!, today, {}).summary).toBe('Wait for the promised payment by 2027-05-10');
    const [plan] = rankCustomers([inv({ planId: 'p1' })], today);
    expect(suggestAction(plan!, today, {}).action).toBe('watch_plan');
  });
});
