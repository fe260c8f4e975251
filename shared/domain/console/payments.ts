/**
 * The console's payments to review: the review queue (money waiting for a person, oldest first), one payment with its
 * figures, decision trail and allocations, the allocation form (the customer's unpaid invoices, amounts typed in the
 * currency) and the reverse form of each allocation; and the parser of amounts a person types. Pure: plain data in,
 * Html out (every value escaped by ../html.ts: payer names and remittance text are the payer's own words).
 *
 * Forms carry the payment's `revision`: the services act only on the payment as the person saw it, so the same form
 * sent twice changes it once (the copy is answered as the first was; any other form from a page the payment has moved
 * on from is a 409 naming what changed).
 */
import { html, type Html } from '../html.ts';
import { currencyExponent } from '../money.ts';
import { minorUnitsFromDecimal } from '../promises.ts';
import { decimalAmount } from '../statement-csv.ts';
import { consoleAmount, consoleCsrfInput, consoleInstant, consoleNotice, memberName, noticeText } from './layout.ts';

// ---- Amounts typed by a person ---------------------------------------------------------------------------------

export type TypedAmount = { ok: true; amount: number } | { ok: false; detail: string };

/**
 * An amount a member typed in the currency's major units, as the console writes amounts (en-GB: a point before the
 * decimals, commas only between groups of three digits): "1,234.50", "1234.5", "1234" → integer minor units by the
 * ISO 4217 exponent (EUR 2, JPY 0, BHD 3). Anything else is refused with a reason, never guessed: a decimal comma
 * ("12,50"), a misplaced grouping comma ("1,23"), a sign, more decimals than the currency has, zero. String
 * arithmetic only (the conversion is ../promises.ts minorUnitsFromDecimal, on the normalised digits).
 */
export function parseTypedAmount(text: string, currency: string): TypedAmount {
  const typed = text.trim();
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(typed);
  if (!match) return { ok: false, detail: 'not an amount: write it like 1234.50 or 1,234.50 (a point before the decimals)' };
  const whole = (match[1] as string).replace(/,/g, '');
  const fraction = match[2] ?? '';
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) {
    return { ok: false, detail: exponent === 0 ? `too many decimals: ${currency} has no decimals` : `too many decimals: ${currency} has ${exponent}` };
  }
  const amount = minorUnitsFromDecimal(fraction ? `${whole}.${fraction}` : whole, currency);
  if (amount === undefined) return { ok: false, detail: 'too large' };
  if (amount === 0) return { ok: false, detail: 'must be more than zero' };
  return { ok: true, amount };
}

/**
 * A figure in minor units as typed back into a form ("1234.50"): what the parser reads, for a prefilled field — the
 * statement's decimal amount (../statement-csv.ts), one writing of minor units as a plain decimal.
 */
export const typedFigure = (amount: number, currency: string): string => decimalAmount(amount, currency);

// ---- Shared bits ------------------------------------------------------------------------------------------------

/** Notices after a POST (`?notice=`): a fixed map, never text from the request. */
export const PAYMENT_NOTICES = {
  allocated: 'The money was applied to the invoices.',
  reversed: 'The allocation was reversed: the invoice is open again and the money waits in review.',
} as const;
export type PaymentNotice = keyof typeof PAYMENT_NOTICES;

export function paymentNotice(code: string | undefined): string | undefined {
  return noticeText(PAYMENT_NOTICES, code);
}

const noticeLine = consoleNotice;
const m = consoleAmount;
const day = (iso: string) => iso.slice(0, 10);
const instant = consoleInstant;

export function paymentHref(id: string): string {
  return `/console/payments/${encodeURIComponent(id)}`;
}

const SOURCES: Record<string, string> = { stripe: 'Stripe', bank: 'Bank', manual: 'Recorded by staff' };

// ---- The review queue -------------------------------------------------------------------------------------------

