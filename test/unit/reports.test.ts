/**
 * The pure report decisions, against figures computed by hand (in the comments): aging buckets at their boundaries,
 * day counts across month ends and leap years, DSO by countback with partial months, the collection effectiveness
 * index from ledger entries, the plan-kept rate and the feedback aggregation. One rounding rule for every ratio:
 * 2 decimals, half away from zero.
 */
import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../shared/domain/ledger.ts';
import {
  agingBucket,
  agingReport,
  collectionEffectiveness,
  daysPastDueOn,
  dsoCountback,
  feedbackReport,
  kpiReport,
  planKeptRate,
  roundRatio,
  type AgingInvoice,
  type Feedback,
} from '../../shared/domain/reports.ts';

describe('roundRatio: the one rounding rule for ratios', () => {
  it('rounds the exact fraction once to 2 decimals, half away from zero', () => {
    expect(roundRatio(2n, 3n)).toBe(0.67); // 0.666…
    expect(roundRatio(1n, 3n)).toBe(0.33); // 0.333…
    expect(roundRatio(1n, 8n)).toBe(0.13); // 0.125 → half away from zero
    expect(roundRatio(-1n, 8n)).toBe(-0.13);
    expect(roundRatio(1n, -8n)).toBe(-0.13); // the sign of the denominator is carried over
    expect(roundRatio(5n, 1000n)).toBe(0.01); // 0.005 → 0.01
    expect(roundRatio(4n, 1000n)).toBe(0); // 0.004 → 0.00
    expect(roundRatio(13n, 3n)).toBe(4.33);
  });

  it('is null for a zero denominator', () => {
    expect(roundRatio(0n, 0n)).toBeNull();
    expect(roundRatio(5n, 0n)).toBeNull();
  });
});

