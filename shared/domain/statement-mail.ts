/**
 * A statement of account as a mail in the customer's language: amounts by Intl in their locale, dates as their
 * calendar days, a pay button for every invoice still unpaid. The statement's rules: ./statement.ts.
 */
import { translator } from './i18n/catalog.ts';
import { composeMail, formatDate, type MailFrame, type MailLink, type MailParagraph, type RenderedMail } from './messages.ts';
import { formatMoney } from './money.ts';
import { AGING_BUCKETS, previousMonth, type Statement } from './statement.ts';
import { statementLineLabel } from './statement-html.ts';

/** The most bookings a mail lists per currency; the rest are summarised (the full statement is one request away). */
export const MAIL_MAX_LINES = 100;

/** The brand and the portal link frame the mail (./messages.ts `MailFrame`). */
export interface StatementMailOptions extends MailFrame {
  /** Signed pay links of invoices still unpaid now, by invoice id. */
  payLinks?: ReadonlyMap<string, string>;
}

function nextDay(date: string): string {
  return new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)) + 1)).toISOString().slice(0, 10);
}

/** "March 2027" when the period is one whole calendar month, else undefined. */
function wholeMonth(from: string, to: string, locale: string): string | undefined {
  if (!from.endsWith('-01')) return undefined;
  if (previousMonth(nextDay(to)).from !== from || !nextDay(to).endsWith('-01')) return undefined;
  return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${from}T12:00:00Z`));
}

/** The statement as a mail. */
export function renderStatementMail(statement: Statement, options: StatementMailOptions = {}): RenderedMail {
  const locale = statement.locale;
  const t = translator(locale);
  const d = (date: string) => formatDate(date, locale, statement.timeZone);
  const month = wholeMonth(statement.from, statement.to, locale);
  const period = t('statement.period', { from: d(statement.from), to: d(statement.to) });
  const subject = month ? t('statement.subjectMonth', { month }) : t('statement.subjectRange', { from: d(statement.from), to: d(statement.to) });
  const paragraphs: MailParagraph[] = [t('mail.greeting', { name: statement.customerName }), t('statement.intro', { period: month ? `${month} (${period})` : period })];
  for (const c of statement.currencies) {
    const m = (amount: number) => formatMoney({ amount, currency: c.currency }, locale);
    const shown = c.lines.slice(0, MAIL_MAX_LINES);
    paragraphs.push(
      [
        `${t('statement.opening', { date: d(statement.from) })}: ${m(c.openingBalance)}`,
        ...shown.map(
          (l) =>
            `${d(l.date)} · ${statementLineLabel(t, l)} ${l.reference}${l.invoiceNumber && l.invoiceNumber !== l.reference ? ` (${l.invoiceNumber})` : ''} · ${m(l.amount)} · ${t('statement.balance')} ${m(l.balance)}`,
        ),
        ...(c.lines.length > shown.length ? [t('statement.more', { count: String(c.lines.length - shown.length) })] : []),
        `${t('statement.closing', { date: d(statement.to) })}: ${m(c.closingBalance)}`,
      ].join('\n'),
    );
    const overdue = AGING_BUCKETS.filter((b) => b !== 'current' && c.aging[b] !== 0);
    if (overdue.length) paragraphs.push([t('statement.overdue'), ...overdue.map((b) => `${t(`statement.bucket.${b}`)}: ${m(c.aging[b])}`)].join('\n'));
    const links = c.openItems.filter((i) => i.balance > 0 && i.invoiceId && options.payLinks?.has(i.invoiceId));
    for (const i of links) {
      paragraphs.push(
        t.parts<MailLink>('statement.payLink', {
          number: i.invoiceNumber ?? (i.invoiceId as string),
          amount: m(i.balance),
          link: { href: options.payLinks?.get(i.invoiceId as string) as string, label: t('mail.payButton'), button: true },
        }),
      );
    }
    if (c.credit.closingBalance > 0) paragraphs.push(t('statement.creditLine', { amount: m(c.credit.closingBalance) }));
  }
  if (statement.currencies.every((c) => c.closingBalance <= 0)) paragraphs.push(t('statement.settled'));
  paragraphs.push(t('statement.help'), t('mail.closing'));
  return composeMail(locale, subject, paragraphs, options);
}
