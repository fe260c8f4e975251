import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../shared/domain/dates.ts';
import { customerSummary, fitModel, paymentBehaviour, predictInvoice, riskBandOf } from '../../shared/domain/prediction/model.ts';
import type { InvoiceHistory } from '../../shared/domain/prediction/types.ts';
import type { Invoice } from '../../shared/domain/invoice.ts';
import type { PaymentPlan } from '../../shared/domain/plans.ts';
import { historyOf, planHistoryOf } from '../../shared/services/insights.ts';

/** A customer's invoices: one a month from 2025-01-01, net 30, settled `delay(k)` days after due (null: never). */
function history(customerId: string, months: number, delay: (k: number, due: string) => number | null, amount = 100_000): InvoiceHistory[] {
  return Array.from({ length: months }, (_, k) => {
    const issueDate = addDays('2025-01-01', k * 30);
    const dueDate = addDays(issueDate, 30);
    const d = delay(k, dueDate);
    return {
      invoiceId: `${customerId}-${k}`,
      customerId,
      currency: 'EUR',
      amount,
      issueDate,
      dueDate,
      ...(d === null ? {} : { settledDate: addDays(dueDate, d) }),
    };
  });
}

const portfolio = (): InvoiceHistory[] => [
  ...history('punctual', 12, () => 0),
  ...history('late20', 12, (k) => 20 + (k % 3) - 1),
  ...history('late45', 12, (k) => 45 + (k % 5) - 2),
  ...history('worse', 12, (k) => 2 * k),
  ...history('monthend', 12, (_k, due) => {
    const [y, m] = due.split('-').map(Number) as [number, number];
    const end = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
    return Math.round((Date.parse(end) - Date.parse(due)) / 86_400_000);
  }),
  ...history('never', 12, () => null),
  ...Array.from({ length: 10 }, (_, c) => history(`mix${c}`, 12, (k) => ((c * 7 + k * 3) % 15) - 3)).flat(),
];
const ASOF = '2025-12-31';
const open = (customerId: string, dueDate = '2026-01-20', amount = 100_000): InvoiceHistory => ({
  invoiceId: `${customerId}-open`,
  customerId,
  currency: 'EUR',
  amount,
  issueDate: addDays(dueDate, -30),
  dueDate,
});