describe('aging buckets', () => {
  it('boundaries: ≤0 current, 1–30, 31–60, 61–90, 91+ is 90+', () => {
    const cases: [number, string][] = [
      [-10, 'current'],
      [0, 'current'],
      [1, '1-30'],
      [30, '1-30'],
      [31, '31-60'],
      [60, '31-60'],
      [61, '61-90'],
      [90, '61-90'],
      [91, '90+'],
      [400, '90+'],
    ];
    for (const [days, bucket] of cases) expect(agingBucket(days), `${days} days`).toBe(bucket);
  });

  it('counts calendar days from the due date in force, across month ends and leap years', () => {
    expect(daysPastDueOn({ dueDate: '2028-02-28' }, '2028-03-01')).toBe(2); // 2028 is a leap year: 29 Feb exists
    expect(daysPastDueOn({ dueDate: '2027-02-28' }, '2027-03-01')).toBe(1);
    expect(daysPastDueOn({ dueDate: '2100-02-28' }, '2100-03-01')).toBe(1); // 2100 is not a leap year
    expect(daysPastDueOn({ dueDate: '2000-02-28' }, '2000-03-01')).toBe(2); // 2000 is
    expect(daysPastDueOn({ dueDate: '2027-01-31' }, '2027-03-02')).toBe(30); // Feb 1..28 + Mar 1..2
    expect(daysPastDueOn({ dueDate: '2026-12-31' }, '2027-01-01')).toBe(1);
    expect(daysPastDueOn({ dueDate: '2027-03-10' }, '2027-03-10')).toBe(0);
    expect(daysPastDueOn({ dueDate: '2027-03-10' }, '2027-03-01')).toBe(-9);
    // An extension replaces the due date.
    expect(daysPastDueOn({ dueDate: '2027-01-01', extension: { dueDate: '2027-03-01' } }, '2027-03-01')).toBe(0);
  });

  it('ages the unpaid balances per currency and per customer, boundaries 0/1/30/31/60/61/90/91; the part in a plan', () => {
    const asOf = '2027-06-30';
    const inv = (id: string, customerId: string, currency: string, balanceDue: number, dueDate: string, extra: Partial<AgingInvoice> = {}): AgingInvoice => ({
      id,
      customerId,
      currency,
      status: 'open',
      balanceDue,
      dueDate,
      ...extra,
    });
    const invoices = [
      inv('d0', 'cus_a', 'EUR', 100, '2027-06-30'), // 0 → current
      inv('d1', 'cus_a', 'EUR', 200, '2027-06-29'), // 1 → 1–30
      inv('d30', 'cus_a', 'EUR', 400, '2027-05-31'), // May 31 → Jun 30: 30 → 1–30
      inv('d31', 'cus_b', 'EUR', 800, '2027-05-30', { status: 'partially_paid' }), // 31 → 31–60
      inv('d60', 'cus_b', 'EUR', 1_600, '2027-05-01'), // May 1 → 30 + 30 = 60 → 31–60
      inv('d61', 'cus_b', 'EUR', 3_200, '2027-04-30', { planId: 'plan_1' }), // 61 → 61–90; in a payment plan
      inv('d90', 'cus_a', 'EUR', 6_400, '2027-04-01'), // Apr 1 → Jun 30: 29 + 31 + 30 = 90 → 61–90
      inv('d91', 'cus_a', 'EUR', 12_800, '2027-03-31'), // 91 → 90+
      inv('ext', 'cus_a', 'EUR', 25_600, '2027-01-31', { extension: { dueDate: '2027-07-15' } }), // extended → current
      inv('usd', 'cus_a', 'USD', 51_200, '2027-06-01'), // 29 → 1–30, another currency
      inv('paid', 'cus_a', 'EUR', 0, '2027-01-01', { status: 'paid' }), // not unpaid: left out
      inv('zero', 'cus_b', 'EUR', 0, '2027-01-01'), // nothing owed: left out
    ];
    const report = agingReport(invoices, asOf);
    expect(report.asOf).toBe(asOf);
    expect(report.buckets).toEqual(['current', '1-30', '31-60', '61-90', '90+']);
    expect(report.totals).toEqual([
      {
        currency: 'EUR',
        buckets: { current: 100 + 25_600, '1-30': 200 + 400, '31-60': 800 + 1_600, '61-90': 3_200 + 6_400, '90+': 12_800 },
        total: 51_100,
        inPlan: 3_200,
        invoices: 9,
      },
      { currency: 'USD', buckets: { current: 0, '1-30': 51_200, '31-60': 0, '61-90': 0, '90+': 0 }, total: 51_200, inPlan: 0, invoices: 1 },
    ]);
    // By currency, then largest total first: cus_a EUR 100+200+400+6,400+12,800+25,600 = 45,500; cus_b EUR 5,600.
    expect(report.customers).toEqual([
      {
        customerId: 'cus_a',
        currency: 'EUR',
        buckets: { current: 25_700, '1-30': 600, '31-60': 0, '61-90': 6_400, '90+': 12_800 },
        total: 45_500,
        inPlan: 0,
        invoices: 6,
      },
      {
        customerId: 'cus_b',
        currency: 'EUR',
        buckets: { current: 0, '1-30': 0, '31-60': 2_400, '61-90': 3_200, '90+': 0 },
        total: 5_600,
        inPlan: 3_200,
        invoices: 3,
      },
      { customerId: 'cus_a', currency: 'USD', buckets: { current: 0, '1-30': 51_200, '31-60': 0, '61-90': 0, '90+': 0 }, total: 51_200, inPlan: 0, invoices: 1 },
    ]);
  });

  it('an empty book ages to nothing', () => {
    expect(agingReport([], '2027-01-01')).toEqual({ asOf: '2027-01-01', buckets: ['current', '1-30', '31-60', '61-90', '90+'], totals: [], customers: [] });
  });
});

