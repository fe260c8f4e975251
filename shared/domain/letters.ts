import { escapeHtml } from './messages.ts';

export interface PrintableLetter {
  address: string[];
  subject: string;
  /** The notice's plain text (the same words as its mail). */
  text: string;
  date: string;
}

/** A print run: one A4 page per letter (address window, date, subject, body), escaped. Pure. */
export function renderLetters(letters: readonly PrintableLetter[], date: string): string {
  const pages = letters
    .map(
      (l) => `<section class="letter"><address>${l.address.map(escapeHtml).join('<br>')}</address><p class="date">${escapeHtml(l.date)}</p><h2>${escapeHtml(l.subject)}</h2>${l.text
        .split('\n\n')
        .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
        .join('')}</section>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Letters ${escapeHtml(date)}</title><style>@page{size:A4;margin:20mm}body{font-family:serif}.letter{page-break-after:always}address{font-style:normal;margin:25mm 0 10mm}.date{text-align:right}</style></head><body>${pages || `<p>No letters for ${escapeHtml(date)}.</p>`}</body></html>`;
}
