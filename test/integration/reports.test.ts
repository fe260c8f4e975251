/**
 * The reports through a running local stack of its own (an exact book: no other test's customers or invoices may be
 * in it). A small fixture is built through the HTTP API — customers, invoices issued and due before and after the
 * report dates, checks applied by staff on their received dates (`X-Local-Time`, so the ledger books them then), an
 * extension — and the aging, DSO and CEI are computed BY HAND below and asserted exactly. Payment plans and feedback
 * are written to the table directly, in the shape their services store (keys from shared/store/keys.ts), so the
 * counts and ratings are exact too.
 *
 * Report dates: asOf 2028-03-10, CEI period 2028-02-01 … 2028-02-29 (a leap February).
 *
 * EUR (customers A and B), amounts in cents:
 *
 *   invoice  customer  issued      due (in force)           total    payments (received)              balance now
 *   A1       A         2027-12-05  2028-01-04               100,000  —                                100,000
 *   A2       A         2028-01-15  2028-02-14                50,000  20,000 (2028-02-20)               30,000
 *   A3       A         2028-02-10  2028-03-10                40,000  —                                 40,000
 *   A4       A         2028-03-05  2028-04-04                70,000  —                                 70,000
 *   B1       B         2027-10-01  2027-11-01                80,000  20,000 (2028-01-20)               60,000
 *   B2       B         2028-02-01  2028-02-09                60,000  —                                 60,000
 *   B3       B         2028-01-05  2028-02-08                25,000  —                                 25,000
 *   B4       B         2028-01-10  2028-02-10                30,000  30,000 (2028-02-05)                    0
 *   B5       B         2027-12-01  2027-12-31 → 2028-03-20   10,000  —                                 10,000
 *   B6       B         2027-11-15  2027-12-15                45,000  45,000 (2028-03-02)                    0
 *
 * USD (customers C and A):
 *
 *   C1       C         2028-02-20  2028-03-01                90,000  —                                 90,000
 *   C2       C         2027-12-01  2027-12-11                15,000  —                                 15,000
 *   C3       C         2028-01-10  2028-02-09                35,000  35,000 (2028-02-15)                    0
 *   C4       C         2028-02-25  2028-03-25                20,000  20,000 (2028-03-05)                    0
 *   A5       A         2028-03-01  2028-03-31                 5,000  —                                  5,000
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackDriver } from '../../local/time-travel.ts';
import { unique, useOwnStack } from '../support/own-stack.ts';
import { keys } from '../../shared/store/keys.ts';

const own = useOwnStack('reports');
let stack: StackDriver;
let db: DynamoDBDocumentClient;

const ids: Record<string, string> = {};

async function customer(name: string, fields: Record<string, unknown> = {}) {
  const res = await stack.api('POST', '/customers', { name, email: `${unique('report')}@example.com`, ...fields });
  expect(res.status, res.text).toBe(201);
  return (res.body as { id: string }).id;
}

async function invoice(key: string, customerId: string, currency: string, amount: number, issueDate: string, dueDate: string) {
  const res = await stack.api('POST', '/invoices', { customerId, currency, amount, issueDate, dueDate });
  expect(res.status, res.text).toBe(201);
  ids[key] = (res.body as { id: string }).id;
}

/** A check applied by staff, as if recorded on the day it was received (the ledger books the allocation then). */
async function check(customerId: string, invoiceKey: string, currency: string, amount: number, receivedDate: string) {
  const res = await stack.api(
    'POST',
    '/payments',
    { customerId, method: 'check', reference: unique('chk'), amount, currency, receivedDate, allocations: [{ invoiceId: ids[invoiceKey], amount }] },
    { 'x-local-time': `${receivedDate}T10:00:00Z` },
  );
  expect(res.status, res.text).toBe(201);
  expect((res.body as { status: string }).status).toBe('applied');
}

