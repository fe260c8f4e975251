import { describe, expect, it } from 'vitest';
import {
  actor,
  caseworkNotice,
  languageOf,
  nextInstalment,
  renderPlanDetail,
  renderPlansList,
  renderPromisesList,
  renderQuestionsList,
  renderQuestionThread,
  type PlanDetailInput,
  type QuestionThreadInput,
} from '../../shared/domain/console/casework.ts';
import { consoleDocument } from '../../shared/domain/console/layout.ts';
import type { PaymentPlan } from '../../shared/domain/plans.ts';
import type { SupportRequest } from '../../shared/domain/support-requests.ts';
import { DEFAULT_BRAND } from '../../shared/domain/ui/brand.ts';

const customer = { id: 'cus_1', name: 'Bauhaus <Werkstatt> & Söhne', email: 'ap@bauhaus.example', locale: 'de-DE', timeZone: 'Europe/Berlin' };

const question = (over: Partial<SupportRequest> = {}): SupportRequest => ({
  id: 'sr_1',
  customerId: 'cus_1',
  subject: 'Address <change>',
  message: 'Please send invoices to\nAccounts Payable',
  invoiceId: 'inv_1',
  invoiceNumber: 'INV-0042',
  status: 'open',
  createdAt: '2026-11-28T09:15:00.000Z',
  source: 'portal',
  version: 0,
  ...over,
});

const thread = (over: Partial<QuestionThreadInput> = {}): QuestionThreadInput => ({
  request: question(),
  customer,
  invoice: { id: 'inv_1', number: 'INV-0042', currency: 'EUR', total: 12_000, balanceDue: 4_050, dueDate: '2026-12-01', status: 'partially_paid' },
  staff: new Map([['stf_mia', 'Mia Collector']]),
  csrf: 'csrf-token-1',
  mayChange: true,
  ...over,
});

const plan = (over: Partial<PaymentPlan> = {}): PaymentPlan => ({
  id: 'plan_1',
  customerId: 'cus_1',
  currency: 'EUR',
  invoiceIds: ['inv_1', 'inv_2'],
  paymentReference: 'RF18539007547034',
  total: 30_000,
  frequency: 'monthly',
  instalments: [
    { seq: 1, dueDate: '2026-12-07', amount: 10_000 },
    { seq: 2, dueDate: '2027-01-07', amount: 10_000 },
    { seq: 3, dueDate: '2027-02-07', amount: 10_000 },
  ],
  graceDays: 3,
  status: 'pending_approval',
  approval: { by: 'policy', reasons: ['more than 6 instalments'], at: '2026-11-20T10:00:00.000Z' },
  requestedBy: 'customer',
  createdAt: '2026-11-20T10:00:00.000Z',
  reminded: [],
  version: 1,
  ...over,
});

const detail = (over: Partial<PlanDetailInput> = {}): PlanDetailInput => ({
  plan: plan(),
  customer,
  invoices: [
    { id: 'inv_1', number: 'INV-1', currency: 'EUR', total: 20_000, balanceDue: 20_000, dueDate: '2026-10-01', status: 'open' },
    { id: 'inv_2', number: 'INV-2', currency: 'EUR', total: 10_000, balanceDue: 10_000, dueDate: '2026-10-15', status: 'open' },
  ],
  staff: new Map(),
  now: new Date('2026-11-30T12:00:00Z'),
  csrf: 'csrf-token-1',
  mayChange: true,
  ...over,
});

