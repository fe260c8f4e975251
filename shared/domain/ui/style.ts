/**
 * The one stylesheet of every customer-facing page (portal, pay page, link pages, statement, letters), written into
 * the page as one `<style>` block (the CSP allows it by hash; no inline `style=` attributes, no web fonts, no CDN).
 * The brand colour is part of the text, so each brand gets its own (memoised) sheet. Pure.
 *
 * Classes pages use (the contract between page renderers and this sheet):
 * - Layout (./layout.ts writes these): `.site-header` `.brand` `.site-footer` `.wrap` `.skip`; `body.wide` for wide
 *   pages (tables).
 * - `.card` — a white box (balances, a summary, a form); `.cards` — a responsive grid of cards (1 column on a phone).
 * - `.amount` — a big figure (a balance) inside a card; `.label` — the small caption above it.
 * - `.btn` (and any `<button>`) — the primary button in the brand colour; `.btn-secondary` — outlined; `.btn-link` — a
 *   button that looks like a link (e.g. sign out). Every button and nav link is at least 44 px tall.
 * - `table.rows` — a table that turns into stacked rows under 600 px (37.5em): give each `<td data-label="Column">`;
 *   `.num` — a right-aligned figure column (th and td).
 * - `.badge` + `.badge-overdue` `.badge-paid` `.badge-open` `.badge-disputed` `.badge-promised` `.badge-answered` — a
 *   status pill.
 * - `.reply` — an answer under a question (a rule in the brand colour on its left).
 * - `.notice` (with role="status") — a success/info message; `.alert` (with role="alert") — an error or warning.
 * - `.field` — a label above its input/select/textarea (full width); `fieldset` + `label.choice` for radios/checkboxes;
 *   `.choices` — choices side by side (wrapping); `fieldset.table` — no frame of its own around a `table.rows`.
 * - `.muted` — secondary text; `.actions` — a row of buttons/links (wraps on a phone).
 * - `nav.portal-nav` — the portal's navigation in the header (a `<ul>` of links; `aria-current="page"` marks the
 *   current one); a `<form>` inside it (sign out) sits at the end.
 * - `dl.details` — label/value pairs (invoice number, dates, bank details), two columns, one on a phone.
 * - `.visually-hidden` — text for screen readers only. `.no-print` — left out when printed.
 * - Letters (the print run): `body.letters` > `section.letter` > `header.letterhead` (brand, `.contact`), `address`, `.date`.
 * Print: no header navigation, buttons, forms or footer contacts; black on white; cards and rows are not split.
 */
import type { Brand } from './brand.ts';
import { buttonColours, linkColour } from './colour.ts';