describe('DSO, countback', () => {
  it('no receivables → 0 days', () => {
    expect(dsoCountback(0, [{ date: '2027-03-01', amount: 1_000 }], '2027-03-10')).toMatchObject({ days: 0, months: [] });
  });

  it('receivables covered by the partial current month: days × R / sales of days 1..asOf', () => {
    // asOf 10 March: 10 days, sales 100,000; R 50,000 → 10 × 50,000 / 100,000 = 5.
    const r = dsoCountback(50_000, [{ date: '2027-03-05', amount: 100_000 }], '2027-03-10');
    expect(r.days).toBe(5);
    expect(r.months).toEqual([{ month: '2027-03', from: '2027-03-01', to: '2027-03-10', days: 10, creditSales: 100_000 }]);
  });

  it('a sale on asOf counts; sales after asOf do not', () => {
    // Sales up to 10 March: 40,000 on the 1st + 60,000 on the 10th; the 11th's 1,000,000 is after asOf.
    // R 25,000 → 10 × 25,000 / 100,000 = 2.5.
    const sales = [
      { date: '2027-03-01', amount: 40_000 },
      { date: '2027-03-10', amount: 60_000 },
      { date: '2027-03-11', amount: 1_000_000 },
    ];
    expect(dsoCountback(25_000, sales, '2027-03-10').days).toBe(2.5);
  });

  it('walks back whole months, counting February 29 days in a leap year and 28 otherwise', () => {
    // asOf 15 March: 15 days with sales 30,000. R 59,000 → March whole (15 days), 29,000 left.
    // 2028: February has 29 days and sales 58,000 → 29 × 29,000 / 58,000 = 14.5 → 15 + 14.5 = 29.5.
    const sales = (y: number) => [
      { date: `${y}-01-20`, amount: 62_000 },
      { date: `${y}-02-10`, amount: 58_000 },
      { date: `${y}-03-02`, amount: 30_000 },
    ];
    const leap = dsoCountback(59_000, sales(2028), '2028-03-15');
    expect(leap.days).toBe(29.5);
    expect(leap.months).toEqual([
      { month: '2028-03', from: '2028-03-01', to: '2028-03-15', days: 15, creditSales: 30_000 },
      { month: '2028-02', from: '2028-02-01', to: '2028-02-29', days: 29, creditSales: 58_000 },
    ]);
    // 2027: February has 28 days → 28 × 29,000 / 58,000 = 14 → 29.
    expect(dsoCountback(59_000, sales(2027), '2027-03-15').days).toBe(29);
    // R 150,000 in 2028: March 15 days (120,000 left), February 29 days (62,000 left), January 31 × 62,000 / 62,000 = 31
    // → 15 + 29 + 31 = 75.
    expect(dsoCountback(150_000, sales(2028), '2028-03-15').days).toBe(75);
  });

  it('months without sales count whole; across the year end', () => {
    // asOf 31 May: May (31 days) and April (30) have no sales; March (31) has 62,000. R 31,000
    // → 31 + 30 + 31 × 31,000 / 62,000 = 61 + 15.5 = 76.5.
    expect(dsoCountback(31_000, [{ date: '2027-03-15', amount: 62_000 }], '2027-05-31').days).toBe(76.5);
    // asOf 5 January 2027: January (5 days) no sales, December 2026 (31 days) sales 31,000, R 15,500 → 5 + 15.5 = 20.5.
    expect(dsoCountback(15_500, [{ date: '2026-12-01', amount: 31_000 }], '2027-01-05').days).toBe(20.5);
  });

  it('rounds the exact fraction once', () => {
    // 3 days, sales 90,000, R 10,000 → 3 × 10,000 / 90,000 = 0.333… → 0.33; R 20,000 → 0.666… → 0.67.
    expect(dsoCountback(10_000, [{ date: '2027-03-01', amount: 90_000 }], '2027-03-03').days).toBe(0.33);
    expect(dsoCountback(20_000, [{ date: '2027-03-01', amount: 90_000 }], '2027-03-03').days).toBe(0.67);
    // 31 March: 31 days, sales 70,000, R 10,000 → 31/7 = 4.428… → 4.43.
    expect(dsoCountback(10_000, [{ date: '2027-03-20', amount: 70_000 }], '2027-03-31').days).toBe(4.43);
  });

  it('stops at the earliest sale: the receivables left are uncovered and every day walked counts', () => {
    // asOf 10 April: April (10 days) no sales; March (31) 10,000 — the earliest month. R 15,000 → 5,000 uncovered,
    // days 10 + 31 = 41.
    const r = dsoCountback(15_000, [{ date: '2027-03-20', amount: 10_000 }], '2027-04-10');
    expect(r).toMatchObject({ days: 41, uncoveredReceivables: 5_000 });
    expect(r.months.map((m) => m.month)).toEqual(['2027-04', '2027-03']);
  });

  it('receivables but no credit sales up to asOf → null', () => {
    expect(dsoCountback(1_000, [{ date: '2027-05-01', amount: 1_000 }], '2027-04-30')).toMatchObject({ days: null, uncoveredReceivables: 1_000 });
  });
});

