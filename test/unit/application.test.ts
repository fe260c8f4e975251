import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideByInvoiceHint, planApplication, type IncomingPayment } from '../../shared/domain/application.ts';
import type { Invoice } from '../../shared/domain/invoice.ts';
import { balances } from '../../shared/domain/ledger.ts';
import { matchPayment } from '../../shared/domain/matching.ts';
import { createRfReference } from '../../shared/domain/rf-reference.ts';

function invoice(id: string, total: number, balanceDue = total, currency = 'EUR'): Invoice {
  return {
    id,
    customerId: 'cus_1',
    number: `N-${id}`,
    currency,
    total,
    balanceDue,
    status: balanceDue === 0 ? 'paid' : balanceDue < total ? 'partially_paid' : 'open',
    issueDate: '2026-01-01',
    dueDate: '2026-01-31',
    paymentReference: 'RF18539007547034',
    lines: [],
    createdAt: '2026-01-01T00:00:00Z',
    version: 3,
  };
}

function payment(amount: number, invoiceHint?: string, currency = 'EUR'): IncomingPayment {
  return { id: 'pay_1', source: 'stripe', externalId: 'pi_1', method: 'card', amount, currency, receivedAt: '2026-01-10T10:00:00.000Z', invoiceHint };
}

describe('cash application: invoice named in metadata', () => {
  it('applies when the named invoice exists in the same currency', () => {
    const inv = invoice('inv_1', 10000);
    const { decision, targets } = decideByInvoiceHint(payment(10000, 'inv_1'), inv);
    expect(decision).toMatchObject({ outcome: 'applied', rule: 'metadata.invoice_id' });
    const plan = planApplication(payment(10000, 'inv_1'), decision, targets);
    expect(plan.allocations).toEqual([
      { invoiceId: 'inv_1', customerId: 'cus_1', dueDate: '2026-01-31', amount: 10000, expectedVersion: 3, newBalance: 0, newStatus: 'paid' },
    ]);
    expect(plan.ledger.map((e) => [e.account, e.type, e.amount])).toEqual([['receivable', 'payment_applied', -10000]]);
  });

  it('leaves the payment unapplied when the invoice is unknown or in another currency', () => {
    expect(decideByInvoiceHint(payment(100, 'inv_x'), undefined).decision.outcome).toBe('unapplied');
    expect(decideByInvoiceHint(payment(100), undefined).decision.outcome).toBe('unapplied');
    const other = decideByInvoiceHint(payment(100, 'inv_1', 'USD'), invoice('inv_1', 100));
    expect(other.decision).toMatchObject({ outcome: 'unapplied', reason: expect.stringMatching(/currency/) });
    const plan = planApplication(payment(100, 'inv_1', 'USD'), other.decision, other.targets);
    expect(plan.unapplied).toBe(100);
    expect(plan.ledger.map((e) => [e.customerId, e.account, e.amount])).toEqual([['suspense', 'unapplied', 100]]);
  });

  it('partial payment → partially_paid; overpayment → paid plus customer credit', () => {
    const partial = planApplication(payment(4000, 'inv_1'), decideByInvoiceHint(payment(4000, 'inv_1'), invoice('inv_1', 10000)).decision, [invoice('inv_1', 10000)]);
    expect(partial.allocations[0]).toMatchObject({ amount: 4000, newBalance: 6000, newStatus: 'partially_paid' });
    const over = planApplication(payment(15000, 'inv_1'), { outcome: 'applied', rule: 't', evidence: {} }, [invoice('inv_1', 10000)]);
    expect(over.allocations[0]).toMatchObject({ amount: 10000, newStatus: 'paid' });
    expect(over.credit).toBe(5000);
  });

  it('property: allocations + credit + unapplied = payment; no balance below zero; ledger matches balances', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e10 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 5 }),
        (amount, specs) => {
          const targets = specs.map(([total, paidPct], i) => invoice(`inv_${i}`, total, total - Math.floor((total * paidPct) / 100)));
          const plan = planApplication(payment(amount), { outcome: 'applied', rule: 'test', evidence: {} }, targets);
          const allocated = plan.allocations.reduce((a, x) => a + x.amount, 0);
          expect(allocated + plan.credit + plan.unapplied).toBe(amount);
          for (const a of plan.allocations) {
            const before = targets.find((t) => t.id === a.invoiceId) as Invoice;
            expect(a.newBalance).toBeGreaterThanOrEqual(0);
            expect(a.newBalance).toBe(before.balanceDue - a.amount);
          }
          const byInvoice = balances(plan.ledger, true);
          for (const a of plan.allocations) expect(byInvoice.get(`receivable/EUR/${a.invoiceId}`)).toBe(-a.amount);
          expect(balances(plan.ledger).get('customer_credit/EUR') ?? 0).toBe(plan.credit);
        },
      ),
    );
  });

  it('refuses a non-positive or fractional amount', () => {
    expect(() => planApplication(payment(0), { outcome: 'applied', rule: 't', evidence: {} }, [invoice('i', 1)])).toThrow();
    expect(() => planApplication(payment(1.5), { outcome: 'applied', rule: 't', evidence: {} }, [invoice('i', 1)])).toThrow();
  });
});

