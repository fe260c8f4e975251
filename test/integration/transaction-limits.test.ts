/**
 * DynamoDB's transaction limits (100 actions, 4 MB, one action per item) through a running local stack of its own
 * (the escalation moves the clock): a customer with 150 open invoices. A payment naming 60 of them applies in full, in
 * several guarded transactions; reminders cover them 40 per mail; escalating all 150 on one day escalates all 150 and
 * the `collections.escalated` events list every one; a payment plan covers all 150, is paid off and completes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { StackDriver } from '../../local/time-travel.ts';
import { parseBankPayload } from '../../shared/adapters/bank/index.ts';
import { paymentIdFor } from '../../shared/services/payments.ts';
import { unique, useOwnStack } from '../support/own-stack.ts';
import { postBank } from '../support/flows.ts';
import { distinctIds, waitForEvents } from '../support/events.ts';

const own = useOwnStack('txlimits');
let stack: StackDriver;
beforeAll(() => {
  stack = own.stack;
});

interface InvoiceView {
  id: string;
  number: string;
  total: number;
  balanceDue: number;
  status: string;
  planId?: string;
  escalatedAt?: string;
}
interface PaymentView {
  id: string;
  status: string;
  amount: number;
  unapplied: number;
  credit: number;
  allocations: { invoiceId: string; amount: number }[];
  decision: { outcome: string; rule: string; reason?: string };
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const OUR_ACCOUNT = 'DE89370400440532013000';

async function customerWithInvoices(count: number): Promise<{ id: string; email: string; iban: string; invoices: InvoiceView[] }> {
  // A domestic account number (letters/digits) of the customer's own, unique per test.
  const iban = `ACCT${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const res = await stack.api('POST', '/customers', {
    name: 'Many Invoices GmbH',
    email: `${unique('many')}@example.com`,
    timeZone: 'Europe/Berlin',
    bankAccounts: [iban],
  });
  expect(res.status, res.text).toBe(201);
  const customer = res.body as { id: string; email: string };
  const invoices: InvoiceView[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, count - i) }, async (_, j) => {
        const r = await stack.api('POST', '/invoices', {
          customerId: customer.id,
          currency: 'EUR',
          amount: 1_000 + (i + j) * 7,
          issueDate: '2027-01-04',
          dueDate: '2027-02-01',
        });
        expect(r.status, r.text).toBe(201);
        return r.body as InvoiceView;
      }),
    );
    invoices.push(...batch);
  }
  return { ...customer, iban, invoices };
}

/** One booked credit from the customer's account, signed as the bank does; waits until the stack has processed it. */
async function bankCredit(iban: string, amount: number, fields: { remittance?: string; references?: string[] }): Promise<string> {
  const body = JSON.stringify({
    id: unique('ntf'),
    account: { iban: OUR_ACCOUNT },
    credits: [{ id: unique('txn'), status: 'booked', amount, currency: 'EUR', bookingDate: '2027-02-10', debtor: { name: 'Many Invoices GmbH', iban }, ...fields }],
  });
  const res = await postBank(body, 'application/json', own.info);
  expect(res.status, res.text).toBe(200);
  await stack.drain(120_000);
  return paymentIdFor('bank', (parseBankPayload(body, 'application/json').lines[0] as { key: string }).key);
}