beforeAll(async () => {
  stack = own.stack;
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: own.info.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );

  ids.A = await customer('Ada Lovelace');
  ids.B = await customer('Brian O’Neil');
  ids.C = await customer('Carol Shaw', { currency: 'USD' });
  const [A, B, C] = [ids.A, ids.B, ids.C];

  await invoice('A1', A, 'EUR', 100_000, '2027-12-05', '2028-01-04');
  await invoice('A2', A, 'EUR', 50_000, '2028-01-15', '2028-02-14');
  await invoice('A3', A, 'EUR', 40_000, '2028-02-10', '2028-03-10');
  await invoice('A4', A, 'EUR', 70_000, '2028-03-05', '2028-04-04');
  await invoice('B1', B, 'EUR', 80_000, '2027-10-01', '2027-11-01');
  await invoice('B2', B, 'EUR', 60_000, '2028-02-01', '2028-02-09');
  await invoice('B3', B, 'EUR', 25_000, '2028-01-05', '2028-02-08');
  await invoice('B4', B, 'EUR', 30_000, '2028-01-10', '2028-02-10');
  await invoice('B5', B, 'EUR', 10_000, '2027-12-01', '2027-12-31');
  await invoice('B6', B, 'EUR', 45_000, '2027-11-15', '2027-12-15');
  await invoice('C1', C, 'USD', 90_000, '2028-02-20', '2028-03-01');
  await invoice('C2', C, 'USD', 15_000, '2027-12-01', '2027-12-11');
  await invoice('C3', C, 'USD', 35_000, '2028-01-10', '2028-02-09');
  await invoice('A5', A, 'USD', 5_000, '2028-03-01', '2028-03-31');
  await invoice('C4', C, 'USD', 20_000, '2028-02-25', '2028-03-25');

  await check(B, 'B1', 'EUR', 20_000, '2028-01-20');
  await check(B, 'B4', 'EUR', 30_000, '2028-02-05');
  await check(C, 'C3', 'USD', 35_000, '2028-02-15');
  await check(A, 'A2', 'EUR', 20_000, '2028-02-20');
  await check(B, 'B6', 'EUR', 45_000, '2028-03-02');
  await check(C, 'C4', 'USD', 20_000, '2028-03-05');

  const ext = await stack.api('POST', `/invoices/${ids.B5}/extensions`, { newDueDate: '2028-03-20', reason: 'Hardship' }, { 'x-local-time': '2028-01-15T10:00:00Z' });
  expect(ext.status, ext.text).toBe(201);

  // Payment plans (GSI3 PLAN_STATUS#<status>): two completed, one defaulted, one still running (not counted).
  const plans: [string, string][] = [
    ['completed', '2027-11-01T10:00:00.000Z'],
    ['completed', '2027-12-01T10:00:00.000Z'],
    ['defaulted', '2028-01-01T10:00:00.000Z'],
    ['active', '2028-02-01T10:00:00.000Z'],
  ];
  for (const [i, [status, createdAt]] of plans.entries()) {
    const id = `plan_${i}`;
    await db.send(
      new PutCommand({
        TableName: own.info.tableName,
        Item: { ...keys.plan(id), ...keys.planByStatus(status, createdAt, id), entity: 'plan', id, customerId: B, currency: 'EUR', status, createdAt },
      }),
    );
  }
  // Feedback, as the rating link records it: once per customer and context, listed in GSI3 `FEEDBACK` / `<at>#<id>`.
  const feedback: [string, number, string, { kind: 'payment' | 'plan'; step: string; tone: string }][] = [
    [A, 5, '2028-02-03T09:00:00.000Z', { kind: 'payment', step: 'gentle', tone: 'friendly' }],
    [A, 3, '2028-02-20T09:00:00.000Z', { kind: 'payment', step: 'firm', tone: 'firm' }],
    [B, 4, '2028-02-29T23:00:00.000Z', { kind: 'plan', step: 'payment_plan', tone: 'friendly' }], // the last day of to
    [B, 1, '2028-03-01T00:00:00.000Z', { kind: 'payment', step: 'firm', tone: 'firm' }], // after to
    [C, 2, '2028-01-31T23:59:59.999Z', { kind: 'payment', step: 'gentle', tone: 'neutral' }], // before from
  ];
  for (const [i, [customerId, rating, at, context]] of feedback.entries()) {
    const [id, ref] = [`fb_${i}`, `ref_${i}`];
    await db.send(
      new PutCommand({
        TableName: own.info.tableName,
        Item: {
          ...keys.feedback(customerId, `${context.kind}:${ref}`),
          ...keys.feedbackListing(at, id),
          entity: 'feedback',
          id,
          customerId,
          rating,
          comment: 'ok',
          context: { ...context, ref, channel: 'email' },
          at,
          updatedAt: at,
        },
      }),
    );
  }
}, 180_000);

afterAll(() => {
  db?.destroy();
});

const zero = { current: 0, '1-30': 0, '31-60': 0, '61-90': 0, '90+': 0 };