describe('cash application: what the matcher decides becomes one exact plan', () => {
  const withRef = (id: string, total: number, balanceDue = total) => ({ ...invoice(id, total, balanceDue), paymentReference: createRfReference(`APP${id.toUpperCase()}`) });
  const bank = (amount: number, p: Partial<IncomingPayment> = {}): IncomingPayment => ({
    id: 'pay_b',
    source: 'bank',
    externalId: 'line_b',
    method: 'bank_transfer',
    amount,
    currency: 'EUR',
    receivedAt: '2026-01-10T10:00:00.000Z',
    ...p,
  });
  const policy = { shortfallTolerance: { EUR: 500 }, earlyPaymentDiscount: () => undefined };

  it('property: several RF references whose balances sum exactly close every invoice, no credit, one ledger line each', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1e8 }), { minLength: 2, maxLength: 8 }), fc.boolean(), (balances, inText) => {
        const targets = balances.map((b, i) => withRef(`m${i}`, b + 7, b));
        const amount = balances.reduce((s, b) => s + b, 0);
        const refs = targets.map((t) => t.paymentReference);
        const payment = bank(amount, inText ? { remittanceText: `Invoices ${refs.join(' ')}` } : { references: refs });
        const match = matchPayment(payment, { hinted: [], referenced: targets, payerOpenInvoices: [], sameAmountInvoices: [] }, policy);
        expect(match.decision.outcome, match.decision.reason).toBe('applied');
        const plan = planApplication(payment, match.decision, match.targets, match.adjustments);
        expect(plan.allocations).toHaveLength(targets.length);
        expect(plan.allocations.every((a) => a.newBalance === 0 && a.newStatus === 'paid')).toBe(true);
        expect(plan.credit).toBe(0);
        expect(plan.unapplied).toBe(0);
        expect(plan.ledger.filter((e) => e.type === 'payment_applied')).toHaveLength(targets.length);
        // One minor unit off: nothing moves, the money waits in suspense.
        const off = bank(amount - 1, { references: refs });
        const waits = matchPayment(off, { hinted: [], referenced: targets, payerOpenInvoices: [], sameAmountInvoices: [] }, policy);
        const held = planApplication(off, waits.decision, waits.targets, waits.adjustments);
        expect(held.allocations).toEqual([]);
        expect(held.unapplied).toBe(amount - 1);
      }),
      { numRuns: 200 },
    );
  });

  it('exact beats tolerant: the exact invoice is paid in full, no write-off is booked, the rival is untouched', () => {
    const exact = withRef('x1', 9700);
    const rival = withRef('x2', 10000);
    const payment = bank(9700);
    const match = matchPayment(payment, { hinted: [], referenced: [], payerCustomerId: 'cus_1', payerOpenInvoices: [rival, exact], sameAmountInvoices: [] }, policy);
    const plan = planApplication(payment, match.decision, match.targets, match.adjustments);
    expect(plan.allocations).toEqual([expect.objectContaining({ invoiceId: 'x1', amount: 9700, newBalance: 0, newStatus: 'paid' })]);
    expect(plan.ledger.map((e) => e.type)).toEqual(['payment_applied']);
    expect(plan.decision.evidence).toMatchObject({ alternativeIds: 'x2' });
  });
});
