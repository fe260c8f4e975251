/**
 * Collection notices other than the ladder's reminders: a dispute received (collection paused), a dispute resolved
 * (upheld with a credit note, or rejected with the reason and collection resuming) and a hardship extension confirmed.
 * (The legal handover notice is the ladder's last step: shared/domain/reminder-mail.ts.) English and German; amounts by Intl in the customer's locale. Pure.
 */
import { formatDate, language, paragraphsMail, type RenderedMail } from './messages.ts';
import { formatMoney } from './money.ts';

export type Notice =
  | { kind: 'dispute_received'; invoiceNumber: string; reason: string }
  | { kind: 'dispute_upheld'; invoiceNumber: string; creditAmount: number; currency: string; balanceDue: number; explanation: string }
  | { kind: 'dispute_rejected'; invoiceNumber: string; explanation: string; balanceDue: number; currency: string; dueDate: string }
  | { kind: 'extension_confirmed'; invoiceNumber: string; newDueDate: string; balanceDue: number; currency: string };

export interface NoticeInput {
  customerName: string;
  locale: string;
  timeZone: string;
  notice: Notice;
  /** Signed link to the customer's communication preferences. */
  preferencesLink?: string;
}

export function renderNotice(input: NoticeInput): RenderedMail {
  const de = language(input.locale) === 'de';
  const m = (amount: number, currency: string) => formatMoney({ amount, currency }, input.locale);
  const d = (date: string) => formatDate(date, input.locale, input.timeZone);
  const n = input.notice;
  const greeting = de ? `Guten Tag ${input.customerName},` : `Dear ${input.customerName},`;
  const closing = de ? 'Mit freundlichen Grüßen\nDebitorenbuchhaltung' : 'Kind regards,\nAccounts receivable';
  let subject: string;
  let body: string[];
  switch (n.kind) {
    case 'dispute_received':
      subject = de ? `Ihr Einwand zu Rechnung ${n.invoiceNumber}` : `We received your query about invoice ${n.invoiceNumber}`;
      body = de
        ? [`wir haben Ihren Einwand zu Rechnung ${n.invoiceNumber} erhalten („${n.reason}“). Bis zur Klärung senden wir keine Erinnerungen und berechnen keine Zinsen für diese Rechnung.`]
        : [`we have received your query about invoice ${n.invoiceNumber} ("${n.reason}"). While we look into it, we will not send reminders or charge interest on this invoice.`];
      break;
    case 'dispute_upheld':
      subject = de ? `Gutschrift zu Rechnung ${n.invoiceNumber}` : `Credit note for invoice ${n.invoiceNumber}`;
      body = de
        ? [
            `wir haben Ihren Einwand geprüft und geben Ihnen recht: Wir schreiben Ihnen ${m(n.creditAmount, n.currency)} gut. ${n.explanation}`,
            n.balanceDue > 0 ? `Offen bleiben ${m(n.balanceDue, n.currency)}.` : 'Die Rechnung ist damit ausgeglichen.',
          ]
        : [
            `we have reviewed your query and agree: we have issued a credit note of ${m(n.creditAmount, n.currency)}. ${n.explanation}`,
            n.balanceDue > 0 ? `${m(n.balanceDue, n.currency)} remains open.` : 'The invoice is now settled.',
          ];
      break;
    case 'dispute_rejected':
      subject = de ? `Ergebnis Ihres Einwands zu Rechnung ${n.invoiceNumber}` : `The outcome of your query about invoice ${n.invoiceNumber}`;
      body = de
        ? [
            `wir haben Ihren Einwand sorgfältig geprüft, können ihm aber nicht stattgeben: ${n.explanation}`,
            `Offen sind ${m(n.balanceDue, n.currency)} (fällig am ${d(n.dueDate)}); unsere Erinnerungen laufen dort weiter, wo sie unterbrochen wurden. Bei Fragen antworten Sie einfach auf diese E-Mail.`,
          ]
        : [
            `we have carefully reviewed your query but cannot accept it: ${n.explanation}`,
            `${m(n.balanceDue, n.currency)} remains open (due ${d(n.dueDate)}); our reminders resume where they paused. If you have questions, just reply to this email.`,
          ];
      break;
    case 'extension_confirmed':
      subject = de ? `Neues Zahlungsziel für Rechnung ${n.invoiceNumber}` : `New due date for invoice ${n.invoiceNumber}`;
      body = de
        ? [`wie vereinbart ist Rechnung ${n.invoiceNumber} (${m(n.balanceDue, n.currency)}) jetzt am ${d(n.newDueDate)} fällig. Bis dahin erhalten Sie keine Mahnungen, und Verzugszinsen richten sich nach dem neuen Datum.`]
        : [`as agreed, invoice ${n.invoiceNumber} (${m(n.balanceDue, n.currency)}) is now due on ${d(n.newDueDate)}. Until then you will receive no overdue reminders, and any late interest follows the new date.`];
      break;
  }
  const prefs = input.preferencesLink
    ? [de ? `Sprache, Ton und Häufigkeit unserer Nachrichten ändern: ${input.preferencesLink}` : `Change the language, tone and frequency of our messages: ${input.preferencesLink}`]
    : [];
  return paragraphsMail(input.locale, subject, [greeting, ...body, closing, ...prefs]);
}
