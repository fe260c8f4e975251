/**
 * The console's home (GET /console): the AR team's start page. Counters first (`.kpis` cards, each linking to its
 * section): payments waiting for review, plans waiting for approval, and what is overdue per currency (amounts in
 * different currencies are never added); then the worklist — who to contact today, in the worklist's order
 * (shared/domain/worklist.ts: expected loss within a currency), each with the amount overdue, the oldest days
 * overdue, the risk band, the expected payment date of the invoice that weighs most and the suggested next action
 * with its reason; paged by the worklist's own cursor. Pure: the route passes plain data.
 */
import { html, type Html } from '../html.ts';
import type { RiskBand } from '../prediction/types.ts';
import { consoleAmount, consoleNotice, noticeText } from './layout.ts';

/** The notices the home page shows after a redirect (`?notice=<code>`); any other code shows nothing. */
export const HOME_NOTICES: Readonly<Record<string, string>> = {
  signed_in: 'You are signed in.',
};

/** One worklist row as the page needs it (a subset of GET /worklist's item). */
export interface HomeWorklistRow {
  rank: number;
  customerId: string;
  customerName?: string | undefined;
  currency: string;
  openBalance: number;
  overdueBalance: number;
  openInvoices: number;
  oldestDaysPastDue: number;
  riskBand?: RiskBand | undefined;
  next: { summary: string; why: string };
  /** Largest expected loss first: the first one's expected payment date is shown. */
  invoices: readonly { number: string; expectedPaymentDate?: string | undefined }[];
}

/** One currency's unpaid balances (GET /reports/aging's `totals` row). */
export interface HomeAgingRow {
  currency: string;
  total: number;
  /** `current`: not overdue yet; every other bucket is overdue. */
  buckets: { current: number };
  invoices: number;
}

export interface HomeView {
  /** Today (UTC), the worklist's "as of". */
  asOf: string;
  /** Payments waiting for review (status `unapplied`). */
  reviewCount: number;
  /** Plans waiting for approval. */
  plansPending: number;
  /** Customers' questions waiting for an answer. */
  questionsOpen: number;
  aging: readonly HomeAgingRow[];
  worklist: { items: readonly HomeWorklistRow[]; nextCursor: string | null; complete: boolean };
  /** The filter in force: a currency, and the cursor of this page (absent on the first). */
  currency?: string | undefined;
  cursor?: string | undefined;
  /** A `?notice=` code (looked up in HOME_NOTICES). */
  notice?: string | undefined;
}

/** How many rows a worklist page shows. */
export const HOME_PAGE_SIZE = 25;

const m = consoleAmount;

const BAND_LABEL: Record<RiskBand, string> = { high: 'High', medium: 'Medium', low: 'Low' };

/** `/console` with the filter (and a cursor), for links and the paging. */
export function homeHref(q: { currency?: string | undefined; cursor?: string | undefined }): string {
  const params = new URLSearchParams();
  if (q.currency) params.set('currency', q.currency);
  if (q.cursor) params.set('cursor', q.cursor);
  const s = params.toString();
  return s ? `/console?${s}` : '/console';
}

function counters(v: HomeView): Html {
  const count = (label: string, n: number, href: string, link: string) =>
    html`<div class="card"><span class="label">${label}</span><span class="amount">${n}</span><a href="${href}">${link}</a></div>`;
  const overdue = v.aging.map((row) => {
    const amount = row.total - row.buckets.current;
    return html`<div class="card"><span class="label">Overdue (${row.currency})</span><span class="amount">${m(amount, row.currency)}</span><span class="muted">of ${m(row.total, row.currency)} unpaid</span><br><a href="${homeHref({ currency: row.currency })}">Worklist in ${row.currency}</a></div>`;
  });
  return html`<section aria-labelledby="today"><h2 id="today" class="visually-hidden">Today</h2><div class="kpis">${count('Payments to review', v.reviewCount, '/console/review', 'Review payments')}${count('Questions to answer', v.questionsOpen, '/console/questions', 'Answer questions')}${count('Plans to approve', v.plansPending, '/console/plans', 'See plans')}${overdue}</div></section>`;
}

