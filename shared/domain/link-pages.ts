/**
 * The small pages signed customer links open (no login): the rating form, the communication preferences form, the
 * payment plan request form — and the pages for a link that is expired, revoked or not valid (with the button that
 * mails a fresh link). Nothing happens on GET: every page that changes something is a form that POSTs the token back.
 * In the customer's language (the message catalogs; the language chooser lists every catalog); everything escaped
 * (./html.ts); no JavaScript; fits a 360 px phone. Pure.
 */
import { html, raw, type Html } from './html.ts';
import { catalogs, languageOf, translator } from './i18n/catalog.ts';
import { composeMail, formatDate, type MailFrame, type MailLink, type RenderedMail } from './messages.ts';
import { formatMoney } from './money.ts';
import { RATINGS, type LinkPurpose, type LinkTarget } from './links.ts';
import type { Brand } from './ui/brand.ts';
import { customerPage } from './ui/layout.ts';

function page(locale: string, brand: Brand, title: string, body: Html, header?: Html): string {
  return customerPage({ locale, title, brand, body, ...(header ? { header } : {}) });
}

/**
 * What a page host adds around a link page's form: `header` goes into the page header after the brand (the portal's
 * navigation), `hidden` into each form the page posts (the portal's CSRF field). A signed link passes neither.
 */
export interface PageSlots {
  header?: Html;
  hidden?: Html;
}

/** Why a rating was refused, in the customer's language. */
export function ratingError(locale: string): string {
  return translator(locale)('feedback.invalid');
}

/**
 * The rating page. Opened by GET (`rating` preselected from the link, nothing recorded) it is a form; after the POST
 * that records the rating (`saved`) it thanks and shows the form again to change it.
 */
export function renderFeedbackPage(input: { locale: string; brand: Brand; rating?: number; action: string; comment?: string; saved?: boolean } & PageSlots): string {
  const t = translator(input.locale);
  const radios = RATINGS.map((r) => html`<label class="choice"><input type="radio" name="rating" value="${r}" required${r === input.rating && raw(' checked')}> ${r}</label>`);
  const form = html`<form method="post" action="${input.action}" class="card">${input.hidden}<fieldset><legend>${t('feedback.legend')}</legend><div class="choices">${radios}</div></fieldset>
<div class="field"><label for="comment">${t('feedback.comment')}</label><textarea id="comment" name="comment" rows="4" maxlength="2000">${input.comment ?? ''}</textarea></div>
<div class="actions"><button type="submit" class="btn">${t('feedback.send')}</button></div></form>`;
  if (input.saved && input.rating !== undefined) {
    const saved = html`<div class="notice" role="status"><p>${t('feedback.yours', { rating: String(input.rating) })}${input.comment && ` ${t('feedback.commentSaved')}`}</p></div><p>${t('feedback.change')}</p>`;
    return page(input.locale, input.brand, t('feedback.thanks'), html`${saved}${form}`, input.header);
  }
  return page(input.locale, input.brand, t('feedback.title'), form, input.header);
}

export interface PreferencesView extends PageSlots {
  locale: string;
  brand: Brand;
  tone?: string;
  cadence?: string;
  preferredPaymentMethod?: string;
  quietHours?: { startHour: number; endHour: number };
  /** Formal notices also by post (offered when an address is on file). */
  letters?: boolean;
  hasAddress?: boolean;
  action: string;
  saved?: boolean;
}

