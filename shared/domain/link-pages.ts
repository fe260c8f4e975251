/**
 * The small pages signed customer links open (no login): the rating recorded (with an optional comment), the
 * communication preferences form, and the payment plan request form. English and German; everything escaped. Pure.
 */
import { escapeHtml, formatDate, language } from './messages.ts';
import { formatMoney } from './money.ts';

function page(locale: string, title: string, body: string): string {
  return `<!doctype html><html lang="${escapeHtml(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.6rem 0}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

const esc = escapeHtml;

export function renderFeedbackPage(input: { locale: string; rating: number; action: string; comment?: string; saved?: boolean }): string {
  const de = language(input.locale) === 'de';
  const title = de ? 'Danke für Ihre Bewertung' : 'Thank you for your rating';
  const body = `<p>${esc(de ? `Ihre Bewertung: ${input.rating} von 5.` : `Your rating: ${input.rating} out of 5.`)}</p>
${input.saved ? `<p>${esc(de ? 'Ihr Kommentar ist gespeichert.' : 'Your comment is saved.')}</p>` : ''}
<form method="post" action="${esc(input.action)}"><input type="hidden" name="rating" value="${input.rating}">
<label>${esc(de ? 'Möchten Sie uns noch etwas sagen? (optional)' : 'Anything you would like to tell us? (optional)')}<br><textarea name="comment" rows="4" cols="50" maxlength="2000">${esc(input.comment ?? '')}</textarea></label>
<button type="submit">${esc(de ? 'Senden' : 'Send')}</button></form>`;
  return page(input.locale, title, body);
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
  const body = `${v.saved ? `<p><strong>${esc(de ? 'Gespeichert.' : 'Saved.')}</strong></p>` : ''}
<form method="post" action="${esc(v.action)}">
<label>${esc(de ? 'Sprache' : 'Language')} <select name="locale">${opt('en-GB', 'English', language(v.locale) === 'en' ? 'en-GB' : '')}${opt('de-DE', 'Deutsch', language(v.locale) === 'de' ? 'de-DE' : '')}</select></label>
<label>${esc(de ? 'Ton' : 'Tone')} <select name="tone">${opt('', de ? 'wie bisher' : 'standard', v.tone ?? '')}${opt('friendly', de ? 'freundlich' : 'friendly', v.tone)}${opt('neutral', de ? 'sachlich' : 'neutral', v.tone)}${opt('formal', de ? 'förmlich' : 'formal', v.tone)}</select></label>
<label>${esc(de ? 'Erinnerungen' : 'Reminders')} <select name="cadence">${opt('default', de ? 'normal' : 'standard', v.cadence ?? 'default')}${opt('minimal', de ? 'so wenige wie möglich' : 'as few as possible', v.cadence)}</select></label>
<label>${esc(de ? 'Bevorzugte Zahlungsart' : 'Preferred way to pay')} <select name="preferredPaymentMethod">${opt('', de ? 'keine' : 'no preference', v.preferredPaymentMethod ?? '')}${opt('card', de ? 'Karte / Wallet' : 'card / wallet', v.preferredPaymentMethod)}${opt('bank_transfer', de ? 'Überweisung' : 'bank transfer', v.preferredPaymentMethod)}</select></label>
<label>${esc(de ? 'Keine Nachrichten zwischen (Stunde, 0–23)' : 'No messages between (hour, 0–23)')} <input name="quietStart" type="number" min="0" max="23" value="${v.quietHours?.startHour ?? ''}"> – <input name="quietEnd" type="number" min="0" max="24" value="${v.quietHours?.endHour ?? ''}"></label>
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