function filterForm(v: HomeView): Html {
  const currencies = [...new Set([...v.aging.map((a) => a.currency), ...(v.currency ? [v.currency] : [])])].sort();
  return html`<form class="inline" method="get" action="/console"><div class="field"><label for="currency">Currency</label><select id="currency" name="currency"><option value="">All currencies</option>${currencies.map(
    (c) => html`<option value="${c}"${c === v.currency ? ' selected' : ''}>${c}</option>`,
  )}</select></div><button type="submit" class="btn-secondary">Show</button></form>`;
}

function row(r: HomeWorklistRow): Html {
  const top = r.invoices[0];
  const expected = top?.expectedPaymentDate;
  // A cell with more than one line keeps them in one <div>: on a phone the cell is a flex row (label, then value).
  return html`<tr><td data-label="Rank" class="num">${r.rank}</td><td data-label="Customer"><div><a href="${`/console/customers/${encodeURIComponent(r.customerId)}`}">${r.customerName ?? r.customerId}</a><br><span class="muted">${r.openInvoices} open · ${m(r.openBalance, r.currency)}</span></div></td><td data-label="Overdue" class="num">${m(r.overdueBalance, r.currency)}</td><td data-label="Days overdue" class="num">${r.oldestDaysPastDue}</td><td data-label="Risk">${
    r.riskBand ? html`<span class="${`badge badge-${r.riskBand}`}">${BAND_LABEL[r.riskBand]}</span>` : html`<span class="muted">Not predicted</span>`
  }</td><td data-label="Expected payment">${expected ? html`<div><time datetime="${expected}">${expected}</time>${top ? html`<br><span class="muted">${top.number}</span>` : ''}</div>` : html`<span class="muted">—</span>`}</td><td data-label="Next action"><div><strong>${r.next.summary}</strong><br><span class="muted">${r.next.why}</span></div></td></tr>`;
}

function worklist(v: HomeView): Html {
  const items = v.worklist.items;
  const table = items.length
    ? html`<table class="rows"><caption class="visually-hidden">Customers to contact, most at stake first</caption><thead><tr><th scope="col" class="num">#</th><th scope="col">Customer</th><th scope="col" class="num">Overdue</th><th scope="col" class="num">Days overdue</th><th scope="col">Risk</th><th scope="col">Expected payment</th><th scope="col">Next action</th></tr></thead><tbody>${items.map(row)}</tbody></table>`
    : html`<p class="card">${v.cursor ? 'No more customers on the worklist.' : v.currency ? `Nobody owes anything in ${v.currency}: nothing to do.` : 'Nobody owes anything: nothing to do.'}</p>`;
  const paging = [
    v.worklist.nextCursor ? html`<a class="btn btn-secondary" href="${homeHref({ currency: v.currency, cursor: v.worklist.nextCursor })}">More customers</a>` : '',
    v.cursor ? html`<a href="${homeHref({ currency: v.currency })}">Back to the top</a>` : '',
  ];
  return html`<section aria-labelledby="worklist"><h2 id="worklist">Who to contact today${v.currency ? ` (${v.currency})` : ''}</h2>
<p class="muted">Most at stake first: the amount unpaid weighted by the predicted chance of paying late and by how long it is overdue, ranked within each currency.</p>
${filterForm(v)}${v.worklist.complete ? '' : html`<p class="alert" role="alert">The ranking covers only the first unpaid invoices read (the book is larger than one page can rank): customers further down may be missing.</p>`}
${table}${v.worklist.nextCursor || v.cursor ? html`<p class="actions">${paging}</p>` : ''}</section>`;
}

/** The home page's body (the shell comes from ./layout.ts). */
export function homeBody(v: HomeView): Html {
  return html`${consoleNotice(noticeText(HOME_NOTICES, v.notice))}${counters(v)}
${worklist(v)}`;
}