export interface ReviewQueueRow {
  id: string;
  amount: number;
  currency: string;
  receivedAt: string;
  source: string;
  method: string;
  /** Still waiting (a payment partly applied by hand shows what is left). */
  unapplied: number;
  payerName?: string;
  remittanceText?: string;
  references?: string[];
  /** Why it waits: the matching report's reason (or the rule's name when it gave none). */
  reason?: string;
  rule: string;
  /** The matcher's candidates, best first. */
  suggestions: { invoiceIds: string[]; reason: string }[];
}

export interface ReviewQueueView {
  rows: ReviewQueueRow[];
  /** How many payments wait in all. */
  waiting: number;
  /** The next page's address, when there is one. */
  nextHref?: string;
  /** This is a later page (a link back to the first). */
  paged: boolean;
  notice?: string;
}

function payerCell(r: { payerName?: string | undefined; remittanceText?: string | undefined; references?: string[] | undefined }): Html {
  const parts: Html[] = [];
  if (r.payerName) parts.push(html`<span>${r.payerName}</span>`);
  if (r.remittanceText) parts.push(html`<span class="muted">“${r.remittanceText}”</span>`);
  if (r.references?.length) parts.push(html`<span class="muted">Ref. ${r.references.join(', ')}</span>`);
  return parts.length ? html`<span>${parts.map((p, i) => (i ? html`<br>${p}` : p))}</span>` : html`<span class="muted">—</span>`;
}

function suggestionCell(suggestions: ReviewQueueRow['suggestions']): Html {
  if (suggestions.length === 0) return html`<span class="muted">None</span>`;
  const invoices = suggestions.reduce((n, s) => n + s.invoiceIds.length, 0);
  return html`<span>${suggestions.length === 1 ? '1 suggestion' : `${suggestions.length} suggestions`} (${invoices === 1 ? '1 invoice' : `${invoices} invoices`})<br><span class="muted">${suggestions[0]?.reason}</span></span>`;
}

/** GET /console/review: the payments waiting for a person, oldest first, paged. */
export function reviewQueueBody(v: ReviewQueueView): Html {
  const table = v.rows.length
    ? html`<table class="rows"><caption class="visually-hidden">Payments waiting for review, oldest first</caption><thead><tr><th scope="col">Received</th><th scope="col" class="num">Amount</th><th scope="col">Payer and remittance</th><th scope="col">Why it waits</th><th scope="col">Suggested</th><th scope="col"><span class="visually-hidden">Open</span></th></tr></thead><tbody>${v.rows.map(
        (r) =>
          html`<tr><td data-label="Received"><span>${day(r.receivedAt)}<br><span class="muted">${SOURCES[r.source] ?? r.source} · ${r.method}</span></span></td><td data-label="Amount" class="num"><span>${m(r.amount, r.currency)}${
            r.unapplied !== r.amount ? html`<br><span class="muted">${m(r.unapplied, r.currency)} waiting</span>` : ''
          }</span></td><td data-label="Payer">${payerCell(r)}</td><td data-label="Why it waits">${r.reason ?? r.rule}</td><td data-label="Suggested">${suggestionCell(r.suggestions)}</td><td data-label="Open"><a href="${paymentHref(r.id)}">Review<span class="visually-hidden"> the payment of ${m(r.amount, r.currency)} received ${day(r.receivedAt)}</span></a></td></tr>`,
      )}</tbody></table>`
    : html`<p class="card">${v.paged ? 'No more payments wait for review.' : 'No payment waits for review.'}</p>`;
  const pager =
    v.nextHref || v.paged
      ? html`<nav class="actions" aria-label="Pages">${v.paged ? html`<a href="/console/review">First page</a>` : ''}${v.nextHref ? html`<a href="${v.nextHref}">Next page</a>` : ''}</nav>`
      : '';
  return html`${noticeLine(v.notice)}<p>${v.waiting === 1 ? '1 payment waits' : `${v.waiting} payments wait`} for a person: money the matching rules would not apply on their own. Oldest first.</p>${table}${pager}`;
}

export function reviewQueueMeta(waiting: number): Html {
  return html`<span>${waiting} waiting</span>`;
}

// ---- One payment ------------------------------------------------------------------------------------------------

