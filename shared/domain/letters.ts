import { html, join, lines, raw } from './html.ts';
import { message } from './i18n/catalog.ts';

export interface PrintableLetter {
  address: string[];
  subject: string;
  /** The notice's plain text (the same words as its mail). */
  text: string;
  date: string;
}

const LETTER_CSS =
  '@page{size:A4;margin:20mm}body{font-family:serif}.letter{page-break-after:always}address{font-style:normal;margin:25mm 0 10mm}.date{text-align:right}';

/**
 * A print run: one A4 page per letter (address window, date, subject, body), escaped. The page around the letters is
 * for staff (English); each letter carries its customer's words. Pure.
 */
export function renderLetters(letters: readonly PrintableLetter[], date: string): string {
  const pages = letters.map(
    (l) =>
      html`<section class="letter"><address>${join(l.address, raw('<br>'))}</address><p class="date">${l.date}</p><h2>${l.subject}</h2>${l.text
        .split('\n\n')
        .map((p) => html`<p>${lines(p)}</p>`)}</section>`,
  );
  return html`<!doctype html><html><head><meta charset="utf-8"><title>${message('en', 'letters.title', { date })}</title><style>${raw(LETTER_CSS)}</style></head><body>${pages.length ? pages : html`<p>${message('en', 'letters.none', { date })}</p>`}</body></html>`.toString();
}
