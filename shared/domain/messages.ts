import { html, lines, raw, type Html } from './html.ts';
import { translator } from './i18n/catalog.ts';
import { formatMoney } from './money.ts';
import { DEFAULT_BRAND, telHref, type Brand } from './ui/brand.ts';
import { buttonColours, linkColour } from './ui/colour.ts';
import { customerPage } from './ui/layout.ts';

/**
 * Customer messages, rendered in the customer's language (the message catalogs in ./i18n: English, German; a locale
 * without a catalog falls back to English) with amounts formatted by Intl in their locale and dates in their time
 * zone. Every mail has a plain-text part and an HTML part built from the same paragraphs.
 *
 * The HTML part is responsive HTML mail: table layout (role="presentation") at most 600 px wide, inline CSS only
 * (mail clients strip `<style>`), the brand's header (company name, and the logo when it is a URL — inline SVG is not
 * shown by most mail clients), "bulletproof" buttons (a table cell in the brand colour holding the anchor), the
 * "View your account" button when the mail carries a portal link, and a footer with the support contacts. A link is
 * always shown by its human label, never as a raw URL (signed links carry tokens); in the plain text each link reads
 * `Label: URL` on its own line. Pure: no I/O, no clock.
 */

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** A link in a mail: `label` is what the HTML shows (never the URL), and `Label: URL` in the plain text. */
export interface MailLink {
  href: string;
  /** The human label (a catalog string): the anchor's text, the button's text. */
  label: string;
  /** Shown as a button in HTML (paying, the account); `secondary` = outlined. */
  button?: boolean | 'secondary';
  /** A small outlined link in a row (the five rating links). */
  chip?: boolean;
}

/** One paragraph: text (with `\n` line breaks) and links. */
export type MailParagraph = string | readonly (string | MailLink)[];

/** What frames every mail: the business's brand and the customer's portal link ("View your account"). */
export interface MailFrame {
  brand?: Brand | undefined;
  /** The signed portal link that signs this customer in (`linkSigner(now).portal(customer)`). */
  portalLink?: string | undefined;
}

const FONT = 'font-family:-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif';
const TEXT = '#1f2937';
const MUTED = '#5b6470';
const BORDER = '#e3e6ea';

/** Only web links become anchors (a `javascript:` or `data:` URL never becomes clickable; its label stays text). */
const LINKABLE = /^(https?:\/\/|\/|mailto:|tel:)/i;

interface MailColours {
  button: string;
  onButton: string;
  link: string;
}

function colours(brand: Brand): MailColours {
  const b = buttonColours(brand.primaryColour);
  return { button: b.background, onButton: b.text, link: linkColour(brand.primaryColour) };
}

/** A "bulletproof" button: a table cell in the brand colour around the anchor (renders in Outlook too). */
function buttonHtml(link: MailLink, c: MailColours): Html {
  const secondary = link.button === 'secondary';
  const bg = secondary ? '#ffffff' : c.button;
  const fg = secondary ? c.link : c.onButton;
  const cell = `border-radius:6px;background:${bg};${secondary ? `border:2px solid ${c.link};` : ''}`;
  const anchor = `display:inline-block;padding:12px 24px;border-radius:6px;${FONT};font-size:16px;font-weight:600;line-height:20px;color:${fg};text-decoration:none`;
  return html`<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:12px 0 4px;border-collapse:separate"><tr><td align="center" bgcolor="${bg}" style="${cell}"><a href="${link.href}" style="${anchor}">${link.label}</a></td></tr></table>`;
}

function linkHtml(link: MailLink, c: MailColours): Html {
  if (!LINKABLE.test(link.href)) return lines(link.label);
  if (link.button) return buttonHtml(link, c);
  if (link.chip) {
    return html`<a href="${link.href}" style="${`display:inline-block;margin:4px 6px 4px 0;padding:8px 14px;border:1px solid #c4cad2;border-radius:6px;color:${c.link};text-decoration:none;font-weight:600`}">${link.label}</a>`;
  }
  return html`<a href="${link.href}" style="${`color:${c.link};text-decoration:underline`}">${link.label}</a>`;
}

