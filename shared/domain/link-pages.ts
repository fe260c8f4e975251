/**
 * The small pages signed customer links open (no login): the rating form, the communication preferences form, the
 * payment plan request form — and the pages for a link that is expired, revoked or not valid (with the button that
 * mails a fresh link). Nothing happens on GET: every page that changes something is a form that POSTs the token back.
 * English and German; everything escaped; no JavaScript; fits a 360 px phone. Pure.
 */
import { escapeHtml, formatDate, language, paragraphsMail, type RenderedMail } from './messages.ts';
import { formatMoney } from './money.ts';
import { RATINGS, type LinkPurpose, type LinkTarget } from './links.ts';

const STYLE =
  'body{font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff;max-width:40rem;margin:0 auto;padding:1rem}' +
  'label{display:block;margin:.6rem 0}fieldset{border:1px solid #767676;margin:.6rem 0;padding:.4rem .8rem}' +
  'fieldset label{display:inline-block;margin:.3rem 1rem .3rem 0}input,select,textarea,button{font:inherit;max-width:100%}' +
  'textarea{width:100%;box-sizing:border-box}button{padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#1a4f8b;color:#fff}' +
  '[role=alert]{border-left:.3rem solid #b00020;padding-left:.6rem}';

function page(locale: string, title: string, body: string): string {
  return `<!doctype html><html lang="${escapeHtml(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

const esc = escapeHtml;

const feedbackText = {
  en: {
    title: 'How did we do?',
    thanks: 'Thank you for your rating',
    legend: 'Your rating (1 = poor, 5 = excellent)',
    yours: (r: number) => `Your rating: ${r} out of 5.`,
    commentSaved: 'Your comment is saved.',
    comment: 'Anything you would like to tell us? (optional)',
    send: 'Send',
    change: 'You can change your rating or comment:',
    invalid: 'choose a rating, a whole number from 1 to 5.',
  },
  de: {
    title: 'Wie zufrieden waren Sie?',
    thanks: 'Danke für Ihre Bewertung',
    legend: 'Ihre Bewertung (1 = schlecht, 5 = sehr gut)',
    yours: (r: number) => `Ihre Bewertung: ${r} von 5.`,
    commentSaved: 'Ihr Kommentar ist gespeichert.',
    comment: 'Möchten Sie uns noch etwas sagen? (optional)',
    send: 'Senden',
    change: 'Sie können Bewertung oder Kommentar ändern:',
    invalid: 'Bitte wählen Sie eine Bewertung, eine ganze Zahl von 1 bis 5.',
  },
} as const;

/** Why a rating was refused, in the customer's language. */
export function ratingError(locale: string): string {
  return feedbackText[language(locale)].invalid;
}

/**
 * The rating page. Opened by GET (`rating` preselected from the link, nothing recorded) it is a form; after the POST
 * that records the rating (`saved`) it thanks and shows the form again to change it.
 */
export function renderFeedbackPage(input: { locale: string; rating?: number; action: string; comment?: string; saved?: boolean }): string {
  const t = feedbackText[language(input.locale)];
  const radios = RATINGS.map(
    (r) => `<label><input type="radio" name="rating" value="${r}" required${r === input.rating ? ' checked' : ''}> ${r}</label>`,
  ).join('');
  const form = `<form method="post" action="${esc(input.action)}"><fieldset><legend>${esc(t.legend)}</legend>${radios}</fieldset>
<label for="comment">${esc(t.comment)}</label><textarea id="comment" name="comment" rows="4" maxlength="2000">${esc(input.comment ?? '')}</textarea>
<p><button type="submit">${esc(t.send)}</button></p></form>`;
  if (input.saved && input.rating !== undefined) {
    const saved = `<p role="status">${esc(t.yours(input.rating))}${input.comment ? ` ${esc(t.commentSaved)}` : ''}</p><p>${esc(t.change)}</p>`;
    return page(input.locale, t.thanks, saved + form);
  }
  return page(input.locale, t.title, form);
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
  const de = language(v.locale) === 'de';
  const opt = (value: string, label: string, current: string | undefined) => `<option value="${esc(value)}"${value === current ? ' selected' : ''}>${esc(label)}</option>`;
  const title = de ? 'Ihre Einstellungen' : 'Your communication preferences';
  const body = `${v.saved ? `<p role="status"><strong>${esc(de ? 'Gespeichert.' : 'Saved.')}</strong></p>` : ''}
<form method="post" action="${esc(v.action)}">
<label>${esc(de ? 'Sprache' : 'Language')} <select name="locale">${opt('en-GB', 'English', language(v.locale) === 'en' ? 'en-GB' : '')}${opt('de-DE', 'Deutsch', language(v.locale) === 'de' ? 'de-DE' : '')}</select></label>
<label>${esc(de ? 'Ton' : 'Tone')} <select name="tone">${opt('', de ? 'wie bisher' : 'standard', v.tone ?? '')}${opt('friendly', de ? 'freundlich' : 'friendly', v.tone)}${opt('neutral', de ? 'sachlich' : 'neutral', v.tone)}${opt('formal', de ? 'förmlich' : 'formal', v.tone)}</select></label>
<label>${esc(de ? 'Erinnerungen' : 'Reminders')} <select name="cadence">${opt('default', de ? 'normal' : 'standard', v.cadence ?? 'default')}${opt('minimal', de ? 'so wenige wie möglich' : 'as few as possible', v.cadence)}</select></label>
<label>${esc(de ? 'Bevorzugte Zahlungsart' : 'Preferred way to pay')} <select name="preferredPaymentMethod">${opt('', de ? 'keine' : 'no preference', v.preferredPaymentMethod ?? '')}${opt('card', de ? 'Karte / Wallet' : 'card / wallet', v.preferredPaymentMethod)}${opt('bank_transfer', de ? 'Überweisung' : 'bank transfer', v.preferredPaymentMethod)}</select></label>
<fieldset><legend>${esc(de ? 'Keine Nachrichten zwischen (Stunde, 0–23)' : 'No messages between (hour, 0–23)')}</legend><label>${esc(de ? 'von' : 'from')} <input name="quietStart" type="number" min="0" max="23" value="${v.quietHours?.startHour ?? ''}"></label><label>${esc(de ? 'bis' : 'to')} <input name="quietEnd" type="number" min="0" max="24" value="${v.quietHours?.endHour ?? ''}"></label></fieldset>
${v.hasAddress ? `<label><input type="checkbox" name="letters" value="yes"${v.letters ? ' checked' : ''}> ${esc(de ? 'Förmliche Mahnungen zusätzlich per Post' : 'Also send formal notices by post')}</label>` : ''}
<button type="submit">${esc(de ? 'Speichern' : 'Save')}</button></form>`;
  return page(v.locale, title, body);
}

export interface PlanRequestView {
  locale: string;
  timeZone: string;
  invoices: { id: string; number: string; currency: string; balanceDue: number; dueDate: string }[];
  action: string;
  result?: { status: 'active' | 'pending_approval'; instalments: { dueDate: string; amount: number }[]; currency: string } | { error: string };
}

export function renderPlanRequestPage(v: PlanRequestView): string {
  const de = language(v.locale) === 'de';
  const m = (amount: number, currency: string) => formatMoney({ amount, currency }, v.locale);
  const d = (date: string) => formatDate(date, v.locale, v.timeZone);
  const title = de ? 'In Raten zahlen' : 'Pay in instalments';
  if (v.result && 'status' in v.result) {
    const r = v.result;
    const head =
      r.status === 'active'
        ? de ? 'Ihr Ratenplan ist vereinbart:' : 'Your payment plan is agreed:'
        : de ? 'Danke — wir prüfen Ihren Wunsch und melden uns:' : 'Thank you — we will look at your request and be in touch:';
    return page(v.locale, title, `<p>${esc(head)}</p><ul>${r.instalments.map((i) => `<li>${esc(`${d(i.dueDate)}: ${m(i.amount, r.currency)}`)}</li>`).join('')}</ul>`);
  }
  const error = v.result && 'error' in v.result ? `<p role="alert">${esc(v.result.error)}</p>` : '';
  if (v.invoices.length === 0) return page(v.locale, title, `<p>${esc(de ? 'Es sind keine Rechnungen offen.' : 'You have no open invoices.')}</p>`);
  const rows = v.invoices
    .map((i) => `<label><input type="checkbox" name="invoiceId" value="${esc(i.id)}" checked> ${esc(`${i.number}: ${m(i.balanceDue, i.currency)} (${de ? 'fällig' : 'due'} ${d(i.dueDate)})`)}</label>`)
    .join('');
  return page(
    v.locale,
    title,
    `${error}<form method="post" action="${esc(v.action)}">${rows}
<label>${esc(de ? 'Anzahl Raten' : 'Number of instalments')} <select name="instalments">${[2, 3, 4, 5, 6].map((n) => `<option>${n}</option>`).join('')}</select></label>
<label>${esc(de ? 'Rhythmus' : 'Every')} <select name="frequency"><option value="monthly">${esc(de ? 'Monat' : 'month')}</option><option value="biweekly">${esc(de ? '2 Wochen' : '2 weeks')}</option><option value="weekly">${esc(de ? 'Woche' : 'week')}</option></select></label>
<button type="submit">${esc(de ? 'Ratenzahlung anfragen' : 'Ask for a payment plan')}</button></form>`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Links that no longer open: expired, revoked, not valid — and the fresh link by mail

const linkText = {
  en: {
    expired: { title: 'This link has expired', why: 'For your security, the links in our emails work for a limited time.' },
    revoked: { title: 'This link is no longer valid', why: 'The links we sent you before have been replaced by new ones.' },
    invalid: { title: 'This link is not valid', why: 'Please use the link from your latest email from us. If you copied it, check that it is complete.' },
    offer: 'We can send a fresh link to the email address we have on file for you.',
    button: 'Email me a fresh link',
    sentTitle: 'Check your email',
    sent: 'If this link was sent to you, a fresh one is on its way to the email address we have on file. It can take a few minutes to arrive; we send at most one every 10 minutes.',
    errorTitle: 'Please check your entry',
    notFoundTitle: 'Not found',
    notFound: 'We could not find what this link points to. Please use the link from your latest email from us.',
    purpose: {
      pay: 'to view and pay your invoice',
      feedback: 'to tell us how we did',
      preferences: 'to change how we contact you',
      'plan-request': 'to ask for a payment plan',
    } satisfies Record<LinkPurpose, string>,
    mailSubject: 'Your new link',
    greeting: (name: string) => `Dear ${name},`,
    mailIntro: (purpose: string) => `here is the fresh link you asked for, ${purpose}:`,
    mailUntil: (date: string) => `It works until ${date}.`,
    mailIgnore: 'If you did not ask for it, you can ignore this email; nothing has changed.',
  },
  de: {
    expired: { title: 'Dieser Link ist abgelaufen', why: 'Zu Ihrer Sicherheit gelten die Links in unseren E-Mails nur für begrenzte Zeit.' },
    revoked: { title: 'Dieser Link gilt nicht mehr', why: 'Die Links, die wir Ihnen früher geschickt haben, wurden durch neue ersetzt.' },
    invalid: { title: 'Dieser Link ist ungültig', why: 'Bitte verwenden Sie den Link aus unserer letzten E-Mail. Wenn Sie ihn kopiert haben, prüfen Sie, ob er vollständig ist.' },
    offer: 'Wir können Ihnen einen neuen Link an die E-Mail-Adresse senden, die wir von Ihnen haben.',
    button: 'Neuen Link per E-Mail senden',
    sentTitle: 'Bitte sehen Sie in Ihr Postfach',
    sent: 'Wenn dieser Link an Sie ging, ist ein neuer an die E-Mail-Adresse unterwegs, die wir von Ihnen haben. Das kann einige Minuten dauern; wir senden höchstens einen alle 10 Minuten.',
    errorTitle: 'Bitte prüfen Sie Ihre Eingabe',
    notFoundTitle: 'Nicht gefunden',
    notFound: 'Wir haben nicht gefunden, worauf dieser Link zeigt. Bitte verwenden Sie den Link aus unserer letzten E-Mail.',
    purpose: {
      pay: 'um Ihre Rechnung anzusehen und zu bezahlen',
      feedback: 'um uns Ihre Meinung zu sagen',
      preferences: 'um zu ändern, wie wir Sie kontaktieren',
      'plan-request': 'um eine Ratenzahlung anzufragen',
    } satisfies Record<LinkPurpose, string>,
    mailSubject: 'Ihr neuer Link',
    greeting: (name: string) => `Guten Tag ${name},`,
    mailIntro: (purpose: string) => `hier ist der neue Link, den Sie angefordert haben, ${purpose}:`,
    mailUntil: (date: string) => `Er gilt bis zum ${date}.`,
    mailIgnore: 'Wenn Sie ihn nicht angefordert haben, können Sie diese E-Mail ignorieren; es hat sich nichts geändert.',
  },
} as const;

/** Where the fresh-link button posts, and what it posts back (the link's own target and token). */
export const FRESH_LINK_PATH = '/links/fresh';

/**
 * An expired or revoked link (in the customer's language): why, and a button that mails a fresh link to the address
 * on file (a POST; the address is never shown). A link that is not valid at all gets no button: its subject cannot be
 * trusted.
 */
export function renderLinkProblemPage(input: { locale: string; state: 'expired' | 'revoked' | 'invalid'; fresh?: { target: LinkTarget; token: string } }): string {
  const t = linkText[language(input.locale)];
  const s = t[input.state];
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${esc(value)}">`;
  const offer =
    input.state !== 'invalid' && input.fresh
      ? `<p>${esc(t.offer)}</p><form method="post" action="${FRESH_LINK_PATH}">${hidden('p', input.fresh.target.purpose)}${hidden('id', input.fresh.target.id)}${input.fresh.target.context !== undefined ? hidden('c', input.fresh.target.context) : ''}${hidden('t', input.fresh.token)}<p><button type="submit">${esc(t.button)}</button></p></form>`
      : '';
  return page(input.locale, s.title, `<p>${esc(s.why)}</p>${offer}`);
}

