import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveAmount, mergeFacts, noFacts, type PaymentFacts } from '../../shared/domain/payment-state.ts';
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