/** The text of the cells with a data-label, row by row, tags stripped. */
const cells = (s: string, label: string) =>
  [...s.matchAll(/<td data-label="([^"]+)"[^>]*>(.*?)<\/td>/g)]
    .filter((m) => m[1] === label)
    .map((m) => (m[2] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());

describe('console casework: helpers', () => {
  it('names the actor by name, by id for an unknown member, else as the admin API recorded it', () => {
    const names = new Map([['stf_1', 'Mia']]);
    expect(actor('stf_1', names, 'Mia')).toBe('by Mia');
    expect(actor('stf_gone', names, 'Old Name')).toBe('by stf_gone');
    expect(actor(undefined, names, 'staff')).toBe('by staff');
    expect(actor(undefined, names)).toBe('');
  });

  it('tells the language of a locale in English, and survives a malformed one', () => {
    expect(languageOf('de-DE')).toBe('German (Germany), de-DE');
    expect(languageOf('en')).toBe('English, en');
    expect(languageOf('not a locale!')).toBe('not a locale!');
  });

  it('shows only notices of the fixed map (never text from the request)', () => {
    expect(caseworkNotice('replied').toString()).toContain('role="status"');
    expect(caseworkNotice('<script>')).toBe('');
    expect(caseworkNotice('toString')).toBe('');
    expect(caseworkNotice(undefined)).toBe('');
  });

  it('finds the next instalment still owed, part-paid ones included', () => {
    const p = plan();
    expect(nextInstalment(p, 30_000)).toEqual({ seq: 1, dueDate: '2026-12-07', owed: 10_000 });
    // 12 000 paid: the first instalment is paid, 8 000 of the second still owed.
    expect(nextInstalment(p, 18_000)).toEqual({ seq: 2, dueDate: '2027-01-07', owed: 8_000 });
    expect(nextInstalment(p, 0)).toBeUndefined();
  });
});

describe('console casework: questions', () => {
  it('lists questions in a stacking table with links, badges and the next page link (cursor encoded)', () => {
    const body = renderQuestionsList({
      status: 'open',
      items: [
        { ...question(), replyCount: 0, customer: { name: customer.name } },
        { ...question({ id: 'sr/2', customerId: 'cus 2', invoiceNumber: undefined, status: 'answered' }), replyCount: 2, lastReplyAt: '2026-11-29T08:00:00.000Z' },
      ],
      nextCursor: 'abc+/=&x',
    }).toString();
    expect(body).toContain('<table class="rows">');
    // Escaped: the customer's name is their own text. Without a customer read, the id.
    expect(cells(body, 'Customer')).toEqual(['Bauhaus &lt;Werkstatt&gt; &amp; Söhne', 'cus 2']);
    expect(body).toContain('<a href="/console/questions/cus_1/sr_1">Address &lt;change&gt;</a>');
    expect(body).toContain('href="/console/questions/cus%202/sr%2F2"');
    expect(cells(body, 'Asked')).toEqual(['2026-11-28 09:15 UTC', '2026-11-28 09:15 UTC']);
    expect(cells(body, 'Status')).toEqual(['Open', 'Answered']);
    expect(cells(body, 'Answers')).toEqual(['0', '2']);
    expect(cells(body, 'Last answer')).toEqual(['—', '2026-11-29 08:00 UTC']);
    expect(body).toContain('href="/console/questions?status=open&amp;cursor=abc%2B%2F%3D%26x"');
    expect(body).toContain('<option value="open" selected>');
    expect(body).toContain('<label for="q-status">Status</label>');
  });

  it('says so when there is nothing open, with no next link', () => {
    const body = renderQuestionsList({ status: 'open', items: [], nextCursor: null, notice: 'closed' }).toString();
    expect(body).toContain('No open questions');
    expect(body).not.toContain('Next page');
    expect(body).toContain('Question closed.');
  });

  it('shows the thread: customer and language, the invoice, answers by whom, and forms with the version and CSRF token', () => {
    const body = renderQuestionThread(
      thread({
        request: question({
          status: 'answered',
          version: 2,
          replies: [
            { id: 'srr_1', body: 'First <b>answer</b>\nline two', by: 'Mia Collector', at: '2026-11-28T10:00:00.000Z', staffId: 'stf_mia' },
            { id: 'srr_2', body: 'From the API', by: 'J. Doe', at: '2026-11-29T10:00:00.000Z' },
            { id: 'srr_3', body: 'From a removed member', by: 'Ex', at: '2026-11-29T11:00:00.000Z', staffId: 'stf_gone' },
          ],
        }),
      }),
    ).toString();
    expect(body).toContain('<a href="/console/customers/cus_1">Bauhaus &lt;Werkstatt&gt; &amp; Söhne</a>');
    expect(body).toContain('German (Germany), de-DE');
    expect(body).toContain('INV-0042 · €120.00 · still owed €40.50 · due 2026-12-01 · partially paid');
    expect(body).toContain('Answered 2026-11-28 10:00 UTC by Mia Collector');
    expect(body).toContain('Answered 2026-11-29 10:00 UTC by J. Doe');
    expect(body).toContain('by stf_gone');
    expect(body).toContain('First &lt;b&gt;answer&lt;/b&gt;<br>line two');
    expect(body).toContain('<form method="post" action="/console/questions/cus_1/sr_1/replies"><input type="hidden" name="csrf" value="csrf-token-1"><input type="hidden" name="version" value="2">');
    expect(body).toContain('<form method="post" action="/console/questions/cus_1/sr_1/close"><input type="hidden" name="csrf" value="csrf-token-1"><input type="hidden" name="version" value="2">');
    expect(body).toContain('<label for="a-body">Your answer</label><textarea id="a-body" name="body" required maxlength="4000"');
    expect(body).toContain('in a mail in German (Germany), de-DE');
  });

  it('a closed question shows who closed it and no forms; a viewer sees no forms', () => {
    const closed = renderQuestionThread(
      thread({ request: question({ status: 'closed', closedAt: '2026-11-30T08:00:00.000Z', closedBy: 'Mia Collector', closedByStaffId: 'stf_mia', version: 1 }) }),
    ).toString();
    expect(closed).toContain('2026-11-30 08:00 UTC by Mia Collector');
    expect(closed).not.toContain('<form');
    expect(closed).toContain('the customer can ask a new one');
    const viewer = renderQuestionThread(thread({ mayChange: false })).toString();
    expect(viewer).not.toContain('<form');
    expect(viewer).toContain('read only');
    // A question never changed (written before versions) carries version 0.
    expect(renderQuestionThread(thread({ request: question({ version: undefined }) })).toString()).toContain('name="version" value="0"');
  });

  it('a whole page in the console shell has no inline style and one h1', () => {
    const page = consoleDocument({ brand: DEFAULT_BRAND, title: 'Question', body: renderQuestionThread(thread()), signedIn: { current: 'questions', staffName: 'Mia', role: 'collector', csrf: 'c' } });
    expect(page).not.toMatch(/\sstyle=/);
    expect(page.match(/<h1>/g)).toHaveLength(1);
    expect(page).not.toContain('<script');
  });
});

describe('console casework: plans', () => {
  it('lists plans waiting for approval (with why) first, then active ones with their next instalment', () => {
    const active = plan({ id: 'plan_2', status: 'active', approval: { by: 'staff', reasons: [], at: '2026-11-21T10:00:00.000Z', staffId: 'stf_mia' } });
    const body = renderPlansList({
      sections: [
        { status: 'pending_approval', items: [{ plan: plan(), customer }], nextCursor: null },
        {
          status: 'active',
          items: [
            { plan: active, customer, coveredBalance: 18_000 },
            { plan: { ...active, id: 'plan_3', instalments: [{ seq: 1, dueDate: '2026-11-01', amount: 30_000 }] }, customer: { name: 'Late Ltd', timeZone: 'UTC' }, coveredBalance: 30_000 },
          ],
          nextCursor: 'c1',
        },
      ],
      now: new Date('2026-11-30T12:00:00Z'),
    }).toString();
    expect(body.indexOf('Waiting for approval')).toBeLessThan(body.indexOf('Active plans'));
    expect(cells(body, 'Why it waits')).toEqual(['more than 6 instalments']);
    expect(cells(body, 'Instalments')).toEqual(['3 × monthly']);
    expect(cells(body, 'Total')).toEqual(['€300.00', '€300.00', '€300.00']);
    expect(cells(body, 'Paid so far')).toEqual(['€120.00', '€0.00']);
    expect(cells(body, 'Next instalment')).toEqual(['2027-01-07 · €80.00', '2026-11-01 · €300.00 Overdue']);
    expect(body).toContain('href="/console/plans/plan_1"');
    expect(body).toContain('href="/console/plans?status=active&amp;cursor=c1"');
  });

  it('says when nothing waits', () => {
    const body = renderPlansList({ sections: [{ status: 'pending_approval', items: [], nextCursor: null }, { status: 'active', items: [], nextCursor: null }], now: new Date() }).toString();
    expect(body).toContain('No plan is waiting for approval.');
  });

  it('shows a pending plan with its invoices, instalments as requested, the reasons and the approve form', () => {
    const body = renderPlanDetail(detail()).toString();
    expect(body).toContain('Waiting for approval');
    expect(body).toContain('more than 6 instalments');
    expect(cells(body, 'Invoice')).toEqual(['INV-1', 'INV-2']);
    expect(cells(body, 'Still owed')).toEqual(['€200.00', '€100.00']);
    expect(cells(body, 'Instalment')).toEqual(['1 of 3', '2 of 3', '3 of 3']);
    expect(cells(body, 'Paid')).toEqual(['Not in force yet', 'Not in force yet', 'Not in force yet']);
    expect(body).toContain('<form method="post" action="/console/plans/plan_1/approve"><input type="hidden" name="csrf" value="csrf-token-1">');
    expect(renderPlanDetail(detail({ mayChange: false })).toString()).not.toContain('<form');
  });

  it('shows an active plan: paid and overdue instalments, who approved it, no form', () => {
    const body = renderPlanDetail(
      detail({
        plan: plan({
          status: 'active',
          instalments: [
            { seq: 0, dueDate: '2026-11-01', amount: 5_000 },
            { seq: 1, dueDate: '2026-11-15', amount: 12_500 },
            { seq: 2, dueDate: '2026-12-15', amount: 12_500 },
          ],
          approval: { by: 'staff', reasons: [], at: '2026-11-21T10:00:00.000Z', staffId: 'stf_mia' },
        }),
        // 5 000 paid: the down payment only.
        invoices: [{ id: 'inv_1', number: 'INV-1', currency: 'EUR', total: 30_000, balanceDue: 25_000, dueDate: '2026-10-01', status: 'partially_paid' }],
        staff: new Map([['stf_mia', 'Mia Collector']]),
      }),
    ).toString();
    expect(cells(body, 'Instalment')).toEqual(['Down payment', '1 of 2', '2 of 2']);
    expect(cells(body, 'Paid')).toEqual(['Paid', 'Overdue', 'Due']);
    expect(body).toContain('on 2026-11-21 10:00 UTC by Mia Collector');
    expect(body).toContain('€50.00');
    expect(body).not.toContain('<form');
  });
});

describe('console casework: promises', () => {
  it('lists promises with the customer, the date, the amount or the balance, and the status', () => {
    const base = { customerId: 'cus_1', invoiceId: 'inv_1', invoiceNumber: 'INV-9', currency: 'EUR', balanceAtPromise: 12_500, madeAt: '2026-11-29T08:00:00.000Z' };
    const body = renderPromisesList({
      status: 'open',
      items: [
        { ...base, id: 'prm_1', date: '2026-12-05', amount: 5_000, status: 'open', source: 'portal', customer: { name: 'A & B' } },
        { ...base, id: 'prm_2', customerId: 'cus_2', date: '2026-12-06', status: 'open', source: 'staff' },
      ],
      nextCursor: 'n1',
    }).toString();
    expect(cells(body, 'Made')).toEqual(['2026-11-29 08:00 UTC (customer)', '2026-11-29 08:00 UTC (staff)']);
    expect(cells(body, 'Customer')).toEqual(['A &amp; B', 'cus_2']);
    expect(cells(body, 'Pay by')).toEqual(['2026-12-05', '2026-12-06']);
    expect(cells(body, 'Amount')).toEqual(['€50.00', 'the balance (€125.00)']);
    expect(cells(body, 'Status')).toEqual(['Open', 'Open']);
    expect(body).toContain('href="/console/promises?status=open&amp;cursor=n1"');
    expect(renderPromisesList({ status: 'broken', items: [], nextCursor: null }).toString()).toContain('No broken promises.');
  });
});
