/**
 * The console's customer pages (bodies; the shell is ./layout.ts): finding a customer, the collector's one page on a
 * customer (contact, holds, payment behaviour, balances, open invoices, payments, communications) and the page on one
 * invoice (lines, terms, payments, prediction, reminders, dispute, promise, plan, extension) with the actions a
 * collector takes there as forms (resolve a dispute, grant an extension, place and release a hold). English (staff
 * pages); amounts with the ISO minor units (formatMoney, en-GB); calendar dates as YYYY-MM-DD, instants in UTC.
 * Forms only for a member who may change things (a viewer reads). Pure: `today` (customer-local) is a parameter.
 */
import { daysPastDue, effectiveDueDate, holdEnded } from '../collections.ts';
import type { Customer } from '../customer.ts';
import { html, join, lines as textLines, type Html } from '../html.ts';
import type { Invoice } from '../invoice.ts';
import type { Hold, InvoiceDispute } from '../invoice-collections.ts';
import type { PaymentPlan } from '../plans.ts';
import type { InvoicePrediction, PaymentBehaviour, RiskBand } from '../prediction/types.ts';
import { formatRfReference } from '../rf-reference.ts';
import { consoleAmount, consoleCsrfInput, consoleInstant, consoleNotice, memberName, noticeText } from './layout.ts';

// --- notices (after a POST's redirect: `?notice=<code>`; never free text from the address) -----------------------

export const CUSTOMER_NOTICES = {
  hold_placed: 'Hold placed: no reminders and no interest for this customer while it is active.',
  hold_released: 'Hold released: collection resumes with the step now due.',
  dispute_upheld: 'Dispute upheld: the credit note is booked and the customer is notified (unless their mail is suppressed).',
  dispute_rejected: 'Dispute rejected: collection resumes and the customer is told why (unless their mail is suppressed).',
  extension_granted: 'Extension granted: the new due date is in force and the customer is notified (unless their mail is suppressed).',
} as const;
export type CustomerNotice = keyof typeof CUSTOMER_NOTICES;

/** The text of a notice code from the address, or nothing for an unknown one. */
export function customerNotice(code: string | undefined): string | undefined {
  return noticeText(CUSTOMER_NOTICES, code);
}

// --- small pieces ---------------------------------------------------------------------------------------------------


const dateOf = (iso: string) => iso.slice(0, 10);

/** "by <name>" for a console member's id (the id itself when the directory does not know it), or nothing. */
export function byMember(staffId: string | undefined, names: Readonly<Record<string, string>>): Html | '' {
  if (!staffId) return '';
  return html` by ${memberName(staffId, names)}`;
}

const RISK_LABEL: Record<RiskBand, string> = { low: 'Low', medium: 'Medium', high: 'High' };

export function riskBadge(band: RiskBand): Html {
  return html`<span class="${`badge badge-${band}`}">${RISK_LABEL[band]} risk</span>`;
}

const percent = (p: number) => `${Math.round(p * 100)} %`;

type BadgeKind = 'overdue' | 'paid' | 'open' | 'disputed' | 'promised';
const badge = (kind: BadgeKind, text: string) => html`<span class="${`badge badge-${kind}`}">${text}</span>`;

/**
 * The status badges of an invoice for a collector: paid / overdue / partially paid / open (overdue from the day after
 * the due date in force, customer-local), then what pauses or shapes collection: a dispute (or chargeback), an open
 * promise, a plan, an extension, the legal handover.
 */
export function invoiceBadges(invoice: Invoice, today: string): Html {
  const out: Html[] = [];
  if (invoice.status === 'paid') out.push(badge('paid', 'Paid'));
  else if (effectiveDueDate(invoice) < today) out.push(badge('overdue', 'Overdue'));
  else out.push(badge('open', invoice.status === 'partially_paid' ? 'Partially paid' : 'Open'));
  if (invoice.status === 'partially_paid' && effectiveDueDate(invoice) < today) out.push(badge('open', 'Partially paid'));
  if (invoice.dispute) out.push(badge('disputed', invoice.dispute.source === 'chargeback' ? 'Chargeback' : 'Disputed'));
  if (invoice.promise?.status === 'open') out.push(badge('promised', `Promised by ${invoice.promise.date}`));
  if (invoice.planId) out.push(badge('open', 'In a plan'));
  if (invoice.extension) out.push(badge('open', `Extended to ${invoice.extension.dueDate}`));
  if (invoice.escalatedAt) out.push(badge('overdue', 'With legal'));
  return join(out, ' ');
}

/** The parts joined, or a dash when there are none. */
function joinOrDash(parts: readonly Html[], separator: Html | string): Html | string {
  return parts.length ? join(parts, separator) : '—';
}


// --- finding a customer -------------------------------------------------------------------------------------------

export interface SearchMatchView {
  customer: { id: string; name: string; email: string; currency: string; timeZone: string; mailSuppressed?: boolean; holds: number };
  by: 'email' | 'customer_id' | 'stripe_customer' | 'invoice_number' | 'invoice_id' | 'payment_reference';
  invoice?: { id: string; number: string };
}

const MATCHED_BY: Record<SearchMatchView['by'], string> = {
  email: 'E-mail address',
  customer_id: 'Customer id',
  stripe_customer: 'Stripe customer id',
  invoice_number: 'Invoice number',
  invoice_id: 'Invoice id',
  payment_reference: 'Payment reference',
};