export interface DecisionRow {
  outcome: 'applied' | 'unapplied';
  rule: string;
  reason?: string;
  evidence: Record<string, string | number>;
  at: string;
  by: 'rules' | 'staff';
  staffId?: string;
}

export interface PaymentPageInvoice {
  id: string;
  number: string;
  customerId: string;
  currency: string;
  dueDate: string;
  balanceDue: number;
  status: string;
}

export interface PaymentPageView {
  payment: {
    id: string;
    source: string;
    method: string;
    externalId: string;
    amount: number;
    currency: string;
    receivedAt: string;
    status: string;
    customerId: string;
    unapplied: number;
    credit: number;
    refundedTotal: number;
    allocations: { invoiceId: string; amount: number }[];
    payerName?: string;
    payerAccount?: string;
    remittanceText?: string;
    references?: string[];
    decisions: DecisionRow[];
    revision: number;
    /** Being applied in parts (nothing may be decided until it is done). */
    applying?: boolean;
  };
  /** Invoice numbers of the allocations (an id shows when the invoice is unknown). */
  invoiceNumbers: Record<string, string>;
  /** The payment's customer, or the one staff picked for money in suspense. */
  customer?: { id: string; name: string; email: string };
  /** Whether the payment's money sits in suspense (no customer known). */
  suspense: boolean;
  /** The allocation form's rows: the customer's unpaid invoices in the payment's currency. */
  invoices: PaymentPageInvoice[];
  /** Money in suspense: what the search found (`find`), and the search text. */
  found?: { id: string; name: string; email: string }[];
  find?: string;
  suggested: { invoice: PaymentPageInvoice; reason: string; score: number }[];
  /** Names of members who acted (id → name); an unknown id shows as it is. */
  staffNames: Record<string, string>;
  mayChange: boolean;
  csrf: string;
  notice?: string;
}

function byWhom(d: DecisionRow, names: Record<string, string>): string {
  if (d.by === 'rules') return 'the matching rules';
  if (!d.staffId) return 'staff (admin API)';
  return memberName(d.staffId, names);
}

function evidenceText(evidence: Record<string, string | number>): string {
  return Object.entries(evidence)
    .map(([k, value]) => `${k}: ${value}`)
    .join('; ');
}

function statusBadge(p: PaymentPageView['payment']): Html {
  if (p.applying) return html`<span class="badge badge-open">Being applied</span>`;
  return p.status === 'unapplied' ? html`<span class="badge badge-medium">Waiting for review</span>` : html`<span class="badge badge-paid">Applied</span>`;
}

function figures(p: PaymentPageView['payment']): Html {
  const applied = p.allocations.reduce((s, a) => s + a.amount, 0);
  const card = (label: string, amount: number) => html`<div class="card"><span class="label">${label}</span><span class="amount">${m(amount, p.currency)}</span></div>`;
  return html`<section class="kpis" aria-label="Figures">${card('Received', p.amount)}${card('Applied', applied)}${card('Unapplied', p.unapplied)}${
    p.credit > 0 ? card('Customer credit', p.credit) : ''
  }${p.refundedTotal > 0 ? card('Refunded', p.refundedTotal) : ''}</section>`;
}

