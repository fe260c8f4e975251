/**
 * The casework area's events, built from the change they report (shared/domain/events/casework-events.ts): the data
 * each carries (ids and minor units only: no name, address, reason or explanation in words), ids stable for the same
 * change and distinct for different ones, and every envelope valid against its catalog schema.
 */
import { describe, expect, it } from 'vitest';
import { eventCatalog } from '../../shared/domain/events/catalog.ts';
import {
  disputeOpenedEvent,
  disputeResolvedEvent,
  invoiceIssuedEvent,
  planCompletedEvent,
  planCreatedEvent,
  planDefaultedEvent,
  promiseMadeEvent,
} from '../../shared/domain/events/casework-events.ts';
import type { EventEnvelope } from '../../shared/domain/events/envelope.ts';
import type { Invoice } from '../../shared/domain/invoice.ts';
import type { InvoiceDispute, InvoicePromise } from '../../shared/domain/invoice-collections.ts';
import type { PaymentPlan } from '../../shared/domain/plans.ts';
import { collectionsInvoice } from '../support/domain-fixtures.ts';

const invoice: Invoice = {
  ...collectionsInvoice(),
  status: 'open',
  lines: [{ description: 'Consulting for Ada Lovelace', quantity: 1, unitAmount: 100_000, amount: 100_000 }],
  createdAt: '2027-03-01T09:00:00.000Z',
};

const dispute: InvoiceDispute = {
  id: 'dsp_1',
  status: 'open',
  source: 'customer',
  reason: 'Ada says the hours are wrong',
  reasonCode: 'wrong_amount',
  amount: 20_000,
  openedAt: '2027-04-02T10:00:00.000Z',
};

const plan: PaymentPlan = {
  id: 'plan_1',
  customerId: 'cus_1',
  currency: 'EUR',
  invoiceIds: ['inv_1', 'inv_2'],
  paymentReference: 'RF712348231',
  total: 150_000,
  frequency: 'monthly',
  instalments: [
    { seq: 0, dueDate: '2027-04-05', amount: 30_000 },
    { seq: 1, dueDate: '2027-05-01', amount: 60_000 },
    { seq: 2, dueDate: '2027-06-01', amount: 60_000 },
  ],
  graceDays: 3,
  status: 'active',
  approval: { by: 'policy', reasons: [], at: '2027-04-05T08:00:00.000Z' },
  requestedBy: 'customer',
  createdAt: '2027-04-05T08:00:00.000Z',
  activatedAt: '2027-04-05T08:00:00.000Z',
  reminded: [],
  version: 1,
};

function expectValid(event: EventEnvelope): void {
  const spec = eventCatalog[event.type];
  expect(spec?.version).toBe(event.version);
  // Exactly the documented fields: parsing keeps everything (nothing undeclared was stripped).
  expect(spec?.data.parse(event.data)).toEqual(event.data);
  expect(event.id).toMatch(/^evt_[\w-]{22}$/);
  expect(JSON.stringify(event)).not.toMatch(/Ada|hours are wrong|Consulting/);
}

