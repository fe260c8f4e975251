import { html, lines, raw, type Html } from './html.ts';
import { translator } from './i18n/catalog.ts';
import { formatMoney } from './money.ts';

/**
 * Customer messages, rendered in the customer's language (the message catalogs in ./i18n: English, German; a locale
 * without a catalog falls back to English) with amounts formatted by Intl in their locale and dates in their time
 * zone. Every mail has a plain-text part and an HTML part built from the same paragraphs: a link is the bare URL in
 * the text and an anchor (a button, for paying) in the HTML. Pure: no I/O, no clock.
 */

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** A link in a mail: the URL in the text part; an anchor (labelled, or showing the URL) in the HTML part. */
export interface MailLink {
  href: string;
  /** The anchor's text in HTML (default: the URL itself). */
  label?: string;
  /** Shown as a button in HTML (paying). */
  button?: boolean;
}

/** One paragraph: text (with `\n` line breaks) and links. */
export type MailParagraph = string | readonly (string | MailLink)[];

const BUTTON_STYLE =
  'display:inline-block;padding:8px 16px;border-radius:4px;background:#1a4f8b;color:#ffffff;text-decoration:none;font-weight:600';

/** Only web links become anchors (a `javascript:` or `data:` URL never becomes clickable). */
const LINKABLE = /^(https?:\/\/|\/)/i;

function linkHtml(link: MailLink): Html {
  if (!LINKABLE.test(link.href)) return lines(link.href);
  return link.button
    ? html`<a href="${link.href}" style="${raw(BUTTON_STYLE)}">${link.label ?? link.href}</a>`
    : html`<a href="${link.href}">${link.label ?? link.href}</a>`;
}

/** A mail from paragraphs: the plain-text part, and the same paragraphs as escaped HTML with anchors for links. */
export function composeMail(locale: string, subject: string, paragraphs: readonly MailParagraph[]): RenderedMail {
  const parts = paragraphs.map((p) => (typeof p === 'string' ? [p] : p));
  return {
    subject,
    text: parts.map((p) => p.map((i) => (typeof i === 'string' ? i : i.href)).join('')).join('\n\n'),
    html: html`<!doctype html><html lang="${locale}"><body>${parts.map(
      (p) => html`<p>${p.map((i) => (typeof i === 'string' ? lines(i) : linkHtml(i)))}</p>`,
    )}</body></html>`.toString(),
  };
}

export function formatDate(isoInstantOrDate: string, locale: string, timeZone: string): string {
  const instant = isoInstantOrDate.length === 10 ? new Date(`${isoInstantOrDate}T12:00:00Z`) : new Date(isoInstantOrDate);
  const tz = isoInstantOrDate.length === 10 ? 'UTC' : timeZone;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: tz }).format(instant);
}

/** The five rating links of a "how did we do?" paragraph: `1: <link>` per line. */
export function ratingParagraph(links: readonly string[]): MailParagraph {
  return links.flatMap((href, i) => [`${i > 0 ? '\n' : ''}${i + 1}: `, { href }]);
}

/** The preferences paragraph every mail ends with, when the customer has a preferences link. */
export function preferencesParagraph(locale: string, href: string | undefined): MailParagraph[] {
  return href ? [translator(locale).parts<MailLink>('mail.preferences', { link: { href } })] : [];
}

/** A mail to a customer in the house style: greeting, the body, closing, and the preferences link when there is one. */
export function customerMail(
  input: { locale: string; customerName: string; preferencesLink?: string | undefined },
  subject: string,
  body: readonly MailParagraph[],
): RenderedMail {
  const t = translator(input.locale);
  return composeMail(input.locale, subject, [
    t('mail.greeting', { name: input.customerName }),
    ...body,
    t('mail.closing'),
    ...preferencesParagraph(input.locale, input.preferencesLink),
  ]);
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

export function renderReceipt(input: ReceiptInput): RenderedMail {
  const t = translator(input.locale);
  const fmt = (amount: number) => formatMoney({ amount, currency: input.currency }, input.locale);
  const lineTexts = input.invoices.map((i) =>
    t('receipt.line', { number: i.number, applied: fmt(i.applied), settled: i.balanceDue === 0 ? 'yes' : 'no', balance: i.balanceDue === 0 ? '' : fmt(i.balanceDue) }),
  );
  if (input.credit > 0) lineTexts.push(t('receipt.credit', { amount: fmt(input.credit) }));
  return customerMail(input, t('receipt.subject', { amount: fmt(input.amount) }), [
    t('receipt.intro', { amount: fmt(input.amount), date: formatDate(input.receivedAt, input.locale, input.timeZone) }),
    ...lineTexts,
    ...(input.feedbackLinks?.length ? [t('mail.rate'), ratingParagraph(input.feedbackLinks)] : []),
  ]);
}

export interface PaymentFailedInput {
  customerName: string;
  locale: string;
  currency: string;
  amount: number;
  invoices: { number: string; paymentReference: string; balanceDue: number; payLink: string }[];
}

/** A kind note after a failed card payment: no penalty, how to try again. */
export function renderPaymentFailed(input: PaymentFailedInput): RenderedMail {
  const t = translator(input.locale);
  const fmt = (amount: number) => formatMoney({ amount, currency: input.currency }, input.locale);
  const paragraphs: MailParagraph[] = [
    t('mail.greeting', { name: input.customerName }),
    t('paymentFailed.intro', { amount: fmt(input.amount) }),
    t('paymentFailed.retry'),
    ...input.invoices.map((i) =>
      t.parts<MailLink>('paymentFailed.line', {
        number: i.number,
        amount: fmt(i.balanceDue),
        reference: i.paymentReference,
        link: { href: i.payLink, label: t('mail.payButton'), button: true },
      }),
    ),
    `${t('paymentFailed.help')}\n\n${t('mail.closing')}`,
  ];
  return composeMail(input.locale, t('paymentFailed.subject'), paragraphs);
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

/** The page a signed pay link opens: what is due, a card button, bank details with the reference. */
export function renderPayPage(input: PayPageInput): string {
  const t = translator(input.locale);
  const amount = formatMoney({ amount: input.balanceDue, currency: input.currency }, input.locale);
  const due = t('payPage.due', { amount, date: formatDate(input.dueDate, input.locale, 'UTC') });
  const bank = { account: input.payeeAccount, reference: input.paymentReference };
  const body =
    input.balanceDue > 0 && input.cardUnavailable
      ? html`<p>${due}</p>
<p>${t('payPage.cardUnavailable')}</p>
<p>${t('payPage.bankOnly', bank)}</p>`
      : input.balanceDue === 0 || !input.checkoutUrl
      ? html`<p>${t('payPage.settled')}</p>`
      : html`<p>${due}</p>
<form method="post" action="${input.checkoutUrl}"><button type="submit">${t('payPage.card')}</button></form>
<p>${t('payPage.bank', bank)}</p>`;
  const title = t('payPage.title', { number: input.invoiceNumber });
  return html`<!doctype html><html lang="${input.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`.toString();
}
