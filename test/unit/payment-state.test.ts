import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveAmount, mergeFacts, noFacts, rebalance, reverseAllocation, type PaymentFacts } from '../../shared/domain/payment-state.ts';
import { errorForLog, redact } from '../../shared/logger.ts';

describe('payment facts', () => {
  it('merge is commutative and idempotent, refunds only grow, a closed dispute outranks an open one', () => {
    const facts = fc.record({
      refundedTotal: fc.integer({ min: 0, max: 10_000 }),
      disputes: fc.dictionary(fc.constantFrom('dp_1', 'dp_2'), fc.record({ amount: fc.integer({ min: 0, max: 10_000 }), status: fc.constantFrom('open' as const, 'won' as const, 'lost' as const) })),
      reversals: fc.dictionary(fc.constantFrom('l1', 'l2'), fc.integer({ min: 0, max: 10_000 })),
    });
    fc.assert(
      fc.property(facts, facts, (a: PaymentFacts, b: PaymentFacts) => {
        expect(mergeFacts(a, b)).toEqual(mergeFacts(b, a));
        expect(mergeFacts(mergeFacts(a, b), b)).toEqual(mergeFacts(a, b));
        expect(mergeFacts(a, b).refundedTotal).toBe(Math.max(a.refundedTotal, b.refundedTotal));
      }),
    );
    expect(mergeFacts({ ...noFacts, disputes: { d: { amount: 5, status: 'won' } } }, { ...noFacts, disputes: { d: { amount: 5, status: 'open' } } }).disputes.d?.status).toBe('won');
  });

  it('two partial bank reversals of one credit add up', () => {
    const both = mergeFacts(mergeFacts(noFacts, { ...noFacts, reversals: { 'acct:1:reversal': 300 } }), { ...noFacts, reversals: { 'acct:2:reversal': 300 } });
    expect(effectiveAmount(1000, both)).toBe(400);
    expect(effectiveAmount(1000, mergeFacts(both, both))).toBe(400); // a repeat of the same line counts once
  });
});

describe('logs carry no personal data', () => {
  it('redacts email addresses and account numbers from error messages and stacks', () => {
    const error = new Error('MessageRejected: Email address is not verified: jane.doe@customer.com (IBAN DE89 3704 0044 0532 0130 00)');
    const logged = JSON.stringify(errorForLog(error));
    expect(logged).not.toContain('jane.doe@customer.com');
    expect(logged).not.toContain('0532 0130');
    expect(redact('pay DE89370400440532013000 now')).toBe('pay <account> now');
  });
});

describe('refunds take back the discount or write-off the payment earned', () => {
  const invoice = {
    id: 'inv_1', customerId: 'cus_1', number: 'N1', currency: 'EUR', total: 100000, balanceDue: 0, status: 'paid' as const,
    issueDate: '2026-01-01', dueDate: '2026-01-31', paymentReference: 'RF18539007547034', lines: [], createdAt: '', version: 2,
  };
  const payment = { id: 'pay_1', currency: 'EUR', customerId: 'cus_1', revision: 0 };
  const state = {
    allocations: [{ invoiceId: 'inv_1', amount: 99000 }],
    originalAllocations: [{ invoiceId: 'inv_1', amount: 99000 }],
    credit: 0,
    unapplied: 0,
    adjustments: [{ invoiceId: 'inv_1', kind: 'shortfall_write_off' as const, amount: 1000, active: true }],
  };

  it('a full chargeback reopens the whole invoice; winning it closes it again with the write-off', () => {
    const lost = rebalance(payment, state, 0, new Map([['inv_1', invoice]]), '2026-02-01T00:00:00Z', 'chargeback');
    expect(lost.changes).toEqual([expect.objectContaining({ invoiceId: 'inv_1', newBalance: 100000, newStatus: 'open' })]);
    expect(lost.ledger.map((e) => [e.type, e.amount])).toEqual([['chargeback_reversal', 99000], ['adjustment_reversed', 1000]]);
    const reopened = { ...invoice, balanceDue: 100000, status: 'open' as const, version: 3 };
    const won = rebalance({ ...payment, revision: 1 }, lost.state, 99000, new Map([['inv_1', reopened]]), '2026-03-01T00:00:00Z', 'chargeback_won');
    expect(won.changes).toEqual([expect.objectContaining({ invoiceId: 'inv_1', newBalance: 0, newStatus: 'paid' })]);
    expect(won.ledger.map((e) => [e.type, e.amount])).toEqual([['payment_reapplied', -99000], ['shortfall_write_off', -1000]]);
  });

  it('a staff reversal of the allocation takes the write-off back too', () => {
    const r = reverseAllocation(payment, state, invoice, '2026-02-01T00:00:00Z');
    expect(r.changes[0]).toMatchObject({ newBalance: 100000, delta: -100000 });
    expect(r.ledger.reduce((s, e) => s + (e.account === 'receivable' ? e.amount : 0), 0)).toBe(100000);
  });
});
