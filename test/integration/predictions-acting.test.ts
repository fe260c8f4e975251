/**
 * Acting on the predictions (issue 12) through a running local stack of its own (the clock moves): the adaptive
 * cadence (a likely-late payer gets the heads-up 10 days before due, leading with the plan offer; a reliable payer no
 * heads-up and no gentle nudge; disputes and holds are left alone), the worklist's order and suggestions, and the cash
 * forecast's shape and validation.
 *
 * The customers' `paymentBehaviour` and the invoices' `prediction` are written onto their items directly, exactly as
 * the nightly insights run writes them (same attributes, shared/store/insights.ts): these tests are about what the
 * backend does with a prediction, not about the model (test/unit/prediction.test.ts, `npm run evaluate`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StackDriver } from '../../local/time-travel.ts';
import { addDays } from '../../shared/domain/dates.ts';
import { localParts } from '../../shared/domain/dunning.ts';
import type { InvoicePrediction, PaymentBehaviour } from '../../shared/domain/prediction/types.ts';
import { keys } from '../../shared/store/keys.ts';
import { unique, useOwnStack } from '../support/own-stack.ts';

const own = useOwnStack('predictions');
let stack: StackDriver;
let db: DynamoDBDocumentClient;

beforeAll(() => {
  stack = own.stack;
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: own.info.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
});

const behaviour = (riskBand: PaymentBehaviour['riskBand'], fields: Partial<PaymentBehaviour> = {}): PaymentBehaviour => ({
  invoicesObserved: 12,
  medianDaysLate: riskBand === 'high' ? 41 : riskBand === 'low' ? 0 : 8,
  onTimeRate: riskBand === 'high' ? 0.08 : riskBand === 'low' ? 0.92 : 0.5,
  trend: riskBand === 'high' ? 'worsening' : 'stable',
  riskBand,
  asOf: '2027-02-28',
  modelVersion: 'test',
  ...fields,
});

/** What the insights run writes onto a customer. */
async function assess(customerId: string, b: PaymentBehaviour) {
  await db.send(new UpdateCommand({ TableName: own.info.tableName, Key: keys.customer(customerId), UpdateExpression: 'SET paymentBehaviour = :b', ExpressionAttributeValues: { ':b': b } }));
}

/** What the insights run writes onto an open invoice. */
async function predict(invoiceId: string, p: InvoicePrediction) {
  await db.send(new UpdateCommand({ TableName: own.info.tableName, Key: keys.invoice(invoiceId), UpdateExpression: 'SET prediction = :p', ExpressionAttributeValues: { ':p': p } }));
}

async function customer(name: string, fields: Record<string, unknown> = {}) {
  const res = await stack.api('POST', '/customers', { name, email: `${unique('pred')}@example.com`, timeZone: 'Europe/Berlin', locale: 'en-GB', ...fields });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; email: string };
}

async function invoice(customerId: string, fields: Record<string, unknown>) {
  const res = await stack.api('POST', '/invoices', { customerId, currency: 'EUR', ...fields });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; number: string; dueDate: string };
}

interface Mail {
  kind: string;
  sentAt?: string;
  cadence?: { policy: string; riskBand?: string; reason: string; changes: string[]; planOfferFirst: boolean };
}

async function reminders(customerId: string) {
  const res = await stack.api('GET', `/customers/${customerId}/communications`);
  expect(res.status, res.text).toBe(200);
  return (res.body.mails as Mail[])
    .filter((m) => m.kind.startsWith('reminder:'))
    .map((m) => ({ step: m.kind.slice('reminder:'.length), date: localParts(new Date(m.sentAt ?? ''), 'Europe/Berlin').date, cadence: m.cadence }));
}

