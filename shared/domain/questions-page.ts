/**
 * The portal's questions page (GET /portal/messages): the form to ask a question (subject, message ≤ 2000
 * characters, optionally about one of the customer's invoices) and the questions asked so far, newest first, each with
 * its status (open, answered, closed) and staff's answers under it, oldest first (who answered stays with staff).
 * Rendered into the portal shell by the caller; every string from the message catalogs, everything escaped. Pure.
 */
import { html, lines, type Html } from './html.ts';
import { translator } from './i18n/catalog.ts';
import { formatDate } from './messages.ts';
import type { SupportRequestStatus } from './support-requests.ts';

export interface QuestionView {
  subject: string;
  message: string;
  invoiceNumber?: string;
  createdAt: string;
  status: SupportRequestStatus;
  replies?: readonly { body: string; at: string }[];
}

/** The status pill's class: answered is good news (green), closed is done (grey). */
const BADGE: Record<SupportRequestStatus, string> = { open: 'badge badge-open', answered: 'badge badge-answered', closed: 'badge' };

export interface QuestionsPageInput {
  locale: string;
  timeZone: string;
  /** The hidden CSRF field. */
  csrf: Html;
  questions: readonly QuestionView[];
  /** Invoices the question may be about (id and number). */
  invoices: readonly { id: string; number: string }[];
  /** Preselected invoice (a link from the invoice page). */
  invoiceId?: string;
  /** After a successful POST (`?notice=sent`). */
  sent?: boolean;
  maxChars: number;
}

export function renderQuestionsBody(input: QuestionsPageInput): Html {
  const t = translator(input.locale);
  const date = (at: string) => formatDate(at, input.locale, input.timeZone);
  const notice = input.sent ? html`<p class="notice" role="status">${t('portal.messages.sent')}</p>` : '';
  const options = [
    html`<option value="">${t('portal.messages.noInvoice')}</option>`,
    ...input.invoices.map((i) => html`<option value="${i.id}"${i.id === input.invoiceId ? html` selected` : ''}>${i.number}</option>`),
  ];
  const form = html`<section class="card" aria-labelledby="ask-heading">
<h2 id="ask-heading">${t('portal.messages.ask')}</h2>
<form method="post" action="/portal/messages">${input.csrf}
<div class="field"><label for="q-subject">${t('portal.messages.subject')}</label><input id="q-subject" name="subject" type="text" required maxlength="200" autocomplete="off"></div>
<div class="field"><label for="q-message">${t('portal.messages.message')}</label><textarea id="q-message" name="message" required maxlength="${input.maxChars}" rows="6" aria-describedby="q-message-hint"></textarea>
<p id="q-message-hint" class="muted">${t('portal.messages.maxLength', { count: input.maxChars })}</p></div>
${input.invoices.length ? html`<div class="field"><label for="q-invoice">${t('portal.messages.invoice')}</label><select id="q-invoice" name="invoiceId">${options}</select></div>` : ''}
<div class="actions"><button type="submit" class="btn">${t('portal.messages.send')}</button></div>
</form></section>`;
  const list = input.questions.length
    ? html`<ul class="cards">${input.questions.map(
        (q) => html`<li class="card"><h3>${q.subject}</h3><p class="muted">${t('portal.messages.askedOn', { date: date(q.createdAt) })}${q.invoiceNumber ? html` · ${t('portal.messages.about', { number: q.invoiceNumber })}` : ''} · <span class="visually-hidden">${t('portal.messages.status')}: </span><span class="${BADGE[q.status]}">${t(`portal.messages.status.${q.status}`)}</span></p><p>${lines(q.message)}</p>${(q.replies ?? []).map(
          (r) => html`<div class="reply"><p class="muted">${t('portal.messages.reply', { date: date(r.at) })}</p><p>${lines(r.body)}</p></div>`,
        )}</li>`,
      )}</ul>`
    : html`<p class="muted">${t('portal.messages.none')}</p>`;
  return html`${notice}<p>${t('portal.messages.intro')}</p>${form}<section aria-labelledby="history-heading"><h2 id="history-heading">${t('portal.messages.history')}</h2>${list}</section>`;
}