describe('payment prediction model', () => {
  const model = fitModel(portfolio(), ASOF);

  it('predicts a habitually late payer late, a punctual one on time, and explains why', () => {
    const late = predictInvoice(model, undefined, open('late45'), ASOF);
    const punctual = predictInvoice(model, undefined, open('punctual'), ASOF);
    expect(late.expectedPaymentDate >= '2026-02-28' && late.expectedPaymentDate <= '2026-03-10').toBe(true);
    expect(late.lateProbability).toBeGreaterThan(0.6);
    expect(late.riskBand).toBe('high');
    expect(punctual.expectedPaymentDate).toBe('2026-01-20');
    expect(punctual.riskBand).toBe('low');
    expect(punctual.factorCodes).toContain('punctual');
    expect(late.factors.length).toBeGreaterThanOrEqual(1);
    expect(late.factors.length).toBeLessThanOrEqual(3);
    expect(late.factors.join(' ')).toMatch(/Usually pays 45 days after the due date/);
  });

  it('follows a deteriorating payer’s trend and a month-end payment run', () => {
    const worse = predictInvoice(model, undefined, open('worse', '2026-01-25'), ASOF);
    // 2 days later per 30 days of due date: the 13th invoice ~ 24 days late (the customer-average would say ~11).
    const days = (Date.parse(worse.expectedPaymentDate) - Date.parse('2026-01-25')) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(20);
    expect(worse.factorCodes).toContain('worsening');
    const monthEnd = predictInvoice(model, undefined, open('monthend', '2026-02-10'), ASOF);
    expect(monthEnd.expectedPaymentDate).toBe('2026-02-28');
    expect(monthEnd.factorCodes[0]).toBe('payment_run_day');
  });

  it('gives a brand-new customer the portfolio’s prediction for its terms, and a never-payer a high risk', () => {
    const fresh = predictInvoice(model, undefined, open('newcomer'), ASOF);
    expect(fresh.factorCodes).toContain('new_customer');
    const never = predictInvoice(model, undefined, open('never'), ASOF);
    expect(never.riskBand).toBe('high');
    expect(never.factorCodes).toContain('never_paid_before');
  });

  it('summarises behaviour: observed invoices, median delay, on-time rate, trend', () => {
    const b = paymentBehaviour(model.portfolio, model.summaries.get('worse')!);
    expect(b.invoicesObserved).toBe(11); // the 12th is due 2025-12-27 and settled 2026-01-18: open at asOf
    expect(b.trend).toBe('worsening');
    const p = paymentBehaviour(model.portfolio, model.summaries.get('punctual')!);
    expect(p.onTimeRate).toBe(1);
    expect(p.medianDaysLate).toBe(0);
    expect(p.riskBand).toBe('low');
  });

  it('risk bands follow the late probability', () => {
    expect(riskBandOf(0.05)).toBe('low');
    expect(riskBandOf(0.2)).toBe('medium');
    expect(riskBandOf(0.9)).toBe('high');
  });

  const delays = fc.array(fc.option(fc.integer({ min: -10, max: 120 }), { nil: null, freq: 6 }), { minLength: 0, maxLength: 14 });

  it('property: the cdf is non-decreasing within [0, 1], the probability in [0, 1], the expected date after asOf', () => {
    fc.assert(
      fc.property(delays, fc.integer({ min: -40, max: 60 }), fc.integer({ min: 1, max: 20 }), (ds, dueOffset, ratio) => {
        const h = [...portfolio(), ...history('x', ds.length, (k) => ds[k] ?? null)];
        const m = fitModel(h, ASOF);
        const p = predictInvoice(m, undefined, open('x', addDays(ASOF, dueOffset), ratio * 50_000), ASOF);
        expect(p.lateProbability).toBeGreaterThanOrEqual(0);
        expect(p.lateProbability).toBeLessThanOrEqual(1);
        for (let i = 0; i < p.cdf.p.length; i++) {
          expect(p.cdf.p[i]).toBeGreaterThanOrEqual(0);
          expect(p.cdf.p[i]).toBeLessThanOrEqual(1);
          if (i > 0) expect(p.cdf.p[i]).toBeGreaterThanOrEqual(p.cdf.p[i - 1]!);
        }
        expect(p.expectedPaymentDate > ASOF).toBe(true);
        expect(p.factors.length).toBe(p.factorCodes.length);
      }),
      { numRuns: 60 },
    );
  });

  it('property: no leakage — payments, invoices and disputes dated after asOf never change a prediction as of asOf', () => {
    fc.assert(
      fc.property(delays, fc.integer({ min: 1, max: 200 }), (ds, later) => {
        const h = [...portfolio(), ...history('x', ds.length, (k) => ds[k] ?? null)];
        const target = open('x', '2026-01-10');
        const before = predictInvoice(fitModel(h, ASOF), undefined, target, ASOF);
        // The future: the open invoices get paid after asOf, a new invoice is issued, a dispute is opened.
        const future = h.map((i) => (i.settledDate ? i : { ...i, settledDate: addDays(ASOF, later) }));
        future.push({ ...open('x', addDays(ASOF, 40)), invoiceId: 'future', issueDate: addDays(ASOF, 10), settledDate: addDays(ASOF, 41) });
        const disputedLater = { ...target, disputes: [addDays(ASOF, later)] };
        const after = predictInvoice(fitModel(future, ASOF), undefined, disputedLater, ASOF);
        expect(after).toEqual(before);
      }),
      { numRuns: 40 },
    );
  });

  describe('reminders, disputes and plans', () => {
    /** Reminders the ladder sends 3, 14, 30 and 45 days after due, while the invoice is unpaid (up to `until`). */
    const remind = (i: InvoiceHistory, until = ASOF): InvoiceHistory => ({
      ...i,
      reminders: [3, 14, 30, 45].map((d) => addDays(i.dueDate, d)).filter((d) => d < (i.settledDate ?? addDays(until, 1)) && d <= until),
    });
    const reminded = () => portfolio().map((i) => remind(i));
    /** A customer with one paid invoice, 35 days late (3 reminders). */
    const oneLate = (reminders: boolean) => history('one', 1, () => 35).map((i) => (reminders ? remind(i) : i));
    const defaulted = [
      { customerId: 'late45', plans: [{ createdAt: '2025-03-01', outcome: 'defaulted' as const, endedAt: '2025-05-01' }] },
      { customerId: 'late20', plans: [{ createdAt: '2025-04-01', outcome: 'defaulted' as const, endedAt: '2025-06-01' }] },
      { customerId: 'punctual', plans: [{ createdAt: '2025-04-01', outcome: 'kept' as const, endedAt: '2025-09-01' }] },
    ];

    it('reminders each paid invoice needed move a short history later, and say so', () => {
      const known = fitModel([...reminded(), ...oneLate(true)], ASOF);
      const unknown = fitModel([...reminded(), ...oneLate(false)], ASOF);
      expect(known.portfolio.reminderSlope).toBeGreaterThan(0);
      expect(known.summaries.get('one')?.remindersPerInvoice).toBe(3);
      expect(unknown.summaries.get('one')?.remindersPerInvoice).toBeNull();
      const withR = predictInvoice(known, undefined, open('one'), ASOF);
      const withoutR = predictInvoice(unknown, undefined, open('one'), ASOF);
      expect(withR.expectedPaymentDate > withoutR.expectedPaymentDate).toBe(true);
      expect(withR.lateProbability).toBeGreaterThan(withoutR.lateProbability);
      expect(withR.factorCodes).toContain('needs_reminders');
      expect(withR.factors.join(' | ')).toMatch(/Needed 3 reminders per paid invoice on average: expect about \d+ days later/);
      expect(withoutR.factorCodes).not.toContain('needs_reminders');
    });

    it('a defaulted payment plan moves the prediction later (fitted on the portfolio) and is named; a kept one is counted', () => {
      const plain = fitModel([...portfolio(), ...oneLate(false)], ASOF);
      const broke = fitModel([...portfolio(), ...oneLate(false)], ASOF, [
        ...defaulted,
        { customerId: 'one', plans: [{ createdAt: '2025-02-01', outcome: 'defaulted', endedAt: '2025-03-15' }] },
      ]);
      expect(broke.portfolio.planDefaultShift).toBeGreaterThan(0);
      expect(broke.summaries.get('punctual')?.plans).toEqual({ kept: 1, defaulted: 0 });
      const a = predictInvoice(plain, undefined, open('one'), ASOF);
      const b = predictInvoice(broke, undefined, open('one'), ASOF);
      expect(b.expectedPaymentDate > a.expectedPaymentDate).toBe(true);
      expect(b.factorCodes).toContain('plan_defaulted');
      expect(b.factors.join(' | ')).toMatch(/Defaulted on a payment plan: expect about \d+ days? later/);
      expect(a.factorCodes).not.toContain('plan_defaulted');
    });

    it('disputes on paid invoices (resolved ones too) give the portfolio its dispute effect; an open invoice’s dispute shifts it', () => {
      const h = portfolio().map((i, k) => (k % 4 === 0 && i.settledDate ? { ...i, disputes: [addDays(i.dueDate, -5)], settledDate: addDays(i.settledDate, 20) } : i));
      const m = fitModel(h, ASOF);
      expect(m.portfolio.disputeShift).toBeGreaterThan(10);
      const plain = predictInvoice(m, undefined, open('late20'), ASOF);
      const disputed = predictInvoice(m, undefined, { ...open('late20'), disputes: [ASOF] }, ASOF);
      expect(disputed.expectedPaymentDate > plain.expectedPaymentDate).toBe(true);
      expect(disputed.factorCodes[0]).toBe('disputed');
    });

    it('no leakage: reminders, disputes and plan outcomes dated after asOf change nothing', () => {
      const target = open('one', '2026-01-10');
      const base = fitModel([...reminded(), ...oneLate(true)], ASOF, defaulted);
      const before = predictInvoice(base, undefined, target, ASOF);
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 200 }), (later) => {
          const after = addDays(ASOF, later);
          // The same facts with later ones added: reminders sent after asOf, a dispute opened after it, a plan that
          // defaulted (and one completed) only after asOf.
          const h = [...reminded(), ...oneLate(true)].map((i) => ({ ...i, reminders: [...(i.reminders ?? []), after], disputes: [after] }));
          const m = fitModel(h, ASOF, [
            ...defaulted,
            { customerId: 'one', plans: [{ createdAt: '2025-11-01', outcome: 'defaulted', endedAt: after }] },
            { customerId: 'mix1', plans: [{ createdAt: '2025-11-01', outcome: 'kept', endedAt: after }] },
          ]);
          expect(predictInvoice(m, undefined, { ...target, reminders: [after], disputes: [after] }, ASOF)).toEqual(before);
        }),
        { numRuns: 30 },
      );
    });
  });

  it('the nightly run’s view of the store: reminders, disputes (resolved too), credit-note closes, plan outcomes', () => {
    const base = { id: 'inv', customerId: 'c', currency: 'EUR', total: 1000, balanceDue: 0, status: 'paid', issueDate: '2025-01-01', dueDate: '2025-01-31' } as Invoice;
    const dispute = { id: 'd2', status: 'open' as const, source: 'customer' as const, reason: 'x', openedAt: '2025-02-20T09:00:00.000Z' };
    expect(historyOf({ ...base, settledAt: '2025-03-01', remindersSentAt: ['2025-02-03T10:00:00.000Z', '2025-02-14T10:00:00.000Z'], disputesOpenedAt: ['2025-02-05T08:00:00.000Z'] })).toMatchObject({
      settledDate: '2025-03-01',
      reminders: ['2025-02-03', '2025-02-14'],
      disputes: ['2025-02-05'],
    });
    // Open dispute (also in the list) counted once; no step sent and none recorded: no reminder was needed.
    expect(historyOf({ ...base, status: 'open', balanceDue: 1000, dispute, disputesOpenedAt: [dispute.openedAt] })).toMatchObject({ disputes: ['2025-02-20'], reminders: [] });
    // Unknown reminders: imported (reminded elsewhere), or a step sent before sends were recorded.
    expect(historyOf({ ...base, settledAt: '2025-03-01', importedAt: '2025-06-01T00:00:00.000Z' })?.reminders).toBeUndefined();
    expect(historyOf({ ...base, settledAt: '2025-03-01', lastStepSent: 'friendly' })?.reminders).toBeUndefined();
    // Closed by a credit note (paid, no settle date): not a payment, left out.
    expect(historyOf({ ...base, credited: 1000 })).toBeUndefined();
    const plan = (status: PaymentPlan['status'], extra: Partial<PaymentPlan> = {}) => ({ status, createdAt: '2025-02-01T00:00:00.000Z', ...extra }) as PaymentPlan;
    expect(
      planHistoryOf('c', [plan('completed', { completedAt: '2025-05-01T00:00:00.000Z' }), plan('defaulted', { defaultedAt: '2025-04-01T00:00:00.000Z' }), plan('active'), plan('cancelled'), plan('pending_approval')]).plans,
    ).toEqual([
      { createdAt: '2025-02-01T00:00:00.000Z', outcome: 'kept', endedAt: '2025-05-01T00:00:00.000Z' },
      { createdAt: '2025-02-01T00:00:00.000Z', outcome: 'defaulted', endedAt: '2025-04-01T00:00:00.000Z' },
      { createdAt: '2025-02-01T00:00:00.000Z', outcome: 'active' },
    ]);
  });

  it('summaries use only what was known at asOf', () => {
    const h = history('y', 12, () => 5);
    expect(customerSummary('y', h, '2025-06-30').n).toBeLessThan(customerSummary('y', h, ASOF).n);
  });
});
