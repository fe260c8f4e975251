import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMonths, approvePlan, planAction, planProgress, planSchedule, type PaymentPlan } from '../../shared/domain/plans.ts';

describe('planSchedule', () => {
  it('splits exactly: equal parts by largest remainder, with an optional down payment', () => {
    expect(planSchedule({ total: 10_000, count: 3, frequency: 'monthly', firstDueDate: '2027-01-31', today: '2027-01-10' })).toEqual([
      { seq: 1, dueDate: '2027-01-31', amount: 3_334 },
      { seq: 2, dueDate: '2027-02-28', amount: 3_333 },
      { seq: 3, dueDate: '2027-03-31', amount: 3_333 },
    ]);
    expect(planSchedule({ total: 10_000, count: 2, frequency: 'biweekly', firstDueDate: '2027-01-15', today: '2027-01-10', downPayment: 1_000 })).toEqual([
      { seq: 0, dueDate: '2027-01-10', amount: 1_000 },
      { seq: 1, dueDate: '2027-01-15', amount: 4_500 },
      { seq: 2, dueDate: '2027-01-29', amount: 4_500 },
    ]);
    expect(() => planSchedule({ total: 100, count: 2, frequency: 'weekly', firstDueDate: '2027-01-15', today: '2027-01-10', amounts: [50, 49] })).toThrow(/sum to 100/);
    expect(() => planSchedule({ total: 2, count: 3, frequency: 'weekly', firstDueDate: '2027-01-15', today: '2027-01-10' })).toThrow(/positive/);
  });

  it('parts always sum to the total and differ by at most one minor unit (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 60, max: 10_000_000 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 50 }), (total, count, downPct) => {
        const downPayment = Math.floor((total * downPct) / 100) || undefined;
        if (total - (downPayment ?? 0) < count) return true;
        const s = planSchedule({ total, count, frequency: 'weekly', firstDueDate: '2027-01-01', today: '2027-01-01', downPayment });
        const regular = s.filter((i) => i.seq > 0).map((i) => i.amount);
        return s.reduce((a, i) => a + i.amount, 0) === total && Math.max(...regular) - Math.min(...regular) <= 1;
      }),
    );
  });

  it('monthly dates clamp to the month end (and keep the original day after)', () => {
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonths('2027-01-31', 2)).toBe('2027-03-31');
    expect(addMonths('2027-11-30', 3)).toBe('2028-02-29');
  });
});

describe('approvePlan (policy)', () => {
  const sched = (n: number, amount = 5_000) => Array.from({ length: n }, (_, k) => ({ seq: k + 1, dueDate: addMonths('2027-02-01', k), amount }));
  it('approves inside the policy and names every reason outside it', () => {
    expect(approvePlan(sched(3), 'EUR', '2027-01-20', { defaulted: 0 })).toEqual({ approved: true, reasons: [] });
    expect(approvePlan(sched(8, 1_000), 'EUR', '2027-01-20', { defaulted: 1 }).reasons).toEqual([
      'more than 6 instalments',
      'longer than 180 days',
      'an instalment below the minimum of 2000 EUR',
      '1 earlier plan(s) defaulted',
    ]);
  });
});

describe('planAction', () => {
  const plan: PaymentPlan = {
    id: 'plan_1', customerId: 'c', currency: 'EUR', invoiceIds: ['a'], paymentReference: 'RF18539007547034', total: 9_000, frequency: 'monthly',
    instalments: [
      { seq: 1, dueDate: '2027-03-15', amount: 3_000 },
      { seq: 2, dueDate: '2027-04-15', amount: 3_000 },
      { seq: 3, dueDate: '2027-05-15', amount: 3_000 },
    ],
    graceDays: 3, status: 'active', approval: { by: 'staff', reasons: [] }, requestedBy: 'staff', createdAt: '2027-03-01T00:00:00Z', reminded: [], version: 1,
  };
  const berlin = 'Europe/Berlin';
  it('reminds 3 days before an unpaid instalment in business hours, once', () => {
    expect(planAction(plan, 9_000, new Date('2027-03-12T09:00:00Z'), berlin)).toEqual({ kind: 'remind', seq: 1 });
    expect(planAction({ ...plan, reminded: [1] }, 9_000, new Date('2027-03-12T09:00:00Z'), berlin)).toMatchObject({ kind: 'wait' });
    expect(planAction(plan, 9_000, new Date('2027-03-13T09:00:00Z'), berlin)).toMatchObject({ kind: 'wait', until: '2027-03-15T08:00:00.000Z' }); // Saturday → Monday 09:00
  });
  it('applies payments to instalments in order; defaults after the grace days; completes when paid', () => {
    expect(planProgress(plan, 4_000).instalments.map((i) => i.paid)).toEqual([true, false, false]);
    expect(planAction({ ...plan, reminded: [1] }, 9_000, new Date('2027-03-18T12:00:00Z'), berlin)).toMatchObject({ kind: 'wait' });
    expect(planAction({ ...plan, reminded: [1] }, 9_000, new Date('2027-03-19T12:00:00Z'), berlin)).toEqual({ kind: 'default', seq: 1 });
    expect(planAction({ ...plan, reminded: [1] }, 6_000, new Date('2027-03-19T12:00:00Z'), berlin)).toMatchObject({ kind: 'wait' });
    expect(planAction(plan, 0, new Date('2027-03-19T12:00:00Z'), berlin)).toEqual({ kind: 'complete' });
  });
});
