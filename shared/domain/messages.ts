import { formatMoney } from './money.ts';

/**
 * Customer messages, rendered in the customer's language (English and German so far; other locales fall back to
 * English) with amounts formatted by Intl in their locale and dates in their time zone. Pure: no I/O, no clock.
 */

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A mail from paragraphs: plain text, and the same paragraphs as escaped HTML. */
export function paragraphsMail(locale: string, subject: string, paragraphs: readonly string[]): RenderedMail {
  return {
    subject,
    text: paragraphs.join('\n\n'),
    html: `<!doctype html><html lang="${escapeHtml(locale)}"><body>${paragraphs
      .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
      .join('')}</body></html>`,
  };
}

export function language(locale: string): 'en' | 'de' {
  return locale.toLowerCase().startsWith('de') ? 'de' : 'en';
}

export function formatDate(isoInstantOrDate: string, locale: string, timeZone: string): string {
  const instant = isoInstantOrDate.length === 10 ? new Date(`${isoInstantOrDate}T12:00:00Z`) : new Date(isoInstantOrDate);
  const tz = isoInstantOrDate.length === 10 ? 'UTC' : timeZone;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: tz }).format(instant);
}

export interface ReceiptInput {
  customerName: string;
  locale: string;
  timeZone: string;
  currency: string;
  amount: number;
  receivedAt: string;
  invoices: { number: string; applied: number; balanceDue: number }[];
  credit: number;
  /** One signed link per rating 1–5 ("how did we do?"), and the preferences link. */
  feedbackLinks?: string[];
  preferencesLink?: string;
}

const receiptText = {
  en: {
    subject: (amount: string) => `Payment received: ${amount} — thank you`,
    greeting: (name: string) => `Dear ${name},`,
    intro: (amount: string, date: string) => `thank you: we received your payment of ${amount} on ${date}.`,
    line: (n: string, applied: string, balance: string) =>
      `Invoice ${n}: ${applied} applied, ${balance === '' ? 'paid in full' : `${balance} still open`}.`,
    credit: (amount: string) => `${amount} more than was owed is kept as credit on your account; it will be used for your next invoice, or refunded on request.`,
    rate: 'How did we do? One click is enough (1 = poor, 5 = excellent):',
    prefs: (link: string) => `Change the language, tone and frequency of our messages: ${link}`,
    closing: 'Kind regards,\nAccounts receivable',
  },
  de: {
    subject: (amount: string) => `Zahlung erhalten: ${amount} — vielen Dank`,
    greeting: (name: string) => `Guten Tag ${name},`,
    intro: (amount: string, date: string) => `vielen Dank: Wir haben Ihre Zahlung über ${amount} am ${date} erhalten.`,
    line: (n: string, applied: string, balance: string) =>
      `Rechnung ${n}: ${applied} verrechnet, ${balance === '' ? 'vollständig bezahlt' : `${balance} noch offen`}.`,
    credit: (amount: string) => `${amount} mehr als geschuldet führen wir als Guthaben auf Ihrem Konto; wir verrechnen es mit Ihrer nächsten Rechnung oder erstatten es auf Wunsch.`,
    rate: 'Wie zufrieden waren Sie mit uns? Ein Klick genügt (1 = gar nicht, 5 = sehr):',
    prefs: (link: string) => `Sprache, Ton und Häufigkeit unserer Nachrichten ändern: ${link}`,
    closing: 'Mit freundlichen Grüßen\nDebitorenbuchhaltung',
  },
};

export function renderReceipt(input: ReceiptInput): RenderedMail {
  const t = receiptText[language(input.locale)];
  const fmt = (amount: number) => formatMoney({ amount, currency: input.currency }, input.locale);
  const lines = input.invoices.map((i) => t.line(i.number, fmt(i.applied), i.balanceDue === 0 ? '' : fmt(i.balanceDue)));
  if (input.credit > 0) lines.push(t.credit(fmt(input.credit)));
  const paragraphs = [
    t.greeting(input.customerName),
    t.intro(fmt(input.amount), formatDate(input.receivedAt, input.locale, input.timeZone)),
    ...lines,
    ...(input.feedbackLinks?.length ? [t.rate, input.feedbackLinks.map((l, i) => `${i + 1}: ${l}`).join('\n')] : []),
    t.closing,
    ...(input.preferencesLink ? [t.prefs(input.preferencesLink)] : []),
  ];
  return paragraphsMail(input.locale, t.subject(fmt(input.amount)), paragraphs);
}

export interface PaymentFailedInput {
  customerName: string;
  locale: string;
  currency: string;
  amount: number;
  invoices: { number: string; paymentReference: string; balanceDue: number; payLink: string }[];
}

