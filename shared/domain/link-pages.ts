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

const STYLE =
  'body{font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff;max-width:40rem;margin:0 auto;padding:1rem}' +
  'label{display:block;margin:.6rem 0}fieldset{border:1px solid #767676;margin:.6rem 0;padding:.4rem .8rem}' +
  'fieldset label{display:inline-block;margin:.3rem 1rem .3rem 0}input,select,textarea,button{font:inherit;max-width:100%}' +
  'textarea{width:100%;box-sizing:border-box}button{padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#1a4f8b;color:#fff}' +
  '[role=alert]{border-left:.3rem solid #b00020;padding-left:.6rem}';

function page(locale: string, title: string, body: Html): string {
  return html`<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${raw(STYLE)}</style></head><body><main><h1>${title}</h1>${body}</main></body></html>`.toString();
}

/** Why a rating was refused, in the customer's language. */
export function ratingError(locale: string): string {
  return translator(locale)('feedback.invalid');
}

/**
 * The rating page. Opened by GET (`rating` preselected from the link, nothing recorded) it is a form; after the POST
 * that records the rating (`saved`) it thanks and shows the form again to change it.
 */
export function renderFeedbackPage(input: { locale: string; rating?: number; action: string; comment?: string; saved?: boolean }): string {
  const t = translator(input.locale);
  const radios = RATINGS.map((r) => html`<label><input type="radio" name="rating" value="${r}" required${r === input.rating && raw(' checked')}> ${r}</label>`);
  const form = html`<form method="post" action="${input.action}"><fieldset><legend>${t('feedback.legend')}</legend>${radios}</fieldset>
<label for="comment">${t('feedback.comment')}</label><textarea id="comment" name="comment" rows="4" maxlength="2000">${input.comment ?? ''}</textarea>
<p><button type="submit">${t('feedback.send')}</button></p></form>`;
  if (input.saved && input.rating !== undefined) {
    const saved = html`<p role="status">${t('feedback.yours', { rating: String(input.rating) })}${input.comment && ` ${t('feedback.commentSaved')}`}</p><p>${t('feedback.change')}</p>`;
    return page(input.locale, t('feedback.thanks'), html`${saved}${form}`);
  }
  return page(input.locale, t('feedback.title'), form);
}

export interface PreferencesView {
  locale: string;
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
  // Every language we have a catalog for, each named in itself; the customer's own is selected.
  const languages = catalogs().map((c) => opt(c.locale, c.name, languageOf(v.locale) === c.language ? c.locale : ''));
  const body = html`${v.saved && html`<p role="status"><strong>${t('preferences.saved')}</strong></p>`}
<form method="post" action="${v.action}">
<label>${t('preferences.language')} <select name="locale">${languages}</select></label>
<label>${t('preferences.tone')} <select name="tone">${opt('', t('preferences.tone.default'), v.tone ?? '')}${opt('friendly', t('preferences.tone.friendly'), v.tone)}${opt('neutral', t('preferences.tone.neutral'), v.tone)}${opt('formal', t('preferences.tone.formal'), v.tone)}</select></label>
<label>${t('preferences.cadence')} <select name="cadence">${opt('default', t('preferences.cadence.default'), v.cadence ?? 'default')}${opt('minimal', t('preferences.cadence.minimal'), v.cadence)}</select></label>
<label>${t('preferences.payment')} <select name="preferredPaymentMethod">${opt('', t('preferences.payment.none'), v.preferredPaymentMethod ?? '')}${opt('card', t('preferences.payment.card'), v.preferredPaymentMethod)}${opt('bank_transfer', t('preferences.payment.bank_transfer'), v.preferredPaymentMethod)}</select></label>
<fieldset><legend>${t('preferences.quietHours')}</legend><label>${t('preferences.quietHours.from')} <input name="quietStart" type="number" min="0" max="23" value="${v.quietHours?.startHour ?? ''}"></label><label>${t('preferences.quietHours.to')} <input name="quietEnd" type="number" min="0" max="24" value="${v.quietHours?.endHour ?? ''}"></label></fieldset>
${v.hasAddress && html`<label><input type="checkbox" name="letters" value="yes"${v.letters && raw(' checked')}> ${t('preferences.letters')}</label>`}
<button type="submit">${t('preferences.save')}</button></form>`;
  return page(v.locale, t('preferences.title'), body);
}

export interface PlanRequestView {
  locale: string;
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
    return page(v.locale, title, html`<p>${head}</p><ul>${r.instalments.map((i) => html`<li>${`${d(i.dueDate)}: ${m(i.amount, r.currency)}`}</li>`)}</ul>`);
  }
  const error = v.result && 'error' in v.result && html`<p role="alert">${v.result.error}</p>`;
  if (v.invoices.length === 0) return page(v.locale, title, html`<p>${t('planRequest.none')}</p>`);
  const rows = v.invoices.map(
    (i) =>
      html`<label><input type="checkbox" name="invoiceId" value="${i.id}" checked> ${t('planRequest.invoice', { number: i.number, amount: m(i.balanceDue, i.currency), date: d(i.dueDate) })}</label>`,
  );
  return page(
    v.locale,
    title,
    html`${error}<form method="post" action="${v.action}">${rows}
<label>${t('planRequest.count')} <select name="instalments">${[2, 3, 4, 5, 6].map((n) => html`<option>${n}</option>`)}</select></label>
<label>${t('planRequest.every')} <select name="frequency"><option value="monthly">${t('planRequest.monthly')}</option><option value="biweekly">${t('planRequest.biweekly')}</option><option value="weekly">${t('planRequest.weekly')}</option></select></label>
<button type="submit">${t('planRequest.submit')}</button></form>`,
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
export function renderLinkProblemPage(input: { locale: string; state: 'expired' | 'revoked' | 'invalid'; fresh?: { target: LinkTarget; token: string } }): string {
  const t = translator(input.locale);
  const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;
  const fresh = input.state !== 'invalid' ? input.fresh : undefined;
  const offer =
    fresh &&
    html`<p>${t('link.offer')}</p><form method="post" action="${FRESH_LINK_PATH}">${hidden('p', fresh.target.purpose)}${hidden('id', fresh.target.id)}${fresh.target.context !== undefined && hidden('c', fresh.target.context)}${hidden('t', fresh.token)}<p><button type="submit">${t('link.button')}</button></p></form>`;
  return page(input.locale, t(`link.${input.state}.title`), html`<p>${t(`link.${input.state}.why`)}</p>${offer}`);
}

/** The answer to the fresh-link button: the same whether a mail went out or not, and never the address. */
export function renderFreshLinkSentPage(locale: string): string {
  const t = translator(locale);
  return page(locale, t('link.sentTitle'), html`<p role="status">${t('link.sent')}</p>`);
}

/** A form value we cannot accept: which field and why (the page answers 400). */
export function renderFieldErrorPage(input: { locale: string; field: string; message: string }): string {
  const t = translator(input.locale);
  return page(input.locale, t('link.errorTitle'), html`<p role="alert"><strong>${input.field}</strong>: ${input.message}</p>`);
}

export function renderLinkNotFoundPage(locale: string): string {
  const t = translator(locale);
  return page(locale, t('link.notFoundTitle'), html`<p>${t('link.notFound')}</p>`);
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