describe('GET /reports/aging', () => {
  it('buckets the unpaid balances by days past the due date in force, per currency and per customer', async () => {
    // Days past due at 2028-03-10 (calendar days; February 2028 has 29):
    //   A1 due 01-04: 27 (Jan 5–31) + 29 + 10 = 66 → 61–90     100,000
    //   A2 due 02-14: 15 (Feb 15–29) + 10 = 25       → 1–30     30,000
    //   A3 due 03-10: 0                              → current  40,000
    //   A4 due 04-04: −25                            → current  70,000
    //   B1 due 2027-11-01: 29 + 31 + 31 + 29 + 10 = 130 → 90+   60,000
    //   B2 due 02-09: 20 (Feb 10–29) + 10 = 30       → 1–30     60,000 (the bucket's last day)
    //   B3 due 02-08: 21 + 10 = 31                   → 31–60    25,000 (the bucket's first day)
    //   B5 due 2027-12-31, extended to 03-20: −10    → current  10,000 (61–90 without the extension)
    //   B4, B6, C3, C4 paid: not aged.
    //   C1 due 03-01: 9                              → 1–30     90,000 USD
    //   C2 due 2027-12-11: 20 + 31 + 29 + 10 = 90    → 61–90    15,000 USD (the bucket's last day)
    //   A5 due 03-31: −21                            → current   5,000 USD
    // EUR: current 40,000 + 70,000 + 10,000 = 120,000; 1–30 30,000 + 60,000 = 90,000; 31–60 25,000; 61–90 100,000;
    //      90+ 60,000; total 395,000 over 8 invoices.
    //   A: current 110,000, 1–30 30,000, 61–90 100,000 → 240,000 (4); B: current 10,000, 1–30 60,000, 31–60 25,000,
    //      90+ 60,000 → 155,000 (4).
    // USD: current 5,000, 1–30 90,000, 61–90 15,000 → 110,000 (3); C 105,000 (2), A 5,000 (1).
    const res = await stack.api('GET', '/reports/aging?asOf=2028-03-10');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      asOf: '2028-03-10',
      buckets: ['current', '1-30', '31-60', '61-90', '90+'],
      totals: [
        { currency: 'EUR', buckets: { current: 120_000, '1-30': 90_000, '31-60': 25_000, '61-90': 100_000, '90+': 60_000 }, total: 395_000, inPlan: 0, invoices: 8 },
        { currency: 'USD', buckets: { ...zero, current: 5_000, '1-30': 90_000, '61-90': 15_000 }, total: 110_000, inPlan: 0, invoices: 3 },
      ],
      customers: [
        { customerId: ids.A, currency: 'EUR', buckets: { ...zero, current: 110_000, '1-30': 30_000, '61-90': 100_000 }, total: 240_000, inPlan: 0, invoices: 4 },
        { customerId: ids.B, currency: 'EUR', buckets: { ...zero, current: 10_000, '1-30': 60_000, '31-60': 25_000, '90+': 60_000 }, total: 155_000, inPlan: 0, invoices: 4 },
        { customerId: ids.C, currency: 'USD', buckets: { ...zero, '1-30': 90_000, '61-90': 15_000 }, total: 105_000, inPlan: 0, invoices: 2 },
        { customerId: ids.A, currency: 'USD', buckets: { ...zero, current: 5_000 }, total: 5_000, inPlan: 0, invoices: 1 },
      ],
    });
  });

  it('asOf defaults to the request day (UTC)', async () => {
    const explicit = await stack.api('GET', '/reports/aging?asOf=2028-03-10');
    const implicit = await stack.api('GET', '/reports/aging', undefined, { 'x-local-time': '2028-03-10T23:30:00Z' });
    expect(implicit.status).toBe(200);
    expect(implicit.body).toEqual(explicit.body);
  });

  it('a bad date is a 400 naming the field; no key is a 401', async () => {
    for (const asOf of ['2028-02-30', '10.03.2028', '', '2028-3-1']) {
      const res = await stack.api('GET', `/reports/aging?asOf=${encodeURIComponent(asOf)}`);
      expect(res.status, asOf).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_request', field: 'asOf' });
    }
    const res = await stack.api('GET', '/reports/aging', undefined, { authorization: '' });
    expect(res.status).toBe(401);
  });
});