const failedText = {
  en: {
    subject: 'Your payment did not go through — nothing else to worry about',
    greeting: (name: string) => `Dear ${name},`,
    intro: (amount: string) =>
      `your payment of ${amount} could not be completed. This happens — no fee or penalty applies, and nothing about your account has changed.`,
    retry: 'You can try again — with the same card, another one or another method — whenever suits you:',
    line: (n: string, amount: string, ref: string, link: string) =>
      `Invoice ${n}: ${amount} — try again here: ${link} — or by bank transfer with the payment reference ${ref}`,
    closing: 'If anything is unclear, just reply to this email.\n\nKind regards,\nAccounts receivable',
  },
  de: {
    subject: 'Ihre Zahlung ist nicht durchgegangen — kein Grund zur Sorge',
    greeting: (name: string) => `Guten Tag ${name},`,
    intro: (amount: string) =>
      `Ihre Zahlung über ${amount} konnte nicht abgeschlossen werden. Das kommt vor — es fallen keine Gebühren an, und an Ihrem Konto hat sich nichts geändert.`,
    retry: 'Sie können es jederzeit erneut versuchen — mit derselben oder einer anderen Karte oder Zahlungsart:',
    line: (n: string, amount: string, ref: string, link: string) =>
      `Rechnung ${n}: ${amount} — erneut versuchen: ${link} — oder per Überweisung mit dem Verwendungszweck ${ref}`,
    closing: 'Bei Fragen antworten Sie einfach auf diese E-Mail.\n\nMit freundlichen Grüßen\nDebitorenbuchhaltung',
  },
};

/** A kind note after a failed card payment: no penalty, how to try again. */
export function renderPaymentFailed(input: PaymentFailedInput): RenderedMail {
  const t = failedText[language(input.locale)];
  const fmt = (amount: number) => formatMoney({ amount, currency: input.currency }, input.locale);
  const paragraphs = [
    t.greeting(input.customerName),
    t.intro(fmt(input.amount)),
    t.retry,
    ...input.invoices.map((i) => t.line(i.number, fmt(i.balanceDue), i.paymentReference, i.payLink)),
    t.closing,
  ];
  return paragraphsMail(input.locale, t.subject, paragraphs);
}

export interface PayPageInput {
  locale: string;
  invoiceNumber: string;
  currency: string;
  balanceDue: number;
  dueDate: string;
  paymentReference: string;
  payeeAccount: string;
  /** Form target for card payment, or undefined when the invoice is settled. */
  checkoutUrl?: string;
  /** Card payment cannot take this amount (e.g. a currency or step Stripe cannot charge exactly): bank transfer only. */
  cardUnavailable?: boolean;
}

const payText = {
  en: {
    title: (n: string) => `Invoice ${n}`,
    due: (amount: string, date: string) => `Amount due: ${amount} (due ${date}).`,
    settled: 'Nothing to pay — this invoice is settled. Thank you!',
    card: 'Pay by card or wallet',
    bank: (account: string, ref: string) => `Or by bank transfer to ${account}, reference ${ref}.`,
    cardUnavailable: 'Payment by card is not available for this amount.',
    bankOnly: (account: string, ref: string) => `Please pay by bank transfer to ${account}, reference ${ref}.`,
  },
  de: {
    title: (n: string) => `Rechnung ${n}`,
    due: (amount: string, date: string) => `Offener Betrag: ${amount} (fällig am ${date}).`,
    settled: 'Nichts zu zahlen — diese Rechnung ist beglichen. Vielen Dank!',
    card: 'Mit Karte oder Wallet zahlen',
    bank: (account: string, ref: string) => `Oder per Überweisung an ${account}, Verwendungszweck ${ref}.`,
    cardUnavailable: 'Eine Kartenzahlung ist für diesen Betrag leider nicht möglich.',
    bankOnly: (account: string, ref: string) => `Bitte überweisen Sie den Betrag an ${account}, Verwendungszweck ${ref}.`,
  },
};

/** The page a signed pay link opens: what is due, a card button, bank details with the reference. */
export function renderPayPage(input: PayPageInput): string {
  const t = payText[language(input.locale)];
  const amount = formatMoney({ amount: input.balanceDue, currency: input.currency }, input.locale);
  const due = formatDate(input.dueDate, input.locale, 'UTC');
  const body =
    input.balanceDue > 0 && input.cardUnavailable
      ? `<p>${escapeHtml(t.due(amount, due))}</p>
<p>${escapeHtml(t.cardUnavailable)}</p>
<p>${escapeHtml(t.bankOnly(input.payeeAccount, input.paymentReference))}</p>`
      : input.balanceDue === 0 || !input.checkoutUrl
      ? `<p>${escapeHtml(t.settled)}</p>`
      : `<p>${escapeHtml(t.due(amount, formatDate(input.dueDate, input.locale, 'UTC')))}</p>
<form method="post" action="${escapeHtml(input.checkoutUrl)}"><button type="submit">${escapeHtml(t.card)}</button></form>
<p>${escapeHtml(t.bank(input.payeeAccount, input.paymentReference))}</p>`;
  return `<!doctype html><html lang="${escapeHtml(input.locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(t.title(input.invoiceNumber))}</title></head><body><h1>${escapeHtml(t.title(input.invoiceNumber))}</h1>${body}</body></html>`;
}