const BASE = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2937;background:#f4f5f7;overflow-wrap:break-word}
/* the page background is colour.ts PAGE_BACKGROUND: links are checked against it */
.wrap{max-width:60rem;margin:0 auto;padding:0 1rem}
body.wide .wrap{max-width:72rem}
.skip{position:absolute;left:-9999px;top:0}
.skip:focus{left:1rem;top:.5rem;z-index:10;background:#fff;padding:.5rem 1rem;border-radius:.5rem}
.site-header{background:#fff;border-top:4px solid var(--brand);border-bottom:1px solid #e3e6ea}
.site-header .wrap{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.25rem 1.5rem;min-height:4rem;padding-top:.5rem;padding-bottom:.5rem}
.brand{display:flex;align-items:center;gap:.625rem;font-weight:700;font-size:1.125rem;color:#111827;text-decoration:none}
.brand svg,.brand img{display:block;height:2.25rem;width:auto;max-width:9rem}
nav.portal-nav{flex:1 1 100%;display:flex;align-items:center;gap:.25rem;min-width:0;margin:0 -.75rem}
nav.portal-nav ul{display:flex;flex-wrap:wrap;gap:0;list-style:none;margin:0;padding:0;min-width:0}
nav.portal-nav a{display:inline-flex;align-items:center;min-height:44px;padding:0 .75rem;border-radius:.5rem;color:#374151;text-decoration:none;font-weight:500;white-space:nowrap}
nav.portal-nav a:hover{background:#f4f5f7;color:#111827}
nav.portal-nav a[aria-current=page]{color:#111827;font-weight:700;box-shadow:inset 0 -3px 0 var(--brand);border-radius:0}
nav.portal-nav form{margin:0 0 0 auto}
nav.portal-nav button{white-space:nowrap}
main{padding:1.75rem 0 3rem}
h1{font-size:1.75rem;line-height:1.2;margin:0 0 1.25rem;color:#111827;letter-spacing:-.01em}
h2{font-size:1.25rem;line-height:1.3;margin:2rem 0 .75rem;color:#111827}
h3{font-size:1.05rem;margin:1.5rem 0 .5rem}
p,ul,ol{margin:0 0 1rem}
a{color:var(--link)}
a:hover{text-decoration-thickness:2px}
.muted{color:#5b6470}
.label{display:block;color:#5b6470;font-size:.875rem;font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.card{background:#fff;border:1px solid #e3e6ea;border-radius:.75rem;padding:1.25rem;margin:0 0 1rem;box-shadow:0 1px 2px rgba(17,24,39,.05)}
.card>:last-child{margin-bottom:0}
.card h2,.card h3{margin-top:0}
.cards{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));margin:0 0 1.25rem}
.cards>.card{margin:0}
.amount{display:block;font-size:2rem;line-height:1.15;font-weight:700;color:#111827;font-variant-numeric:tabular-nums;margin:.25rem 0}
.btn,button{display:inline-flex;align-items:center;justify-content:center;gap:.5rem;min-height:44px;padding:.625rem 1.25rem;border:2px solid var(--btn);border-radius:.5rem;background:var(--btn);color:var(--on-btn);font:inherit;font-weight:600;line-height:1.2;text-align:center;text-decoration:none;cursor:pointer}
.btn:hover,button:hover{filter:brightness(.9)}
.btn-secondary,button.btn-secondary{background:#fff;color:var(--link);border-color:#c4cad2}
.btn-secondary:hover{filter:none;border-color:var(--link)}
.btn-link,button.btn-link{background:none;border-color:transparent;color:var(--link);padding:0 .75rem;font-weight:500;text-decoration:underline}
.btn-link:hover{filter:none}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem;margin:1.25rem 0}
.actions form{margin:0}
ul.actions{list-style:none;padding:0}
ul.actions>li>a{display:inline-flex;align-items:center;min-height:44px;padding:0 1rem;border:1px solid #c4cad2;border-radius:999px;background:#fff;color:var(--link);text-decoration:none;font-weight:600}
ul.actions>li>a[aria-current=page]{background:var(--btn);border-color:var(--btn);color:var(--on-btn)}
table.rows a{white-space:nowrap}
table{border-collapse:collapse;width:100%}
table.rows{background:#fff;border:1px solid #e3e6ea;border-radius:.75rem;margin:0 0 1.25rem}
table.rows th,table.rows td{padding:.75rem 1rem;text-align:left;vertical-align:top;border-bottom:1px solid #e3e6ea}
table.rows tr:last-child td{border-bottom:0}
table.rows th{font-size:.8125rem;font-weight:600;color:#5b6470;text-transform:uppercase;letter-spacing:.04em;background:#f9fafb}
th.num,td.num,table.rows .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.rows tr.total td{font-weight:700;background:#f9fafb}
table.rows tbody th{font-size:1rem;text-transform:none;letter-spacing:0;color:#1f2937;font-weight:400;background:none}
.badge{display:inline-block;padding:.125rem .625rem;border:1px solid #d0d5dd;border-radius:999px;background:#f2f4f7;color:#344054;font-size:.8125rem;font-weight:600;line-height:1.5;white-space:nowrap}
.badge-overdue{background:#fef3f2;color:#b42318;border-color:#fecdca}
.badge-paid{background:#ecfdf3;color:#067647;border-color:#abefc6}
.badge-open{background:#eff4ff;color:#1849a9;border-color:#c7d7fe}
.badge-disputed{background:#fffaeb;color:#93370d;border-color:#fedf89}
.badge-promised{background:#f4f3ff;color:#5925dc;border-color:#d9d6fe}
.badge-answered{background:#ecfdf3;color:#067647;border-color:#abefc6}
.reply{border-left:4px solid var(--brand);padding:.25rem 0 .25rem 1rem;margin:1rem 0 0}
.reply>:last-child{margin-bottom:0}
.notice,.alert{padding:.875rem 1rem;border:1px solid;border-left-width:4px;border-radius:.5rem;margin:0 0 1.25rem}
.notice{background:#ecfdf3;border-color:#abefc6 #abefc6 #abefc6 #067647;color:#054f31}
.alert{background:#fef3f2;border-color:#fecdca #fecdca #fecdca #b42318;color:#7a271a}
.notice>:last-child,.alert>:last-child{margin-bottom:0}
.field{margin:0 0 1rem;max-width:36rem}
.field>label,.field>.label{display:block;font-weight:600;margin:0 0 .375rem;color:#111827;text-transform:none;letter-spacing:0;font-size:1rem}
input,select,textarea{font:inherit;color:inherit;max-width:100%;min-height:44px;padding:.5rem .75rem;border:1px solid #8a94a3;border-radius:.5rem;background:#fff}
.field input,.field select,.field textarea{width:100%}
textarea{width:100%;min-height:6rem}
input[type=checkbox],input[type=radio]{width:1.25rem;height:1.25rem;min-height:0;margin:0;accent-color:var(--btn);flex:none}
fieldset>table.rows{margin:0}
fieldset.table{border:0;padding:0}fieldset.table>legend{padding:0;margin:0 0 .5rem}
fieldset{border:1px solid #e3e6ea;border-radius:.5rem;padding:.5rem 1rem .75rem;margin:0 0 1rem;min-width:0}
legend{font-weight:600;padding:0 .25rem}
label.choice,fieldset label{display:flex;align-items:center;gap:.625rem;min-height:44px}
.choices{display:flex;flex-wrap:wrap;gap:0 1.5rem}
input[type=number]{width:6rem}
dl.details{display:grid;grid-template-columns:max-content 1fr;gap:.5rem 1.5rem;margin:0 0 1rem}
dl.details dt{color:#5b6470}
dl.details dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
.visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.site-footer{background:#fff;border-top:1px solid #e3e6ea;color:#5b6470;font-size:.9375rem;padding:1.25rem 0 1.5rem}
.site-footer p{margin:0 0 .25rem}
.site-footer ul{display:flex;flex-wrap:wrap;gap:0 1.5rem;list-style:none;margin:0;padding:0}
.site-footer a{display:inline-flex;align-items:center;min-height:44px}
.letter{background:#fff;max-width:210mm;margin:1rem auto;padding:2rem;border:1px solid #e3e6ea}
.letterhead{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:flex-start;gap:1rem;padding-bottom:.75rem;border-bottom:2px solid var(--brand)}
.letterhead .contact{margin:0;text-align:right;font-size:.875rem;color:#5b6470}
.letter address{font-style:normal;margin:15mm 0 10mm}
.letter .date{text-align:right}
@media (max-width:37.5em){
h1{font-size:1.5rem}
main{padding-top:1.25rem}
nav.portal-nav ul{flex-wrap:nowrap;overflow-x:auto;scrollbar-width:none;mask-image:linear-gradient(90deg,#000 80%,transparent)}
nav.portal-nav a,nav.portal-nav button{padding:0 .625rem}
.amount{font-size:1.75rem}
table.rows,table.rows tbody,table.rows tr,table.rows td{display:block;width:100%}
table.rows thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.rows tr{padding:.5rem 0;border-bottom:1px solid #e3e6ea}
table.rows tr:last-child{border-bottom:0}
table.rows td{display:flex;justify-content:space-between;align-items:baseline;gap:1rem;padding:.375rem 1rem;border:0;text-align:right}
table.rows td[data-label]::before{content:attr(data-label);color:#5b6470;font-weight:600;text-align:left}
table.rows td.num{white-space:normal}
dl.details{grid-template-columns:1fr;gap:0}
dl.details dd{margin:0 0 .5rem}
.actions>.btn,.actions>form,.actions>form>button{width:100%}
}
@page{size:A4;margin:15mm}
@media print{
body{background:#fff;color:#000;font-size:10pt}
.skip,nav,button,.btn,form,.actions,.no-print,.site-footer ul{display:none!important}
.site-header{border:0}
.site-footer{border-top:1px solid #000;color:#000}
main{padding:0}
a{color:#000;text-decoration:none}
.card,table.rows{border-color:#888;box-shadow:none}
.card,tr{break-inside:avoid}
thead{display:table-header-group}
h2,h3{break-after:avoid}
.badge{border-color:#000;color:#000;background:#fff}
body.letters{font-size:11pt}
.letter{border:0;margin:0;padding:0;max-width:none;break-after:page;page-break-after:always}
.letterhead{border-color:#000}
}`;

const compact = (css: string) => css.replace(/\/\*[^]*?\*\//g, '').replace(/\n/g, '');
const cache = new Map<string, string>();

/** The stylesheet for a brand: the base rules and the brand's colours (button text readable, links ≥ 4.5:1 on white). */
export function stylesheet(brand: Pick<Brand, 'primaryColour'>): string {
  const key = brand.primaryColour.toLowerCase();
  let css = cache.get(key);
  if (css === undefined) {
    const button = buttonColours(key);
    const link = linkColour(key);
    css = `:root{--brand:${key};--btn:${button.background};--on-btn:${button.text};--link:${link};--focus:${link}}${compact(BASE)}`;
    cache.set(key, css);
  }
  return css;
}