describe('the adaptive cadence', () => {
  it('heads-up 10 days early with the plan offer first for a likely-late payer; none and no nudge for a reliable one; pauses left alone', async () => {
    const high = await customer('Harry Late');
    const low = await customer('Lena Punctual');
    const plain = await customer('Max Medium');
    const disputed = await customer('Dora Dispute');
    const held = await customer('Hugo Hold');
    await assess(high.id, behaviour('high'));
    await assess(low.id, behaviour('low'));
    await assess(plain.id, behaviour('medium'));
    await assess(disputed.id, behaviour('high'));
    await assess(held.id, behaviour('high'));
    // Due Thursday 1 April 2027: 10 days before is Monday 22 March, 7 days before Thursday 25 March.
    const fields = { amount: 80_000, issueDate: '2027-03-01', dueDate: '2027-04-01' };
    const invH = await invoice(high.id, fields);
    await invoice(low.id, fields);
    await invoice(plain.id, fields);
    const invD = await invoice(disputed.id, fields);
    await invoice(held.id, fields);
    expect((await stack.api('POST', `/invoices/${invD.id}/disputes`, { reason: 'Goods not received' })).status).toBe(201);
    expect((await stack.api('POST', `/customers/${held.id}/holds`, { reason: 'Negotiating', expiresAt: '2027-12-01T00:00:00Z' })).status).toBe(201);

    // The reminders run every day at 11:00 Berlin time from 18 March to 8 April.
    for (let t = Date.parse('2027-03-18T10:00:00Z'); t <= Date.parse('2027-04-08T10:00:00Z'); t += 86_400_000) await stack.fire('reminders', new Date(t));

    const h = await reminders(high.id);
    expect(h.map((m) => [m.step, m.date])).toEqual([
      ['heads-up', '2027-03-22'],
      ['due-day', '2027-04-01'],
      // due + 3 is Sunday 4 April: the gentle reminder waits for Monday.
      ['gentle', '2027-04-05'],
    ]);
    expect(h[0]?.cadence).toMatchObject({ policy: 'likely_late', riskBand: 'high', planOfferFirst: true, changes: ['heads-up 10 days before the due date', 'the first reminder leads with the payment-plan offer'] });
    expect(h[0]?.cadence?.reason).toContain('likely to pay late (high risk)');
    expect(h[1]?.cadence?.planOfferFirst).toBe(false);
    // The heads-up leads with the plan offer: it comes before the invoice in the mail.
    const inbox = await stack.mails(high.email);
    expect(inbox).toHaveLength(3);
    const planFirst = inbox.filter((x) => x.body.text.includes('payment plan') && x.body.text.indexOf('payment plan') < x.body.text.indexOf(invH.number));
    expect(planFirst).toHaveLength(1);

    const l = await reminders(low.id);
    expect(l.map((m) => [m.step, m.date])).toEqual([['due-day', '2027-04-01']]);
    expect(l[0]?.cadence).toMatchObject({ policy: 'reliable', riskBand: 'low', changes: ['no heads-up before the due date', 'no gentle nudge'] });

    const m = await reminders(plain.id);
    expect(m.map((x) => [x.step, x.date])).toEqual([
      ['heads-up', '2027-03-25'],
      ['due-day', '2027-04-01'],
      ['gentle', '2027-04-05'],
    ]);
    expect(m[0]?.cadence).toBeUndefined();

    expect(await reminders(disputed.id)).toEqual([]);
    expect(await reminders(held.id)).toEqual([]);
  }, 240_000);

  it('is turned off for one customer by their collections profile', async () => {
    const c = await customer('Olga Optout');
    await assess(c.id, behaviour('high'));
    const patch = await stack.api('PATCH', `/customers/${c.id}`, { dunning: { adaptive: false } });
    expect(patch.status, patch.text).toBe(200);
    expect((await stack.api('PATCH', `/customers/${c.id}`, { dunning: { adaptive: 'yes' } })).body.error.message).toContain('dunning.adaptive');
    await invoice(c.id, { amount: 10_000, issueDate: '2027-05-01', dueDate: '2027-06-03' });
    for (const day of ['2027-05-24', '2027-05-27']) await stack.fire('reminders', `${day}T10:00:00Z`);
    expect((await reminders(c.id)).map((x) => [x.step, x.date])).toEqual([['heads-up', '2027-05-27']]);
  }, 120_000);
});

