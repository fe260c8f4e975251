/**
 * The bodies of the portal's signed-in pages (the shell is ./shell.ts): overview, invoices, an invoice with the
 * dispute and promise forms, paying several invoices by bank transfer, payments, the statement form. Amounts in the
 * customer's locale (formatMoney), dates in their time zone (formatDate). Pure: `today` is the customer-local date.
 */
import { addDays } from '../dates.ts';
import { html, type Html } from '../html.ts';
import { translator, type MessageKey } from '../i18n/catalog.ts';
import type { Invoice } from '../invoice.ts';
import { DISPUTE_REASON_CODES } from '../invoice-collections.ts';
import { formatDate } from '../messages.ts';
import { formatMoney } from '../money.ts';
import { formatRfReference } from '../rf-reference.ts';
import { csrfInput } from './shell.ts';

type Badge = 'overdue' | 'paid' | 'open' | 'partially_paid' | 'disputed' | 'promised';

/** The status a customer sees: disputed and promised first, then overdue (after the due date, customer-local). */
export function invoiceBadge(invoice: Invoice, today: string): Badge {
  if (invoice.status === 'paid') return 'paid';
  if (invoice.dispute) return 'disputed';
  if (invoice.promise?.status === 'open') return 'promised';
  if ((invoice.extension?.dueDate ?? invoice.dueDate) < today) return 'overdue';
  return invoice.status === 'partially_paid' ? 'partially_paid' : 'open';
}

function badge(locale: string, kind: Badge): Html {
  const css = kind === 'partially_paid' ? 'open' : kind;
  return html`<span class="${`badge badge-${css}`}">${translator(locale)(`portal.status.${kind}` as MessageKey)}</span>`;
}

interface View {
  locale: string;
  timeZone: string;
  today: string;
  csrf: string;
}

const m = (v: { locale: string }, amount: number, currency: string) => formatMoney({ amount, currency }, v.locale);
const d = (v: { locale: string; timeZone: string }, date: string) => formatDate(date, v.locale, v.timeZone);

/** The invoices table; with `selectable`, a checkbox per unpaid invoice (the pay form's `invoiceIds`). */
export function invoiceTable(v: View, invoices: readonly Invoice[], selectable: boolean): Html {
  const t = translator(v.locale);
  if (invoices.length === 0) return html`<p class="muted">${t('portal.invoices.none')}</p>`;
  const [lNo, lDue, lTotal, lOpen, lStatus] = [t('portal.inv.number'), t('portal.inv.due'), t('portal.inv.total'), t('portal.inv.balance'), t('portal.inv.status')];
  return html`<table class="rows"><thead><tr>${selectable ? html`<th scope="col"><span class="visually-hidden">${t('portal.pay.choose')}</span></th>` : ''}<th scope="col">${lNo}</th><th scope="col">${lDue}</th><th scope="col" class="num">${lTotal}</th><th scope="col" class="num">${lOpen}</th><th scope="col">${lStatus}</th></tr></thead><tbody>${invoices.map(
    (i) =>
      html`<tr>${
        selectable
          ? // No stacked-row label: the fieldset's legend says it once, the checkbox's own label names the invoice.
            html`<td class="pick">${i.balanceDue > 0 ? html`<input type="checkbox" name="invoiceIds" value="${i.id}" id="${`pay-${i.id}`}" aria-label="${t('portal.inv.select', { number: i.number })}">` : ''}</td>`
          : ''
      }<td data-label="${lNo}"><a href="${`/portal/invoices/${encodeURIComponent(i.id)}`}">${i.number}</a></td><td data-label="${lDue}">${d(v, i.extension?.dueDate ?? i.dueDate)}</td><td data-label="${lTotal}" class="num">${m(v, i.total, i.currency)}</td><td data-label="${lOpen}" class="num">${m(v, i.balanceDue, i.currency)}</td><td data-label="${lStatus}">${badge(v.locale, invoiceBadge(i, v.today))}</td></tr>`,
  )}</tbody></table>`;
}

/** A form around the unpaid invoices' table: pay the selected ones. */
export function payForm(v: View, invoices: readonly Invoice[]): Html {
  const t = translator(v.locale);
  const unpaid = invoices.filter((i) => i.balanceDue > 0);
  if (unpaid.length === 0) return invoiceTable(v, invoices, false);
  return html`<form method="post" action="/portal/pay">${csrfInput(v.csrf)}<fieldset class="table"><legend>${t('portal.pay.choose')}</legend>${invoiceTable(v, invoices, true)}</fieldset><div class="actions"><button type="submit" class="btn">${t('portal.pay.button')}</button></div></form>`;
}