function details(v: PaymentPageView): Html {
  const p = v.payment;
  const customer = v.suspense
    ? html`<span class="muted">Not known (in suspense)</span>`
    : v.customer
      ? html`<a href="${`/console/customers/${encodeURIComponent(v.customer.id)}`}">${v.customer.name}</a> <span class="muted">${v.customer.email}</span>`
      : html`${p.customerId}`;
  return html`<dl class="details"><dt>Status</dt><dd>${statusBadge(p)}</dd><dt>Received</dt><dd>${day(p.receivedAt)}</dd><dt>Source</dt><dd>${SOURCES[p.source] ?? p.source} · ${p.method}</dd><dt>Provider's id</dt><dd>${p.externalId}</dd><dt>Customer</dt><dd>${customer}</dd>${
    p.payerName ? html`<dt>Payer's name</dt><dd>${p.payerName}</dd>` : ''
  }${p.payerAccount ? html`<dt>Payer's account</dt><dd>${p.payerAccount}</dd>` : ''}${
    p.remittanceText ? html`<dt>Remittance text</dt><dd>${p.remittanceText}</dd>` : ''
  }${p.references?.length ? html`<dt>References</dt><dd>${p.references.join(', ')}</dd>` : ''}</dl>`;
}

function trail(v: PaymentPageView): Html {
  const rows = [...v.payment.decisions].reverse();
  if (rows.length === 0) return html`<h2>Decisions</h2><p class="muted">No decision yet.</p>`;
  return html`<h2>Decisions</h2><table class="rows"><caption class="visually-hidden">Decisions, latest first</caption><thead><tr><th scope="col">When</th><th scope="col">Outcome</th><th scope="col">Rule and reason</th><th scope="col">Evidence</th><th scope="col">By</th></tr></thead><tbody>${rows.map(
    (d) =>
      html`<tr><td data-label="When">${instant(d.at)}</td><td data-label="Outcome">${d.outcome === 'applied' ? 'Applied' : 'Left for review'}</td><td data-label="Rule and reason"><span>${d.rule}${d.reason ? html`<br><span class="muted">${d.reason}</span>` : ''}</span></td><td data-label="Evidence">${evidenceText(d.evidence) || '—'}</td><td data-label="By">by ${byWhom(d, v.staffNames)}</td></tr>`,
  )}</tbody></table>`;
}

function revisionInput(revision: number): Html {
  return html`<input type="hidden" name="revision" value="${String(revision)}">`;
}

function allocations(v: PaymentPageView): Html {
  const p = v.payment;
  const live = p.allocations.filter((a) => a.amount > 0);
  if (live.length === 0) return html`<h2>Allocations</h2><p class="muted">Nothing of this payment is applied to an invoice.</p>`;
  const canReverse = v.mayChange && !p.applying;
  return html`<h2>Allocations</h2><table class="rows"><thead><tr><th scope="col">Invoice</th><th scope="col" class="num">Applied</th>${
    canReverse ? html`<th scope="col"><span class="visually-hidden">Reverse</span></th>` : ''
  }</tr></thead><tbody>${live.map((a) => {
    const number = v.invoiceNumbers[a.invoiceId] ?? a.invoiceId;
    return html`<tr><td data-label="Invoice">${number}</td><td data-label="Applied" class="num">${m(a.amount, p.currency)}</td>${
      canReverse
        ? html`<td data-label="Reverse"><form method="post" action="${`${paymentHref(p.id)}/allocations/${encodeURIComponent(a.invoiceId)}/reverse`}">${consoleCsrfInput(v.csrf)}${revisionInput(p.revision)}<button type="submit" class="btn-secondary">Reverse<span class="visually-hidden"> the ${m(a.amount, p.currency)} applied to ${number}</span></button></form></td>`
        : ''
    }</tr>`;
  })}</tbody></table>`;
}

function finder(v: PaymentPageView): Html {
  const found = v.found;
  const results =
    found === undefined
      ? ''
      : found.length === 0
        ? html`<p class="alert" role="alert">No customer found for “${v.find ?? ''}”.</p>`
        : found.length > 1
          ? html`<p>Several customers have this address: choose one.</p><ul>${found.map(
              (c) => html`<li><a href="${`${paymentHref(v.payment.id)}?customer=${encodeURIComponent(c.id)}`}">${c.name}</a> <span class="muted">${c.email} · ${c.id}</span></li>`,
            )}</ul>`
          : '';
  return html`<h3>Find the customer</h3><p class="muted">Nobody is known to have paid this: find the customer by e-mail address or by one of their invoice numbers, or start from a suggestion.</p><form method="get" action="${paymentHref(v.payment.id)}" class="inline" role="search"><div class="field"><label for="find">E-mail or invoice number</label><input id="find" name="find" type="search" value="${v.find ?? ''}" maxlength="320" autocomplete="off"></div><button type="submit" class="btn-secondary">Find</button></form>${results}`;
}

function suggestions(v: PaymentPageView): Html {
  if (v.suggested.length === 0) return html``;
  const p = v.payment;
  return html`<h2>Suggested invoices</h2><p class="muted">The matching rules' candidates, best first. A suggestion never moves money on its own.</p><table class="rows"><thead><tr><th scope="col">Invoice</th><th scope="col">Due</th><th scope="col" class="num">Balance</th><th scope="col">Why</th>${
    v.suspense ? html`<th scope="col"><span class="visually-hidden">Customer</span></th>` : ''
  }</tr></thead><tbody>${v.suggested.map(
    (s) =>
      html`<tr><td data-label="Invoice">${s.invoice.number}</td><td data-label="Due">${s.invoice.dueDate}</td><td data-label="Balance" class="num">${m(s.invoice.balanceDue, s.invoice.currency)}</td><td data-label="Why">${s.reason}</td>${
        v.suspense
          ? html`<td data-label="Customer"><a href="${`${paymentHref(p.id)}?customer=${encodeURIComponent(s.invoice.customerId)}`}">This customer's invoices<span class="visually-hidden"> (${s.invoice.number})</span></a></td>`
          : ''
      }</tr>`,
  )}</tbody></table>`;
}