describe('GET /reports/kpis', () => {
  it('DSO by countback, CEI over the period and the plan-kept rate, per currency', async () => {
    // Receivable ledger, EUR, by booking date: issued B1 2027-10-01 +80,000; B6 11-15 +45,000; B5 12-01 +10,000;
    // A1 12-05 +100,000; B3 2028-01-05 +25,000; B4 01-10 +30,000; A2 01-15 +50,000; check B1 01-20 −20,000;
    // B2 02-01 +60,000; check B4 02-05 −30,000; A3 02-10 +40,000; check A2 02-20 −20,000; check B6 03-02 −45,000;
    // A4 03-05 +70,000.
    //
    // CEI, EUR, 2028-02-01 … 2028-02-29:
    //   B (before 02-01) = 80 + 45 + 10 + 100 + 25 + 30 + 50 − 20 = 320,000
    //   S (issued in February) = B2 60,000 + A3 40,000 = 100,000
    //   E (to the end of 02-29) = 320,000 + 60,000 − 30,000 + 40,000 − 20,000 = 370,000
    //   C (invoices due on or after 02-29, their part of E) = A3 40,000 (due 03-10) + B5 10,000 (extended to 03-20)
    //     = 50,000
    //   CEI = (320,000 + 100,000 − 370,000) / (320,000 + 100,000 − 50,000) × 100 = 50,000 / 370,000 × 100
    //       = 13.5135… → 13.51
    // DSO, EUR, as of 2028-03-10: receivables = 370,000 − 45,000 + 70,000 = 395,000 (= the aging total).
    //   March 1–10 (10 days): sales 70,000 → 325,000 left, 10 days
    //   February (29 days): 100,000 → 225,000 left, 39 days
    //   January (31 days): 25,000 + 30,000 + 50,000 = 105,000 → 120,000 left, 70 days
    //   December (31 days): 10,000 + 100,000 = 110,000 → 10,000 left, 101 days
    //   November (30 days): 45,000 ≥ 10,000 → 30 × 10,000 / 45,000 = 6.666…
    //   DSO = 101 + 6.666… = 4,845,000 / 45,000 = 107.666… → 107.67
    //
    // USD: issued C2 2027-12-01 +15,000; C3 2028-01-10 +35,000; check C3 02-15 −35,000; C1 02-20 +90,000;
    // C4 02-25 +20,000; A5 03-01 +5,000; check C4 03-05 −20,000.
    //   CEI: B = 50,000; S = 90,000 + 20,000 = 110,000; E = 50,000 − 35,000 + 90,000 + 20,000 = 125,000;
    //     C = C1 90,000 (due 03-01) + C4 20,000 (due 03-25; paid since, so its due date is read by id) = 110,000
    //     → (50,000 + 110,000 − 125,000) / (50,000 + 110,000 − 110,000) × 100 = 35,000 / 50,000 × 100 = 70
    //     (were C4 taken for past due, C = 90,000 and the CEI 35,000 / 70,000 = 50).
    //   DSO as of 03-10: receivables 110,000 (C4 came and went); March 1–10: 5,000 → 105,000 left, 10 days;
    //     February (29 days): 110,000 ≥ 105,000 → 29 × 105,000 / 110,000 = 27.6818…
    //     DSO = (10 × 110,000 + 29 × 105,000) / 110,000 = 4,145,000 / 110,000 = 37.6818… → 37.68
    //
    // Plans: 2 completed, 1 defaulted (the active one is not counted) → 2 / 3 × 100 = 66.67.
    const res = await stack.api('GET', '/reports/kpis?from=2028-02-01&to=2028-02-29&asOf=2028-03-10');
    expect(res.status, res.text).toBe(200);
    const body = res.body as {
      from: string;
      to: string;
      asOf: string;
      currencies: { currency: string; dso: { days: number; receivables: number; uncoveredReceivables: number; months: { month: string; days: number; creditSales: number }[] }; cei: unknown }[];
      planKeptRate: unknown;
    };
    expect([body.from, body.to, body.asOf]).toEqual(['2028-02-01', '2028-02-29', '2028-03-10']);
    expect(body.currencies.map((c) => c.currency)).toEqual(['EUR', 'USD']);
    const [eur, usd] = body.currencies;
    expect(eur?.cei).toEqual({ percent: 13.51, beginningReceivables: 320_000, creditSales: 100_000, endingReceivables: 370_000, endingCurrentReceivables: 50_000 });
    expect(eur?.dso).toMatchObject({ days: 107.67, receivables: 395_000, uncoveredReceivables: 0 });
    expect(eur?.dso.months.map((m) => [m.month, m.days, m.creditSales])).toEqual([
      ['2028-03', 10, 70_000],
      ['2028-02', 29, 100_000],
      ['2028-01', 31, 105_000],
      ['2027-12', 31, 110_000],
      ['2027-11', 30, 45_000],
    ]);
    expect(usd?.cei).toEqual({ percent: 70, beginningReceivables: 50_000, creditSales: 110_000, endingReceivables: 125_000, endingCurrentReceivables: 110_000 });
    expect(usd?.dso).toMatchObject({ days: 37.68, receivables: 110_000, uncoveredReceivables: 0 });
    expect(usd?.dso.months.map((m) => [m.month, m.days, m.creditSales])).toEqual([
      ['2028-03', 10, 5_000],
      ['2028-02', 29, 110_000],
    ]);
    expect(body.planKeptRate).toEqual({ completed: 2, defaulted: 1, percent: 66.67 });
  });

  it('defaults: asOf = the request day, to = asOf, from = the first of to’s month', async () => {
    const explicit = await stack.api('GET', '/reports/kpis?from=2028-03-01&to=2028-03-10&asOf=2028-03-10');
    const implicit = await stack.api('GET', '/reports/kpis', undefined, { 'x-local-time': '2028-03-10T12:00:00Z' });
    expect(implicit.status, implicit.text).toBe(200);
    expect(implicit.body).toEqual(explicit.body);
    // CEI, EUR, 03-01 … 03-10: B = 370,000; S = A4 70,000; E = 395,000; C = A3 40,000 (due 03-10) + A4 70,000 +
    // B5 10,000 = 120,000 → (370,000 + 70,000 − 395,000) / (370,000 + 70,000 − 120,000) × 100 = 45,000 / 320,000 × 100
    // = 14.0625 → 14.06.
    expect((explicit.body as { currencies: { cei: { percent: number } }[] }).currencies[0]?.cei.percent).toBe(14.06);
  });

  it('bad dates and from after to are 400s naming the field', async () => {
    for (const [query, field] of [
      ['from=2028-02-30', 'from'],
      ['to=2028-13-01', 'to'],
      ['asOf=yesterday', 'asOf'],
      ['from=2028-03-01&to=2028-02-29', 'from'],
    ]) {
      const res = await stack.api('GET', `/reports/kpis?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.field, query).toBe(field);
    }
  });
});

describe('GET /reports/feedback', () => {
  it('aggregates the ratings given in the period by step, tone and channel', async () => {
    // In 2028-02-01 … 2028-02-29: 5 (gentle, friendly), 3 (firm, firm), 4 (payment_plan, friendly) → 12 / 3 = 4.
    // Left out: the 1 on 03-01 and the 2 on 01-31. Friendly: 5 + 4 = 9 / 2 = 4.5.
    const res = await stack.api('GET', '/reports/feedback?from=2028-02-01&to=2028-02-29');
    expect(res.status, res.text).toBe(200);
    const dist = (d: Partial<Record<'1' | '2' | '3' | '4' | '5', number>>) => ({ '1': 0, '2': 0, '3': 0, '4': 0, '5': 0, ...d });
    expect(res.body).toEqual({
      from: '2028-02-01',
      to: '2028-02-29',
      overall: { count: 3, ratingSum: 12, average: 4, distribution: dist({ '3': 1, '4': 1, '5': 1 }) },
      byStep: {
        firm: { count: 1, ratingSum: 3, average: 3, distribution: dist({ '3': 1 }) },
        gentle: { count: 1, ratingSum: 5, average: 5, distribution: dist({ '5': 1 }) },
        payment_plan: { count: 1, ratingSum: 4, average: 4, distribution: dist({ '4': 1 }) },
      },
      byTone: {
        firm: { count: 1, ratingSum: 3, average: 3, distribution: dist({ '3': 1 }) },
        friendly: { count: 2, ratingSum: 9, average: 4.5, distribution: dist({ '4': 1, '5': 1 }) },
      },
      byChannel: { email: { count: 3, ratingSum: 12, average: 4, distribution: dist({ '3': 1, '4': 1, '5': 1 }) } },
      byKind: {
        payment: { count: 2, ratingSum: 8, average: 4, distribution: dist({ '3': 1, '5': 1 }) },
        plan: { count: 1, ratingSum: 4, average: 4, distribution: dist({ '4': 1 }) },
      },
      ignored: 0,
    });
    // Without from: everything up to the end of to (the request day by default): all five → 15 / 5 = 3.
    const all = await stack.api('GET', '/reports/feedback', undefined, { 'x-local-time': '2028-03-01T08:00:00Z' });
    expect(all.body.overall).toMatchObject({ count: 5, ratingSum: 15, average: 3 });
    const bad = await stack.api('GET', '/reports/feedback?from=2028-02-01&to=2028-01-31');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('from');
  });
});
