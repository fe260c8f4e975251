/**
 * Mails about payment plans (in the customer's language from the message catalogs; Intl amounts; dates in the customer's calendar): the plan confirmed
 * with its schedule, a request waiting for approval, an instalment coming up, the plan completed (with thanks and a
 * one-click rating), a plan that ended because an instalment was missed (kindly: what happens now). Pure.
 */
import type { Instalment } from './plans.ts';
import { translator } from './i18n/catalog.ts';
import { customerMail, formatDate, ratingParagraph, type MailFrame, type MailParagraph, type RenderedMail } from './messages.ts';
import { formatMoney } from './money.ts';
import { formatRfReference } from './rf-reference.ts';

export type PlanMail =
  | { kind: 'plan_confirmed'; instalments: Instalment[] }
  | { kind: 'plan_requested' }
  | { kind: 'instalment_reminder'; instalment: Instalment; owed: number }
  | { kind: 'plan_completed'; feedbackLinks: string[] }
  | { kind: 'plan_defaulted'; instalment: Instalment };

export interface PlanMailInput extends MailFrame {
  customerName: string;
  locale: string;
  timeZone: string;
  currency: string;
  total: number;
  invoiceNumbers: string[];
  paymentReference: string;
  payeeAccount: string;
  mail: PlanMail;
  /** Signed link to the customer's communication preferences. */
  preferencesLink?: string;
}

export function renderPlanMail(input: PlanMailInput): RenderedMail {
  const t = translator(input.locale);
  const m = (amount: number) => formatMoney({ amount, currency: input.currency }, input.locale);
  const d = (date: string) => formatDate(date, input.locale, input.timeZone);
  const invoices = input.invoiceNumbers.join(', ');
  const total = m(input.total);
  const howToPay = t('plan.howToPay', { account: input.payeeAccount, reference: formatRfReference(input.paymentReference) });
  const body: MailParagraph[] = [];
  let subject: string;
  const mail = input.mail;
  switch (mail.kind) {
    case 'plan_confirmed':
      subject = t('plan.confirmed.subject');
      body.push(
        t('plan.confirmed.body', { total, invoices }),
        mail.instalments.map((i) => `${d(i.dueDate)}: ${m(i.amount)}`).join('\n'),
        howToPay,
        t('plan.confirmed.remind'),
      );
      break;
    case 'plan_requested':
      subject = t('plan.requested.subject');
      body.push(t('plan.requested.body', { total, invoices }));
      break;
    case 'instalment_reminder': {
      const due = { amount: m(mail.owed), date: d(mail.instalment.dueDate) };
      subject = t('plan.instalmentReminder.subject', due);
      body.push(t('plan.instalmentReminder.body', due), howToPay, t('plan.instalmentReminder.help'));
      break;
    }
    case 'plan_completed':
      subject = t('plan.completed.subject');
      body.push(t('plan.completed.body', { total }), t('mail.rate'), ratingParagraph(input.locale, mail.feedbackLinks));
      break;
    case 'plan_defaulted':
      subject = t('plan.defaulted.subject');
      body.push(t('plan.defaulted.body', { date: d(mail.instalment.dueDate), invoices }), t('plan.defaulted.help'));
      break;
  }
  return customerMail(input, subject, body);
}
