/**
 * Reminder mails for the dunning ladder (issue 4 groundwork; not wired into the `reminders` sweep yet): one mail per
 * customer per run covering all their due items, in their language (the message catalogs), in the tone of the step and
 * their profile, stating for every item the amount, the due date, the payment reference, how to pay (pay link; bank
 * details with the reference) and the terms that apply (discount deadline; interest from when). Pure.
 */
import type { StepKind, Tone } from './dunning.ts';
import { translator } from './i18n/catalog.ts';
import { composeMail, formatDate, preferencesParagraph, type MailFrame, type MailLink, type MailParagraph, type RenderedMail } from './messages.ts';
import { formatMoney } from './money.ts';
import { formatRfReference } from './rf-reference.ts';

export interface ReminderItem {
  invoiceNumber: string;
  currency: string;
  balanceDue: number;
  dueDate: string;
  paymentReference: string;
  payLink: string;
  /** Discount still open: pay `discountedAmount` by `until`. */
  discount?: { until: string; discountedAmount: number };
  /** Late interest applies from this date (the terms'), if any. */
  interestFrom?: string;
  /** A fixed late fee the terms set, not charged yet: its amount and the first day it applies. */
  lateFee?: { amount: number; from: string };
  /** The date of a promise to pay this invoice that was not kept (the first reminder after it says so, kindly). */
  promiseBroken?: string;
}

export interface ReminderInput extends MailFrame {
  customerName: string;
  locale: string;
  timeZone: string;
  tone: Tone;
  kind: StepKind;
  items: ReminderItem[];
  payeeAccount: string;
  /** For a final notice: the date after which the matter goes to legal handling. */
  legalDate?: string;
  /** The step kind of each item (same order as `items`), when they differ. */
  itemKinds?: StepKind[];
  /** Signed links: the customer's communication preferences; asking for a payment plan. */
  preferencesLink?: string;
  planRequestLink?: string;
  /** Lead with the payment-plan offer (right after the opening): a likely-late payer's first reminder (adaptive cadence). */
  planOfferFirst?: boolean;
  /** The customer's preferred way to pay: card → pay links only; bank_transfer → bank details only. */
  preferredPaymentMethod?: 'card' | 'bank_transfer';
}

export function renderReminder(input: ReminderInput): RenderedMail {
  const t = translator(input.locale);
  const date = (d: string) => formatDate(d, input.locale, input.timeZone);
  const money = (amount: number, currency: string) => formatMoney({ amount, currency }, input.locale);
  // An item: its line, then its terms and its pay link, each on an indented line of the same paragraph.
  const items = input.items.map((item): MailParagraph => {
    const sub: (string | MailLink)[] = [];
    const line = (text: string) => sub.push(`\n  ${text}`);
    if (item.promiseBroken) line(t('reminder.promiseBroken', { date: date(item.promiseBroken) }));
    if (item.discount) line(t('reminder.discount', { amount: money(item.discount.discountedAmount, item.currency), date: date(item.discount.until) }));
    if (item.interestFrom) line(t('reminder.interest', { date: date(item.interestFrom) }));
    if (item.lateFee) line(t('reminder.fee', { amount: money(item.lateFee.amount, item.currency), date: date(item.lateFee.from) }));
    if (input.preferredPaymentMethod !== 'bank_transfer') {
      sub.push('\n  ', { href: item.payLink, label: t('mail.payButton'), button: true });
    }
    return [
      t('reminder.item', { number: item.invoiceNumber, amount: money(item.balanceDue, item.currency), date: date(item.dueDate), reference: formatRfReference(item.paymentReference) }),
      ...sub,
    ];
  });
  const planOffer: MailParagraph[] =
    input.planRequestLink && input.kind !== 'legal_handover' ? [t.parts<MailLink>('reminder.plan', { link: { href: input.planRequestLink, label: t('mail.planLink') } })] : [];
  const paragraphs: MailParagraph[] = [
    t('mail.greeting', { name: input.customerName }),
    t(`reminder.opening.${input.tone}`),
    ...(input.planOfferFirst ? planOffer : []),
    ...items,
    ...(input.preferredPaymentMethod === 'card' ? [] : [t('reminder.bank', { account: input.payeeAccount })]),
    ...(input.kind === 'final_notice' && input.legalDate ? [t('reminder.final', { date: date(input.legalDate) })] : []),
    ...(input.kind === 'legal_handover' ? [t('reminder.handover')] : []),
    t('reminder.help'),
    ...(input.planOfferFirst ? [] : planOffer),
    t('mail.closing'),
    ...preferencesParagraph(input.locale, input.preferencesLink),
  ];
  // The subject speaks of the items at the mail's step (a due-day mail may also list an invoice due next week).
  const atStep = input.itemKinds ? input.itemKinds.filter((k) => k === input.kind).length : input.items.length;
  return composeMail(input.locale, t(`reminder.subject.${input.kind}`, { count: Math.max(1, atStep) }), paragraphs, input);
}
