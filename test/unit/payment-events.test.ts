import { describe, expect, it } from 'vitest';
import { eventCatalog } from '../../shared/domain/events/catalog.ts';
import type { EventEnvelope } from '../../shared/domain/events/envelope.ts';
import { paymentChangeEvents, type PaymentChangeReport, type ReportedPayment } from '../../shared/domain/events/payment-changes.ts';
import { SUSPENSE } from '../../shared/domain/ledger.ts';
import { rebalance, reverseAllocation, type AppliedState, type InvoiceChange } from '../../shared/domain/payment-state.ts';

const payment: ReportedPayment = {
  id: 'pay_1',
  source: 'stripe',
  externalId: 'pi_1',
  method: 'card',
  amount: 30_000,
  currency: 'EUR',
  receivedAt: '2027-03-10T09:30:00.000Z',
};
const at = payment.receivedAt;

function change(invoiceId: string, fields: Partial<InvoiceChange>): InvoiceChange {
  return { invoiceId, customerId: 'cus_1', dueDate: '2027-03-31', delta: 0, expectedVersion: 1, newBalance: 0, newStatus: 'paid', ...fields };
}

const promise = { id: 'prm_1', date: '2027-03-12', status: 'open' as const, madeAt: '2027-03-01T10:00:00.000Z', source: 'portal' as const, keptAtBalance: 0, until: '2027-03-16T00:00:00.000Z' };

/** Two invoices paid in full (one with an early-payment discount and an open promise), 500.00 left as credit. */
const received: PaymentChangeReport = {
  payment,
  customerId: 'cus_1',
  revision: 0,
  after: {
    allocations: [
      { invoiceId: 'inv_a', amount: 10_000 },
      { invoiceId: 'inv_b', amount: 15_000 },
    ],
    originalAllocations: [],
    credit: 5_000,
    unapplied: 0,
    adjustments: [{ invoiceId: 'inv_b', kind: 'early_payment_discount', amount: 300, active: true }],
  },
  changes: [change('inv_a', { delta: 10_000 }), change('inv_b', { delta: 15_300, promise })],
  at,
  report: { kind: 'received', rule: 'metadata.invoice_id' },
};

/** Every envelope's data matches its catalog schema exactly (parse returns it unchanged). */
function valid(events: readonly EventEnvelope[]): readonly EventEnvelope[] {
  for (const e of events) expect(eventCatalog[e.type]?.data.parse(e.data)).toEqual(e.data);
  return events;
}

