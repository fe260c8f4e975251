import { describe, expect, it } from 'vitest';
import {
  customerNotice,
  customerPageBody,
  customerSearchBody,
  invoicePageBody,
  type CustomerPageView,
  type InvoicePageView,
  type SearchMatchView,
} from '../../shared/domain/console/customers.ts';
import type { Customer } from '../../shared/domain/customer.ts';
import type { Invoice } from '../../shared/domain/invoice.ts';
import type { InvoicePrediction } from '../../shared/domain/prediction/types.ts';

const NOW = new Date('2026-11-30T10:00:00Z');

const customer = (over: Partial<Customer> = {}): Customer => ({
  id: 'cus_1',
  name: 'Bauhaus <Werkstatt> & Söhne',
  email: 'ap@bauhaus.example',
  locale: 'de-DE',
  timeZone: 'Europe/Berlin',
  currency: 'EUR',
  bankAccounts: ['DE89370400440532013000'],
  createdAt: '2025-01-02T08:00:00.000Z',
  version: 7,
  ...over,
});

const prediction = (over: Partial<InvoicePrediction> = {}): InvoicePrediction => ({
  expectedPaymentDate: '2026-12-20',
  lateProbability: 0.62,
  riskBand: 'high',
  factors: ['Usually pays 24 days late', 'Large amount for this customer'],
  factorCodes: ['usual_delay', 'large_amount'],
  asOf: '2026-11-29',
  modelVersion: 'km-1',
  cdf: { days: [0], p: [0.1] },
  ...over,
});

const invoice = (over: Partial<Invoice> = {}): Invoice => ({
  id: 'inv_1',
  customerId: 'cus_1',
  number: 'INV-0001',
  currency: 'EUR',
  total: 123_456,
  balanceDue: 123_456,
  status: 'open',
  issueDate: '2026-10-01',
  dueDate: '2026-10-31',
  paymentReference: 'RF18539007547034',
  lines: [{ description: 'Consulting <October>', quantity: 2, unitAmount: 61_728, amount: 123_456 }],
  createdAt: '2026-10-01T09:00:00.000Z',
  version: 3,
  ...over,
});


const customerView = (over: Partial<CustomerPageView> = {}): CustomerPageView => ({
  customer: customer(),
  balances: { receivable: { EUR: 133_456, JPY: 5_000 }, customer_credit: { EUR: 1_000 }, unapplied: { EUR: 2_500 } },
  openInvoices: [invoice(), invoice({ id: 'inv_2', number: 'INV-0002', total: 10_000, balanceDue: 10_000, dueDate: '2026-12-15' }), invoice({ id: 'inv_3', number: 'Y-1', currency: 'JPY', total: 5_000, balanceDue: 5_000, dueDate: '2026-11-29' })],
  payments: [],
  invoiceNumbers: {},
  paymentCount: 0,
  plans: [],
  recent: { mails: [], decisions: [] },
  staffNames: { stf_ann: 'Ann Collector' },
  today: '2026-11-30',
  now: NOW,
  csrf: 'tok"en',
  canChange: true,
  ...over,
});

const invoiceView = (over: Partial<InvoicePageView> = {}): InvoicePageView => ({
  invoice: invoice(),
  customer: { id: 'cus_1', name: 'Bauhaus <Werkstatt> & Söhne' },
  payments: [],
  reminders: [],
  charges: [],
  disputes: [],
  decisions: [],
  staffNames: { stf_ann: 'Ann Collector' },
  today: '2026-11-30',
  csrf: 'tok"en',
  canChange: true,
  ...over,
});

/** The text of the first table cell with this data-label (tags stripped). */
const cell = (s: string, label: string, nth = 0) => {
  const cells = [...s.matchAll(/<td data-label="([^"]+)"[^>]*>(.*?)<\/td>/gs)].filter((m) => m[1] === label);
  return cells[nth]?.[2]?.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
};

