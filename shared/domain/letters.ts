import { html, join, lines, raw } from './html.ts';
import { message } from './i18n/catalog.ts';
import type { Brand } from './ui/brand.ts';
import { brandMark } from './ui/layout.ts';
import { stylesheet } from './ui/style.ts';

export interface PrintableLetter {
  address: string[];
  subject: string;
  /** The notice's plain text (the same words as its mail). */
  text: string;
  date: string;
}

/**
 * A print run: one A4 page per letter (letterhead with the brand and the support contacts, address window, date,
 * subject, body), escaped, with the one customer stylesheet (./ui/style.ts: `.letter`, print rules). The page around
 * the letters is for staff (English); each letter carries its customer's words. Pure.
 */
export function renderLetters(letters: readonly PrintableLetter[], date: string, brand: Brand): string {
  const contacts = [brand.supportEmail, brand.supportPhone].filter((c): c is string => !!c);
  const letterhead = html`<header class="letterhead">${brandMark(brand)}${contacts.length > 0 && html`<p class="contact">${join(contacts, raw('<br>'))}</p>`}</header>`;
  const pages = letters.map(
    (l) =>
      html`<section class="letter">${letterhead}<address>${join(l.address, raw('<br>'))}</address><p class="date">${l.date}</p><h2>${l.subject}</h2>${l.text
        .split('\n\n')
        .map((p) => html`<p>${lines(p)}</p>`)}</section>`,
  );
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${message('en', 'letters.title', { date })}</title><style>${raw(stylesheet(brand))}</style></head><body class="letters">${pages.length ? pages : html`<main class="wrap"><p>${message('en', 'letters.none', { date })}</p></main>`}</body></html>`.toString();
}
