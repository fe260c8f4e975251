/**
 * A payment for more invoices than one DynamoDB transaction holds is applied in parts (see PendingApplication in
 * shared/store/payments.ts). Driven through the cash-application service against the local stack's emulators, with a
 * crash injected between two parts (a fault the emulator cannot produce): the redelivery resumes and never applies a
 * part twice; an invoice that changes between parts sends the rest to review with the reason — no retry loop.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dynamo } from '../../shared/adapters/aws.ts';
import type { IncomingPayment } from '../../shared/domain/application.ts';
import { applyIncomingPayment, paymentIdFor, settlePayment } from '../../shared/services/payments.ts';
import { customerEventsPage } from '../../shared/store/outbound-events.ts';
import { getPayment, recordFacts } from '../../shared/store/payments.ts';
import { INVOICES_PER_COMMIT } from '../../shared/store/payments.ts';
import { invoiceState, ledgerAgrees } from '../support/flows.ts';
import { api, newCustomer, newInvoice, unique } from '../support/stack.ts';

type Send = (command: unknown) => Promise<unknown>;
const client = () => dynamo() as unknown as { send: Send };
let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** Runs `before` ahead of the n-th TransactWriteItems from now on (1-based), which then goes through or fails. */
function onTransaction(n: number, before: () => Promise<void>) {
  const c = client();
  const original = c.send.bind(c);
  let count = 0;
  c.send = async (command: unknown) => {
    if ((command as object).constructor.name === 'TransactWriteCommand' && ++count === n) await before();
    return original(command);
  };
  restore = () => {
    c.send = original;
    restore = undefined;
  };
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

/** The events committed about a payment (the outbox records of its customer), by type. */
async function committed(customerId: string, paymentId: string) {
  const events = (await customerEventsPage(customerId, 500)).items.filter((e) => e.detail.paymentId === paymentId);
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  return (type: string) => events.filter((e) => e.detailType === type).map((e) => e.detail);
}

async function customerWith(count: number) {
  const customer = await newCustomer();
  const invoices: Awaited<ReturnType<typeof newInvoice>>[] = [];
  for (let i = 0; i < count; i += 10) {
    invoices.push(...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, j) => newInvoice(customer.id, { amount: 2_000 + (i + j) * 3 })))));
  }
  return { customer, invoices };
}

function paymentFor(customerId: string, invoices: { number: string; balanceDue: number }[]): IncomingPayment {
  const externalId = unique('line');
  return {
    id: paymentIdFor('bank', externalId),
    source: 'bank',
    externalId,
    method: 'bank_json',
    amount: sum(invoices.map((i) => i.balanceDue)),
    currency: 'EUR',
    receivedAt: '2026-12-10T00:00:00.000Z',
    remittanceText: `Invoices ${invoices.map((i) => i.number).join(', ')}`,
    payerCustomerId: customerId,
  };
}