let n = 0;
function entry(fields: Partial<LedgerEntry> & Pick<LedgerEntry, 'type' | 'amount' | 'bookedAt'>): LedgerEntry {
  return { id: `e${++n}`, customerId: 'cus_a', account: 'receivable', currency: 'EUR', ...fields };
}

describe('collection effectiveness index', () => {
  // February 2027 (28 days). Invoices: a issued 10 Jan, due 9 Feb; b issued 5 Feb, due 7 Mar; c issued 20 Feb, due
  // 28 Feb (= to: not yet past due at `to`, so current).
  const entries: LedgerEntry[] = [
    entry({ type: 'invoice_issued', amount: 100_000, invoiceId: 'a', bookedAt: '2027-01-10T00:00:00.000Z' }),
    entry({ type: 'invoice_issued', amount: 50_000, invoiceId: 'b', bookedAt: '2027-02-05T00:00:00.000Z' }),
    entry({ type: 'interest_charged', amount: 1_000, invoiceId: 'a', bookedAt: '2027-02-10T01:15:00.000Z' }),
    entry({ type: 'payment_applied', amount: -60_000, invoiceId: 'a', bookedAt: '2027-02-15T09:00:00.000Z' }),
    entry({ type: 'invoice_issued', amount: 40_000, invoiceId: 'c', bookedAt: '2027-02-20T00:00:00.000Z' }),
    entry({ type: 'payment_applied', amount: -40_000, invoiceId: 'c', bookedAt: '2027-02-28T23:59:59.999Z' }), // last instant of `to`
    entry({ type: 'payment_applied', amount: -50_000, invoiceId: 'b', bookedAt: '2027-03-01T00:00:00.000Z' }), // after `to`
    // Other currencies and accounts are not this index's business.
    entry({ type: 'invoice_issued', amount: 999_999, invoiceId: 'u', currency: 'USD', bookedAt: '2027-02-01T00:00:00.000Z' }),
    entry({ type: 'overpayment_credit', amount: 7_777, account: 'customer_credit', bookedAt: '2027-02-01T00:00:00.000Z' }),
  ];
  const dueDates = new Map([
    ['a', '2027-02-09'],
    ['b', '2027-03-07'],
    ['c', '2027-02-28'],
    ['u', '2027-03-03'],
  ]);

  it('(B + S − E) / (B + S − C) × 100 from receivable entries', () => {
    // B (before 1 Feb) = 100,000. S (issued 1–28 Feb) = 50,000 + 40,000 = 90,000.
    // E (to the end of 28 Feb) = 100,000 + 50,000 + 1,000 − 60,000 + 40,000 − 40,000 = 91,000.
    // C: invoices due on or after 28 Feb: b 50,000; c 40,000 − 40,000 = 0 → 50,000.
    // CEI = (100,000 + 90,000 − 91,000) / (100,000 + 90,000 − 50,000) × 100 = 99,000 / 140,000 × 100 = 70.714… → 70.71.
    expect(collectionEffectiveness(entries, 'EUR', dueDates, '2027-02-01', '2027-02-28')).toEqual({
      percent: 70.71,
      beginningReceivables: 100_000,
      creditSales: 90_000,
      endingReceivables: 91_000,
      endingCurrentReceivables: 50_000,
    });
  });

  it('an entry on an invoice of unknown due date counts as past due', () => {
    // Without b's due date C = 0: 99,000 / 190,000 × 100 = 52.105… → 52.11.
    const r = collectionEffectiveness(entries, 'EUR', new Map([['c', '2027-02-28']]), '2027-02-01', '2027-02-28');
    expect(r).toMatchObject({ endingCurrentReceivables: 0, percent: 52.11 });
  });

  it('everything collectible collected → 100; nothing collectible → null', () => {
    const paid = [
      entry({ type: 'invoice_issued', amount: 10_000, invoiceId: 'x', bookedAt: '2027-02-01T00:00:00.000Z' }),
      entry({ type: 'payment_applied', amount: -10_000, invoiceId: 'x', bookedAt: '2027-02-02T00:00:00.000Z' }),
    ];
    expect(collectionEffectiveness(paid, 'EUR', new Map([['x', '2027-01-31']]), '2027-02-01', '2027-02-28').percent).toBe(100);
    expect(collectionEffectiveness([], 'EUR', new Map(), '2027-02-01', '2027-02-28').percent).toBeNull();
  });
});