/** The search form, a hint when nothing was asked, and the matches (or that there are none). */
export function customerSearchBody(v: { q: string; matches: readonly SearchMatchView[]; maxChars: number }): Html {
  const searched = v.q.trim() !== '';
  const form = html`<form method="get" action="/console/customers" class="inline" role="search"><div class="field"><label for="q">E-mail address, customer id, invoice number or id, or payment reference</label><input id="q" name="q" type="search" value="${v.q}" maxlength="${v.maxChars}" autocomplete="off" required></div><button type="submit">Find</button></form>`;
  if (!searched) {
    return html`${form}<p class="muted">Exact keys only: a whole e-mail address (e.g. ap@example.com), a customer id (cus_…, ours or Stripe's), an invoice number (e.g. INV-000123) or id (inv_…), or an RF payment reference. Names are not searched: the worklist lists who needs attention.</p>`;
  }
  if (v.matches.length === 0) return html`${form}<p class="notice" role="status">No customer has that e-mail address, id, invoice number or reference.</p>`;
  const [lCustomer, lMail, lBy, lInvoice, lState] = ['Customer', 'E-mail', 'Found by', 'Invoice', 'State'];
  return html`${form}<h2>${v.matches.length === 1 ? '1 customer' : `${v.matches.length} customers`}</h2><table class="rows"><thead><tr><th scope="col">${lCustomer}</th><th scope="col">${lMail}</th><th scope="col">${lBy}</th><th scope="col">${lInvoice}</th><th scope="col">${lState}</th></tr></thead><tbody>${v.matches.map(
    (m) =>
      html`<tr><td data-label="${lCustomer}"><a href="${`/console/customers/${encodeURIComponent(m.customer.id)}`}">${m.customer.name}</a><br><span class="muted">${m.customer.id}</span></td><td data-label="${lMail}">${m.customer.email}</td><td data-label="${lBy}">${MATCHED_BY[m.by]}</td><td data-label="${lInvoice}">${
        m.invoice ? html`<a href="${`/console/invoices/${encodeURIComponent(m.invoice.id)}`}">${m.invoice.number}</a>` : '—'
      }</td><td data-label="${lState}">${joinOrDash(
        [
          ...(m.customer.holds > 0 ? [badge('disputed', m.customer.holds === 1 ? 'On hold' : `${m.customer.holds} holds`)] : []),
          ...(m.customer.mailSuppressed ? [badge('overdue', 'Mail suppressed')] : []),
        ],
        ' ',
      )}</td></tr>`,
  )}</tbody></table>`;
}

// --- the customer page ----------------------------------------------------------------------------------------------

export interface PaymentRowView {
  id: string;
  source: string;
  method: string;
  amount: number;
  currency: string;
  receivedAt: string;
  status: string;
  unapplied: number;
  credit: number;
  allocations: readonly { invoiceId: string; amount: number }[];
}

export interface HistoryView {
  mails: readonly { key: string; kind: string; subject: string; status: string; createdAt: string; sentAt?: string; step?: string }[];
  events: readonly { id: string; detailType: string; createdAt: string }[];
  feedback: readonly { rating: number; comment?: string | undefined; at: string }[];
  decisions: readonly DecisionView[];
  nextCursor: string | null;
}

export interface DecisionView {
  invoiceId: string;
  kind: string;
  subjectId: string;
  by: string;
  at: string;
  reason: string;
  staffId?: string;
}

export interface CustomerPageView {
  customer: Customer;
  /** Per ledger account (receivable, customer_credit, unapplied), per currency. */
  balances: Readonly<Record<string, Readonly<Record<string, number>>>>;
  openInvoices: readonly Invoice[];
  payments: readonly PaymentRowView[];
  /** Invoice numbers by id (the payments' allocations show the number when known, else the id). */
  invoiceNumbers: Readonly<Record<string, string>>;
  paymentCount: number;
  plans: readonly PaymentPlan[];
  /** The latest mails and collections decisions, each newest first. */
  recent: { mails: HistoryView['mails']; decisions: HistoryView['decisions'] };
  /** A page of the whole communication history, oldest first (`first`: its first page), when asked for. */
  history?: (HistoryView & { first: boolean }) | undefined;
  staffNames: Readonly<Record<string, string>>;
  /** Customer-local date. */
  today: string;
  now: Date;
  csrf: string;
  canChange: boolean;
  notice?: string | undefined;
}

/** The line under the customer page's title. */
export function customerMeta(c: Pick<Customer, 'id' | 'timeZone' | 'locale'>): Html {
  return html`<span>${c.id}</span><span>${c.timeZone}</span><span>${c.locale}</span>`;
}

const DECISION_LABEL: Record<string, string> = {
  promise_made: 'Promise made',
  promise_kept: 'Promise kept',
  promise_broken: 'Promise broken',
  dispute_opened: 'Dispute opened',
};
const BY_LABEL: Record<string, string> = { portal: 'the customer (portal)', staff: 'staff', payment: 'a payment', reminders: 'the reminder run' };

function balancesSection(v: CustomerPageView): Html {
  const receivable = v.balances.receivable ?? {};
  const credit = v.balances.customer_credit ?? {};
  const unapplied = v.balances.unapplied ?? {};
  const currencies = [...new Set([...Object.keys(receivable), ...Object.keys(credit), ...Object.keys(unapplied), ...v.openInvoices.map((i) => i.currency)])].sort();
  if (currencies.length === 0) return html`<p class="muted">No invoices or payments yet.</p>`;
  return html`<div class="kpis">${currencies.map((currency) => {
    const open = v.openInvoices.filter((i) => i.currency === currency);
    const overdue = open.filter((i) => effectiveDueDate(i) < v.today).reduce((s, i) => s + i.balanceDue, 0);
    return html`<div class="card"><span class="label">Owed (${currency})</span><span class="amount">${consoleAmount(Math.max(0, receivable[currency] ?? 0), currency)}</span><p>${
      overdue > 0 ? html`${badge('overdue', 'Overdue')} ${consoleAmount(overdue, currency)}` : html`<span class="muted">Nothing overdue</span>`
    }</p>${(credit[currency] ?? 0) > 0 ? html`<p class="muted">Credit: ${consoleAmount(credit[currency] ?? 0, currency)}</p>` : ''}${
      (unapplied[currency] ?? 0) > 0 ? html`<p class="muted">In review (unapplied): ${consoleAmount(unapplied[currency] ?? 0, currency)}</p>` : ''
    }</div>`;
  })}</div>`;
}