async function invoice(id: string): Promise<InvoiceView> {
  const res = await stack.api('GET', `/invoices/${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body as InvoiceView;
}

async function balances(customerId: string): Promise<Record<string, Record<string, number>>> {
  const res = await stack.api('GET', `/customers/${customerId}`);
  expect(res.status, res.text).toBe(200);
  return (res.body as { balances: Record<string, Record<string, number>> }).balances;
}

describe('a customer with 150 open invoices', () => {
  it('a payment naming 60 of their invoice numbers that sums exactly applies to all 60; the ledger agrees', async () => {
    const c = await customerWithInvoices(150);
    const named = c.invoices.slice(30, 90);
    const amount = sum(named.map((i) => i.total));
    const paymentId = await bankCredit(c.iban, amount, { remittance: `Invoices ${named.map((i) => i.number).join(' ')}` });

    const payment = (await stack.api('GET', `/payments/${paymentId}`)).body as PaymentView;
    expect(payment.decision.rule).toBe('invoice_number_in_text');
    expect(payment.status).toBe('applied');
    expect(payment.unapplied).toBe(0);
    expect(payment.credit).toBe(0);
    expect(payment.allocations).toHaveLength(60);
    expect(sum(payment.allocations.map((a) => a.amount))).toBe(amount);
    expect(new Set(payment.allocations.map((a) => a.invoiceId))).toEqual(new Set(named.map((i) => i.id)));
    for (const inv of named) expect(await invoice(inv.id)).toMatchObject({ status: 'paid', balanceDue: 0 });
    for (const inv of [c.invoices[0], c.invoices[149]]) expect(await invoice((inv as InvoiceView).id)).toMatchObject({ status: 'open' });

    // The ledger: what is still owed is exactly the 90 other invoices; nothing waits, nothing is credit.
    const b = await balances(c.id);
    expect(b.receivable?.EUR).toBe(sum(c.invoices.map((i) => i.total)) - amount);
    expect(b.unapplied?.EUR ?? 0).toBe(0);
    expect(b.customer_credit?.EUR ?? 0).toBe(0);
    // The receipt lists all 60.
    const mails = await stack.mails(c.email);
    const receipt = mails.find((m) => m.subject.toLowerCase().includes('payment') || m.subject.toLowerCase().includes('receipt'));
    expect(receipt, mails.map((m) => m.subject).join(' | ')).toBeTruthy();
    for (const inv of named) expect(receipt?.body.text).toContain(inv.number);
  }, 240_000);

  it('reminders cover all 150 (40 per mail); escalating all 150 on one day escalates all 150, listed in the events', async () => {
    const c = await customerWithInvoices(150);
    // Due 1 Feb; the final notice is due on 3 March (due + 30): four runs that morning cover all 150, 40 per mail.
    for (const hour of ['08', '09', '10', '11']) await stack.fire('reminders', `2027-03-03T${hour}:00:00Z`);
    const comms = (await stack.api('GET', `/customers/${c.id}/communications`)).body as {
      mails: { kind: string; invoiceIds?: string[] }[];
    };
    const notices = comms.mails.filter((m) => m.kind === 'reminder:final-notice');
    expect(notices.map((m) => m.invoiceIds?.length)).toEqual([40, 40, 40, 30]);
    expect(new Set(notices.flatMap((m) => m.invoiceIds ?? []))).toEqual(new Set(c.invoices.map((i) => i.id)));

    // Legal handover on due + 45 (18 March): one escalation job for all 150 of the customer's invoices.
    await stack.fire('escalation', '2027-03-18T02:30:00Z');
    for (const inv of c.invoices) expect((await invoice(inv.id)).escalatedAt, inv.number).toBeTruthy();
    const { events } = (await stack.api('GET', `/customers/${c.id}/communications`)).body as {
      events: { id: string; detailType: string }[];
    };
    const escalatedIds = events.filter((e) => e.detailType === 'collections.escalated').map((e) => e.id);
    expect(escalatedIds.length).toBeGreaterThan(1);
    // Every group's event, as the outbox relay published it on the stack's bus.
    const published = await waitForEvents(
      { customerId: c.id, type: 'collections.escalated' },
      (all) => escalatedIds.every((id) => all.some((e) => e.id === id)),
      15_000,
      stack.info.apiUrl,
    );
    expect(distinctIds(published).sort()).toEqual([...escalatedIds].sort());
    const escalated = distinctIds(published).map((id) => published.find((e) => e.id === id)?.data as { invoices: { invoiceId: string }[]; totals: { currency: string; amount: number }[] });
    const listed = escalated.flatMap((e) => e.invoices.map((i) => i.invoiceId));
    expect(listed).toHaveLength(150);
    expect(new Set(listed)).toEqual(new Set(c.invoices.map((i) => i.id)));
    expect(sum(escalated.flatMap((e) => e.totals.filter((t) => t.currency === 'EUR').map((t) => t.amount)))).toBe(sum(c.invoices.map((i) => i.total)));

    // Re-firing the day adds nothing.
    await stack.fire('escalation', '2027-03-18T02:30:00Z');
    const again = (await stack.api('GET', `/customers/${c.id}/communications`)).body as { events: { detailType: string }[] };
    expect(again.events.filter((e) => e.detailType === 'collections.escalated')).toHaveLength(escalatedIds.length);
  }, 300_000);

  it('a payment plan covers all 150; paid off by its reference, it completes and releases them', async () => {
    const c = await customerWithInvoices(150);
    const res = await stack.api('POST', '/payment-plans', {
      customerId: c.id,
      invoiceIds: c.invoices.map((i) => i.id),
      instalments: 3,
      frequency: 'monthly',
    });
    expect(res.status, res.text).toBe(201);
    const plan = res.body as { id: string; status: string; total: number; paymentReference: string };
    expect(plan.status).toBe('active');
    expect(plan.total).toBe(sum(c.invoices.map((i) => i.total)));
    for (const inv of c.invoices) expect((await invoice(inv.id)).planId, inv.number).toBe(plan.id);

    const paymentId = await bankCredit(c.iban, plan.total, { references: [plan.paymentReference] });
    const payment = (await stack.api('GET', `/payments/${paymentId}`)).body as PaymentView;
    expect(payment.decision.rule).toBe('payment_plan');
    expect(payment.status).toBe('applied');
    expect(payment.allocations).toHaveLength(150);
    expect((await balances(c.id)).receivable?.EUR).toBe(0);

    // The next reminder run (in the customer's sending hours) completes the plan and releases every invoice.
    await stack.fire('reminders', new Date(Math.max(Date.now(), Date.parse('2027-06-01T08:00:00Z'))));
    const after = (await stack.api('GET', `/payment-plans/${plan.id}`)).body as { status: string };
    expect(after.status).toBe('completed');
    for (const inv of c.invoices) {
      const v = await invoice(inv.id);
      expect(v.status).toBe('paid');
      expect(v.planId, inv.number).toBeUndefined();
    }
  }, 300_000);
});
