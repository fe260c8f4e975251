/**
 * The staff console's page shell: the shared stylesheet (../ui/style.ts, the brand's colours) with a few console
 * rules, a header with the brand, the console's navigation, the signed-in member and the sign-out form; the page's
 * title as its one `<h1>`; the body. Wide pages (the console lists a lot), responsive to a phone like the portal.
 * English only: the console is for the business's own staff (customer-facing words come from the catalogs).
 * Everything escaped through ../html.ts. Pure.
 */
import { html, raw, type Html } from '../html.ts';
import { formatMoney, money } from '../money.ts';
import type { Brand } from '../ui/brand.ts';
import { brandMark } from '../ui/layout.ts';
import { stylesheet } from '../ui/style.ts';
import type { StaffRole } from './staff.ts';

export type ConsoleSection = 'worklist' | 'customers' | 'review' | 'questions' | 'plans';

export const CONSOLE_NAV: readonly { section: ConsoleSection; href: string; label: string }[] = [
  { section: 'worklist', href: '/console', label: 'Worklist' },
  { section: 'customers', href: '/console/customers', label: 'Customers' },
  { section: 'review', href: '/console/review', label: 'Payments to review' },
  { section: 'questions', href: '/console/questions', label: 'Questions' },
  { section: 'plans', href: '/console/plans', label: 'Plans' },
];

/** Console-only rules, appended to the shared sheet (one `<style>` block: the CSP allows it by hash). */
const CONSOLE_CSS =
  '.staff{display:flex;align-items:center;gap:.5rem;color:#5b6470;font-size:.9375rem}' +
  '.staff form{margin:0}' +
  '.console-meta{display:flex;flex-wrap:wrap;gap:.25rem 1rem;color:#5b6470;margin:-.75rem 0 1.25rem}' +
  '.kpis{display:grid;gap:.75rem;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));margin:0 0 1.25rem}' +
  '.kpis>.card{margin:0;padding:1rem}.kpis .amount{font-size:1.5rem}' +
  'form.inline{display:flex;flex-wrap:wrap;align-items:flex-end;gap:.5rem 1rem;margin:0 0 1rem}form.inline .field{margin:0}' +
  '.badge-high{background:#fef3f2;color:#b42318;border-color:#fecdca}' +
  '.badge-medium{background:#fffaeb;color:#93370d;border-color:#fedf89}' +
  '.badge-low{background:#ecfdf3;color:#067647;border-color:#abefc6}' +
  // Ids, addresses and evidence are long words: they break rather than push a phone's page sideways.
  '.console-meta,dl.details dd{overflow-wrap:anywhere;min-width:0}' +
  // A date in a table (<time>) never breaks at its hyphens.
  'table.rows time{white-space:nowrap}' +
  // On a phone a stacked cell is its label floated left and the value flowing beside it, not the shared sheet's flex
  // row: a cell with several parts (a link, a line break, a note) stays one value, and long words and links wrap.
  '@media (max-width:37.5em){table.rows td{display:block;overflow-wrap:anywhere}table.rows td::after{content:"";display:table;clear:both}' +
  'table.rows td[data-label]::before{float:left;max-width:50%;margin-right:1rem;overflow-wrap:normal}table.rows td a{white-space:normal}}';

// --- the small pieces every console page shares (one copy: the pages must read alike) -----------------------------

/** An amount in minor units as the console writes it: the currency's ISO decimals, en-GB ("€1,234.50"). */
export function consoleAmount(amount: number, currency: string): string {
  return formatMoney(money(amount, currency), 'en-GB');
}

/** An instant as staff read it: `YYYY-MM-DD HH:MM UTC` (an unparseable value is shown as it is). */
export function consoleInstant(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The text of a `?notice=<code>` from a page's fixed map, or nothing for any other code: only the map's own keys
 * (`?notice=constructor` must not reach Object's prototype), never text from the request.
 */
export function noticeText<M extends Readonly<Record<string, string>>>(notices: M, code: string | undefined): M[keyof M] | undefined {
  return code !== undefined && Object.hasOwn(notices, code) ? (notices[code] as M[keyof M]) : undefined;
}

/** The notice line a page shows after a POST's redirect (nothing without a text). */
export function consoleNotice(text: string | undefined): Html | '' {
  return text ? html`<p class="notice" role="status">${text}</p>` : '';
}

/** A console member as the pages name them: the directory's name, or the id when no member has it (removed since). */
export function memberName(staffId: string, names: ReadonlyMap<string, string> | Readonly<Record<string, string>>): string {
  return (names instanceof Map ? names.get(staffId) : Object.hasOwn(names, staffId) ? (names as Readonly<Record<string, string>>)[staffId] : undefined) ?? staffId;
}

/** The hidden CSRF field every signed-in POST form carries. */
export function consoleCsrfInput(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

export interface ConsolePageInput {
  brand: Brand;
  title: string;
  body: Html;
  /** Signed in: the navigation (with the current section marked) and the member with the sign-out form. */
  signedIn?: { current?: ConsoleSection | undefined; staffName: string; role: StaffRole; csrf: string };
  /** A line under the title (e.g. the customer's id and time zone). */
  meta?: Html;
}

function nav(current: ConsoleSection | undefined): Html {
  return html`<nav class="portal-nav" aria-label="Console"><ul>${CONSOLE_NAV.map(
    (item) => html`<li><a href="${item.href}"${item.section === current ? html` aria-current="page"` : ''}>${item.label}</a></li>`,
  )}</ul></nav>`;
}

/** A whole console page (the document). */
export function consoleDocument(input: ConsolePageInput): string {
  const s = input.signedIn;
  const who = s
    ? html`<div class="staff"><span>${s.staffName}${s.role === 'viewer' ? ' (read only)' : ''}</span><form method="post" action="/console/logout">${consoleCsrfInput(s.csrf)}<button type="submit" class="btn-link">Sign out</button></form></div>`
    : '';
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${input.title} · Console · ${input.brand.companyName}</title><style>${raw(stylesheet(input.brand) + CONSOLE_CSS)}</style></head>
<body class="wide"><a class="skip" href="#main">Skip to content</a>
<header class="site-header"><div class="wrap">${brandMark(input.brand)}${who}${s ? nav(s.current) : ''}</div></header>
<main id="main"><div class="wrap"><h1>${input.title}</h1>
${input.meta ? html`<p class="console-meta">${input.meta}</p>` : ''}${input.body}
</div></main>
</body></html>`.toString();
}

/** The body of a problem inside the console (not found, CSRF refused, read only, a field to correct). */
export function consoleProblemBody(message: string, alert = true): Html {
  return html`<p${alert ? html` class="alert" role="alert"` : ''}>${message}</p><p><a href="/console">Back to the worklist</a></p>`;
}