/** Markup rules every console page keeps: no inline styles (CSP), a label for every input, a data-label on every cell. */
function expectWellFormed(s: string) {
  expect(s).not.toMatch(/\sstyle=/);
  expect(s).not.toContain('<script');
  for (const m of s.matchAll(/<(?:input|textarea|select)\b[^>]*\bid="([^"]+)"/g)) expect(s, `label for ${m[1]}`).toContain(`<label for="${m[1]}"`);
  for (const m of s.matchAll(/<td\b[^>]*>/g)) expect(m[0]).toContain('data-label=');
  // Every POST form carries the session's CSRF token (escaped).
  const posts = [...s.matchAll(/<form method="post"[^>]*>(.*?)<\/form>/gs)];
  for (const f of posts) expect(f[1]).toContain('<input type="hidden" name="csrf" value="tok&quot;en">');
}

describe('notices', () => {
  it('shows only the fixed texts of known codes', () => {
    expect(customerNotice('hold_placed')).toMatch(/^Hold placed/);
    expect(customerNotice('extension_granted')).toMatch(/^Extension granted/);
    for (const code of [undefined, '', 'toString', '__proto__', '<b>hi</b>']) expect(customerNotice(code)).toBeUndefined();
  });
});

describe('finding a customer', () => {
  it('an empty query shows the form and the hint, no results', () => {
    const s = customerSearchBody({ q: '', matches: [], maxChars: 254 }).toString();
    expect(s).toContain('role="search"');
    expect(s).toContain('<label for="q">');
    expect(s).toContain('Exact keys only');
    expect(s).not.toContain('<table');
    expectWellFormed(s);
  });

  it('no match says so; the query stays in the field, escaped', () => {
    const s = customerSearchBody({ q: '"><b>x', matches: [], maxChars: 254 }).toString();
    expect(s).toContain('value="&quot;&gt;&lt;b&gt;x"');
    expect(s).toContain('No customer has that');
    expect(s).not.toContain('<b>x');
  });

  it('lists each match with its link, how it was found and the invoice named', () => {
    const matches: SearchMatchView[] = [
      { customer: { id: 'cus_1', name: 'A <B>', email: 'a@example.com', currency: 'EUR', timeZone: 'UTC', holds: 1, mailSuppressed: true }, by: 'invoice_number', invoice: { id: 'inv_9', number: 'INV-9' } },
      { customer: { id: 'cus/2', name: 'C', email: 'a@example.com', currency: 'EUR', timeZone: 'UTC', holds: 0 }, by: 'email' },
    ];
    const s = customerSearchBody({ q: 'INV-9', matches, maxChars: 254 }).toString();
    expect(s).toContain('<h2>2 customers</h2>');
    expect(s).toContain('href="/console/customers/cus_1">A &lt;B&gt;</a>');
    expect(s).toContain('href="/console/customers/cus%2F2"');
    expect(s).toContain('href="/console/invoices/inv_9">INV-9</a>');
    expect(cell(s, 'Found by')).toBe('Invoice number');
    expect(cell(s, 'State')).toBe('On hold Mail suppressed');
    expect(cell(s, 'State', 1)).toBe('—');
    expectWellFormed(s);
  });
});

