/**
 * The page around every customer-facing page: the document head (the one stylesheet, ./style.ts), a header with the
 * brand (logo and company name) and an optional slot (the portal's navigation), the page's title as its one `<h1>`,
 * the body, and a footer with the support contacts (mailto:/tel: links). In the customer's language (the message
 * catalogs); everything escaped through ../html.ts. Pure.
 */
import { html, raw, type Html } from '../html.ts';
import { languageOf, translator } from '../i18n/catalog.ts';
import { telHref, type Brand } from './brand.ts';
import { stylesheet } from './style.ts';

export interface CustomerPageInput {
  /** The customer's (or browser's) locale: `lang` and the catalog for the layout's own words. */
  locale: string;
  /** The page's title: the `<h1>` and, with the company name, the `<title>`. */
  title: string;
  brand: Brand;
  /** Goes into the header after the brand, e.g. the portal's `<nav class="portal-nav">`. */
  header?: Html;
  body: Html;
  /** A wider page (tables with many columns: invoices, statements). */
  wide?: boolean;
}

/** The brand's logo: inline SVG (configuration, checked by `brandSchema`) or an image; decorative next to the name. */
function logo(brand: Brand): Html | false {
  if (!brand.logo) return false;
  if ('svg' in brand.logo) return html`<span class="logo" aria-hidden="true">${raw(brand.logo.svg)}</span>`;
  return html`<img src="${brand.logo.url}" alt="" height="36">`;
}

/** The brand in a header: logo and company name. */
export function brandMark(brand: Brand): Html {
  return html`<div class="brand">${logo(brand)}<span>${brand.companyName}</span></div>`;
}

/** The footer: who we are and how to reach us. */
export function siteFooter(locale: string, brand: Brand): Html {
  const t = translator(locale);
  const contacts = [
    brand.supportEmail && html`<li>${t('ui.email')}: <a href="${`mailto:${brand.supportEmail}`}">${brand.supportEmail}</a></li>`,
    brand.supportPhone && html`<li>${t('ui.phone')}: <a href="${telHref(brand.supportPhone)}">${brand.supportPhone}</a></li>`,
  ].filter(Boolean);
  return html`<footer class="site-footer"><div class="wrap"><p><strong>${brand.companyName}</strong>${contacts.length > 0 && html` · ${t('ui.support')}`}</p>${contacts.length > 0 && html`<ul>${contacts}</ul>`}</div></footer>`;
}

/** A whole customer page (the document). */
export function customerPage(input: CustomerPageInput): string {
  const t = translator(input.locale);
  const lang = input.locale || languageOf(input.locale);
  return html`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${input.title} · ${input.brand.companyName}</title><style>${raw(stylesheet(input.brand))}</style></head>
<body${input.wide && raw(' class="wide"')}><a class="skip" href="#main">${t('ui.skip')}</a>
<header class="site-header"><div class="wrap">${brandMark(input.brand)}${input.header}</div></header>
<main id="main"><div class="wrap"><h1>${input.title}</h1>
${input.body}
</div></main>
${siteFooter(input.locale, input.brand)}
</body></html>`.toString();
}