function allocationForm(v: PaymentPageView): Html {
  const p = v.payment;
  if (p.unapplied === 0) return html``;
  if (p.applying) return html`<h2>Apply the money</h2><p class="muted">A decision is being applied in parts: reload in a moment.</p>`;
  const intro = html`<h2>Apply the money</h2><p>${m(p.unapplied, p.currency)} of this payment waits. Type the amount for each invoice it pays (in ${p.currency}, e.g. ${typedFigure(
    12345 * 10 ** Math.max(0, currencyExponent(p.currency) - 2),
    p.currency,
  )}); leave the others empty.</p>`;
  const search = v.suspense ? finder(v) : '';
  if (!v.customer) return html`${intro}${search}`;
  if (!v.mayChange) {
    return html`${intro}${search}<p class="muted">Your role is read only: ${v.customer.name}'s unpaid invoices are listed, nothing can be applied from here.</p>`;
  }
  if (v.invoices.length === 0) {
    return html`${intro}${search}<p class="muted">${v.customer.name} has no unpaid invoice in ${p.currency}.</p>`;
  }
  return html`${intro}${search}<form method="post" action="${`${paymentHref(p.id)}/allocations`}">${consoleCsrfInput(v.csrf)}${revisionInput(p.revision)}<fieldset class="table"><legend>Unpaid invoices of ${v.customer.name} in ${p.currency}</legend><table class="rows"><thead><tr><th scope="col">Invoice</th><th scope="col">Due</th><th scope="col" class="num">Balance</th><th scope="col">Amount to apply</th></tr></thead><tbody>${v.invoices.map(
    (i, k) =>
      html`<tr><td data-label="Invoice">${i.number}<input type="hidden" name="${`allocations.${k}.invoiceId`}" value="${i.id}"></td><td data-label="Due">${i.dueDate}</td><td data-label="Balance" class="num">${m(i.balanceDue, i.currency)}</td><td data-label="Amount to apply"><label class="visually-hidden" for="${`amount-${k}`}">Amount to apply to ${i.number} (${i.currency})</label><input id="${`amount-${k}`}" name="${`allocations.${k}.amount`}" type="text" inputmode="decimal" autocomplete="off" size="12" maxlength="24"></td></tr>`,
  )}</tbody></table></fieldset><div class="actions"><button type="submit">Apply</button></div></form>`;
}

/** GET /console/payments/{id}. */
export function paymentBody(v: PaymentPageView): Html {
  return html`${noticeLine(v.notice)}${figures(v.payment)}${details(v)}${allocationForm(v)}${suggestions(v)}${allocations(v)}${trail(v)}<p><a href="/console/review">Back to the payments to review</a></p>`;
}

export function paymentTitle(p: { amount: number; currency: string; receivedAt: string }): string {
  return `Payment of ${m(p.amount, p.currency)} received ${day(p.receivedAt)}`;
}
