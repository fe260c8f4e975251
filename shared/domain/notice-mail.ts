/**
 * Collection notices other than the ladder's reminders: a dispute received (collection paused), a dispute resolved
 * (upheld with a credit note, or rejected with the reason and collection resuming), a hardship extension confirmed,
 * and a customer's question acknowledged and answered.
 * (The legal handover notice is the ladder's last step: shared/domain/reminder-mail.ts.) In the customer's language (the message catalogs); amounts by Intl in the customer's locale. Pure.
 */
import { translator } from './i18n/catalog.ts';
import { customerMail, formatDate, type MailFrame, type RenderedMail } from './messages.ts';
import { formatMoney } from './money.ts';
import type { DisputeReasonCode } from './invoice-collections.ts';
import type { AnswerTone } from './support-requests.ts';

export type Notice =
  | { kind: 'dispute_received'; invoiceNumber: string; reason: string; reasonCode?: DisputeReasonCode }
  | { kind: 'dispute_upheld'; invoiceNumber: string; creditAmount: number; currency: string; balanceDue: number; explanation: string }
  | { kind: 'dispute_rejected'; invoiceNumber: string; explanation: string; balanceDue: number; currency: string; dueDate: string }
  | { kind: 'extension_confirmed'; invoiceNumber: string; newDueDate: string; balanceDue: number; currency: string }
  /** A promise to pay noted: the amount (the balance, or the part promised), the date, and when reminders resume. */
  | { kind: 'promise_made'; invoiceNumber: string; amount: number; currency: string; date: string; resumeOn: string }
  /** A question from the portal, acknowledged. */
  | { kind: 'question_received'; subject: string }
  /**
   * Staff's answer to a question (the answer as staff wrote it), opened in the customer's tone; `closed` when the
   * answer settles the question.
   */
  | { kind: 'question_answered'; subject: string; askedAt: string; answer: string; tone: AnswerTone; closed: boolean };

export interface NoticeInput extends MailFrame {
  customerName: string;
  locale: string;
  timeZone: string;
  notice: Notice;
  /** Signed link to the customer's communication preferences. */
  preferencesLink?: string;
}

export function renderNotice(input: NoticeInput): RenderedMail {
  const t = translator(input.locale);
  const m = (amount: number, currency: string) => formatMoney({ amount, currency }, input.locale);
  const d = (date: string) => formatDate(date, input.locale, input.timeZone);
  const n = input.notice;
  const number = 'invoiceNumber' in n ? n.invoiceNumber : '';
  let subject: string;
  let body: string[];
  switch (n.kind) {
    case 'dispute_received':
      subject = t('notice.disputeReceived.subject', { number });
      body = [
        t('notice.disputeReceived.body', { number, reason: n.reason }),
        // The reason code, when it says more than the customer's words (`other` does not).
        ...(n.reasonCode && n.reasonCode !== 'other' ? [t('notice.disputeReceived.code', { label: t(`dispute.reason.${n.reasonCode}`) })] : []),
      ];
      break;
    case 'dispute_upheld':
      subject = t('notice.disputeUpheld.subject', { number });
      body = [
        t('notice.disputeUpheld.body', { amount: m(n.creditAmount, n.currency), explanation: n.explanation }),
        n.balanceDue > 0 ? t('notice.disputeUpheld.open', { amount: m(n.balanceDue, n.currency) }) : t('notice.disputeUpheld.settled'),
      ];
      break;
    case 'dispute_rejected':
      subject = t('notice.disputeRejected.subject', { number });
      body = [
        t('notice.disputeRejected.body', { explanation: n.explanation }),
        t('notice.disputeRejected.open', { amount: m(n.balanceDue, n.currency), date: d(n.dueDate) }),
      ];
      break;
    case 'extension_confirmed':
      subject = t('notice.extensionConfirmed.subject', { number });
      body = [t('notice.extensionConfirmed.body', { number, amount: m(n.balanceDue, n.currency), date: d(n.newDueDate) })];
      break;
    case 'promise_made':
      subject = t('notice.promiseMade.subject', { number });
      body = [
        t('notice.promiseMade.body', { number, amount: m(n.amount, n.currency), date: d(n.date) }),
        t('notice.promiseMade.grace', { date: d(n.resumeOn) }),
      ];
      break;
    case 'question_received':
      subject = t('notice.questionReceived.subject', { subject: n.subject });
      body = [t('notice.questionReceived.body', { subject: n.subject })];
      break;
    case 'question_answered':
      subject = t('notice.questionAnswered.subject', { subject: n.subject });
      body = [
        t(`notice.questionAnswered.opening.${n.tone}`, { subject: n.subject, date: d(n.askedAt) }),
        n.answer,
        t(n.closed ? 'notice.questionAnswered.closed' : 'notice.questionAnswered.open'),
      ];
      break;
  }
  return customerMail(input, subject, body);
}
