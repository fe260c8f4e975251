/**
 * A statement of account as a printable HTML page (everything escaped through ./html.ts; print CSS: A4, header rows
 * repeat on every page), in the customer's language. The statement's rules: ./statement.ts.
 */
import { html, raw } from './html.ts';
import { hasMessage, translator, type Translator } from './i18n/catalog.ts';
import { formatDate } from './messages.ts';
import { formatMoney } from './money.ts';
import { AGING_BUCKETS, type Statement, type StatementLine } from './statement.ts';

/** A booking's name: the ledger entry type's own (e.g. "Early-payment discount"), else its line type's. */
export function statementLineLabel(t: Translator, line: StatementLine): string {
  const specific = `statement.entry.${line.entryType}`;
  return hasMessage(specific) ? t(specific) : t(`statement.line.${line.type}`);
}

const PRINT_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;margin:2rem auto;max-width:60rem;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:2rem 0 .5rem}h3{font-size:1rem;margin:1.25rem 0 .4rem}
.meta{color:#444;margin:0 0 1.5rem}
table{border-collapse:collapse;width:100%;margin:.25rem 0 1rem}
th,td{padding:.3rem .5rem;border-bottom:1px solid #ccc;text-align:left;vertical-align:top}
th{border-bottom:2px solid #333;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:600;border-bottom:2px solid #333}
@page{size:A4;margin:15mm}
@media print{body{margin:0;max-width:none;font-size:10pt}thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}h2{break-after:avoid;page-break-after:avoid}section{break-inside:auto}}
`;

/** A printable HTML page of the statement. */
export function statementHtml(statement: Statement): string {
  const locale = statement.locale;
  const t = translator(locale);
  const d = (date: string) => formatDate(date, locale, statement.timeZone);
  const sections = statement.currencies.map((c) => {
    const m = (amount: number) => formatMoney({ amount, currency: c.currency }, locale);
    const rows = c.lines.map(
      (l) =>
        html`<tr><td>${d(l.date)}</td><td>${statementLineLabel(t, l)}</td><td>${l.reference}</td><td>${l.invoiceNumber ?? ''}</td><td class="num">${m(l.amount)}</td><td class="num">${m(l.balance)}</td></tr>`,
    );
    const activity = html`<table><thead><tr><th>${t('statement.date')}</th><th>${t('statement.type')}</th><th>${t('statement.reference')}</th><th>${t('statement.invoice')}</th><th class="num">${t('statement.amount')}</th><th class="num">${t('statement.balance')}</th></tr></thead><tbody>
<tr class="total"><td>${d(statement.from)}</td><td colspan="4">${t('statement.openingShort')}</td><td class="num">${m(c.openingBalance)}</td></tr>
${rows.length ? rows : html`<tr><td colspan="6">${t('statement.noActivity')}</td></tr>`}
<tr class="total"><td>${d(statement.to)}</td><td colspan="4">${t('statement.closingShort')}</td><td class="num">${m(c.closingBalance)}</td></tr></tbody></table>`;
    const aging = html`<h3>${t('statement.aging')}</h3><table><tbody>${AGING_BUCKETS.map((b) => html`<tr><td>${t(`statement.bucket.${b}`)}</td><td class="num">${m(c.aging[b])}</td></tr>`)}</tbody></table>`;
    const open =
      c.openItems.length > 0 &&
      html`<h3>${t('statement.openItems')}</h3><table><thead><tr><th>${t('statement.invoice')}</th><th>${t('statement.dueDate')}</th><th class="num">${t('statement.daysPastDue')}</th><th class="num">${t('statement.amount')}</th></tr></thead><tbody>${c.openItems.map(
        (i) =>
          html`<tr><td>${i.invoiceNumber ?? i.invoiceId ?? '—'}</td><td>${i.dueDate ? d(i.dueDate) : '—'}</td><td class="num">${Math.max(0, i.daysPastDue)}</td><td class="num">${m(i.balance)}</td></tr>`,
      )}</tbody></table>`;
    const hasCredit = c.credit.openingBalance !== 0 || c.credit.closingBalance !== 0 || c.credit.lines.length > 0;
    const credit =
      hasCredit &&
      html`<h3>${t('statement.creditTitle')}</h3><table><thead><tr><th>${t('statement.date')}</th><th>${t('statement.type')}</th><th>${t('statement.reference')}</th><th class="num">${t('statement.amount')}</th><th class="num">${t('statement.balance')}</th></tr></thead><tbody>
<tr class="total"><td>${d(statement.from)}</td><td colspan="3">${t('statement.openingShort')}</td><td class="num">${m(c.credit.openingBalance)}</td></tr>
${c.credit.lines.map((l) => html`<tr><td>${d(l.date)}</td><td>${t(`statement.credit.${l.type}`)}</td><td>${l.reference}</td><td class="num">${m(l.amount)}</td><td class="num">${m(l.balance)}</td></tr>`)}
<tr class="total"><td>${d(statement.to)}</td><td colspan="3">${t('statement.closingShort')}</td><td class="num">${m(c.credit.closingBalance)}</td></tr></tbody></table>`;
    return html`<section><h2>${c.currency}</h2>${activity}${aging}${open}${credit}</section>`;
  });
  const title = `${t('statement.title')} — ${statement.customerName}`;
  const body = sections.length ? sections.flatMap((s, i) => (i > 0 ? [raw('\n'), s] : [s])) : html`<p>${t('statement.noActivity')}</p>`;
  return html`<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title><style>${raw(PRINT_CSS)}</style></head><body>
<h1>${t('statement.title')}</h1>
<p class="meta">${t('statement.customer')}: ${statement.customerName} (${statement.customerId})<br>${d(statement.from)} – ${d(statement.to)}</p>
${body}
</body></html>`.toString();
}