export interface OverviewView extends View {
  unpaid: readonly Invoice[];
  balances: readonly { currency: string; owed: number; credit: number }[];
  plans: readonly { instalments: unknown[] | number; currency: string; status: string }[];
  notice?: string | undefined;
}

export function overviewBody(v: OverviewView): Html {
  const t = translator(v.locale);
  const cards = v.balances.map((b) => {
    const mine = v.unpaid.filter((i) => i.currency === b.currency);
    const overdue = mine.filter((i) => invoiceBadge(i, v.today) === 'overdue').reduce((s, i) => s + i.balanceDue, 0);
    const next = mine.filter((i) => (i.extension?.dueDate ?? i.dueDate) >= v.today).sort((a, c) => a.dueDate.localeCompare(c.dueDate))[0];
    return html`<div class="card"><span class="label">${t('portal.overview.owed')} (${b.currency})</span><span class="amount">${m(v, b.owed, b.currency)}</span>${
      overdue > 0 ? html`<p>${badge(v.locale, 'overdue')} ${t('portal.overview.overdue', { amount: m(v, overdue, b.currency) })}</p>` : ''
    }${next ? html`<p>${t('portal.overview.nextDue', { amount: m(v, next.balanceDue, next.currency), date: d(v, next.extension?.dueDate ?? next.dueDate) })}</p>` : ''}${
      b.credit > 0 ? html`<p class="muted">${t('portal.overview.credit', { amount: m(v, b.credit, b.currency) })}</p>` : ''
    }</div>`;
  });
  const disputes = v.unpaid.filter((i) => i.dispute).length;
  const promises = v.unpaid.filter((i) => i.promise?.status === 'open').length;
  return html`${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}
${v.unpaid.length === 0 && v.balances.every((b) => b.owed === 0) ? html`<p class="notice" role="status">${t('portal.overview.nothingDue')}</p>` : ''}
${cards.length ? html`<div class="cards">${cards}</div>` : ''}
${v.plans.map((p) => html`<p class="card">${t('portal.overview.plan', { count: Array.isArray(p.instalments) ? p.instalments.length : Number(p.instalments), currency: p.currency, status: p.status })}</p>`)}
${disputes ? html`<p>${badge(v.locale, 'disputed')} ${t('portal.overview.disputes', { count: disputes })}</p>` : ''}
${promises ? html`<p>${badge(v.locale, 'promised')} ${t('portal.overview.promises', { count: promises })}</p>` : ''}
${v.unpaid.length ? html`<h2>${t('portal.overview.open')}</h2>${payForm(v, v.unpaid)}` : ''}`;
}

export function invoicesBody(v: View & { invoices: readonly Invoice[]; filter: 'open' | 'paid' | 'all' }): Html {
  const t = translator(v.locale);
  const tabs = (['open', 'paid', 'all'] as const).map(
    (f) => html`<li><a href="${`/portal/invoices?status=${f}`}"${f === v.filter ? html` aria-current="page"` : ''}>${t(`portal.invoices.${f}`)}</a></li>`,
  );
  return html`<nav aria-label="${t('portal.invoices.filter')}"><ul class="actions">${tabs}</ul></nav>${v.filter === 'paid' ? invoiceTable(v, v.invoices, false) : payForm(v, v.invoices)}`;
}

/** Bank-transfer details: the account and each invoice's own RF reference (one transfer per invoice). */
export function bankDetails(v: { locale: string; timeZone: string }, payee: string, invoices: readonly Invoice[]): Html {
  const t = translator(v.locale);
  return html`<div class="card"><p>${payee ? t('portal.pay.bank', { account: payee }) : t('portal.pay.bankNoAccount')}</p><dl class="details">${invoices.map(
    (i) => html`<dt>${t('portal.detail.title', { number: i.number })} · ${m(v, i.balanceDue, i.currency)}</dt><dd><strong>${formatRfReference(i.paymentReference)}</strong></dd>`,
  )}</dl>${invoices.length > 1 ? html`<p class="muted">${t('portal.pay.perInvoice')}</p>` : ''}</div>`;
}

export interface InvoiceDetailView extends View {
  invoice: Invoice;
  payments: readonly { paymentId: string; amount: number; appliedAt: string }[];
  reminders: readonly { subject: string; createdAt: string }[];
  charges: readonly { type: string; amount: number; currency: string; bookedAt: string }[];
  payee: string;
  notice?: string | undefined;
}