describe('a payment applied in parts', () => {
  it('resumes after a crash between parts: every invoice paid once, the ledger balanced', async () => {
    const { customer, invoices } = await customerWith(40);
    const payment = paymentFor(customer.id, invoices);
    // The third transaction (the money recorded, part 1 written) crashes: the worker dies before part 2.
    onTransaction(3, async () => {
      throw new Error('injected crash');
    });
    await expect(applyIncomingPayment(payment, undefined, new Date())).rejects.toThrow('injected crash');
    restore?.();
    const halfway = await getPayment(payment.id);
    expect(halfway?.applying?.next).toBe(INVOICES_PER_COMMIT);
    expect(halfway?.status).toBe('unapplied');
    expect(halfway?.allocations).toHaveLength(INVOICES_PER_COMMIT);
    expect(sum(halfway?.allocations.map((a) => a.amount) ?? []) + (halfway?.unapplied ?? 0)).toBe(payment.amount);
    await ledgerAgrees(customer.id, invoices.map((i) => i.id));

    // The queue redelivers: the recorded decision resumes where it stopped (no new matching, nothing twice).
    expect(await applyIncomingPayment(payment, undefined, new Date())).toBe('duplicate');
    const done = await getPayment(payment.id);
    expect(done?.status).toBe('applied');
    expect(done?.applying).toBeUndefined();
    expect(done?.decision.rule).toBe('invoice_number_in_text');
    expect(done?.allocations).toHaveLength(40);
    expect(done?.unapplied).toBe(0);
    expect(sum(done?.allocations.map((a) => a.amount) ?? [])).toBe(payment.amount);
    for (const inv of invoices) expect(await invoiceState(inv.id)).toMatchObject({ status: 'paid', balanceDue: 0, appliedPayments: [{ paymentId: payment.id, amount: inv.balanceDue }] });
    const totals = await ledgerAgrees(customer.id, invoices.map((i) => i.id));
    expect(totals.get('receivable/EUR')).toBe(0);
    expect(totals.get('unapplied/EUR')).toBe(0);
    expect(totals.get('customer_credit/EUR') ?? 0).toBe(0);

    // Yet another delivery changes nothing.
    await applyIncomingPayment(payment, undefined, new Date());
    expect((await getPayment(payment.id))?.revision).toBe(done?.revision);

    // Events: received once; applied in 3 parts (each once, the crash in between notwithstanding); each invoice paid once.
    const events = await committed(customer.id, payment.id);
    expect(events('payment.received')).toHaveLength(1);
    expect(events('payment.applied').map((d) => d.part as { index: number }).sort((a, b) => a.index - b.index)).toEqual([1, 2, 3].map((index) => ({ index, of: 3 })));
    expect(sum(events('payment.applied').flatMap((d) => (d.allocations as { amount: number }[]).map((a) => a.amount)))).toBe(payment.amount);
    expect(events('invoice.paid').map((d) => d.invoiceId).sort()).toEqual(invoices.map((i) => i.id).sort());
    expect(events('payment.needs_review')).toHaveLength(0);
  }, 60_000);

  it('an invoice that changes between parts: what was applied stays, the rest waits in review with the reason', async () => {
    const { customer, invoices } = await customerWith(40);
    const payment = paymentFor(customer.id, invoices);
    let changed = { id: '', number: '' };
    // Between part 1 and part 2, staff record a check for one of the part-2 invoices.
    onTransaction(3, async () => {
      const pending = (await getPayment(payment.id))?.applying;
      const target = pending?.allocations[(pending?.next ?? 0) + 3];
      changed = { id: target?.invoiceId ?? '', number: target?.number ?? '' };
      const res = await api('POST', '/payments', {
        customerId: customer.id,
        method: 'check',
        reference: unique('check'),
        amount: 500,
        currency: 'EUR',
        receivedDate: '2026-12-10',
        allocations: [{ invoiceId: changed.id, amount: 500 }],
      });
      expect(res.status, res.text).toBe(201);
    });
    expect(await applyIncomingPayment(payment, undefined, new Date())).toBe('unapplied');
    restore?.();

    const stored = await getPayment(payment.id);
    expect(stored?.status).toBe('unapplied');
    expect(stored?.applying).toBeUndefined();
    expect(stored?.decision.reason).toContain(`invoice ${changed.number} changed while the payment was being applied in parts`);
    expect(stored?.allocations).toHaveLength(INVOICES_PER_COMMIT);
    const applied = sum(stored?.allocations.map((a) => a.amount) ?? []);
    expect(stored?.unapplied).toBe(payment.amount - applied);
    const paid = new Set(stored?.allocations.map((a) => a.invoiceId));
    for (const inv of invoices) expect((await invoiceState(inv.id)).status).toBe(paid.has(inv.id) ? 'paid' : inv.id === changed.id ? 'partially_paid' : 'open');
    const totals = await ledgerAgrees(customer.id, invoices.map((i) => i.id));
    expect(totals.get('unapplied/EUR')).toBe(payment.amount - applied);
    // It is in the review queue.
    const review = await api('GET', `/payments/${payment.id}`);
    expect(review.body.status).toBe('unapplied');
    const events = await committed(customer.id, payment.id);
    expect(events('payment.applied').map((d) => d.part)).toEqual([{ index: 1, of: 3 }]);
    expect(events('payment.needs_review')).toEqual([expect.objectContaining({ cause: 'application_stopped', unapplied: payment.amount - applied })]);
  }, 60_000);

  it('a full refund of a payment for 40 invoices settles in steps: every invoice reopened, the ledger balanced', async () => {
    const { customer, invoices } = await customerWith(40);
    const payment = paymentFor(customer.id, invoices);
    expect(await applyIncomingPayment(payment, undefined, new Date())).toBe('applied');
    await recordFacts(payment.id, { refundedTotal: payment.amount, disputes: {} });
    await settlePayment(payment.id, new Date());
    const refunded = await getPayment(payment.id);
    expect(refunded?.refundedTotal).toBe(payment.amount);
    expect(sum(refunded?.allocations.map((a) => a.amount) ?? [])).toBe(0);
    for (const inv of invoices) expect(await invoiceState(inv.id)).toMatchObject({ status: 'open', balanceDue: inv.balanceDue });
    const totals = await ledgerAgrees(customer.id, invoices.map((i) => i.id));
    expect(totals.get('receivable/EUR')).toBe(payment.amount);
    // Settled: another call changes nothing.
    await settlePayment(payment.id, new Date());
    expect((await getPayment(payment.id))?.revision).toBe(refunded?.revision);
    // Events: the refund in 3 steps (the last complete), adding up to the whole; every invoice reopened once.
    const events = await committed(customer.id, payment.id);
    expect(events('payment.refunded').map((d) => d.complete).sort()).toEqual([false, false, true]);
    expect(sum(events('payment.refunded').map((d) => d.amount as number))).toBe(payment.amount);
    expect(events('invoice.reopened').map((d) => d.invoiceId).sort()).toEqual(invoices.map((i) => i.id).sort());
  }, 60_000);
});