describe('the worklist and the cash forecast', () => {
  const prediction = (lateProbability: number, riskBand: InvoicePrediction['riskBand'], cdf: InvoicePrediction['cdf'], factors: string[]): InvoicePrediction => ({
    expectedPaymentDate: '2027-09-30',
    lateProbability,
    riskBand,
    factors,
    factorCodes: [],
    asOf: '2027-08-31',
    modelVersion: 'test',
    cdf,
  });
  const now = { 'x-local-time': '2027-09-01T09:00:00Z' };

  it('ranks customers by expected loss in a currency, says what to do next and why, pages; forecasts with a band', async () => {
    const risky = await customer('Rita Risky');
    const steady = await customer('Sam Steady');
    const middle = await customer('Mia Middle');
    const r1 = await invoice(risky.id, { currency: 'CHF', amount: 200_000, issueDate: '2027-06-01', dueDate: '2027-07-01' });
    const r2 = await invoice(risky.id, { currency: 'CHF', amount: 50_000, issueDate: '2027-08-01', dueDate: '2027-09-10' });
    const s1 = await invoice(steady.id, { currency: 'CHF', amount: 1_000_000, issueDate: '2027-08-15', dueDate: '2027-09-14' });
    const m1 = await invoice(middle.id, { currency: 'CHF', amount: 300_000, issueDate: '2027-08-01', dueDate: '2027-08-31' });
    const late = { days: [0, 30, 60, 90], p: [0.05, 0.2, 0.5, 0.7] };
    const punctual = { days: [-3, 0, 5], p: [0.3, 0.95, 1] };
    await predict(r1.id, prediction(0.85, 'high', late, ['usually pays 41 days late', 'paying later than before']));
    await predict(r2.id, prediction(0.8, 'high', late, ['usually pays 41 days late']));
    await predict(s1.id, prediction(0.02, 'low', punctual, ['pays on time']));
    await predict(m1.id, prediction(0.3, 'medium', { days: [0, 10, 40], p: [0.2, 0.6, 0.95] }, ['a larger amount than usual']));

    const res = await stack.api('GET', '/worklist?currency=CHF&limit=2', undefined, now);
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((i: { customerId: string }) => i.customerId)).toEqual([risky.id, middle.id]);
    const top = res.body.items[0];
    // 2,000.00 × 0.85 × (1 + 62/90) + 500.00 × 0.8 × 1 = 2,871.11 + 400.00
    expect(top).toMatchObject({ rank: 1, currency: 'CHF', customerName: 'Rita Risky', expectedLoss: 327_111, openBalance: 250_000, overdueBalance: 200_000, riskBand: 'high' });
    expect(top.next).toMatchObject({ action: 'call', summary: 'Call the customer' });
    expect(top.next.why).toContain('usually pays 41 days late');
    expect(top.invoices[0]).toMatchObject({ id: r1.id, daysPastDue: 62, lateProbability: 0.85 });
    const next = await stack.api('GET', `/worklist?currency=CHF&limit=2&cursor=${encodeURIComponent(res.body.nextCursor)}`, undefined, now);
    expect(next.body.items.map((i: { customerId: string; rank: number }) => [i.customerId, i.rank])).toEqual([[steady.id, 3]]);
    expect(next.body.nextCursor).toBeNull();
    // A cursor is bound to its currency; a bad limit names the field.
    expect((await stack.api('GET', `/worklist?currency=EUR&cursor=${encodeURIComponent(res.body.nextCursor)}`, undefined, now)).status).toBe(400);
    const bad = await stack.api('GET', '/worklist?limit=0', undefined, now);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('limit');

    const forecast = await stack.api('GET', '/reports/forecast?from=2027-09-01&to=2027-09-28&interval=week&currency=CHF', undefined, now);
    expect(forecast.status, forecast.text).toBe(200);
    expect(forecast.body).toMatchObject({ from: '2027-09-01', to: '2027-09-28', interval: 'week', asOf: '2027-09-01', method: { band: 'monte-carlo', trials: 1000 } });
    const [chf] = forecast.body.currencies;
    expect(chf.currency).toBe('CHF');
    expect(chf.invoices).toBe(4);
    expect(chf.periods.map((p: { start: string; end: string }) => [p.start, p.end])).toEqual([
      ['2027-09-01', '2027-09-07'],
      ['2027-09-08', '2027-09-14'],
      ['2027-09-15', '2027-09-21'],
      ['2027-09-22', '2027-09-28'],
    ]);
    for (const p of chf.periods) expect(0 <= p.p10 && p.p10 <= p.p90 && p.p90 <= chf.openBalance).toBe(true);
    // The steady payer's 10,000.00 is expected in the week of its due date (14 September): at least 95 % of it.
    expect(chf.periods[1].expected).toBeGreaterThanOrEqual(950_000);
    // Same data, same figures.
    const again = await stack.api('GET', '/reports/forecast?from=2027-09-01&to=2027-09-28&interval=week&currency=CHF', undefined, now);
    expect(again.body).toEqual(forecast.body);
    const monthly = await stack.api('GET', '/reports/forecast?interval=month&currency=CHF', undefined, now);
    expect(monthly.status, monthly.text).toBe(200);
    expect(monthly.body.to).toBe('2028-02-29');
    expect(monthly.body.currencies[0].periods).toHaveLength(6);
  }, 120_000);

  it('refuses a bad forecast query, naming the field', async () => {
    const now = { 'x-local-time': '2027-09-01T09:00:00Z' };
    const cases: [string, string][] = [
      ['?interval=day', 'interval'],
      ['?from=2027-08-01', 'from'],
      ['?from=2027-09-10&to=2027-09-01', 'to'],
      ['?from=2027-09-01&to=2028-12-31', 'to'],
      ['?to=2027-13-01', 'to'],
      ['?currency=EURO', 'currency'],
      ['?foo=1', 'foo'],
    ];
    for (const [query, field] of cases) {
      const res = await stack.api('GET', `/reports/forecast${query}`, undefined, now);
      expect(res.status, query).toBe(400);
      expect(JSON.stringify(res.body.error), query).toContain(field);
    }
  });
});