/** The answer to the fresh-link button: the same whether a mail went out or not, and never the address. */
export function renderFreshLinkSentPage(locale: string): string {
  const t = linkText[language(locale)];
  return page(locale, t.sentTitle, `<p role="status">${esc(t.sent)}</p>`);
}

/** A form value we cannot accept: which field and why (the page answers 400). */
export function renderFieldErrorPage(input: { locale: string; field: string; message: string }): string {
  const t = linkText[language(input.locale)];
  return page(input.locale, t.errorTitle, `<p role="alert"><strong>${esc(input.field)}</strong>: ${esc(input.message)}</p>`);
}

export function renderLinkNotFoundPage(locale: string): string {
  const t = linkText[language(locale)];
  return page(locale, t.notFoundTitle, `<p>${esc(t.notFound)}</p>`);
}

/** The mail with a fresh link (one link; a rating link opens the rating form with nothing chosen). */
export function renderFreshLinkMail(input: { customerName: string; locale: string; timeZone: string; purpose: LinkPurpose; link: string; expiresAt: Date }): RenderedMail {
  const t = linkText[language(input.locale)];
  return paragraphsMail(input.locale, t.mailSubject, [
    t.greeting(input.customerName),
    `${t.mailIntro(t.purpose[input.purpose])}\n${input.link}`,
    t.mailUntil(formatDate(input.expiresAt.toISOString(), input.locale, input.timeZone)),
    t.mailIgnore,
  ]);
}
