/**
 * Payment-behaviour insights through a local stack of its own (the insights run and the reminder sweep move the
 * clock): history imported by POST /imports/invoices (JSON and CSV, row errors, idempotency, no mail for the past,
 * the imported payments in the ledger), the nightly insights run writing `prediction` on unpaid invoices and
 * `paymentBehaviour` on customers (GET /invoices/{id}, GET /customers/{id}), and `settledAt` from a payment.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { StackDriver } from '../../local/time-travel.ts';
import { addDays } from '../../shared/domain/dates.ts';
import { unique, useOwnStack } from '../support/own-stack.ts';

const own = useOwnStack('insights');
let stack: StackDriver;
beforeAll(() => {
  stack = own.stack;
});

const today = new Date().toISOString().slice(0, 10);
/** A date `days` before today. */
const ago = (days: number) => addDays(today, -days);

async function customer() {
  const email = `${unique('payer')}@example.com`;
  const res = await stack.api('POST', '/customers', { name: 'Payer GmbH', email });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; email: string };
}

/** Monthly net-30 invoices over the last year, settled `delay` days after due. */
function history(customerId: string, prefix: string, delay: number) {
  return Array.from({ length: 9 }, (_, k) => {
    const issueDate = ago(400 - k * 30);
    const dueDate = addDays(issueDate, 30);
    return { customerId, number: `${prefix}-${k}`, currency: 'EUR', amount: 100_000, issueDate, dueDate, paidDate: addDays(dueDate, delay) };
  });
}

async function importJson(rows: unknown[]) {
  const res = await stack.api('POST', '/imports/invoices', rows);
  expect(res.status, res.text).toBe(200);
  return res.body as { summary: { rows: number; created: number; unchanged: number; errors: number; notProcessed: number }; rows: { row: number; status: string; invoiceId?: string; errors?: { field: string; message: string }[] }[] };
}