/** A paragraph as HTML: text with `<br>`s, anchors; a paragraph with a button is a block (a table cannot sit in a `<p>`). */
function paragraphHtml(items: readonly (string | MailLink)[], c: MailColours): Html {
  const hasBlock = items.some((i) => typeof i !== 'string' && i.button && LINKABLE.test(i.href));
  const parts = items.map((item, n) => {
    if (typeof item !== 'string') return linkHtml(item, c);
    let text = item;
    // Line breaks that only lead up to (or away from) a button would leave empty lines around it.
    const next = items[n + 1];
    const prev = items[n - 1];
    if (next && typeof next !== 'string' && next.button) text = text.replace(/\s+$/, '');
    if (prev && typeof prev !== 'string' && prev.button) text = text.replace(/^\s+/, '');
    return lines(text);
  });
  const style = `margin:0 0 16px;${FONT};font-size:16px;line-height:24px;color:${TEXT}`;
  // A paragraph with a button (an invoice to pay, the account) stands out as a light box.
  const box = `padding:16px 18px;border:1px solid ${BORDER};border-radius:8px;background:#f9fafb;`;
  return hasBlock ? html`<div style="${box}${style}">${parts}</div>` : html`<p style="${style}">${parts}</p>`;
}

/** A paragraph as plain text: each link as `Label: URL` on its own line. */
function paragraphText(items: readonly (string | MailLink)[]): string {
  let out = '';
  let afterLink = false;
  for (const item of items) {
    if (typeof item === 'string') {
      out += afterLink && item && !item.startsWith('\n') ? `\n${item.replace(/^\s+/, '')}` : item;
      afterLink = false;
      continue;
    }
    // At the start of a line (or an indented one) the link stays there; after text it starts a new line.
    if (out !== '' && !/\n[ \t]*$/.test(out)) out = `${out.replace(/[ \t]+$/, '')}\n`;
    out += `${item.label}: ${item.href}`;
    afterLink = true;
  }
  return out;
}

function header(brand: Brand): Html {
  const name = html`<span style="${`${FONT};font-size:18px;font-weight:700;line-height:24px;color:#111827`}">${brand.companyName}</span>`;
  const logo =
    brand.logo && 'url' in brand.logo
      ? html`<td style="padding:0 12px 0 0;vertical-align:middle"><img src="${brand.logo.url}" alt="" height="32" style="display:block;border:0;height:32px;width:auto"></td>`
      : false;
  return html`<tr><td style="${`padding:20px 28px;border-bottom:1px solid ${BORDER}`}"><table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>${logo}<td style="vertical-align:middle">${name}</td></tr></table></td></tr>`;
}

function footerHtml(locale: string, brand: Brand, c: MailColours): Html {
  const t = translator(locale);
  const a = (href: string, text: string) => html`<a href="${href}" style="${`color:${c.link};text-decoration:underline`}">${text}</a>`;
  const contacts = [
    brand.supportEmail && html`${t('ui.email')}: ${a(`mailto:${brand.supportEmail}`, brand.supportEmail)}`,
    brand.supportPhone && html`${t('ui.phone')}: ${a(telHref(brand.supportPhone), brand.supportPhone)}`,
  ].filter((x): x is Html => !!x);
  const contactLine = contacts.length > 0 && html`<br>${t('ui.support')}<br>${contacts.flatMap((x, i) => (i > 0 ? [raw(' &middot; '), x] : [x]))}`;
  return html`<tr><td style="${`padding:16px 28px 20px;background:#f9fafb;border-top:1px solid ${BORDER};border-radius:0 0 8px 8px;${FONT};font-size:14px;line-height:21px;color:${MUTED}`}"><strong style="color:#111827">${brand.companyName}</strong>${contactLine}</td></tr>`;
}