/** The open invoices: number, due date in force, balance, badges, days overdue, predicted risk and payment date. */
export function openInvoicesTable(invoices: readonly Invoice[], today: string): Html {
  if (invoices.length === 0) return html`<p class="muted">No open invoices.</p>`;
  const [lNo, lDue, lBalance, lStatus, lDays, lRisk, lExpected] = ['Invoice', 'Due', 'Balance', 'Status', 'Days overdue', 'Predicted risk', 'Expected payment'];
  const sorted = [...invoices].sort((a, b) => effectiveDueDate(a).localeCompare(effectiveDueDate(b)) || a.number.localeCompare(b.number));
  return html`<table class="rows"><thead><tr><th scope="col">${lNo}</th><th scope="col">${lDue}</th><th scope="col" class="num">${lBalance}</th><th scope="col">${lStatus}</th><th scope="col" class="num">${lDays}</th><th scope="col">${lRisk}</th><th scope="col">${lExpected}</th></tr></thead><tbody>${sorted.map((i) => {
    const days = daysPastDue(i, today);
    return html`<tr><td data-label="${lNo}"><a href="${`/console/invoices/${encodeURIComponent(i.id)}`}">${i.number}</a></td><td data-label="${lDue}">${effectiveDueDate(i)}</td><td data-label="${lBalance}" class="num">${consoleAmount(i.balanceDue, i.currency)}</td><td data-label="${lStatus}">${invoiceBadges(i, today)}</td><td data-label="${lDays}" class="num">${days > 0 ? days : '—'}</td><td data-label="${lRisk}">${
      i.prediction ? html`${riskBadge(i.prediction.riskBand)} <span class="muted">${percent(i.prediction.lateProbability)} late</span>` : html`<span class="muted">not predicted yet</span>`
    }</td><td data-label="${lExpected}">${i.prediction?.expectedPaymentDate ?? '—'}</td></tr>`;
  })}</tbody></table>`;
}

function usualDelay(b: PaymentBehaviour): string {
  if (b.medianDaysLate === null) return 'no settled invoices yet';
  if (b.medianDaysLate === 0) return 'on the due date';
  const n = Math.abs(b.medianDaysLate);
  return `${n} ${n === 1 ? 'day' : 'days'} ${b.medianDaysLate > 0 ? 'late' : 'early'}`;
}

export function behaviourSection(b: PaymentBehaviour | undefined): Html {
  if (!b) return html`<p class="muted">No prediction yet: the nightly insights run has not assessed this customer.</p>`;
  return html`<p>${riskBadge(b.riskBand)}</p><dl class="details"><dt>Usual payment</dt><dd>${usualDelay(b)}</dd><dt>On time</dt><dd>${b.onTimeRate === null ? '—' : percent(b.onTimeRate)}</dd><dt>Trend</dt><dd>${b.trend}</dd><dt>Invoices observed</dt><dd>${b.invoicesObserved}</dd><dt>As of</dt><dd>${b.asOf}</dd></dl>`;
}

function holdState(h: Hold, now: Date): string {
  if (h.releasedAt) return 'Released';
  if (holdEnded(h, now)) return 'Expired';
  return 'Active';
}