describe('plan-kept rate', () => {
  it('completed / (completed + defaulted) × 100; null when none ended', () => {
    expect(planKeptRate({ completed: 2, defaulted: 1 })).toEqual({ completed: 2, defaulted: 1, percent: 66.67 });
    expect(planKeptRate({ completed: 1, defaulted: 0 }).percent).toBe(100);
    expect(planKeptRate({ completed: 0, defaulted: 3 }).percent).toBe(0);
    expect(planKeptRate({ completed: 0, defaulted: 0 }).percent).toBeNull();
  });
});

describe('kpiReport', () => {
  it('per currency, never mixed: DSO from receivables at asOf and invoice_issued entries, CEI over [from, to]', () => {
    const entries: LedgerEntry[] = [
      // EUR: 60,000 issued 15 Feb 2028 (due 16 Mar), 30,000 paid 1 Mar; 20,000 issued 12 Mar (after asOf).
      entry({ type: 'invoice_issued', amount: 60_000, invoiceId: 'e1', bookedAt: '2028-02-15T00:00:00.000Z' }),
      entry({ type: 'payment_applied', amount: -30_000, invoiceId: 'e1', bookedAt: '2028-03-01T10:00:00.000Z' }),
      entry({ type: 'invoice_issued', amount: 20_000, invoiceId: 'e2', bookedAt: '2028-03-12T00:00:00.000Z' }),
      // USD: 1,000 issued 1 Mar (due 31 Mar).
      entry({ type: 'invoice_issued', amount: 1_000, invoiceId: 'u1', currency: 'USD', bookedAt: '2028-03-01T00:00:00.000Z' }),
      entry({ type: 'payment_applied', amount: 5_000, account: 'customer_credit', currency: 'GBP', bookedAt: '2028-03-01T00:00:00.000Z' }),
    ];
    const report = kpiReport({
      entries,
      dueDates: new Map([
        ['e1', '2028-03-16'],
        ['e2', '2028-04-11'],
        ['u1', '2028-03-31'],
      ]),
      from: '2028-03-01',
      to: '2028-03-10',
      asOf: '2028-03-10',
      plans: { completed: 0, defaulted: 0 },
    });
    expect(report.currencies.map((c) => c.currency)).toEqual(['EUR', 'USD']); // GBP has no receivable entries
    const eur = report.currencies[0];
    // EUR DSO at 10 Mar: R = 60,000 − 30,000 = 30,000; March 1–10 has no sales (10 days), February 2028 (29 days) has
    // 60,000 → 10 + 29 × 30,000 / 60,000 = 10 + 14.5 = 24.5.
    expect(eur?.dso.days).toBe(24.5);
    expect(eur?.dso.receivables).toBe(30_000);
    // EUR CEI 1–10 Mar: B 60,000, S 0, E 30,000, C 30,000 (e1 due 16 Mar ≥ 10 Mar) → 30,000 / 30,000 × 100 = 100.
    expect(eur?.cei).toEqual({ percent: 100, beginningReceivables: 60_000, creditSales: 0, endingReceivables: 30_000, endingCurrentReceivables: 30_000 });
    const usd = report.currencies[1];
    // USD DSO: R 1,000, March 1–10 sales 1,000 → 10 × 1,000 / 1,000 = 10. CEI: B 0, S 1,000, E 1,000, C 1,000 → 0 / 0 → null.
    expect(usd?.dso.days).toBe(10);
    expect(usd?.cei.percent).toBeNull();
    expect(report.planKeptRate.percent).toBeNull();
  });
});