export function renderPreferencesPage(v: PreferencesView): string {
  const t = translator(v.locale);
  const opt = (value: string, label: string, current: string | undefined) => html`<option value="${value}"${value === current && raw(' selected')}>${label}</option>`;
  const field = (id: string, label: string, control: Html) => html`<div class="field"><label for="${id}">${label}</label>${control}</div>`;
  // Every language we have a catalog for, each named in itself; the customer's own is selected.
  const languages = catalogs().map((c) => opt(c.locale, c.name, languageOf(v.locale) === c.language ? c.locale : ''));
  const body = html`${v.saved && html`<div class="notice" role="status"><p><strong>${t('preferences.saved')}</strong></p></div>`}
<form method="post" action="${v.action}" class="card">${v.hidden}
${field('locale', t('preferences.language'), html`<select id="locale" name="locale">${languages}</select>`)}
${field('tone', t('preferences.tone'), html`<select id="tone" name="tone">${opt('', t('preferences.tone.default'), v.tone ?? '')}${opt('friendly', t('preferences.tone.friendly'), v.tone)}${opt('neutral', t('preferences.tone.neutral'), v.tone)}${opt('formal', t('preferences.tone.formal'), v.tone)}</select>`)}
${field('cadence', t('preferences.cadence'), html`<select id="cadence" name="cadence">${opt('default', t('preferences.cadence.default'), v.cadence ?? 'default')}${opt('minimal', t('preferences.cadence.minimal'), v.cadence)}</select>`)}
${field('payment', t('preferences.payment'), html`<select id="payment" name="preferredPaymentMethod">${opt('', t('preferences.payment.none'), v.preferredPaymentMethod ?? '')}${opt('card', t('preferences.payment.card'), v.preferredPaymentMethod)}${opt('bank_transfer', t('preferences.payment.bank_transfer'), v.preferredPaymentMethod)}</select>`)}
<fieldset><legend>${t('preferences.quietHours')}</legend><div class="choices"><label class="choice">${t('preferences.quietHours.from')} <input name="quietStart" type="number" inputmode="numeric" min="0" max="23" value="${v.quietHours?.startHour ?? ''}"></label><label class="choice">${t('preferences.quietHours.to')} <input name="quietEnd" type="number" inputmode="numeric" min="0" max="24" value="${v.quietHours?.endHour ?? ''}"></label></div></fieldset>
${v.hasAddress && html`<label class="choice"><input type="checkbox" name="letters" value="yes"${v.letters && raw(' checked')}> ${t('preferences.letters')}</label>`}
<div class="actions"><button type="submit" class="btn">${t('preferences.save')}</button></div></form>`;
  return page(v.locale, v.brand, t('preferences.title'), body, v.header);
}

export interface PlanRequestView extends PageSlots {
  locale: string;
  brand: Brand;
  timeZone: string;
  invoices: { id: string; number: string; currency: string; balanceDue: number; dueDate: string }[];
  action: string;
  result?: { status: 'active' | 'pending_approval'; instalments: { dueDate: string; amount: number }[]; currency: string } | { error: string };
}