describe('the events of a payment change', () => {
  it('a payment placed on two invoices: received, applied, paid ×2 and the kept promise, payment-level first', () => {
    const events = valid(paymentChangeEvents(received));
    expect(events.map((e) => e.type)).toEqual(['payment.received', 'payment.applied', 'invoice.paid', 'invoice.paid', 'promise.kept']);
    expect(new Set(events.map((e) => e.id)).size).toBe(5);
    expect(events.every((e) => e.occurredAt === at && e.customerId === 'cus_1')).toBe(true);
    expect(events[0]?.data).toEqual({
      paymentId: 'pay_1', amount: 30_000, currency: 'EUR', channel: 'stripe', method: 'card', receivedAt: at, valueDate: '2027-03-10', providerPaymentId: 'pi_1',
    });
    expect(events[1]?.data).toEqual({
      paymentId: 'pay_1',
      currency: 'EUR',
      rule: 'metadata.invoice_id',
      by: 'rules',
      allocations: [
        { invoiceId: 'inv_a', amount: 10_000 },
        { invoiceId: 'inv_b', amount: 15_000 },
      ],
      adjustments: [{ invoiceId: 'inv_b', kind: 'early_payment_discount', amount: 300 }],
      credit: 5_000,
      unapplied: 0,
      netAmount: 30_000,
    });
    expect(events[3]?.data).toEqual({ invoiceId: 'inv_b', paymentId: 'pay_1', amount: 15_000, currency: 'EUR', settledAt: '2027-03-10' });
    expect(events[4]?.data).toEqual({
      promiseId: 'prm_1', invoiceId: 'inv_b', date: '2027-03-12', currency: 'EUR', madeBy: 'customer', madeAt: '2027-03-01T10:00:00.000Z', until: '2027-03-16T00:00:00.000Z', paymentId: 'pay_1', keptAt: at,
    });
  });

  it('the same change gives the same ids; the next revision gives new ones (a promise is kept once: its id is the promise\'s)', () => {
    const again = paymentChangeEvents(received);
    expect(again.map((e) => e.id)).toEqual(paymentChangeEvents(received).map((e) => e.id));
    const later = paymentChangeEvents({ ...received, revision: 1, before: received.after, report: { kind: 'applied', rule: 'credit_applied', by: 'rules' } });
    const ids = new Set(again.map((e) => e.id));
    expect(later.filter((e) => e.type !== 'promise.kept').some((e) => ids.has(e.id))).toBe(false);
  });

  it('a payment no rule can place: received and needs_review (not for money only waiting for staff), no customer', () => {
    const waiting: PaymentChangeReport = {
      payment: { ...payment, source: 'bank', externalId: 'line_1', method: 'bank_camt054' },
      customerId: SUSPENSE,
      revision: 0,
      after: { allocations: [], originalAllocations: [], credit: 0, unapplied: 30_000 },
      changes: [],
      at,
      report: { kind: 'received', rule: 'none' },
    };
    expect(paymentChangeEvents(waiting).map((e) => e.type)).toEqual(['payment.received']);
    const events = valid(paymentChangeEvents({ ...waiting, review: { rule: 'none', cause: 'not_matched', suggestionCount: 3 } }));
    expect(events.map((e) => [e.type, e.customerId])).toEqual([['payment.received', null], ['payment.needs_review', null]]);
    expect(events[0]?.data).not.toHaveProperty('providerPaymentId');
    expect(events[1]?.data).toEqual({ paymentId: 'pay_1', amount: 30_000, currency: 'EUR', unapplied: 30_000, rule: 'none', cause: 'not_matched', suggestionCount: 3 });
  });

  const invoice = (id: string, balanceDue: number, version = 2) => ({
    id, customerId: 'cus_1', number: id, currency: 'EUR', total: 20_000, balanceDue, status: balanceDue === 0 ? ('paid' as const) : ('partially_paid' as const),
    issueDate: '2027-03-01', dueDate: '2027-03-31', paymentReference: 'RF18539007547034', lines: [], createdAt: '', version,
  });
  const applied: AppliedState = {
    allocations: [
      { invoiceId: 'inv_a', amount: 20_000 },
      { invoiceId: 'inv_b', amount: 10_000 },
    ],
    originalAllocations: [
      { invoiceId: 'inv_a', amount: 20_000 },
      { invoiceId: 'inv_b', amount: 10_000 },
    ],
    credit: 0,
    unapplied: 0,
  };

  it('a refund taken from the last invoice: payment.refunded with the reversal, invoice.reopened for the one that was paid', () => {
    const invoices = new Map([['inv_a', invoice('inv_a', 0)], ['inv_b', invoice('inv_b', 0)]]);
    const moved = rebalance({ id: 'pay_1', currency: 'EUR', customerId: 'cus_1', revision: 0 }, applied, 25_000, invoices, '2027-03-20T12:00:00.000Z', 'refund');
    const events = valid(
      paymentChangeEvents({
        payment, customerId: 'cus_1', revision: 1, before: applied, after: moved.state, changes: moved.changes, at: '2027-03-20T12:00:00.000Z',
        report: { kind: 'refunded', reason: 'refund', refundedTotal: 5_000, complete: true },
      }),
    );
    expect(events.map((e) => e.type)).toEqual(['payment.refunded', 'invoice.reopened']);
    expect(events[0]?.data).toMatchObject({ reason: 'refund', amount: 5_000, refundedTotal: 5_000, allocations: [{ invoiceId: 'inv_b', amount: -5_000 }], netAmount: 25_000, complete: true });
    expect(events[1]?.data).toEqual({ invoiceId: 'inv_b', paymentId: 'pay_1', amount: 5_000, balanceDue: 5_000, currency: 'EUR', reason: 'refund', reopenedOn: '2027-03-20' });
  });

  it('an allocation reversed by staff: a negative allocation, the invoice reopened, the money waiting in review', () => {
    const moved = reverseAllocation({ id: 'pay_1', currency: 'EUR', customerId: 'cus_1', revision: 3 }, applied, invoice('inv_a', 0), at);
    const events = valid(
      paymentChangeEvents({
        payment, customerId: 'cus_1', revision: 4, before: applied, after: moved.state, changes: moved.changes, at,
        report: { kind: 'applied', rule: 'staff_reversal', by: 'staff' },
        review: { rule: 'staff_reversal', cause: 'reversed_by_staff', suggestionCount: 0 },
      }),
    );
    expect(events.map((e) => e.type)).toEqual(['payment.applied', 'payment.needs_review', 'invoice.reopened']);
    expect(events[0]?.data).toMatchObject({ rule: 'staff_reversal', by: 'staff', allocations: [{ invoiceId: 'inv_a', amount: -20_000 }], unapplied: 20_000, netAmount: 30_000 });
    expect(events[2]?.data).toMatchObject({ reason: 'reversed_by_staff', amount: 20_000, balanceDue: 20_000 });
  });

  it('a change that moves no money and reports nothing (a lost dispute whose money was already taken) has no events', () => {
    expect(paymentChangeEvents({ payment, customerId: 'cus_1', revision: 2, before: applied, after: applied, changes: [], at, report: { kind: 'none' } })).toEqual([]);
  });

  it('a schema refuses personal data and floats: data with an extra field or a fractional amount is a bug', () => {
    const spec = eventCatalog['payment.received'];
    const data = paymentChangeEvents(received)[0]?.data as Record<string, unknown>;
    expect(() => spec?.data.parse({ ...data, payerName: 'Ada Lovelace' })).toThrow();
    expect(() => spec?.data.parse({ ...data, amount: 100.5 })).toThrow();
  });
});