describe('feedback', () => {
  const fb = (id: string, rating: number, at: string, context: Partial<Feedback['context']> = {}): Feedback => ({
    id,
    customerId: 'cus_a',
    rating,
    at,
    context: { kind: 'payment', channel: 'email', ...context },
  });
  const items: Feedback[] = [
    fb('f1', 5, '2027-03-01T00:00:00.000Z', { step: 'gentle', tone: 'friendly' }), // first instant of `from`
    fb('f2', 4, '2027-03-05T12:00:00.000Z', { step: 'gentle', tone: 'friendly' }),
    fb('f3', 2, '2027-03-10T08:00:00.000Z', { step: 'firm', tone: 'firm' }),
    fb('f4', 4, '2027-03-31T23:59:59.999Z', { kind: 'plan' }), // last instant of `to`; no step, no tone
    fb('f5', 1, '2027-04-01T00:00:00.000Z', { step: 'firm', tone: 'firm' }), // after `to`
    fb('f6', 3, '2027-02-28T23:59:59.999Z', { step: 'gentle', tone: 'friendly' }), // before `from`
    fb('f7', 7, '2027-03-15T00:00:00.000Z', { step: 'firm' }), // not a 1–5 rating
    fb('f8', 2.5, '2027-03-15T00:00:00.000Z', { step: 'firm' }), // not an integer
  ];

  it('counts, averages (2 decimals) and distributes ratings overall, by step, tone, channel and kind', () => {
    const report = feedbackReport(items, { from: '2027-03-01', to: '2027-03-31' });
    // In range and valid: f1 5, f2 4, f3 2, f4 4 → 15 / 4 = 3.75.
    expect(report.overall).toEqual({ count: 4, ratingSum: 15, average: 3.75, distribution: { '1': 0, '2': 1, '3': 0, '4': 2, '5': 1 } });
    expect(report.ignored).toBe(2);
    // gentle: 5, 4 → 4.5; firm: 2; unspecified (f4): 4.
    expect(report.byStep).toEqual({
      firm: { count: 1, ratingSum: 2, average: 2, distribution: { '1': 0, '2': 1, '3': 0, '4': 0, '5': 0 } },
      gentle: { count: 2, ratingSum: 9, average: 4.5, distribution: { '1': 0, '2': 0, '3': 0, '4': 1, '5': 1 } },
      unspecified: { count: 1, ratingSum: 4, average: 4, distribution: { '1': 0, '2': 0, '3': 0, '4': 1, '5': 0 } },
    });
    expect(Object.keys(report.byTone)).toEqual(['firm', 'friendly', 'unspecified']);
    expect(report.byTone.friendly?.average).toBe(4.5);
    expect(report.byChannel).toEqual({ email: report.overall });
    expect(report.byKind.payment).toMatchObject({ count: 3, ratingSum: 11, average: 3.67 }); // 11 / 3 = 3.666… → 3.67
    expect(report.byKind.plan).toMatchObject({ count: 1, average: 4 });
  });

  it('without from: everything up to the end of to; no feedback → null average', () => {
    const report = feedbackReport(items, { to: '2027-02-28' });
    expect(report.from).toBeUndefined();
    expect(report.overall).toMatchObject({ count: 1, ratingSum: 3, average: 3 });
    expect(feedbackReport([], { to: '2027-02-28' }).overall).toEqual({
      count: 0,
      ratingSum: 0,
      average: null,
      distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
    });
  });
});