export function renderPlanRequestPage(v: PlanRequestView): string {
  const t = translator(v.locale);
  const m = (amount: number, currency: string) => formatMoney({ amount, currency }, v.locale);
  const d = (date: string) => formatDate(date, v.locale, v.timeZone);
  const title = t('planRequest.title');
  if (v.result && 'status' in v.result) {
    const r = v.result;
    const head = r.status === 'active' ? t('planRequest.active') : t('planRequest.pending');
    const rows = r.instalments.map((i) => html`<tr><td data-label="${t('planRequest.dueDate')}">${d(i.dueDate)}</td><td class="num" data-label="${t('planRequest.amount')}">${m(i.amount, r.currency)}</td></tr>`);
    return page(
      v.locale,
      v.brand,
      title,
      html`<div class="notice" role="status"><p>${head}</p></div><table class="rows"><thead><tr><th scope="col">${t('planRequest.dueDate')}</th><th scope="col" class="num">${t('planRequest.amount')}</th></tr></thead><tbody>${rows}</tbody></table>`,
      v.header,
    );
  }
  const error = v.result && 'error' in v.result && html`<div class="alert" role="alert"><p>${v.result.error}</p></div>`;
  if (v.invoices.length === 0) return page(v.locale, v.brand, title, html`<p>${t('planRequest.none')}</p>`, v.header);
  const rows = v.invoices.map(
    (i) =>
      html`<label class="choice"><input type="checkbox" name="invoiceId" value="${i.id}" checked> ${t('planRequest.invoice', { number: i.number, amount: m(i.balanceDue, i.currency), date: d(i.dueDate) })}</label>`,
  );
  return page(
    v.locale,
    v.brand,
    title,
    html`${error}<form method="post" action="${v.action}" class="card">${v.hidden}<fieldset><legend>${t('planRequest.invoices')}</legend>${rows}</fieldset>
<div class="field"><label for="instalments">${t('planRequest.count')}</label><select id="instalments" name="instalments">${[2, 3, 4, 5, 6].map((n) => html`<option>${n}</option>`)}</select></div>
<div class="field"><label for="frequency">${t('planRequest.every')}</label><select id="frequency" name="frequency"><option value="monthly">${t('planRequest.monthly')}</option><option value="biweekly">${t('planRequest.biweekly')}</option><option value="weekly">${t('planRequest.weekly')}</option></select></div>
<div class="actions"><button type="submit" class="btn">${t('planRequest.submit')}</button></div></form>`,
    v.header,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Links that no longer open: expired, revoked, not valid — and the fresh link by mail

/** Where the fresh-link button posts, and what it posts back (the link's own target and token). */
export const FRESH_LINK_PATH = '/links/fresh';

/**
 * An expired or revoked link (in the customer's language): why, and a button that mails a fresh link to the address
 * on file (a POST; the address is never shown). A link that is not valid at all gets no button: its subject cannot be
 * trusted.
 */
export function renderLinkProblemPage(input: { locale: string; brand: Brand; state: 'expired' | 'revoked' | 'invalid'; fresh?: { target: LinkTarget; token: string } }): string {
  const t = translator(input.locale);
  const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;
  const fresh = input.state !== 'invalid' ? input.fresh : undefined;
  const offer =
    fresh &&
    html`<p>${t('link.offer')}</p><form method="post" action="${FRESH_LINK_PATH}">${hidden('p', fresh.target.purpose)}${hidden('id', fresh.target.id)}${fresh.target.context !== undefined && hidden('c', fresh.target.context)}${hidden('t', fresh.token)}<div class="actions"><button type="submit" class="btn">${t('link.button')}</button></div></form>`;
  return page(input.locale, input.brand, t(`link.${input.state}.title`), html`<div class="card"><p>${t(`link.${input.state}.why`)}</p>${offer}</div>`);
}

/** The answer to the fresh-link button: the same whether a mail went out or not, and never the address. */
export function renderFreshLinkSentPage(locale: string, brand: Brand): string {
  const t = translator(locale);
  return page(locale, brand, t('link.sentTitle'), html`<div class="notice" role="status"><p>${t('link.sent')}</p></div>`);
}

/** A form value we cannot accept: which field and why (the page answers 400). */
export function renderFieldErrorPage(input: { locale: string; brand: Brand; field: string; message: string; header?: Html }): string {
  const t = translator(input.locale);
  return page(input.locale, input.brand, t('link.errorTitle'), html`<div class="alert" role="alert"><p><strong>${input.field}</strong>: ${input.message}</p></div>`, input.header);
}

export function renderLinkNotFoundPage(locale: string, brand: Brand): string {
  const t = translator(locale);
  return page(locale, brand, t('link.notFoundTitle'), html`<div class="card"><p>${t('link.notFound')}</p></div>`);
}

/** The mail with a fresh link (one link; a rating link opens the rating form with nothing chosen). */
export function renderFreshLinkMail(input: { customerName: string; locale: string; timeZone: string; purpose: LinkPurpose; link: string; expiresAt: Date } & MailFrame): RenderedMail {
  const t = translator(input.locale);
  const link: MailLink = { href: input.link, label: t(`link.label.${input.purpose}`), button: true };
  return composeMail(
    input.locale,
    t('link.mail.subject'),
    [
      t('mail.greeting', { name: input.customerName }),
      [`${t('link.mail.intro', { purpose: t(`link.purpose.${input.purpose}`) })}\n`, link],
      t('link.mail.until', { date: formatDate(input.expiresAt.toISOString(), input.locale, input.timeZone) }),
      t('link.mail.ignore'),
    ],
    // The fresh link is the mail's one link (a portal link beside a fresh portal link would only confuse).
    { brand: input.brand },
  );
}