describe('the customer page', () => {
  it('balances per currency with the ISO decimals, overdue by the customer’s calendar, credit and money in review', () => {
    const s = customerPageBody(customerView()).toString();
    expect(s).toContain('Owed (EUR)</span><span class="amount">€1,334.56</span>');
    // INV-0001 (due 2026-10-31) is overdue; INV-0002 (due 2026-12-15) is not.
    expect(s).toContain('<span class="badge badge-overdue">Overdue</span> €1,234.56');
    expect(s).toContain('Credit: €10.00');
    expect(s).toContain('In review (unapplied): €25.00');
    expect(s).toContain('Owed (JPY)</span><span class="amount">JP¥5,000</span>'); // no minor unit
    expectWellFormed(s);
  });

  it('open invoices: oldest due first, badges, days overdue, predicted risk and payment date', () => {
    const inv = invoice({
      prediction: prediction(),
      dispute: { id: 'dsp_1', status: 'open', source: 'customer', reason: 'wrong', openedAt: '2026-11-02T10:00:00Z' },
      promise: { id: 'prm_1', date: '2026-12-05', status: 'open', madeAt: '2026-11-20T10:00:00Z', source: 'portal', keptAtBalance: 0, until: '2026-12-09T23:00:00Z' },
      planId: 'pln_1',
      extension: { dueDate: '2026-11-10', reason: 'hardship', grantedAt: '2026-10-30T10:00:00Z' },
    });
    const s = customerPageBody(customerView({ openInvoices: [invoice({ id: 'inv_2', number: 'INV-0002', dueDate: '2026-12-15' }), inv] })).toString();
    expect(s.indexOf('INV-0001')).toBeLessThan(s.indexOf('INV-0002'));
    expect(cell(s, 'Due')).toBe('2026-11-10');
    expect(cell(s, 'Status')).toBe('Overdue Disputed Promised by 2026-12-05 In a plan Extended to 2026-11-10');
    expect(cell(s, 'Days overdue')).toBe('20');
    expect(s).toContain('<span class="badge badge-high">High risk</span>');
    expect(cell(s, 'Predicted risk')).toBe('High risk 62 % late');
    expect(cell(s, 'Expected payment')).toBe('2026-12-20');
    expect(cell(s, 'Days overdue', 1)).toBe('—');
    expect(cell(s, 'Predicted risk', 1)).toBe('not predicted yet');
    expect(s).toContain('href="/console/invoices/inv_1"');
  });

  it('payment behaviour in a collector’s words', () => {
    const s = customerPageBody(
      customerView({ customer: customer({ paymentBehaviour: { invoicesObserved: 12, medianDaysLate: 9, onTimeRate: 0.25, trend: 'worsening', riskBand: 'medium', asOf: '2026-11-29', modelVersion: 'km-1' } }) }),
    ).toString();
    expect(s).toContain('<span class="badge badge-medium">Medium risk</span>');
    expect(s).toContain('<dt>Usual payment</dt><dd>9 days late</dd><dt>On time</dt><dd>25 %</dd><dt>Trend</dt><dd>worsening</dd>');
    expect(customerPageBody(customerView()).toString()).toContain('No prediction yet');
  });

  it('holds: active ones with a release form, ended ones with who placed and released them, and the place form', () => {
    const c = customer({
      holds: [
        { id: 'hold_a', reason: 'Hardship <call>', createdAt: '2026-11-20T09:00:00.000Z', staffId: 'stf_ann' },
        { id: 'hold_b', reason: 'Negotiation', createdAt: '2026-11-01T09:00:00.000Z', releasedAt: '2026-11-05T09:00:00.000Z', staffId: 'stf_gone', releasedBy: 'stf_ann' },
        { id: 'hold_c', reason: 'Old', createdAt: '2026-10-01T09:00:00.000Z', expiresAt: '2026-10-15T22:00:00.000Z' },
      ],
    });
    const s = customerPageBody(customerView({ customer: c })).toString();
    expect(s).toContain('<p class="alert" role="alert">On hold (Hardship &lt;call&gt;): no reminders and no interest.</p>');
    expect(cell(s, 'Placed')).toBe('2026-11-20 09:00 UTC by Ann Collector');
    expect(cell(s, 'State')).toBe('Active');
    expect(s).toContain('action="/console/customers/cus_1/holds/hold_a/release"');
    expect(s).not.toContain('holds/hold_b/release');
    expect(cell(s, 'Placed', 1)).toBe('2026-11-01 09:00 UTC by stf_gone');
    expect(cell(s, 'State', 1)).toBe('Released 2026-11-05 09:00 UTC by Ann Collector');
    expect(cell(s, 'State', 2)).toBe('Expired');
    expect(s).toContain('action="/console/customers/cus_1/holds"');
    expect(s).toContain('<input type="hidden" name="version" value="7">');
    expect(s).toContain('name="expiresAt" type="date" min="2026-11-30"');
    expectWellFormed(s);
  });

  it('a viewer reads the same page without any form', () => {
    const c = customer({ holds: [{ id: 'hold_a', reason: 'Hardship', createdAt: '2026-11-20T09:00:00.000Z' }] });
    const s = customerPageBody(customerView({ customer: c, canChange: false })).toString();
    expect(s).not.toContain('<form');
    expect(s).not.toContain('data-label="Action"');
    expect(s).toContain('Hardship');
  });

  it('contact, mail suppression and the notice', () => {
    const c = customer({ mailSuppressed: { reason: 'bounce', at: '2026-11-10T08:00:00.000Z' }, preferredPaymentMethod: 'bank_transfer', postalAddress: ['Bauhaus GmbH', 'Str. 1 <b>'], dunning: { tone: 'firm', letters: true } });
    const s = customerPageBody(customerView({ customer: c, notice: customerNotice('hold_placed') })).toString();
    expect(s).toContain('<p class="notice" role="status">Hold placed');
    expect(s).toContain('<p class="alert" role="alert">Mail to ap@bauhaus.example is suppressed (bounce, 2026-11-10 08:00 UTC)');
    expect(s).toContain('<dt>Preferred payment</dt><dd>Bank transfer</dd>');
    expect(s).toContain('<dd>Bauhaus GmbH<br>Str. 1 &lt;b&gt;</dd>');
    expect(s).toContain('<dt>Reminders</dt><dd>tone firm, letters by post</dd>');
    expect(s).toContain('<dt>Time zone</dt><dd>Europe/Berlin</dd>');
  });

  it('recent payments and the communication history with its pager', () => {
    const s = customerPageBody(
      customerView({
        payments: [
          { id: 'pay_1', source: 'bank', method: 'sepa_credit', amount: 5_000, currency: 'EUR', receivedAt: '2026-11-28T10:00:00.000Z', status: 'unapplied', unapplied: 2_500, credit: 0, allocations: [{ invoiceId: 'inv_1', amount: 2_500 }] },
        ],
        invoiceNumbers: { inv_1: 'INV-0001' },
        paymentCount: 14,
        history: {
          mails: [{ key: 'k1', kind: 'reminder_1', subject: 'Reminder <INV-0001>', status: 'sent', createdAt: '2026-11-05T09:00:00.000Z', sentAt: '2026-11-05T09:00:01.000Z', step: 'first_reminder' }],
          events: [],
          feedback: [{ rating: 4, comment: 'ok', at: '2026-11-06T09:00:00.000Z' }],
          decisions: [{ invoiceId: 'inv_1', kind: 'promise_made', subjectId: 'prm_1', by: 'staff', at: '2026-11-07T09:00:00.000Z', reason: 'promised', staffId: 'stf_ann' }],
          nextCursor: 'abc/+=',
          first: false,
        },
      }),
    ).toString();
    expect(cell(s, 'Status')).toBe('Overdue'); // the open invoices' table comes first
    expect(s).toContain('In review</span> €25.00 unapplied');
    expect(s).toContain('href="/console/invoices/inv_1">INV-0001</a>: €25.00');
    expect(s).toContain('<a href="/console/payments/pay_1">2026-11-28 10:00 UTC</a>');
    expect(s).toContain('The 1 most recent of 14 payments.');
    expect(s).toContain('Reminder &lt;INV-0001&gt;');
    expect(cell(s, 'Kind')).toBe('reminder 1 (first_reminder)');
    expect(cell(s, 'Rating')).toBe('4 of 5');
    expect(cell(s, 'By')).toBe('staff by Ann Collector');
    expect(s).toContain('href="/console/customers/cus_1?history=abc%2F%2B%3D#history">Later entries</a>');
    expect(s).toContain('href="/console/customers/cus_1?history=all#history">From the start</a>');
    expect(s).toContain('href="/console/customers/cus_1#history">The latest only</a>');
    expectWellFormed(s);
  });

  it('the latest mails and decisions, newest first as given, with the link to the whole history', () => {
    const s = customerPageBody(
      customerView({
        recent: {
          mails: [
            { key: 'k2', kind: 'dispute_received', subject: 'We received your dispute', status: 'pending', createdAt: '2026-11-29T09:00:00.000Z' },
            { key: 'k1', kind: 'reminder', subject: 'Reminder', status: 'suppressed', createdAt: '2026-11-05T09:00:00.000Z' },
          ],
          decisions: [{ invoiceId: 'inv_1', kind: 'dispute_opened', subjectId: 'dsp_1', by: 'portal', at: '2026-11-29T09:00:00.000Z', reason: 'disputed (other)' }],
        },
      }),
    ).toString();
    expect(s.indexOf('We received your dispute')).toBeLessThan(s.indexOf('>Reminder<'));
    expect(cell(s, 'Status', 3)).toBe('waiting to be sent'); // after the three open invoices' rows
    expect(cell(s, 'Status', 4)).toBe('not sent (suppressed)');
    expect(cell(s, 'By')).toBe('the customer (portal)');
    expect(s).toContain('href="/console/customers/cus_1?history=all#history">The whole history, oldest first</a>');
    expect(s).not.toContain('Later entries');
    expect(customerPageBody(customerView()).toString()).toContain('Nothing yet.');
  });

  it('escapes the customer’s data', () => {
    const s = customerPageBody(customerView({ customer: customer({ name: '<img src=x>', email: '"@x' }) })).toString();
    expect(s).not.toContain('<img src=x>');
    expect(s).toContain('&quot;@x');
  });
});

