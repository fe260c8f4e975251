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
}

const receiptText = {
  en: {
    subject: (amount: string) => `Payment received: ${amount} — thank you`,
    greeting: (name: string) => `Dear ${name},`,
    intro: (amount: string, date: string) => `thank you: we received your payment of ${amount} on ${date}.`,
    line: (n: string, applied: string, balance: string) =>
      `Invoice ${n}: ${applied} applied, ${balance === '' ? 'paid in full' : `${balance} still open`}.`,
    credit: (amount: string) => `${amount} more than was owed is kept as credit on your account; it will be used for your next invoice, or refunded on request.`,
    closing: 'Kind regards,\nAccounts receivable',
  },
  de: {
    subject: (amount: string) => `Zahlung erhalten: ${amount} — vielen Dank`,
    greeting: (name: string) => `Guten Tag ${name},`,
    intro: (amount: string, date: string) => `vielen Dank: Wir haben Ihre Zahlung über ${amount} am ${date} erhalten.`,
    line: (n: string, applied: string, balance: string) =>
      `Rechnung ${n}: ${applied} verrechnet, ${balance === '' ? 'vollständig bezahlt' : `${balance} noch offen`}.`,
    credit: (amount: string) => `${amount} mehr als geschuldet führen wir als Guthaben auf Ihrem Konto; wir verrechnen es mit Ihrer nächsten Rechnung oder erstatten es auf Wunsch.`,
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
    t.closing,
  ];
  return {
    subject: t.subject(fmt(input.amount)),
    text: paragraphs.join('\n\n'),
    html: `<!doctype html><html lang="${escapeHtml(input.locale)}"><body>${paragraphs
      .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
      .join('')}</body></html>`,
  };
}

export interface PaymentFailedInput {
  customerName: string;
  locale: string;
  currency: string;
  amount: number;
  invoices: { number: string; paymentReference: string; balanceDue: number }[];
}

const failedText = {
  en: {
    subject: 'Your payment did not go through — nothing else to worry about',
    greeting: (name: string) => `Dear ${name},`,
    intro: (amount: string) =>
      `your payment of ${amount} could not be completed. This happens — no fee or penalty applies, and nothing about your account has changed.`,
    retry: 'You can try again with another card or method, or pay by bank transfer:',
    line: (n: string, amount: string, ref: string) => `Invoice ${n}: ${amount} — payment reference ${ref}`,
    closing: 'If anything is unclear, just reply to this email.\n\nKind regards,\nAccounts receivable',
  },
  de: {
    subject: 'Ihre Zahlung ist nicht durchgegangen — kein Grund zur Sorge',
    greeting: (name: string) => `Guten Tag ${name},`,
    intro: (amount: string) =>
      `Ihre Zahlung über ${amount} konnte nicht abgeschlossen werden. Das kommt vor — es fallen keine Gebühren an, und an Ihrem Konto hat sich nichts geändert.`,
    retry: 'Sie können es mit einer anderen Karte oder Zahlungsart erneut versuchen oder per Überweisung zahlen:',
    line: (n: string, amount: string, ref: string) => `Rechnung ${n}: ${amount} — Verwendungszweck ${ref}`,
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
    ...input.invoices.map((i) => t.line(i.number, fmt(i.balanceDue), i.paymentReference)),
    t.closing,
  ];
  return {
    subject: t.subject,
    text: paragraphs.join('\n\n'),
    html: `<!doctype html><html lang="${escapeHtml(input.locale)}"><body>${paragraphs
      .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
      .join('')}</body></html>`,
  };
}
