import { describe, expect, it } from 'vitest';
import { homeBody, homeHref, type HomeView, type HomeWorklistRow } from '../../shared/domain/console/home.ts';
import { consoleDocument } from '../../shared/domain/console/layout.ts';
import { DEFAULT_BRAND } from '../../shared/domain/ui/brand.ts';

const row = (over: Partial<HomeWorklistRow> = {}): HomeWorklistRow => ({
  rank: 1,
  customerId: 'cus_1',
  customerName: 'Bauhaus <Werkstatt> & Söhne',
  currency: 'EUR',
  openBalance: 250_000,
  overdueBalance: 180_050,
  openInvoices: 3,
  oldestDaysPastDue: 47,
  riskBand: 'high',
  next: { summary: 'Call the customer', why: 'likely to stay unpaid: high risk; 3 open invoice(s), oldest 47 day(s) overdue' },
  invoices: [{ number: 'INV-0042', expectedPaymentDate: '2027-01-20' }, { number: 'INV-0043' }],
  ...over,
});

const view = (over: Partial<HomeView> = {}): HomeView => ({
  asOf: '2026-11-30',
  reviewCount: 4,
  plansPending: 2,
  questionsOpen: 3,
  aging: [
    { currency: 'EUR', total: 500_000, buckets: { current: 119_950 }, invoices: 9 },
    { currency: 'JPY', total: 120_000, buckets: { current: 120_000 }, invoices: 1 },
  ],
  worklist: { items: [row(), row({ rank: 2, customerId: 'cus/2', customerName: undefined, riskBand: undefined, invoices: [{ number: 'INV-7' }] })], nextCursor: null, complete: true },
  ...over,
});

const text = (v: HomeView) => homeBody(v).toString();
/** The text of one table cell by its data-label (first row), tags stripped. */
const cell = (s: string, label: string) =>
  [...s.matchAll(/<td data-label="([^"]+)"[^>]*>(.*?)<\/td>/g)]
    .find((m) => m[1] === label)?.[2]
    ?.replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

describe('console home: the counters', () => {
  it('shows payments to review, questions to answer and plans to approve, each linking to its section', () => {
    const s = text(view());
    expect(s).toMatch(/<div class="kpis">/);
    expect(s).toMatch(/Payments to review<\/span><span class="amount">4<\/span><a href="\/console\/review">/);
    expect(s).toMatch(/Questions to answer<\/span><span class="amount">3<\/span><a href="\/console\/questions">/);
    expect(s).toMatch(/Plans to approve<\/span><span class="amount">2<\/span><a href="\/console\/plans">/);
  });

  it('shows what is overdue per currency (unpaid less what is not due yet), never adding currencies, linking to that currency\'s worklist', () => {
    const s = text(view());
    expect(s).toContain('Overdue (EUR)</span><span class="amount">€3,800.50</span>');
    expect(s).toContain('of €5,000.00 unpaid');
    expect(s).toContain('href="/console?currency=EUR"');
    // JPY has no minor units: 120000 is JP¥120,000 (en-GB), and none of it is overdue.
    expect(s).toContain('Overdue (JPY)</span><span class="amount">JP¥0</span><span class="muted">of JP¥120,000 unpaid</span>');
  });
});

describe('console home: the worklist', () => {
  it('lists each customer in rank order with a link, the overdue amount, days, risk badge, expected payment and next action', () => {
    const s = text(view());
    expect(s).toContain('<a href="/console/customers/cus_1">Bauhaus &lt;Werkstatt&gt; &amp; Söhne</a>');
    expect(cell(s, 'Overdue')).toBe('€1,800.50');
    expect(cell(s, 'Days overdue')).toBe('47');
    expect(s).toContain('<span class="badge badge-high">High</span>');
    expect(cell(s, 'Expected payment')).toBe('2027-01-20 INV-0042');
    expect(cell(s, 'Next action')).toBe('Call the customer likely to stay unpaid: high risk; 3 open invoice(s), oldest 47 day(s) overdue');
    expect(s.indexOf('cus_1')).toBeLessThan(s.indexOf('cus%2F2'));
  });

  it('escapes ids in links, names a customer without a name by id, says when nothing is predicted', () => {
    const s = text(view());
    expect(s).toContain('<a href="/console/customers/cus%2F2">cus/2</a>');
    expect(s).toContain('Not predicted');
  });

  it('every cell carries its data-label (a phone stacks the rows) and the table has column headers', () => {
    const s = text(view());
    const rows = [...s.matchAll(/<tr>(.*?)<\/tr>/g)].slice(1);
    expect(rows).toHaveLength(2);
    for (const [r] of rows) expect(r.match(/<td(?![^>]*data-label)/g)).toBeNull();
    expect(s.match(/<th scope="col"/g)).toHaveLength(7);
  });

  it('the currency filter: a labelled select with every unpaid currency, the chosen one selected', () => {
    const s = text(view({ currency: 'JPY' }));
    expect(s).toMatch(/<form class="inline" method="get" action="\/console"><div class="field"><label for="currency">Currency<\/label><select id="currency" name="currency">/);
    expect(s).toContain('<option value="">All currencies</option><option value="EUR">EUR</option><option value="JPY" selected>JPY</option>');
    expect(s).toContain('Who to contact today (JPY)');
  });

  it('pages with the cursor (keeping the currency) and offers the way back to the top', () => {
    const first = text(view({ currency: 'EUR', worklist: { items: [row()], nextCursor: 'abc+/=', complete: true } }));
    expect(first).toContain(`href="${homeHref({ currency: 'EUR', cursor: 'abc+/=' }).replace(/&/g, '&amp;')}"`);
    expect(homeHref({ currency: 'EUR', cursor: 'abc+/=' })).toBe('/console?currency=EUR&cursor=abc%2B%2F%3D');
    expect(first).not.toContain('Back to the top');
    const later = text(view({ currency: 'EUR', cursor: 'abc', worklist: { items: [], nextCursor: null, complete: true } }));
    expect(later).toContain('No more customers on the worklist.');
    expect(later).toContain('<a href="/console?currency=EUR">Back to the top</a>');
  });

  it('says when nobody owes anything, and warns when the ranking is incomplete', () => {
    expect(text(view({ aging: [], worklist: { items: [], nextCursor: null, complete: true } }))).toContain('Nobody owes anything: nothing to do.');
    expect(text(view({ worklist: { items: [row()], nextCursor: null, complete: false } }))).toMatch(/<p class="alert" role="alert">The ranking covers only/);
  });
});

describe('console home: notices', () => {
  it('shows a known ?notice= code as a status line and nothing for any other (never the text given)', () => {
    expect(text(view({ notice: 'signed_in' }))).toContain('<p class="notice" role="status">You are signed in.</p>');
    for (const notice of ['<script>alert(1)</script>', 'constructor', '__proto__', 'toString']) {
      const s = text(view({ notice }));
      expect(s).not.toContain('class="notice"');
      expect(s).not.toContain('alert(1)');
    }
  });
});

describe('console home: the whole document', () => {
  it('has one h1, the Worklist marked current in the navigation, and no inline style attribute or script', () => {
    const doc = consoleDocument({ brand: DEFAULT_BRAND, title: 'Worklist', body: homeBody(view()), signedIn: { current: 'worklist', staffName: 'Ada', role: 'collector', csrf: 'tok' } });
    expect(doc.match(/<h1>/g)).toHaveLength(1);
    expect(doc).toContain('<a href="/console" aria-current="page">Worklist</a>');
    expect(doc).not.toMatch(/\sstyle=/);
    expect(doc).not.toMatch(/<script/);
  });
});
