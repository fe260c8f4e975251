import { describe, expect, it } from 'vitest';
import {
  parseTypedAmount,
  paymentBody,
  paymentNotice,
  reviewQueueBody,
  typedFigure,
  type PaymentPageView,
  type ReviewQueueRow,
} from '../../shared/domain/console/payments.ts';

const ok = (amount: number) => ({ ok: true, amount });

describe('amounts a member types', () => {
  it('reads en-GB decimals into integer minor units by the ISO 4217 exponent', () => {
    expect(parseTypedAmount('1,234.50', 'EUR')).toEqual(ok(123_450));
    expect(parseTypedAmount('1234.5', 'EUR')).toEqual(ok(123_450));
    expect(parseTypedAmount(' 1234 ', 'EUR')).toEqual(ok(123_400));
    expect(parseTypedAmount('0.01', 'EUR')).toEqual(ok(1));
    expect(parseTypedAmount('12,345,678.99', 'USD')).toEqual(ok(1_234_567_899));
    expect(parseTypedAmount('1,500', 'JPY')).toEqual(ok(1_500));
    expect(parseTypedAmount('1.234', 'BHD')).toEqual(ok(1_234));
    expect(parseTypedAmount('1,234', 'BHD')).toEqual(ok(1_234_000));
    expect(parseTypedAmount('0.0001', 'CLF')).toEqual(ok(1));
    // ISO says HUF has 2 decimals (Intl's CLDR says 0): the table decides.
    expect(parseTypedAmount('10.50', 'HUF')).toEqual(ok(1_050));
  });

  it('refuses more decimals than the currency has, naming why', () => {
    expect(parseTypedAmount('12.345', 'EUR')).toEqual({ ok: false, detail: 'too many decimals: EUR has 2' });
    expect(parseTypedAmount('100.5', 'JPY')).toEqual({ ok: false, detail: 'too many decimals: JPY has no decimals' });
    expect(parseTypedAmount('1.2345', 'BHD')).toMatchObject({ ok: false, detail: 'too many decimals: BHD has 3' });
  });

  it('never guesses: decimal commas, misplaced grouping, signs, letters, blanks and zero are refused', () => {
    for (const text of ['12,50', '1,23', '1,2345.00', '-5', '+5', '1e3', 'EUR 5', '€5', '5 00', '.5', '5.', '', '1,,234', '0x10']) {
      expect(parseTypedAmount(text, 'EUR'), text).toMatchObject({ ok: false });
    }
    expect(parseTypedAmount('0.00', 'EUR')).toMatchObject({ ok: false, detail: expect.stringMatching(/more than zero/) });
    expect(parseTypedAmount('9'.repeat(17), 'EUR')).toMatchObject({ ok: false });
  });

  it('typedFigure writes what the parser reads back', () => {
    for (const [amount, currency] of [[123_450, 'EUR'], [5, 'EUR'], [1_500, 'JPY'], [1, 'BHD'], [7, 'CLF']] as const) {
      expect(parseTypedAmount(typedFigure(amount, currency), currency)).toEqual(ok(amount));
    }
    expect(typedFigure(5, 'EUR')).toBe('0.05');
  });
});

const row = (over: Partial<ReviewQueueRow> = {}): ReviewQueueRow => ({
  id: 'pay_1',
  amount: 14_800,
  currency: 'EUR',
  receivedAt: '2026-12-01T00:00:00.000Z',
  source: 'bank',
  method: 'bank_transfer',
  unapplied: 14_800,
  payerName: 'Somebody',
  remittanceText: 'Invoices 1 and 2',
  reason: 'payer not identified',
  rule: 'no_match',
  suggestions: [{ invoiceIds: ['inv_a'], reason: 'same amount' }, { invoiceIds: ['inv_b', 'inv_c'], reason: 'sum of two' }],
  ...over,
});