function footerText(locale: string, brand: Brand): string {
  const t = translator(locale);
  const contacts = [brand.supportEmail && `${t('ui.email')}: ${brand.supportEmail}`, brand.supportPhone && `${t('ui.phone')}: ${brand.supportPhone}`].filter(Boolean);
  return ['--', brand.companyName, ...(contacts.length ? [t('ui.support'), ...contacts] : [])].join('\n');
}

/**
 * A mail from paragraphs: the plain-text part, and the same paragraphs as responsive HTML mail in the brand's frame,
 * with the "View your account" button when the frame has a portal link.
 */
export function composeMail(locale: string, subject: string, paragraphs: readonly MailParagraph[], frame: MailFrame = {}): RenderedMail {
  const t = translator(locale);
  const brand = frame.brand ?? DEFAULT_BRAND;
  const c = colours(brand);
  const parts: (readonly (string | MailLink)[])[] = paragraphs.map((p) => (typeof p === 'string' ? [p] : p));
  if (frame.portalLink) {
    // The account button goes before the closing words ("Kind regards"), or at the end when there are none.
    const closing = t('mail.closing');
    const at = parts.findLastIndex((p) => typeof p[0] === 'string' && p.length === 1 && p[0].includes(closing));
    parts.splice(at < 0 ? parts.length : at, 0, [`${t('mail.portal')}\n`, { href: frame.portalLink, label: t('mail.portalButton'), button: 'secondary' }]);
  }
  const text = [...parts.map(paragraphText), footerText(locale, brand)].join('\n\n');
  const body = html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light"><title>${subject}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f5f7"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="${`max-width:600px;background:#ffffff;border:1px solid ${BORDER};border-top:4px solid ${brand.primaryColour};border-radius:8px`}">
${header(brand)}
<tr><td style="padding:24px 28px 8px">
${parts.map((p) => paragraphHtml(p, c))}
</td></tr>
${footerHtml(locale, brand, c)}
</table>
</td></tr></table>
</body></html>`;
  return { subject, text, html: body.toString() };
}

export function formatDate(isoInstantOrDate: string, locale: string, timeZone: string): string {
  const instant = isoInstantOrDate.length === 10 ? new Date(`${isoInstantOrDate}T12:00:00Z`) : new Date(isoInstantOrDate);
  const tz = isoInstantOrDate.length === 10 ? 'UTC' : timeZone;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: tz }).format(instant);
}

/** The five rating links of a "how did we do?" paragraph: five small labelled links ("1 of 5" … "5 of 5"). */
export function ratingParagraph(locale: string, links: readonly string[]): MailParagraph {
  const t = translator(locale);
  return links.map((href, i): MailLink => ({ href, label: t('mail.ratingLabel', { rating: i + 1 }), chip: true }));
}

/** The preferences paragraph every mail ends with, when the customer has a preferences link. */
export function preferencesParagraph(locale: string, href: string | undefined): MailParagraph[] {
  const t = translator(locale);
  return href ? [t.parts<MailLink>('mail.preferences', { link: { href, label: t('mail.preferencesLink') } })] : [];
}

/**
 * A mail to a customer in the house style: greeting, the body, closing, the preferences link when there is one, in
 * the brand's frame with the "View your account" button when there is a portal link.
 */
export function customerMail(
  input: { locale: string; customerName: string; preferencesLink?: string | undefined } & MailFrame,
  subject: string,
  body: readonly MailParagraph[],
): RenderedMail {
  const t = translator(input.locale);
  return composeMail(input.locale, subject, [
    t('mail.greeting', { name: input.customerName }),
    ...body,
    t('mail.closing'),
    ...preferencesParagraph(input.locale, input.preferencesLink),
  ], input);
}

export interface ReceiptInput extends MailFrame {
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
    ...(input.feedbackLinks?.length ? [t('mail.rate'), ratingParagraph(input.locale, input.feedbackLinks)] : []),
  ]);
}

export interface PaymentFailedInput extends MailFrame {
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
  return composeMail(input.locale, t('paymentFailed.subject'), paragraphs, input);
}

export interface PayPageInput {
  locale: string;
  brand: Brand;
  invoiceNumber: string;
  currency: string;
  balanceDue: number;
  /** The invoice's total (shown when given). */
  total?: number;
  /** The invoice's issue date, YYYY-MM-DD (shown when given). */
  issueDate?: string;
  dueDate: string;
  paymentReference: string;
  payeeAccount: string;
  /** Form target for card payment, or undefined when the invoice is settled. */
  checkoutUrl?: string;
  /** Card payment cannot take this amount (e.g. a currency or step Stripe cannot charge exactly): bank transfer only. */
  cardUnavailable?: boolean;
}

/**
 * The page a signed pay link opens, in the brand's layout: what is due (a big figure), the invoice's details, a
 * "Pay by card" button, and the bank transfer details with the RF reference.
 */
export function renderPayPage(input: PayPageInput): string {
  const t = translator(input.locale);
  const money = (amount: number) => formatMoney({ amount, currency: input.currency }, input.locale);
  const date = (d: string) => formatDate(d, input.locale, 'UTC');
  const settled = input.balanceDue === 0 || (!input.checkoutUrl && !input.cardUnavailable);
  const details = html`<dl class="details">
<dt>${t('payPage.number')}</dt><dd>${input.invoiceNumber}</dd>
${input.issueDate && html`<dt>${t('payPage.issued')}</dt><dd>${date(input.issueDate)}</dd>`}
<dt>${t('payPage.dueDate')}</dt><dd>${date(input.dueDate)}</dd>
${input.total !== undefined && html`<dt>${t('payPage.total')}</dt><dd>${money(input.total)}</dd>`}
<dt>${t('payPage.balance')}</dt><dd>${money(input.balanceDue)}</dd>
</dl>`;
  const bankDetails = html`<dl class="details">
${input.payeeAccount && html`<dt>${t('payPage.account')}</dt><dd>${input.payeeAccount}</dd>`}
<dt>${t('payPage.reference')}</dt><dd>${input.paymentReference}</dd>
<dt>${t('payPage.amount')}</dt><dd>${money(input.balanceDue)}</dd>
</dl>`;
  const summary = html`<section class="card" aria-labelledby="due"><span class="label" id="due">${t('payPage.amountDue')}</span><span class="amount">${money(input.balanceDue)}</span><p class="muted">${t('payPage.dueOn', { date: date(input.dueDate) })}</p>${
    input.checkoutUrl &&
    !input.cardUnavailable &&
    html`<form method="post" action="${input.checkoutUrl}" class="actions"><button type="submit" class="btn">${t('payPage.card')}</button></form><p class="muted">${t('payPage.cardNote')}</p>`
  }</section>`;
  const body = settled
    ? html`<p class="notice" role="status">${t('payPage.settled')}</p><section class="card" aria-labelledby="details"><h2 id="details">${t('payPage.details')}</h2>${details}</section>`
    : html`${input.cardUnavailable && html`<div class="alert" role="alert"><p>${t('payPage.cardUnavailable')}</p><p>${t('payPage.bankOnly', { account: input.payeeAccount, reference: input.paymentReference })}</p></div>`}
${summary}
<section class="card" aria-labelledby="bank"><h2 id="bank">${t('payPage.bankTitle')}</h2><p>${t('payPage.bankIntro')}</p>${bankDetails}</section>
<section class="card" aria-labelledby="details"><h2 id="details">${t('payPage.details')}</h2>${details}</section>`;
  return customerPage({ locale: input.locale, title: t('payPage.title', { number: input.invoiceNumber }), brand: input.brand, body });
}