function holdsSection(v: CustomerPageView): Html {
  const c = v.customer;
  const holds = [...(c.holds ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const [lReason, lPlaced, lUntil, lState, lAction] = ['Reason', 'Placed', 'Until', 'State', 'Action'];
  const table = holds.length
    ? html`<table class="rows"><thead><tr><th scope="col">${lReason}</th><th scope="col">${lPlaced}</th><th scope="col">${lUntil}</th><th scope="col">${lState}</th>${v.canChange ? html`<th scope="col">${lAction}</th>` : ''}</tr></thead><tbody>${holds.map((h) => {
        const state = holdState(h, v.now);
        return html`<tr><td data-label="${lReason}">${h.reason}</td><td data-label="${lPlaced}">${consoleInstant(h.createdAt)}${byMember(h.staffId, v.staffNames)}</td><td data-label="${lUntil}">${h.expiresAt ? consoleInstant(h.expiresAt) : 'until released'}</td><td data-label="${lState}">${state}${
          h.releasedAt ? html`<br><span class="muted">${consoleInstant(h.releasedAt)}${byMember(h.releasedBy, v.staffNames)}</span>` : ''
        }</td>${
          v.canChange
            ? html`<td data-label="${lAction}">${
                state === 'Active'
                  ? html`<form method="post" action="${`/console/customers/${encodeURIComponent(c.id)}/holds/${encodeURIComponent(h.id)}/release`}">${consoleCsrfInput(v.csrf)}<button type="submit" class="btn-secondary">Release<span class="visually-hidden"> the hold: ${h.reason}</span></button></form>`
                  : '—'
              }</td>`
            : ''
        }</tr>`;
      })}</tbody></table>`
    : html`<p class="muted">No holds.</p>`;
  const form = v.canChange
    ? html`<form method="post" action="${`/console/customers/${encodeURIComponent(c.id)}/holds`}" class="card">${consoleCsrfInput(v.csrf)}<input type="hidden" name="version" value="${c.version}"><h3>Place a hold</h3>
<div class="field"><label for="hold-reason">Reason</label><textarea id="hold-reason" name="reason" rows="2" maxlength="1000" required></textarea></div>
<div class="field"><label for="hold-until">Until (the last day, in the customer’s calendar; empty: until released)</label><input id="hold-until" name="expiresAt" type="date" min="${v.today}"></div>
<div class="actions"><button type="submit">Place hold</button></div></form>`
    : '';
  return html`${table}${form}`;
}

const METHOD_LABEL: Record<string, string> = { card: 'Card', bank_transfer: 'Bank transfer' };

function contactSection(c: Customer): Html {
  const d = c.dunning;
  const reminders = d
    ? [d.excluded ? 'excluded from reminders' : '', d.cadence ? `cadence ${d.cadence}` : '', d.tone ? `tone ${d.tone}` : '', d.quietHours ? `quiet ${d.quietHours.startHour}–${d.quietHours.endHour} h` : '', d.letters ? 'letters by post' : '', d.adaptive === false ? 'no adaptive cadence' : '']
        .filter((s) => s !== '')
        .join(', ')
    : '';
  return html`<dl class="details"><dt>Name</dt><dd>${c.name}</dd><dt>E-mail</dt><dd>${c.email}</dd><dt>Mail</dt><dd>${
    c.mailSuppressed ? html`${badge('overdue', 'Suppressed')} since ${consoleInstant(c.mailSuppressed.at)} (${c.mailSuppressed.reason})` : 'Delivered'
  }</dd><dt>Locale</dt><dd>${c.locale}</dd><dt>Time zone</dt><dd>${c.timeZone}</dd><dt>Currency</dt><dd>${c.currency}</dd><dt>Preferred payment</dt><dd>${
    c.preferredPaymentMethod ? METHOD_LABEL[c.preferredPaymentMethod] : 'not stated'
  }</dd><dt>Postal address</dt><dd>${c.postalAddress?.length ? join(c.postalAddress.map((l) => html`${l}`), html`<br>`) : '—'}</dd><dt>Reminders</dt><dd>${reminders || 'the account’s ladder'}</dd>${
    c.stripeCustomerId ? html`<dt>Stripe customer</dt><dd>${c.stripeCustomerId}</dd>` : ''
  }<dt>Bank accounts</dt><dd>${c.bankAccounts.length ? join(c.bankAccounts.map((a) => html`${a}`), html`<br>`) : '—'}</dd><dt>Customer since</dt><dd>${dateOf(c.createdAt)}</dd></dl>`;
}

function plansSection(plans: readonly PaymentPlan[]): Html {
  if (plans.length === 0) return html`<p class="muted">No active or pending plan.</p>`;
  const [lPlan, lStatus, lTotal, lInstalments, lInvoices] = ['Plan', 'Status', 'Total', 'Instalments', 'Invoices'];
  return html`<table class="rows"><thead><tr><th scope="col">${lPlan}</th><th scope="col">${lStatus}</th><th scope="col" class="num">${lTotal}</th><th scope="col">${lInstalments}</th><th scope="col" class="num">${lInvoices}</th></tr></thead><tbody>${plans.map(
    (p) =>
      html`<tr><td data-label="${lPlan}">${p.id}</td><td data-label="${lStatus}">${p.status.replace('_', ' ')}</td><td data-label="${lTotal}" class="num">${consoleAmount(p.total, p.currency)}</td><td data-label="${lInstalments}">${p.instalments.length} × ${p.frequency}, ${p.instalments[0]?.dueDate ?? '—'} to ${p.instalments.at(-1)?.dueDate ?? '—'}</td><td data-label="${lInvoices}" class="num">${p.invoiceIds.length}</td></tr>`,
  )}</tbody></table>`;
}

function paymentsSection(v: CustomerPageView): Html {
  if (v.payments.length === 0) return html`<p class="muted">No payments received.</p>`;
  const [lDate, lMethod, lAmount, lStatus, lApplied] = ['Received', 'Method', 'Amount', 'Status', 'Applied to'];
  return html`<table class="rows"><thead><tr><th scope="col">${lDate}</th><th scope="col">${lMethod}</th><th scope="col" class="num">${lAmount}</th><th scope="col">${lStatus}</th><th scope="col">${lApplied}</th></tr></thead><tbody>${v.payments.map(
    (p) =>
      html`<tr><td data-label="${lDate}"><a href="${`/console/payments/${encodeURIComponent(p.id)}`}">${consoleInstant(p.receivedAt)}</a></td><td data-label="${lMethod}">${p.method} (${p.source})</td><td data-label="${lAmount}" class="num">${consoleAmount(p.amount, p.currency)}</td><td data-label="${lStatus}">${
        p.unapplied > 0 ? html`${badge('disputed', 'In review')} ${consoleAmount(p.unapplied, p.currency)} unapplied` : badge('paid', 'Applied')
      }</td><td data-label="${lApplied}">${joinOrDash(
        [
          ...p.allocations.map((a) => html`<a href="${`/console/invoices/${encodeURIComponent(a.invoiceId)}`}">${v.invoiceNumbers[a.invoiceId] ?? a.invoiceId}</a>: ${consoleAmount(a.amount, p.currency)}`),
          ...(p.credit > 0 ? [html`credit ${consoleAmount(p.credit, p.currency)}`] : []),
        ],
        html`<br>`,
      )}</td></tr>`,
  )}</tbody></table>${v.paymentCount > v.payments.length ? html`<p class="muted">The ${v.payments.length} most recent of ${v.paymentCount} payments.</p>` : ''}`;
}

const MAIL_STATUS: Record<string, string> = { pending: 'waiting to be sent', sending: 'sending', sent: 'sent', suppressed: 'not sent (suppressed)' };

function mailsTable(mails: HistoryView['mails']): Html | '' {
  if (!mails.length) return '';
  const [lWhen, lKind, lSubject, lStatus] = ['When', 'Kind', 'Subject', 'Status'];
  return html`<h3>Mails</h3><table class="rows"><thead><tr><th scope="col">${lWhen}</th><th scope="col">${lKind}</th><th scope="col">${lSubject}</th><th scope="col">${lStatus}</th></tr></thead><tbody>${mails.map(
    (m) =>
      html`<tr><td data-label="${lWhen}">${consoleInstant(m.sentAt ?? m.createdAt)}</td><td data-label="${lKind}">${m.kind.replaceAll('_', ' ')}${m.step ? html` <span class="muted">(${m.step})</span>` : ''}</td><td data-label="${lSubject}">${m.subject}</td><td data-label="${lStatus}">${MAIL_STATUS[m.status] ?? m.status}</td></tr>`,
  )}</tbody></table>`;
}

function decisionsTable(decisions: HistoryView['decisions'], names: Readonly<Record<string, string>>): Html | '' {
  if (!decisions.length) return '';
  const [lWhen, lWhat, lWhy, lBy] = ['When', 'Decision', 'Why', 'By'];
  return html`<h3>Collections decisions</h3><table class="rows"><thead><tr><th scope="col">${lWhen}</th><th scope="col">${lWhat}</th><th scope="col">${lWhy}</th><th scope="col">${lBy}</th></tr></thead><tbody>${decisions.map(
    (d) =>
      html`<tr><td data-label="${lWhen}">${consoleInstant(d.at)}</td><td data-label="${lWhat}">${DECISION_LABEL[d.kind] ?? d.kind} · <a href="${`/console/invoices/${encodeURIComponent(d.invoiceId)}`}">invoice</a></td><td data-label="${lWhy}">${d.reason}</td><td data-label="${lBy}">${BY_LABEL[d.by] ?? d.by}${byMember(d.staffId, names)}</td></tr>`,
  )}</tbody></table>`;
}

/**
 * The communications: the latest mails and collections decisions (newest first) with a link to the whole history; or,
 * when asked for, a page of the whole history (oldest first: mails, hand-overs, ratings, decisions) with its pager.
 */
function historySection(v: CustomerPageView): Html {
  const id = encodeURIComponent(v.customer.id);
  const h = v.history;
  if (!h) {
    const empty = v.recent.mails.length === 0 && v.recent.decisions.length === 0;
    return html`<p class="muted">The latest mails and collections decisions, newest first.</p>${empty ? html`<p class="muted">Nothing yet.</p>` : html`${mailsTable(v.recent.mails)}${decisionsTable(v.recent.decisions, v.staffNames)}`}<p><a href="${`/console/customers/${id}?history=all#history`}">The whole history, oldest first</a></p>`;
  }
  const [lWhen, lRating] = ['When', 'Rating'];
  const events = h.events.length ? html`<h3>Handed over</h3><ul>${h.events.map((e) => html`<li>${consoleInstant(e.createdAt)}: ${e.detailType}</li>`)}</ul>` : '';
  const feedback = h.feedback.length
    ? html`<h3>Ratings</h3><table class="rows"><thead><tr><th scope="col">${lWhen}</th><th scope="col" class="num">${lRating}</th><th scope="col">Comment</th></tr></thead><tbody>${h.feedback.map(
        (f) => html`<tr><td data-label="${lWhen}">${consoleInstant(f.at)}</td><td data-label="${lRating}" class="num">${f.rating} of 5</td><td data-label="Comment">${f.comment ?? '—'}</td></tr>`,
      )}</tbody></table>`
    : '';
  const empty = !h.mails.length && !h.decisions.length && !events && !feedback;
  const pager = [
    html`<a href="${`/console/customers/${id}#history`}">The latest only</a>`,
    ...(h.first ? [] : [html`<a href="${`/console/customers/${id}?history=all#history`}">From the start</a>`]),
    ...(h.nextCursor ? [html`<a href="${`/console/customers/${id}?history=${encodeURIComponent(h.nextCursor)}#history`}">Later entries</a>`] : []),
  ];
  return html`<p class="muted">The whole history, oldest first: mails, then hand-overs, ratings and collections decisions.</p>${
    empty ? html`<p class="muted">Nothing${h.first ? ' yet' : ' more'}.</p>` : html`${mailsTable(h.mails)}${events}${feedback}${decisionsTable(h.decisions, v.staffNames)}`
  }<nav aria-label="Communication history pages"><ul class="actions">${pager.map((p) => html`<li>${p}</li>`)}</ul></nav>`;
}

/** The collector's page on a customer (the body; the title is the customer's name, the meta line customerMeta). */
export function customerPageBody(v: CustomerPageView): Html {
  const c = v.customer;
  const active = (c.holds ?? []).filter((h) => !holdEnded(h, v.now) && Date.parse(h.createdAt) <= v.now.getTime());
  const id = encodeURIComponent(c.id);
  return html`${consoleNotice(v.notice)}
${c.mailSuppressed ? html`<p class="alert" role="alert">Mail to ${c.email} is suppressed (${c.mailSuppressed.reason}, ${consoleInstant(c.mailSuppressed.at)}): reminders and notices are not sent.</p>` : ''}
${active.length ? html`<p class="alert" role="alert">On hold (${active.map((h) => h.reason).join('; ')}): no reminders and no interest.</p>` : ''}
<section aria-labelledby="balances"><h2 id="balances">Balances</h2>${balancesSection(v)}</section>
<section aria-labelledby="open-invoices"><h2 id="open-invoices">Open invoices</h2>${openInvoicesTable(v.openInvoices, v.today)}</section>
<section aria-labelledby="behaviour"><h2 id="behaviour">Payment behaviour</h2>${behaviourSection(c.paymentBehaviour)}</section>
<section aria-labelledby="holds"><h2 id="holds">Holds</h2>${holdsSection(v)}</section>
<section aria-labelledby="contact"><h2 id="contact">Contact</h2>${contactSection(c)}</section>
<section aria-labelledby="plans"><h2 id="plans">Payment plans</h2>${plansSection(v.plans)}</section>
<section aria-labelledby="payments"><h2 id="payments">Recent payments</h2>${paymentsSection(v)}</section>
<section aria-labelledby="history"><h2 id="history">Communications</h2>${historySection(v)}</section>
<section aria-labelledby="api"><h2 id="api">In the admin API</h2><ul><li><code>${`GET /customers/${id}/ledger`}</code> — the ledger entries</li><li><code>${`GET /customers/${id}/statement`}</code> — the statement of account</li><li><code>${`GET /customers/${id}/communications`}</code> — the whole communication history</li></ul></section>`;
}

// --- the invoice page -----------------------------------------------------------------------------------------------

export interface DisputeView extends InvoiceDispute {
  resolution?: { outcome: 'upheld' | 'rejected'; amount?: number; explanation: string; resolvedAt: string; staffId?: string } | undefined;
}

export interface InvoicePageView {
  invoice: Invoice;
  customer: Pick<Customer, 'id' | 'name' | 'mailSuppressed'>;
  payments: readonly { paymentId: string; amount: number; appliedAt: string }[];
  reminders: readonly { kind: string; subject: string; createdAt: string; step?: string }[];
  charges: readonly { type: string; amount: number; currency: string; bookedAt: string }[];
  /** Disputes with a record (open and resolved), oldest first. */
  disputes: readonly DisputeView[];
  decisions: readonly DecisionView[];
  plan?: PaymentPlan | undefined;
  staffNames: Readonly<Record<string, string>>;
  /** Customer-local date. */
  today: string;
  csrf: string;
  canChange: boolean;
  notice?: string | undefined;
}

export function invoiceMeta(invoice: Invoice, customer: Pick<Customer, 'id' | 'name'>): Html {
  return html`<span><a href="${`/console/customers/${encodeURIComponent(customer.id)}`}">${customer.name}</a></span><span>${invoice.id}</span>`;
}

function termsItems(i: Invoice): Html[] {
  const t = i.terms;
  if (!t) return [html`<li>The account’s terms at the time (not recorded on this invoice).</li>`];
  const out: Html[] = [html`<li>Net ${t.netDays} days; ${t.graceDays} grace ${t.graceDays === 1 ? 'day' : 'days'}</li>`];
  const li = t.lateInterest;
  if (li.mode === 'simple') out.push(html`<li>Late interest ${li.annualRateBasisPoints / 100} % a year from ${li.startDaysPastDue} days past due</li>`);
  else if (li.mode === 'statutory') out.push(html`<li>Statutory late interest: reference ${li.referenceRateBasisPoints / 100} % + ${li.marginBasisPoints / 100} % a year from ${li.startDaysPastDue} days past due</li>`);
  else out.push(html`<li>No late interest</li>`);
  const fee = t.fixedLateFee?.[i.currency];
  if (fee) out.push(html`<li>Late fee ${consoleAmount(fee, i.currency)}${i.lateFeeCharged ? ' (charged)' : ''}</li>`);
  if (i.earlyPaymentDiscount) out.push(html`<li>Early-payment discount ${consoleAmount(i.earlyPaymentDiscount.amount, i.currency)} if paid by ${i.earlyPaymentDiscount.until}</li>`);
  return out;
}

function predictionSection(p: InvoicePrediction | undefined, paid: boolean): Html {
  if (!p) return html`<p class="muted">${paid ? 'Paid: nothing to predict.' : 'Not predicted yet (the nightly insights run predicts open invoices).'}</p>`;
  return html`<p>${riskBadge(p.riskBand)}</p><dl class="details"><dt>Expected payment</dt><dd>${p.expectedPaymentDate}</dd><dt>Chance of paying more than 30 days late</dt><dd>${percent(p.lateProbability)}</dd><dt>As of</dt><dd>${p.asOf} (model ${p.modelVersion})</dd></dl>${
    p.factors.length ? html`<h3>Why</h3><ul>${p.factors.map((f) => html`<li>${f}</li>`)}</ul>` : ''
  }`;
}

function disputeSection(v: InvoicePageView): Html {
  const i = v.invoice;
  const open = i.dispute;
  const recorded = v.disputes.filter((d) => d.id !== open?.id || d.resolution);
  const describe = (d: InvoiceDispute) =>
    html`<dl class="details"><dt>Opened</dt><dd>${consoleInstant(d.openedAt)}${d.source === 'chargeback' ? ' (a chargeback)' : ''}</dd><dt>Reason</dt><dd>${d.reasonCode ? html`${d.reasonCode.replaceAll('_', ' ')}: ` : ''}${d.reason}</dd><dt>Amount</dt><dd>${d.amount !== undefined ? consoleAmount(d.amount, i.currency) : 'the whole balance'}</dd></dl>`;
  const form =
    open && v.canChange
      ? html`<form method="post" action="${`/console/disputes/${encodeURIComponent(open.id)}/resolve`}" class="card">${consoleCsrfInput(v.csrf)}<input type="hidden" name="invoiceId" value="${i.id}"><h3>Resolve the dispute</h3>
<fieldset><legend>Outcome</legend><div class="choices"><label class="choice"><input type="radio" name="outcome" value="upheld" required> Upheld: credit the customer</label><label class="choice"><input type="radio" name="outcome" value="rejected"> Rejected: collection resumes</label></div></fieldset>
<div class="field"><label for="dispute-amount">Credit note (${i.currency}, upheld only; empty: the disputed amount, else the balance)</label><input id="dispute-amount" name="amount" inputmode="decimal" pattern="[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?|[0-9]+(\.[0-9]+)?" maxlength="24" autocomplete="off" aria-describedby="dispute-amount-hint"><p id="dispute-amount-hint" class="muted">Like 1234.50 or 1,234.50: a point before the decimals.</p></div>
<div class="field"><label for="dispute-explanation">Explanation (mailed to the customer)</label><textarea id="dispute-explanation" name="explanation" rows="3" maxlength="2000" required></textarea></div>
<div class="actions"><button type="submit">Resolve</button></div></form>`
      : '';
  const past = recorded.map(
    (d) =>
      html`<div class="card">${describe(d)}${
        d.resolution
          ? html`<p><strong>${d.resolution.outcome === 'upheld' ? 'Upheld' : 'Rejected'}</strong> ${consoleInstant(d.resolution.resolvedAt)}${byMember(d.resolution.staffId, v.staffNames)}${
              d.resolution.amount ? html` — credit note ${consoleAmount(d.resolution.amount, i.currency)}` : ''
            }</p><p>${textLines(d.resolution.explanation)}</p>`
          : ''
      }</div>`,
  );
  if (!open && past.length === 0) return html`<p class="muted">Never disputed.</p>`;
  return html`${open ? html`<div class="card"><p>${badge('disputed', 'Open')}</p>${describe(open)}</div>${form}` : ''}${past.length ? html`<h3>Resolved</h3>${past}` : ''}`;
}

function promiseSection(i: Invoice): Html {
  const p = i.promise;
  if (!p) return html`<p class="muted">No promise to pay.${i.brokenPromises ? ` ${i.brokenPromises} broken before.` : ''}</p>`;
  const state = p.status === 'open' ? badge('promised', 'Open') : p.status === 'kept' ? badge('paid', 'Kept') : badge('overdue', 'Broken');
  return html`<p>${state}</p><dl class="details"><dt>Pay by</dt><dd>${p.date}</dd><dt>Amount</dt><dd>${p.amount !== undefined ? consoleAmount(p.amount, i.currency) : 'the whole balance'}</dd><dt>Made</dt><dd>${consoleInstant(p.madeAt)} (${p.source === 'portal' ? 'the customer, in the portal' : 'staff'})</dd><dt>Reminders paused until</dt><dd>${consoleInstant(p.until)}</dd>${
    p.settledAt ? html`<dt>${p.status === 'kept' ? 'Kept' : 'Broken'}</dt><dd>${consoleInstant(p.settledAt)}</dd>` : ''
  }${i.brokenPromises ? html`<dt>Broken promises</dt><dd>${i.brokenPromises}</dd>` : ''}</dl>`;
}

function planSection(plan: PaymentPlan | undefined, v: InvoicePageView): Html {
  if (!plan) return html`<p class="muted">Not in a payment plan.</p>`;
  const approval = plan.approval as PaymentPlan['approval'] & { staffId?: string };
  const [lSeq, lDue, lAmount] = ['Instalment', 'Due', 'Amount'];
  return html`<dl class="details"><dt>Plan</dt><dd>${plan.id}</dd><dt>Status</dt><dd>${plan.status.replace('_', ' ')}</dd><dt>Total</dt><dd>${consoleAmount(plan.total, plan.currency)}</dd><dt>Requested by</dt><dd>${plan.requestedBy}</dd><dt>Approved by</dt><dd>${
    approval.at ? html`${approval.by}${byMember(approval.staffId, v.staffNames)}, ${consoleInstant(approval.at)}` : 'not yet'
  }</dd><dt>Reference</dt><dd>${formatRfReference(plan.paymentReference)}</dd></dl><table class="rows"><thead><tr><th scope="col">${lSeq}</th><th scope="col">${lDue}</th><th scope="col" class="num">${lAmount}</th></tr></thead><tbody>${plan.instalments.map(
    (s) => html`<tr><td data-label="${lSeq}">${s.seq === 0 ? 'down payment' : s.seq}</td><td data-label="${lDue}">${s.dueDate}</td><td data-label="${lAmount}" class="num">${consoleAmount(s.amount, plan.currency)}</td></tr>`,
  )}</tbody></table>`;
}

function extensionSection(v: InvoicePageView): Html {
  const i = v.invoice;
  const x = i.extension;
  const current = x
    ? html`<dl class="details"><dt>New due date</dt><dd>${x.dueDate} (was ${i.dueDate})</dd><dt>Reason</dt><dd>${x.reason}</dd><dt>Granted</dt><dd>${consoleInstant(x.grantedAt)}${byMember(x.staffId, v.staffNames)}</dd></dl>`
    : html`<p class="muted">No extension.</p>`;
  const canGrant = v.canChange && i.status !== 'paid' && !i.escalatedAt;
  const form = canGrant
    ? html`<form method="post" action="${`/console/invoices/${encodeURIComponent(i.id)}/extensions`}" class="card">${consoleCsrfInput(v.csrf)}<input type="hidden" name="version" value="${i.version}"><h3>Grant an extension</h3>
<div class="field"><label for="extension-date">New due date (after ${effectiveDueDate(i)})</label><input id="extension-date" name="newDueDate" type="date" required></div>
<div class="field"><label for="extension-reason">Reason</label><textarea id="extension-reason" name="reason" rows="2" maxlength="1000" required></textarea></div>
<div class="actions"><button type="submit">Grant extension</button></div></form>`
    : '';
  return html`${current}${form}`;
}

/** The console's page on an invoice (the body; the title names the invoice, the meta line invoiceMeta). */
export function invoicePageBody(v: InvoicePageView): Html {
  const i = v.invoice;
  const days = i.status === 'paid' ? 0 : daysPastDue(i, v.today);
  const [lDesc, lQty, lUnit, lAmount, lDate, lPayment, lStep, lSubject, lWhat, lWhy, lBy] = ['Description', 'Quantity', 'Unit price', 'Amount', 'Date', 'Payment', 'Step', 'Subject', 'Decision', 'Why', 'By'];
  const lines = html`<table class="rows"><thead><tr><th scope="col">${lDesc}</th><th scope="col" class="num">${lQty}</th><th scope="col" class="num">${lUnit}</th><th scope="col" class="num">${lAmount}</th></tr></thead><tbody>${i.lines.map(
    (l) => html`<tr><td data-label="${lDesc}">${l.description}</td><td data-label="${lQty}" class="num">${l.quantity}</td><td data-label="${lUnit}" class="num">${consoleAmount(l.unitAmount, i.currency)}</td><td data-label="${lAmount}" class="num">${consoleAmount(l.amount, i.currency)}</td></tr>`,
  )}</tbody></table>`;
  const payments = v.payments.length
    ? html`<table class="rows"><thead><tr><th scope="col">${lDate}</th><th scope="col">${lPayment}</th><th scope="col" class="num">${lAmount}</th></tr></thead><tbody>${v.payments.map(
        (p) => html`<tr><td data-label="${lDate}">${consoleInstant(p.appliedAt)}</td><td data-label="${lPayment}"><a href="${`/console/payments/${encodeURIComponent(p.paymentId)}`}">${p.paymentId}</a></td><td data-label="${lAmount}" class="num">${consoleAmount(p.amount, i.currency)}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">No payments applied.</p>`;
  const charges = v.charges.length
    ? html`<ul>${v.charges.map((c) => html`<li>${dateOf(c.bookedAt)}: ${c.type === 'late_fee_charged' ? 'late fee' : 'interest'} ${consoleAmount(c.amount, c.currency)}</li>`)}</ul>`
    : '';
  const reminders = v.reminders.length
    ? html`<table class="rows"><thead><tr><th scope="col">${lDate}</th><th scope="col">${lStep}</th><th scope="col">${lSubject}</th></tr></thead><tbody>${v.reminders.map(
        (r) => html`<tr><td data-label="${lDate}">${consoleInstant(r.createdAt)}</td><td data-label="${lStep}">${r.step ?? r.kind.replaceAll('_', ' ')}</td><td data-label="${lSubject}">${r.subject}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">No reminders sent.${i.lastStepSent ? ` Last step: ${i.lastStepSent}.` : ''}</p>`;
  const decisions = v.decisions.length
    ? html`<h2>Collections decisions</h2><table class="rows"><thead><tr><th scope="col">${lDate}</th><th scope="col">${lWhat}</th><th scope="col">${lWhy}</th><th scope="col">${lBy}</th></tr></thead><tbody>${v.decisions.map(
        (d) => html`<tr><td data-label="${lDate}">${consoleInstant(d.at)}</td><td data-label="${lWhat}">${DECISION_LABEL[d.kind] ?? d.kind}</td><td data-label="${lWhy}">${d.reason}</td><td data-label="${lBy}">${BY_LABEL[d.by] ?? d.by}${byMember(d.staffId, v.staffNames)}</td></tr>`,
      )}</tbody></table>`
    : '';
  return html`${consoleNotice(v.notice)}
${v.customer.mailSuppressed ? html`<p class="alert" role="alert">Mail to this customer is suppressed: notices about this invoice are not sent.</p>` : ''}
<div class="card"><p>${invoiceBadges(i, v.today)}</p><dl class="details"><dt>Customer</dt><dd><a href="${`/console/customers/${encodeURIComponent(v.customer.id)}`}">${v.customer.name}</a></dd><dt>Issued</dt><dd>${i.issueDate}</dd><dt>Due</dt><dd>${effectiveDueDate(i)}${i.extension ? ` (originally ${i.dueDate})` : ''}</dd><dt>Days overdue</dt><dd>${days > 0 ? days : '—'}</dd><dt>Total</dt><dd>${consoleAmount(i.total, i.currency)}</dd>${
    i.charges ? html`<dt>Interest and fees</dt><dd>${consoleAmount(i.charges, i.currency)}</dd>` : ''
  }${i.credited ? html`<dt>Credited</dt><dd>${consoleAmount(i.credited, i.currency)}</dd>` : ''}<dt>Balance</dt><dd><strong>${consoleAmount(i.balanceDue, i.currency)}</strong></dd><dt>Payment reference</dt><dd>${formatRfReference(i.paymentReference)}</dd>${
    i.lastStepSent ? html`<dt>Last reminder step</dt><dd>${i.lastStepSent}${i.lastStepAt ? ` (${consoleInstant(i.lastStepAt)})` : ''}</dd>` : ''
  }${i.escalatedAt ? html`<dt>Handed over to legal</dt><dd>${consoleInstant(i.escalatedAt)}</dd>` : ''}</dl></div>
<section aria-labelledby="lines"><h2 id="lines">Lines</h2>${lines}</section>
<section aria-labelledby="terms"><h2 id="terms">Terms</h2><ul>${termsItems(i)}</ul></section>
<section aria-labelledby="payments"><h2 id="payments">Payments applied</h2>${payments}${charges ? html`<h3>Charges booked</h3>${charges}` : ''}</section>
<section aria-labelledby="prediction"><h2 id="prediction">Prediction</h2>${predictionSection(i.prediction, i.status === 'paid')}</section>
<section aria-labelledby="reminders"><h2 id="reminders">Reminders</h2>${reminders}</section>
<section aria-labelledby="dispute"><h2 id="dispute">Dispute</h2>${disputeSection(v)}</section>
<section aria-labelledby="promise"><h2 id="promise">Promise to pay</h2>${promiseSection(i)}</section>
<section aria-labelledby="plan"><h2 id="plan">Payment plan</h2>${planSection(v.plan, v)}</section>
<section aria-labelledby="extension"><h2 id="extension">Extension</h2>${extensionSection(v)}</section>
${decisions}`;
}