describe('the review queue page', () => {
  it('lists each payment with its amount, date, payer text, reason, suggestions and a link', () => {
    const page = reviewQueueBody({ rows: [row()], waiting: 7, paged: false, nextHref: '/console/review?cursor=abc' }).toString();
    expect(page).toContain('7 payments wait');
    expect(page).toContain('€148.00');
    expect(page).toContain('2026-12-01');
    expect(page).toContain('“Invoices 1 and 2”');
    expect(page).toContain('payer not identified');
    expect(page).toContain('2 suggestions (3 invoices)');
    expect(page).toContain('href="/console/payments/pay_1"');
    expect(page).toContain('href="/console/review?cursor=abc">Next page');
    expect(page).not.toContain('First page');
    expect(page).toMatch(/<td data-label="Amount" class="num">/);
  });

  it("escapes the payer's words", () => {
    const page = reviewQueueBody({ rows: [row({ payerName: '<b>Evil</b>', remittanceText: '<script>alert(1)</script>', references: ['"x"'] })], waiting: 1, paged: false }).toString();
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<b>Evil');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;x&quot;');
  });

  it('shows what still waits of a partly applied payment; an empty later page says so', () => {
    expect(reviewQueueBody({ rows: [row({ unapplied: 4_800 })], waiting: 1, paged: false }).toString()).toContain('€48.00 waiting');
    const empty = reviewQueueBody({ rows: [], waiting: 0, paged: true }).toString();
    expect(empty).toContain('No more payments wait');
    expect(empty).toContain('First page');
  });
});

const view = (over: Partial<PaymentPageView> = {}, payment: Partial<PaymentPageView['payment']> = {}): PaymentPageView => ({
  payment: {
    id: 'pay_1',
    source: 'manual',
    method: 'check',
    externalId: 'chk-1',
    amount: 20_000,
    currency: 'EUR',
    receivedAt: '2026-12-01T00:00:00.000Z',
    status: 'unapplied',
    customerId: 'cus_1',
    unapplied: 15_000,
    credit: 0,
    refundedTotal: 0,
    allocations: [{ invoiceId: 'inv_1', amount: 5_000 }, { invoiceId: 'inv_0', amount: 0 }],
    remittanceText: 'cheque <42>',
    decisions: [
      { outcome: 'unapplied', rule: 'no_match', reason: 'no invoice has this amount', evidence: { amount: 20_000 }, at: '2026-12-01T10:00:00.000Z', by: 'rules' },
      { outcome: 'applied', rule: 'staff_allocation', evidence: { invoices: 'inv_1' }, at: '2026-12-02T09:30:00.000Z', by: 'staff', staffId: 'stf_ada' },
      { outcome: 'unapplied', rule: 'staff_reversal', evidence: {}, at: '2026-12-02T09:40:00.000Z', by: 'staff', staffId: 'stf_gone' },
      { outcome: 'applied', rule: 'staff_allocation', evidence: {}, at: '2026-12-02T09:50:00.000Z', by: 'staff' },
    ],
    revision: 4,
    ...payment,
  },
  invoiceNumbers: { inv_1: 'INV-0001' },
  customer: { id: 'cus_1', name: 'Ada & Co', email: 'ada@example.com' },
  suspense: false,
  invoices: [
    { id: 'inv_2', number: 'INV-0002', customerId: 'cus_1', currency: 'EUR', dueDate: '2026-12-10', balanceDue: 12_500, status: 'open' },
    { id: 'inv_3', number: 'INV-0003', customerId: 'cus_1', currency: 'EUR', dueDate: '2026-12-20', balanceDue: 2_500, status: 'partially_paid' },
  ],
  suggested: [],
  staffNames: { stf_ada: 'Ada Staff' },
  mayChange: true,
  csrf: 'tok"en',
  ...over,
});