describe('from imported history to the cadence (insights run included)', () => {
  it('the nightly insights assess the payers; a likely-late payer’s open invoice comes back for the heads-up 10 days before due', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const ago = (days: number) => addDays(today, -days);
    // A due date 3–6 weeks out whose day −10 is a Monday–Thursday (days −10, −7 and 0 then fall on working days).
    let due = addDays(today, 21);
    for (;;) {
      const wd = (d: string) => new Date(`${d}T12:00:00Z`).getUTCDay();
      if ([1, 2, 3, 4].includes(wd(addDays(due, -10))) && ![0, 6].includes(wd(due))) break;
      due = addDays(due, 1);
    }
    const late = await customer('Larry Later', { timeZone: 'UTC' });
    const punctual = await customer('Petra Prompt', { timeZone: 'UTC' });
    const tag = unique('hist').replace(/_/g, '-');
    const history = (customerId: string, prefix: string, delay: number) =>
      Array.from({ length: 9 }, (_, k) => {
        const issueDate = ago(400 - k * 30);
        const dueDate = addDays(issueDate, 30);
        return { customerId, number: `${prefix}-${k}`, currency: 'EUR', amount: 100_000, issueDate, dueDate, paidDate: addDays(dueDate, delay) };
      });
    const imported = await stack.api('POST', '/imports/invoices', [...history(late.id, `${tag}-L`, 45), ...history(punctual.id, `${tag}-P`, 0)]);
    expect(imported.status, imported.text).toBe(200);
    expect(imported.body.summary).toMatchObject({ created: 18, errors: 0 });
    // New invoices, issued before the insights have run: they enter the reminder index at the standard heads-up (−7).
    const invL = await invoice(late.id, { amount: 100_000, issueDate: today, dueDate: due });
    const invP = await invoice(punctual.id, { amount: 100_000, issueDate: today, dueDate: due });

    // The nightly run assesses both; the late payer's band changes to high, which re-places its invoice (heads-up at −10).
    // A run a day later, so that its as-of date (the last complete day) includes the invoices issued today: predicted.
    await stack.fire('insights', new Date(Date.now() + 26 * 3_600_000));
    const predicted = async (id: string) => (await stack.api('GET', `/invoices/${id}`)).body.prediction?.riskBand as string | undefined;
    expect(await predicted(invL.id)).toBe('high');
    expect(await predicted(invP.id)).toBe('low');
    const assessed = async (id: string) => (await stack.api('GET', `/customers/${id}`)).body.paymentBehaviour?.riskBand as string | undefined;
    expect(await assessed(late.id)).toBe('high');
    expect(await assessed(punctual.id)).toBe('low');

    for (const offset of [-10, -7, 0]) await stack.fire('reminders', `${addDays(due, offset)}T10:00:00Z`);
    const l = await reminders(late.id);
    const p = await reminders(punctual.id);
    expect(l.map((x) => [x.step, x.date])).toEqual([
      ['heads-up', addDays(due, -10)],
      ['due-day', due],
    ]);
    expect(l[0]?.cadence).toMatchObject({ policy: 'likely_late', planOfferFirst: true });
    expect(p.map((x) => [x.step, x.date])).toEqual([['due-day', due]]);
    expect(p[0]?.cadence?.policy).toBe('reliable');
    // The worklist puts the late payer first in EUR among these two, and says why in the model's words.
    const list = await stack.api('GET', '/worklist?currency=EUR&limit=100', undefined, { 'x-local-time': `${due}T12:00:00Z` });
    const ranks = new Map((list.body.items as { customerId: string; rank: number }[]).map((i) => [i.customerId, i.rank]));
    expect(ranks.get(late.id)).toBeLessThan(ranks.get(punctual.id) as number);
    expect(invL.id).not.toBe(invP.id);
  }, 240_000);
});