describe('casework events', () => {
  it('invoice.issued: the invoice in figures, keyed on the invoice (the same invoice, the same id)', () => {
    const event = invoiceIssuedEvent({ ...invoice, earlyPaymentDiscount: { amount: 2_000, until: '2027-03-11', basisPoints: 200 } });
    expectValid(event);
    expect(event).toMatchObject({ type: 'invoice.issued', customerId: 'cus_1', occurredAt: '2027-03-01T09:00:00.000Z' });
    expect(event.data).toEqual({
      invoiceId: 'inv_1',
      number: 'INV-1',
      currency: 'EUR',
      amount: 100_000,
      balanceDue: 100_000,
      issueDate: '2027-03-01',
      dueDate: '2027-03-31',
      paymentReference: 'RF18539007547034',
      earlyPaymentDiscount: { amount: 2_000, until: '2027-03-11' },
    });
    expect(invoiceIssuedEvent(invoice).id).toBe(event.id);
    expect(invoiceIssuedEvent({ ...invoice, id: 'inv_2' }).id).not.toBe(event.id);
  });

  it('dispute.opened / resolved: reason as a code, amounts in minor units, who opened it; a later dispute is another id', () => {
    const opened = disputeOpenedEvent(dispute, invoice, 'customer');
    expectValid(opened);
    expect(opened.data).toEqual({
      disputeId: 'dsp_1',
      invoiceId: 'inv_1',
      reasonCode: 'wrong_amount',
      openedBy: 'customer',
      currency: 'EUR',
      amount: 20_000,
      balanceDue: 100_000,
      openedAt: '2027-04-02T10:00:00.000Z',
    });
    const { amount: _a, reasonCode: _r, ...plain } = dispute;
    const whole = disputeOpenedEvent({ ...plain, id: 'dsp_2' }, invoice, 'staff');
    expect(whole.data).toMatchObject({ balanceDue: 100_000, reasonCode: 'other', openedBy: 'staff' });
    expect(whole.data).not.toHaveProperty('amount');
    expect(whole.id).not.toBe(opened.id);

    const resolved = disputeResolvedEvent(
      { ...dispute, resolution: { outcome: 'upheld', amount: 20_000, resolvedAt: '2027-04-09T12:00:00.000Z' } },
      { ...invoice, balanceDue: 80_000, status: 'open' },
    );
    expectValid(resolved);
    expect(resolved).toMatchObject({ occurredAt: '2027-04-09T12:00:00.000Z', customerId: 'cus_1' });
    expect(resolved.data).toMatchObject({ outcome: 'upheld', creditAmount: 20_000, balanceDue: 80_000, invoiceStatus: 'open', source: 'customer' });
    expect(resolved.id).not.toBe(opened.id); // the type is part of the id
    const rejected = disputeResolvedEvent({ ...dispute, resolution: { outcome: 'rejected', resolvedAt: '2027-04-09T12:00:00.000Z' } }, { ...invoice, status: 'open' });
    expect(rejected.data).toMatchObject({ outcome: 'rejected', creditAmount: 0, balanceDue: 100_000 });
  });

  it('promise.made: the promised amount (none: the whole balance, as promise.kept and promise.broken say it) and who made it', () => {
    const promise: InvoicePromise = { id: 'prm_1', date: '2027-04-20', status: 'open', madeAt: '2027-04-10T08:00:00.000Z', source: 'portal', keptAtBalance: 0, until: '2027-04-23T22:00:00.000Z' };
    const whole = promiseMadeEvent({ ...promise, invoiceId: 'inv_1', customerId: 'cus_1', currency: 'EUR', balanceAtPromise: 100_000 });
    expectValid(whole);
    expect(whole.data).toEqual({
      promiseId: 'prm_1',
      invoiceId: 'inv_1',
      date: '2027-04-20',
      currency: 'EUR',
      balanceDue: 100_000,
      madeBy: 'customer',
      until: '2027-04-23T22:00:00.000Z',
      madeAt: '2027-04-10T08:00:00.000Z',
    });
    const part = promiseMadeEvent({ ...promise, id: 'prm_2', amount: 25_000, source: 'staff', invoiceId: 'inv_1', customerId: 'cus_1', currency: 'EUR', balanceAtPromise: 100_000 });
    expect(part.data).toMatchObject({ amount: 25_000, balanceDue: 100_000, madeBy: 'staff' });
  });

  it('plan.created / completed / defaulted: the schedule summed, the down payment apart, one id per plan and outcome', () => {
    const created = planCreatedEvent(plan, [
      { id: 'inv_1', balanceDue: 100_000 },
      { id: 'inv_2', balanceDue: 50_000 },
    ]);
    expectValid(created);
    expect(created.data).toMatchObject({
      amount: 150_000,
      instalmentCount: 3,
      downPayment: 30_000,
      firstDueDate: '2027-05-01',
      lastDueDate: '2027-06-01',
      requestedBy: 'customer',
      approvedBy: 'policy',
      activatedAt: '2027-04-05T08:00:00.000Z',
    });
    expect((created.data.instalments as { amount: number }[]).reduce((s, i) => s + i.amount, 0)).toBe(150_000);

    const completed = planCompletedEvent({ ...plan, status: 'completed', completedAt: '2027-06-01T09:00:00.000Z' });
    expectValid(completed);
    expect(completed.data).toEqual({ planId: 'plan_1', invoiceIds: ['inv_1', 'inv_2'], currency: 'EUR', amount: 150_000, instalmentCount: 3, completedAt: '2027-06-01T09:00:00.000Z' });

    const defaulted = planDefaultedEvent({ ...plan, status: 'defaulted', defaultedAt: '2027-05-05T08:00:00.000Z' }, plan.instalments[1]!, 120_000, ['inv_1']);
    expectValid(defaulted);
    expect(defaulted.data).toMatchObject({ paidAmount: 30_000, balanceDue: 120_000, returnedInvoiceIds: ['inv_1'], missedInstalment: { seq: 1, dueDate: '2027-05-01', amount: 60_000 } });
    expect(new Set([created.id, completed.id, defaulted.id, planCreatedEvent({ ...plan, id: 'plan_2' }, [{ id: 'inv_3', balanceDue: 150_000 }]).id]).size).toBe(4);
  });
});