describe('the payment page', () => {
  it('shows received, applied and unapplied, the details and the decision trail with who acted', () => {
    const page = paymentBody(view()).toString();
    expect(page).toMatch(/Received<\/span><span class="amount">€200\.00/);
    expect(page).toMatch(/Applied<\/span><span class="amount">€50\.00/);
    expect(page).toMatch(/Unapplied<\/span><span class="amount">€150\.00/);
    expect(page).toContain('cheque &lt;42&gt;');
    expect(page).toContain('Ada &amp; Co');
    expect(page).toContain('by the matching rules');
    expect(page).toContain('by Ada Staff');
    expect(page).toContain('by stf_gone');
    expect(page).toContain('by staff (admin API)');
    expect(page).toContain('2026-12-02 09:30 UTC');
    // Latest decision first.
    expect(page.indexOf('09:50 UTC')).toBeLessThan(page.indexOf('09:30 UTC'));
  });

  it('lists live allocations with a reverse form each (csrf and revision), none for a reversed one', () => {
    const page = paymentBody(view()).toString();
    expect(page).toContain('INV-0001');
    expect(page).toContain('action="/console/payments/pay_1/allocations/inv_1/reverse"');
    expect(page).not.toContain('/allocations/inv_0/reverse');
    expect(page).toContain('<input type="hidden" name="csrf" value="tok&quot;en">');
    expect(page).toContain('<input type="hidden" name="revision" value="4">');
  });

  it("has an allocation form: a labelled amount field per unpaid invoice of the customer, the invoice ids as rows", () => {
    const page = paymentBody(view()).toString();
    expect(page).toContain('action="/console/payments/pay_1/allocations"');
    expect(page).toContain('name="allocations.0.invoiceId" value="inv_2"');
    expect(page).toContain('name="allocations.1.invoiceId" value="inv_3"');
    expect(page).toContain('<label class="visually-hidden" for="amount-1">Amount to apply to INV-0003 (EUR)</label><input id="amount-1" name="allocations.1.amount"');
    expect(page).toContain('€150.00 of this payment waits');
    expect(page).not.toContain('Find the customer');
  });

  it('a viewer sees no form at all; an applied payment has no allocation form', () => {
    const viewer = paymentBody(view({ mayChange: false })).toString();
    expect(viewer).not.toContain('<form');
    expect(viewer).toContain('read only');
    const applied = paymentBody(view({}, { unapplied: 0, status: 'applied' })).toString();
    expect(applied).not.toContain('action="/console/payments/pay_1/allocations"');
    expect(applied).toContain('/allocations/inv_1/reverse');
  });

  it('money in suspense: the finder, the suggestions with their customer, several customers found to choose from', () => {
    const page = paymentBody(
      view(
        {
          suspense: true,
          invoices: [],
          find: 'twin@example.com',
          found: [
            { id: 'cus_a', name: 'Twin A', email: 'twin@example.com' },
            { id: 'cus_b', name: 'Twin B', email: 'twin@example.com' },
          ],
          suggested: [{ invoice: { id: 'inv_9', number: 'INV-0009', customerId: 'cus_9', currency: 'EUR', dueDate: '2026-12-01', balanceDue: 20_000, status: 'open' }, reason: 'same amount', score: 0.9 }],
        },
        { customerId: 'suspense' },
      ),
    ).toString();
    expect(page).toContain('Find the customer');
    expect(page).toContain('<input id="find" name="find" type="search" value="twin@example.com"');
    expect(page).toContain('href="/console/payments/pay_1?customer=cus_a"');
    expect(page).toContain('href="/console/payments/pay_1?customer=cus_9"');
    expect(page).toContain('INV-0009');
    const none = paymentBody(view({ suspense: true, invoices: [], find: 'nobody', found: [] }, { customerId: 'suspense' })).toString();
    expect(none).toContain('No customer found for “nobody”.');
  });

  it('notices come from a fixed map', () => {
    expect(paymentNotice('allocated')).toMatch(/applied/);
    expect(paymentNotice('reversed')).toMatch(/reversed/);
    expect(paymentNotice('<script>')).toBeUndefined();
    expect(paymentNotice('toString')).toBeUndefined();
    expect(paymentBody(view({ notice: 'The money was applied to the invoices.' })).toString()).toContain('<p class="notice" role="status">The money was applied');
  });
});