describe('the invoice page', () => {
  it('summary, lines, terms, payments, charges, reminders and the prediction with its factors', () => {
    const s = invoicePageBody(
      invoiceView({
        invoice: invoice({
          prediction: prediction({ riskBand: 'low', lateProbability: 0.05 }),
          balanceDue: 23_456,
          status: 'partially_paid',
          charges: 1_000,
          terms: { netDays: 30, graceDays: 3, lateInterest: { mode: 'simple', annualRateBasisPoints: 1_800, startDaysPastDue: 0 }, fixedLateFee: { EUR: 4_000 }, minimumAmounts: {} },
        }),
        payments: [{ paymentId: 'pay_1', amount: 100_000, appliedAt: '2026-11-10T10:00:00.000Z' }],
        charges: [{ type: 'interest_charged', amount: 1_000, currency: 'EUR', bookedAt: '2026-11-30T00:00:00.000Z' }],
        reminders: [{ kind: 'reminder', subject: 'First reminder', createdAt: '2026-11-03T09:00:00.000Z', step: 'first_reminder' }],
      }),
    ).toString();
    expect(s).toContain('<span class="badge badge-overdue">Overdue</span> <span class="badge badge-open">Partially paid</span>');
    expect(s).toContain('<dt>Days overdue</dt><dd>30</dd>');
    expect(s).toContain('<dt>Balance</dt><dd><strong>€234.56</strong></dd>');
    expect(s).toContain('<dt>Payment reference</dt><dd>RF18 5390 0754 7034</dd>');
    expect(s).toContain('Consulting &lt;October&gt;');
    expect(s).toContain('<li>Net 30 days; 3 grace days</li><li>Late interest 18 % a year from 0 days past due</li><li>Late fee €40.00</li>');
    expect(cell(s, 'Payment')).toBe('pay_1');
    expect(s).toContain('2026-11-30: interest €10.00');
    expect(cell(s, 'Step')).toBe('first_reminder');
    expect(s).toContain('<span class="badge badge-low">Low risk</span>');
    expect(s).toContain('<li>Usually pays 24 days late</li><li>Large amount for this customer</li>');
    expect(s).toContain('<dt>Chance of paying more than 30 days late</dt><dd>5 %</dd>');
    expectWellFormed(s);
  });

  it('an open dispute has the resolve form; resolved ones say how and by whom', () => {
    const open = { id: 'dsp_open', status: 'open' as const, source: 'customer' as const, reason: 'Not <delivered>', reasonCode: 'not_received' as const, amount: 5_000, openedAt: '2026-11-20T10:00:00.000Z' };
    const s = invoicePageBody(
      invoiceView({
        invoice: invoice({ dispute: open }),
        disputes: [
          { id: 'dsp_old', status: 'open', source: 'customer', reason: 'Wrong', openedAt: '2026-10-05T10:00:00.000Z', resolution: { outcome: 'upheld', amount: 2_000, explanation: 'Sorry\nCredited', resolvedAt: '2026-10-08T10:00:00.000Z', staffId: 'stf_ann' } },
          open,
        ],
      }),
    ).toString();
    expect(s).toContain('action="/console/disputes/dsp_open/resolve"');
    expect(s).toContain('<input type="hidden" name="invoiceId" value="inv_1">');
    expect(s).toContain('name="outcome" value="upheld" required');
    expect(s).toContain('Credit note (EUR, upheld only');
    // The amount's format is said next to the field (a phone's browser names only "the requested format").
    expect(s).toContain('aria-describedby="dispute-amount-hint"><p id="dispute-amount-hint" class="muted">Like 1234.50 or 1,234.50');
    expect(s).toContain('not received: Not &lt;delivered&gt;');
    expect(s).toContain('<strong>Upheld</strong> 2026-10-08 10:00 UTC by Ann Collector — credit note €20.00');
    expect(s).toContain('Sorry<br>Credited');
    expectWellFormed(s);
  });

  it('the extension: who granted it, and the grant form at the version shown (none on a paid or escalated invoice, none for a viewer)', () => {
    const extended = invoice({ extension: { dueDate: '2026-12-31', reason: 'hardship', grantedAt: '2026-11-29T10:00:00.000Z', staffId: 'stf_ann' } });
    const s = invoicePageBody(invoiceView({ invoice: extended })).toString();
    expect(s).toContain('<dt>New due date</dt><dd>2026-12-31 (was 2026-10-31)</dd>');
    expect(s).toContain('<dt>Granted</dt><dd>2026-11-29 10:00 UTC by Ann Collector</dd>');
    expect(s).toContain('action="/console/invoices/inv_1/extensions"');
    expect(s).toContain('<input type="hidden" name="version" value="3">');
    expect(s).toContain('New due date (after 2026-12-31)');
    expect(s).toContain('<dt>Days overdue</dt><dd>—</dd>');
    const byApi = invoicePageBody(invoiceView({ invoice: invoice({ extension: { dueDate: '2026-12-31', reason: 'r', grantedAt: '2026-11-29T10:00:00.000Z', staffId: 'stf_unknown' } }) })).toString();
    expect(byApi).toContain('2026-11-29 10:00 UTC by stf_unknown');
    expect(invoicePageBody(invoiceView({ invoice: invoice({ status: 'paid', balanceDue: 0 }) })).toString()).not.toContain('/extensions');
    expect(invoicePageBody(invoiceView({ invoice: invoice({ escalatedAt: '2026-11-20T10:00:00.000Z' }) })).toString()).not.toContain('/extensions');
    const viewer = invoicePageBody(invoiceView({ invoice: invoice({ dispute: { id: 'd', status: 'open', source: 'chargeback', reason: 'fraud', openedAt: '2026-11-20T10:00:00.000Z' } }), canChange: false })).toString();
    expect(viewer).not.toContain('<form');
    expect(viewer).toContain('Chargeback');
  });

  it('promise, plan and the decisions trail', () => {
    const s = invoicePageBody(
      invoiceView({
        invoice: invoice({ planId: 'pln_1', promise: { id: 'prm_1', date: '2026-11-15', status: 'broken', madeAt: '2026-11-01T10:00:00.000Z', source: 'portal', keptAtBalance: 0, until: '2026-11-19T23:00:00.000Z', settledAt: '2026-11-19T23:00:00.000Z' }, brokenPromises: 1 }),
        plan: {
          id: 'pln_1',
          customerId: 'cus_1',
          currency: 'EUR',
          invoiceIds: ['inv_1'],
          paymentReference: 'RF18539007547034',
          total: 123_456,
          frequency: 'monthly',
          instalments: [
            { seq: 1, dueDate: '2026-12-01', amount: 61_728 },
            { seq: 2, dueDate: '2027-01-01', amount: 61_728 },
          ],
          graceDays: 3,
          status: 'active',
          approval: { by: 'staff', reasons: [], at: '2026-11-21T10:00:00.000Z', staffId: 'stf_ann' } as never,
          requestedBy: 'customer',
          createdAt: '2026-11-20T10:00:00.000Z',
          reminded: [],
          version: 1,
        },
        decisions: [{ invoiceId: 'inv_1', kind: 'promise_broken', subjectId: 'prm_1', by: 'reminders', at: '2026-11-19T23:00:00.000Z', reason: 'not paid by 2026-11-15' }],
      }),
    ).toString();
    expect(s).toContain('<span class="badge badge-overdue">Broken</span>');
    expect(s).toContain('<dt>Broken promises</dt><dd>1</dd>');
    expect(s).toContain('<dt>Approved by</dt><dd>staff by Ann Collector, 2026-11-21 10:00 UTC</dd>');
    expect(cell(s, 'Amount', 1)).toBe('€617.28');
    expect(cell(s, 'By')).toBe('the reminder run');
    expectWellFormed(s);
  });
});
