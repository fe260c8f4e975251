/**
 * A statement of account as a printable HTML page in the brand's layout (everything escaped through ./html.ts; the
 * stylesheet's print rules: A4, header rows repeat on every page, no navigation or buttons, black on white; tables
 * stack into rows on a phone), in the customer's language. The statement's rules: ./statement.ts.
 */
import { html, raw } from './html.ts';
import { hasMessage, translator, type Translator } from './i18n/catalog.ts';
import { formatDate } from './messages.ts';
import { formatMoney } from './money.ts';
import { AGING_BUCKETS, type Statement, type StatementLine } from './statement.ts';
import type { Brand } from './ui/brand.ts';
import { customerPage } from './ui/layout.ts';

/** A booking's name: the ledger entry type's own (e.g. "Early-payment discount"), else its line type's. */
export function statementLineLabel(t: Translator, line: StatementLine): string {
  const specific = `statement.entry.${line.entryType}`;
  return hasMessage(specific) ? t(specific) : t(`statement.line.${line.type}`);
}

/**
 * A printable HTML page of the statement, in the brand's layout (the one stylesheet's print rules: A4, no buttons).
 * `back`: a link back to where it was opened from (the portal), above the statement and left out when printed.
 */
export function statementHtml(statement: Statement, brand: Brand, options: { back?: { href: string; label: string } } = {}): string {
  const locale = statement.locale;
  const t = translator(locale);
  const d = (date: string) => formatDate(date, locale, statement.timeZone);
  const th = (label: string, num = false) => html`<th scope="col"${num && raw(' class="num"')}>${label}</th>`;
  const td = (label: string, value: string, num = false) => html`<td data-label="${label}"${num && raw(' class="num"')}>${value}</td>`;
  const [lDate, lType, lRef, lInv, lAmount, lBalance] = [t('statement.date'), t('statement.type'), t('statement.reference'), t('statement.invoice'), t('statement.amount'), t('statement.balance')];
  const sections = statement.currencies.map((c) => {
    const m = (amount: number) => formatMoney({ amount, currency: c.currency }, locale);
    const total = (date: string, label: string, amount: number, span: number) =>
      html`<tr class="total"><td data-label="${lDate}">${d(date)}</td><td colspan="${span}" data-label="${lType}">${label}</td><td class="num" data-label="${lBalance}">${m(amount)}</td></tr>`;
    const rows = c.lines.map(
      (l) =>
        html`<tr>${td(lDate, d(l.date))}${td(lType, statementLineLabel(t, l))}${td(lRef, l.reference)}${td(lInv, l.invoiceNumber ?? '')}${td(lAmount, m(l.amount), true)}${td(lBalance, m(l.balance), true)}</tr>`,
    );
    const activity = html`<table class="rows"><thead><tr>${th(lDate)}${th(lType)}${th(lRef)}${th(lInv)}${th(lAmount, true)}${th(lBalance, true)}</tr></thead><tbody>
${total(statement.from, t('statement.openingShort'), c.openingBalance, 4)}
${rows.length ? rows : html`<tr><td colspan="6">${t('statement.noActivity')}</td></tr>`}
${total(statement.to, t('statement.closingShort'), c.closingBalance, 4)}</tbody></table>`;
    const aging = html`<h3>${t('statement.aging')}</h3><table class="rows"><tbody>${AGING_BUCKETS.map((b) => html`<tr><th scope="row">${t(`statement.bucket.${b}`)}</th><td class="num" data-label="${t(`statement.bucket.${b}`)}">${m(c.aging[b])}</td></tr>`)}</tbody></table>`;
    const [lDue, lDays] = [t('statement.dueDate'), t('statement.daysPastDue')];
    const open =
      c.openItems.length > 0 &&
      html`<h3>${t('statement.openItems')}</h3><table class="rows"><thead><tr>${th(lInv)}${th(lDue)}${th(lDays, true)}${th(lAmount, true)}</tr></thead><tbody>${c.openItems.map(
        (i) => html`<tr>${td(lInv, i.invoiceNumber ?? i.invoiceId ?? '—')}${td(lDue, i.dueDate ? d(i.dueDate) : '—')}${td(lDays, String(Math.max(0, i.daysPastDue)), true)}${td(lAmount, m(i.balance), true)}</tr>`,
      )}</tbody></table>`;
    const hasCredit = c.credit.openingBalance !== 0 || c.credit.closingBalance !== 0 || c.credit.lines.length > 0;
    const credit =
      hasCredit &&
      html`<h3>${t('statement.creditTitle')}</h3><table class="rows"><thead><tr>${th(lDate)}${th(lType)}${th(lRef)}${th(lAmount, true)}${th(lBalance, true)}</tr></thead><tbody>
${total(statement.from, t('statement.openingShort'), c.credit.openingBalance, 3)}
${c.credit.lines.map((l) => html`<tr>${td(lDate, d(l.date))}${td(lType, t(`statement.credit.${l.type}`))}${td(lRef, l.reference)}${td(lAmount, m(l.amount), true)}${td(lBalance, m(l.balance), true)}</tr>`)}
${total(statement.to, t('statement.closingShort'), c.credit.closingBalance, 3)}</tbody></table>`;
    return html`<section aria-labelledby="${`cur-${c.currency}`}"><h2 id="${`cur-${c.currency}`}">${c.currency}</h2><div class="cards"><div class="card"><span class="label">${t('statement.closingShort')}</span><span class="amount">${m(c.closingBalance)}</span><span class="muted">${d(statement.to)}</span></div></div>${activity}${aging}${open}${credit}</section>`;
  });
  const body = sections.length ? sections.flatMap((s, i) => (i > 0 ? [raw('\n'), s] : [s])) : html`<p>${t('statement.noActivity')}</p>`;
  return customerPage({
    locale,
    title: t('statement.title'),
    brand,
    wide: true,
    body: html`${options.back && html`<p class="no-print back"><a href="${options.back.href}">${options.back.label}</a></p>`}<p class="muted">${t('statement.customer')}: ${statement.customerName} (${statement.customerId})<br>${d(statement.from)} – ${d(statement.to)}</p>
${body}`,
  });
}