describe('importing invoice history and the nightly insights', () => {
  const tag = unique('imp').replace(/_/g, '-');
  let punctual: { id: string; email: string };
  let late: { id: string; email: string };
  let fresh: { id: string; email: string };
  const ids: Record<string, string> = {};

  it('imports JSON rows one by one: good rows are created, a bad row names its row and field and writes nothing', async () => {
    punctual = await customer();
    late = await customer();
    fresh = await customer();
    const rows = [
      ...history(punctual.id, `${tag}-P`, 0),
      ...history(late.id, `${tag}-L`, 45),
      // Open invoices: one each, due in ten days; the late payer's older one overdue (a step is due at the import).
      { customerId: punctual.id, number: `${tag}-P-open`, currency: 'EUR', amount: 100_000, issueDate: ago(20), dueDate: addDays(today, 10) },
      { customerId: late.id, number: `${tag}-L-open`, currency: 'EUR', amount: 100_000, issueDate: ago(20), dueDate: addDays(today, 10) },
      { customerId: late.id, number: `${tag}-L-overdue`, currency: 'EUR', amount: 80_000, issueDate: ago(50), dueDate: ago(20), payments: [{ date: ago(25), amount: 30_000 }] },
      { customerId: fresh.id, number: `${tag}-F-open`, currency: 'EUR', amount: 100_000, issueDate: ago(5), dueDate: addDays(today, 25) },
      // Bad rows.
      { customerId: late.id, number: `${tag}-bad-1`, currency: 'EUR', issueDate: ago(5), dueDate: ago(1) },
      { customerId: late.id, number: `${tag}-bad-2`, currency: 'EUR', amount: 1000, issueDate: ago(5), dueDate: ago(1), paidDate: addDays(today, 3) },
      { customerId: late.id, number: `${tag}-bad-3`, currency: 'EUR', amount: 1000, issueDate: ago(5), dueDate: ago(1), payments: [{ date: ago(2), amount: 600 }, { date: ago(1), amount: 600 }] },
      { customerId: 'cus_nobody', number: `${tag}-bad-4`, currency: 'EUR', amount: 1000, issueDate: ago(5), dueDate: ago(1) },
    ];
    const out = await importJson(rows);
    expect(out.summary).toEqual({ rows: 26, created: 22, unchanged: 0, errors: 4, notProcessed: 0 });
    const bad = out.rows.filter((r) => r.status === 'error');
    expect(bad.map((r) => r.row)).toEqual([23, 24, 25, 26]);
    expect(bad[0]?.errors?.[0]?.field).toBe('amount');
    expect(bad[1]?.errors?.[0]).toMatchObject({ field: 'paidDate', message: expect.stringContaining('history only') });
    expect(bad[2]?.errors?.[0]).toMatchObject({ field: 'payments', message: 'payments must not exceed the amount' });
    expect(bad[3]?.errors?.[0]).toMatchObject({ field: 'customerId', message: 'no such customer' });
    for (const r of out.rows) if (r.invoiceId) ids[rows[r.row - 1]!.number] = r.invoiceId;
    // Nothing of the bad rows was written: the late payer has its 9 closed and 2 open invoices only.
    const listed = await stack.api('GET', `/invoices?customerId=${late.id}&limit=100`);
    expect(listed.body.items).toHaveLength(11);

    const closed = await stack.api('GET', `/invoices/${ids[`${tag}-L-0`]}`);
    expect(closed.body).toMatchObject({ status: 'paid', balanceDue: 0, settledAt: addDays(addDays(ago(400), 30), 45) });
    const partial = await stack.api('GET', `/invoices/${ids[`${tag}-L-overdue`]}`);
    expect(partial.body).toMatchObject({ status: 'partially_paid', balanceDue: 50_000, importedPayments: [{ date: ago(25), amount: 30_000 }] });
    expect(partial.body.settledAt).toBeUndefined();
  }, 120_000);

  it('is idempotent per invoice number: the same rows again change nothing; the same number with other content is a row error', async () => {
    const again = await importJson([...history(punctual.id, `${tag}-P`, 0)]);
    expect(again.summary).toEqual({ rows: 9, created: 0, unchanged: 9, errors: 0, notProcessed: 0 });
    const changed = await importJson([{ ...history(punctual.id, `${tag}-P`, 0)[0], amount: 100_001 }]);
    expect(changed.rows[0]).toMatchObject({ status: 'error', errors: [{ field: 'number', message: expect.stringContaining('different content') }] });
    const invoice = await stack.api('GET', `/invoices/${ids[`${tag}-P-0`]}`);
    expect(invoice.body.total).toBe(100_000);
  }, 60_000);

  it('imports CSV (a header row, payments as date:amount;date:amount) and reports CSV row numbers', async () => {
    const csv = [
      'number,customerId,currency,amount,issueDate,dueDate,payments',
      `${tag}-C-1,${fresh.id},EUR,20000,${ago(60)},${ago(30)},${ago(40)}:5000;${ago(28)}:15000`,
      `${tag}-C-2,${fresh.id},EUR,12.50,${ago(60)},${ago(30)},`,
    ].join('\r\n');
    const res = await stack.api('POST', '/imports/invoices', undefined, { 'content-type': 'text/csv' });
    expect(res.status).toBe(400); // an empty body is no CSV
    const out = await fetch(`${own.info.apiUrl}/imports/invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${own.info.adminKey}`, 'content-type': 'text/csv' },
      body: csv,
    }).then((r) => r.json() as Promise<{ rows: { row: number; status: string; invoiceId?: string; errors?: { field: string }[] }[] }>);
    expect(out.rows[0]).toMatchObject({ row: 1, status: 'created' });
    expect(out.rows[1]).toMatchObject({ row: 2, status: 'error', errors: [{ field: 'amount' }] });
    const invoice = await stack.api('GET', `/invoices/${out.rows[0]!.invoiceId}`);
    expect(invoice.body).toMatchObject({ status: 'paid', settledAt: ago(28) });
    // The money trail: issued on its day, each payment an imported_payment on the day it was paid.
    const ledger = await stack.api('GET', `/customers/${fresh.id}/ledger?limit=100`);
    const entries = (ledger.body.entries as { type: string; amount: number; invoiceId?: string; bookedAt: string }[]).filter((e) => e.invoiceId === out.rows[0]!.invoiceId);
    expect(entries.map((e) => [e.type, e.amount, e.bookedAt.slice(0, 10)])).toEqual([
      ['invoice_issued', 20_000, ago(60)],
      ['imported_payment', -5_000, ago(40)],
      ['imported_payment', -15_000, ago(28)],
    ]);
  }, 60_000);

  it('sends no mail for the past: the reminder sweep after the import sends nothing', async () => {
    await stack.fire('reminders', new Date(Date.now() + 3_600_000));
    const mails = [...(await stack.mails(late.email)), ...(await stack.mails(punctual.email)), ...(await stack.mails(fresh.email))];
    expect(mails).toHaveLength(0);
  }, 60_000);

  it('the insights run writes predictions on unpaid invoices and the payment behaviour on customers', async () => {
    await stack.fire('insights', new Date(Date.now() + 2 * 3_600_000));
    const lateOpen = await stack.api('GET', `/invoices/${ids[`${tag}-L-open`]}`);
    const p = lateOpen.body.prediction;
    expect(p).toMatchObject({ asOf: addDays(new Date(Date.now() + 2 * 3_600_000).toISOString().slice(0, 10), -1), riskBand: 'high', modelVersion: expect.any(String) });
    expect(p.lateProbability).toBeGreaterThan(0.5);
    expect(p.expectedPaymentDate >= addDays(today, 40)).toBe(true);
    expect(p.factors.join(' ')).toContain('Usually pays 45 days after the due date');
    const punctualOpen = await stack.api('GET', `/invoices/${ids[`${tag}-P-open`]}`);
    // On time, give or take the pull toward the (small, half-late) portfolio.
    expect(punctualOpen.body.prediction.riskBand).toBe('low');
    expect([addDays(today, 10), addDays(today, 11), addDays(today, 12)]).toContain(punctualOpen.body.prediction.expectedPaymentDate);
    const freshOpen = await stack.api('GET', `/invoices/${ids[`${tag}-F-open`]}`);
    // One invoice of history (the CSV import): partly the portfolio's figures.
    expect(freshOpen.body.prediction.factors.join(' ')).toContain('Only 1 paid invoice so far');
    const closed = await stack.api('GET', `/invoices/${ids[`${tag}-L-0`]}`);
    expect(closed.body.prediction).toBeUndefined();

    const behaviour = (await stack.api('GET', `/customers/${late.id}`)).body.paymentBehaviour;
    expect(behaviour).toMatchObject({ invoicesObserved: 9, medianDaysLate: 45, onTimeRate: 0, trend: 'stable', riskBand: 'high' });
    expect((await stack.api('GET', `/customers/${punctual.id}`)).body.paymentBehaviour).toMatchObject({ invoicesObserved: 9, onTimeRate: 1, riskBand: 'low' });

    // Idempotent: the same run again writes the same; an older run never overwrites a newer one.
    await stack.fire('insights', new Date(Date.now() + 2 * 3_600_000));
    expect((await stack.api('GET', `/invoices/${ids[`${tag}-L-open`]}`)).body.prediction).toEqual(p);
    await stack.fire('insights', new Date(Date.now() - 5 * 86_400_000));
    expect((await stack.api('GET', `/invoices/${ids[`${tag}-L-open`]}`)).body.prediction.asOf).toBe(p.asOf);
  }, 180_000);

  it('a payment that brings the balance to zero sets settledAt to the day the money arrived', async () => {
    const res = await stack.api('POST', '/payments', {
      customerId: fresh.id,
      method: 'check',
      reference: unique('check'),
      amount: 100_000,
      currency: 'EUR',
      receivedDate: today,
      allocations: [{ invoiceId: ids[`${tag}-F-open`], amount: 100_000 }],
    });
    expect(res.status, res.text).toBe(201);
    const invoice = await stack.api('GET', `/invoices/${ids[`${tag}-F-open`]}`);
    expect(invoice.body).toMatchObject({ status: 'paid', settledAt: today });
  }, 60_000);

  it('records the history the model reads: each reminder sent and each dispute opened stay on the invoice; a credit-note close has no settle date and is left out', async () => {
    const payer = await customer();
    const created = await stack.api('POST', '/invoices', { customerId: payer.id, currency: 'EUR', amount: 50_000, issueDate: ago(40), dueDate: ago(10) });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    // Tomorrow 10:00 UTC: inside sending hours, the overdue invoice gets its first reminder.
    const sweepAt = new Date(`${addDays(today, 1)}T10:00:00.000Z`);
    await stack.fire('reminders', sweepAt);
    const reminded = (await stack.api('GET', `/invoices/${id}`)).body;
    expect(reminded.lastStepSent).toEqual(expect.any(String));
    expect(reminded.remindersSentAt).toHaveLength(1);
    expect(await stack.mails(payer.email)).toHaveLength(1);

    const dispute = await stack.api('POST', `/invoices/${id}/disputes`, { reason: 'Never delivered' });
    expect(dispute.status, dispute.text).toBe(201);
    const upheld = await stack.api('POST', `/disputes/${dispute.body.id}/resolve`, { outcome: 'upheld', explanation: 'Credited in full.' });
    expect(upheld.status, upheld.text).toBe(200);
    const closed = (await stack.api('GET', `/invoices/${id}`)).body;
    // The dispute is over but its opening stays; no money arrived, so no settle date.
    expect(closed).toMatchObject({ status: 'paid', balanceDue: 0, disputesOpenedAt: [dispute.body.openedAt], remindersSentAt: reminded.remindersSentAt });
    expect(closed.dispute).toBeUndefined();
    expect(closed.settledAt).toBeUndefined();

    // The insights run leaves the credit-note close out of the payer's history: nothing observed yet.
    await stack.fire('insights', new Date(sweepAt.getTime() + 86_400_000));
    expect((await stack.api('GET', `/customers/${payer.id}`)).body.paymentBehaviour).toMatchObject({ invoicesObserved: 0, medianDaysLate: null });
  }, 180_000);
});