function termsList(v: InvoiceDetailView): Html[] {
  const t = translator(v.locale);
  const i = v.invoice;
  const out: Html[] = [];
  if (i.earlyPaymentDiscount && i.balanceDue > 0 && i.earlyPaymentDiscount.until >= v.today) {
    out.push(html`<li>${t('portal.detail.discount', { amount: m(v, i.total - i.earlyPaymentDiscount.amount, i.currency), date: d(v, i.earlyPaymentDiscount.until) })}</li>`);
  }
  const terms = i.terms;
  const due = i.extension?.dueDate ?? i.dueDate;
  if (terms && terms.lateInterest.mode !== 'none') {
    const li = terms.lateInterest;
    const bp = li.mode === 'simple' ? li.annualRateBasisPoints : Math.max(0, li.referenceRateBasisPoints + li.marginBasisPoints);
    const start = addDays(due, Math.max(terms.graceDays, li.startDaysPastDue) + 1);
    out.push(html`<li>${t('portal.detail.interest', { rate: new Intl.NumberFormat(v.locale, { maximumFractionDigits: 2 }).format(bp / 100), date: d(v, start) })}</li>`);
  }
  const fee = terms?.fixedLateFee?.[i.currency];
  if (terms && fee) out.push(html`<li>${t('portal.detail.fee', { amount: m(v, fee, i.currency), date: d(v, addDays(due, terms.graceDays)) })}</li>`);
  return out;
}

export function invoiceDetailBody(v: InvoiceDetailView): Html {
  const t = translator(v.locale);
  const i = v.invoice;
  const [lDate, lAmount] = [t('portal.detail.date'), t('portal.detail.amount')];
  const terms = termsList(v);
  const lines =
    i.lines.length > 0
      ? html`<h2>${t('portal.detail.lines')}</h2><table class="rows"><thead><tr><th scope="col">${t('portal.detail.description')}</th><th scope="col" class="num">${t('portal.detail.quantity')}</th><th scope="col" class="num">${t('portal.detail.unitPrice')}</th><th scope="col" class="num">${lAmount}</th></tr></thead><tbody>${i.lines.map(
          (l) =>
            html`<tr><td data-label="${t('portal.detail.description')}">${l.description}</td><td data-label="${t('portal.detail.quantity')}" class="num">${l.quantity}</td><td data-label="${t('portal.detail.unitPrice')}" class="num">${m(v, l.unitAmount, i.currency)}</td><td data-label="${lAmount}" class="num">${m(v, l.amount, i.currency)}</td></tr>`,
        )}</tbody></table>`
      : '';
  const reasons = DISPUTE_REASON_CODES.map((code) => html`<option value="${code}">${t(`portal.dispute.reason.${code}` as MessageKey)}</option>`);
  const forms =
    i.balanceDue > 0
      ? html`${!i.dispute ? html`<form method="post" action="${`/portal/invoices/${encodeURIComponent(i.id)}/disputes`}" class="card">${csrfInput(v.csrf)}<h2>${t('portal.dispute.title')}</h2>
<div class="field"><label for="reason">${t('portal.dispute.reason')}</label><select id="reason" name="reason" required>${reasons}</select></div>
<div class="field"><label for="message">${t('portal.dispute.message')}</label><textarea id="message" name="message" rows="3" maxlength="2000" required></textarea></div>
<div class="actions"><button type="submit" class="btn-secondary">${t('portal.dispute.button')}</button></div></form>` : ''}
${i.promise?.status !== 'open' ? html`<form method="post" action="${`/portal/invoices/${encodeURIComponent(i.id)}/promise`}" class="card">${csrfInput(v.csrf)}<h2>${t('portal.promise.title')}</h2>
<div class="field"><label for="date">${t('portal.promise.date')}</label><input id="date" name="date" type="date" required min="${v.today}" max="${addDays(v.today, 30)}"></div>
<div class="field"><label for="amount">${t('portal.promise.amount')} (${i.currency})</label><input id="amount" name="amount" inputmode="decimal" pattern="[0-9]+([.,][0-9]+)?"></div>
<div class="actions"><button type="submit" class="btn-secondary">${t('portal.promise.button')}</button></div></form>` : ''}`
      : '';
  return html`${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}
${i.dispute ? html`<p class="alert" role="alert">${t('portal.detail.disputeOpen', { date: d(v, i.dispute.openedAt) })}</p>` : ''}
${i.promise?.status === 'open' ? html`<p class="notice" role="status">${t('portal.detail.promiseOpen', { date: d(v, i.promise.date) })}</p>` : ''}
<div class="card"><p>${badge(v.locale, invoiceBadge(i, v.today))}</p><dl class="details"><dt>${t('portal.inv.issued')}</dt><dd>${d(v, i.issueDate)}</dd><dt>${t('portal.inv.due')}</dt><dd>${d(v, i.extension?.dueDate ?? i.dueDate)}</dd><dt>${t('portal.inv.total')}</dt><dd>${m(v, i.total, i.currency)}</dd><dt>${t('portal.inv.balance')}</dt><dd><strong>${m(v, i.balanceDue, i.currency)}</strong></dd><dt>${t('portal.detail.reference')}</dt><dd>${formatRfReference(i.paymentReference)}</dd>${v.payee ? html`<dt>${t('portal.detail.account')}</dt><dd>${v.payee}</dd>` : ''}</dl>
${i.balanceDue > 0 ? html`<form method="post" action="/portal/pay">${csrfInput(v.csrf)}<input type="hidden" name="invoiceIds" value="${i.id}"><div class="actions"><button type="submit" class="btn">${t('mail.payButton')}</button></div></form>` : ''}</div>
${lines}
${terms.length ? html`<h2>${t('portal.detail.terms')}</h2><ul>${terms}</ul>` : ''}
<h2>${t('portal.detail.payments')}</h2>${
    v.payments.length
      ? html`<table class="rows"><thead><tr><th scope="col">${lDate}</th><th scope="col" class="num">${lAmount}</th></tr></thead><tbody>${v.payments.map((p) => html`<tr><td data-label="${lDate}">${d(v, p.appliedAt)}</td><td data-label="${lAmount}" class="num">${m(v, p.amount, i.currency)}</td></tr>`)}</tbody></table>`
      : html`<p class="muted">${t('portal.detail.noPayments')}</p>`
  }
${v.reminders.length ? html`<h2>${t('portal.detail.reminders')}</h2><ul>${v.reminders.map((r) => html`<li>${d(v, r.createdAt)}: ${r.subject}</li>`)}</ul>` : ''}
${v.charges.length ? html`<h2>${t('portal.detail.charges')}</h2><ul>${v.charges.map((c) => html`<li>${d(v, c.bookedAt)}: ${m(v, c.amount, c.currency)}</li>`)}</ul>` : ''}
${forms}`;
}

export interface PaymentRow {
  receivedAt: string;
  amount: number;
  currency: string;
  method: string;
  allocations: readonly { invoiceId: string; number?: string | undefined; amount: number }[];
  credit: number;
  unapplied: number;
}

export function paymentsBody(v: { locale: string; timeZone: string }, payments: readonly PaymentRow[]): Html {
  const t = translator(v.locale);
  if (payments.length === 0) return html`<p class="muted">${t('portal.payments.none')}</p>`;
  const [lDate, lAmount, lMethod, lApplied] = [t('portal.payments.date'), t('portal.detail.amount'), t('portal.payments.method'), t('portal.payments.appliedTo')];
  return html`<table class="rows"><thead><tr><th scope="col">${lDate}</th><th scope="col" class="num">${lAmount}</th><th scope="col">${lMethod}</th><th scope="col">${lApplied}</th></tr></thead><tbody>${payments.map(
    (p) =>
      html`<tr><td data-label="${lDate}">${d(v, p.receivedAt)}</td><td data-label="${lAmount}" class="num">${m(v, p.amount, p.currency)}</td><td data-label="${lMethod}">${p.method}</td><td data-label="${lApplied}">${[
        ...p.allocations.map((a) => html`<a href="${`/portal/invoices/${encodeURIComponent(a.invoiceId)}`}">${a.number ?? a.invoiceId}</a>: ${m(v, a.amount, p.currency)}`),
        ...(p.credit > 0 ? [html`${t('portal.payments.credit')}: ${m(v, p.credit, p.currency)}`] : []),
        ...(p.unapplied > 0 ? [html`${t('portal.payments.inReview')}: ${m(v, p.unapplied, p.currency)}`] : []),
      ].map((x, n) => html`${n ? html`<br>` : ''}${x}`)}</td></tr>`,
  )}</tbody></table>`;
}

/** The statement's period form (GET: opens the printable statement, `format=html`) and the CSV link for the period shown. */
export function statementForm(v: { locale: string }, period: { from: string; to: string }): Html {
  const t = translator(v.locale);
  return html`<form method="get" action="/portal/statement" class="card no-print"><div class="field"><label for="from">${t('portal.statement.from')}</label><input id="from" name="from" type="date" value="${period.from}" required></div><div class="field"><label for="to">${t('portal.statement.to')}</label><input id="to" name="to" type="date" value="${period.to}" required></div><input type="hidden" name="format" value="html"><div class="actions"><button type="submit" class="btn">${t('portal.statement.show')}</button><a class="btn-secondary" href="${`/portal/statement?from=${period.from}&to=${period.to}&format=csv`}">${t('portal.statement.csv')}</a></div></form>`;
}
