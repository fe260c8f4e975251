/**
 * Mails about payment plans (English and German; Intl amounts; dates in the customer's calendar): the plan confirmed
 * with its schedule, a request waiting for approval, an instalment coming up, the plan completed (with thanks and a
 * one-click rating), a plan that ended because an instalment was missed (kindly: what happens now). Pure.
 */
import type { Instalment } from './plans.ts';
import { formatDate, language, paragraphsMail, type RenderedMail } from './messages.ts';
import { formatMoney } from './money.ts';
import { formatRfReference } from './rf-reference.ts';

export type PlanMail =
  | { kind: 'plan_confirmed'; instalments: Instalment[] }
  | { kind: 'plan_requested' }
  | { kind: 'instalment_reminder'; instalment: Instalment; owed: number }
  | { kind: 'plan_completed'; feedbackLinks: string[] }
  | { kind: 'plan_defaulted'; instalment: Instalment };

export interface PlanMailInput {
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
  const de = language(input.locale) === 'de';
  const m = (amount: number) => formatMoney({ amount, currency: input.currency }, input.locale);
  const d = (date: string) => formatDate(date, input.locale, input.timeZone);
  const ref = formatRfReference(input.paymentReference);
  const invoices = input.invoiceNumbers.join(', ');
  const howToPay = de
    ? `Bitte überweisen Sie an ${input.payeeAccount} mit dem Verwendungszweck ${ref}.`
    : `Please pay by bank transfer to ${input.payeeAccount}, quoting the reference ${ref}.`;
  const body: string[] = [];
  let subject: string;
  const mail = input.mail;
  switch (mail.kind) {
    case 'plan_confirmed':
      subject = de ? 'Ihre Ratenzahlung ist vereinbart' : 'Your payment plan is confirmed';
      body.push(
        de
          ? `wie vereinbart zahlen Sie ${m(input.total)} (Rechnungen ${invoices}) in Raten. Solange der Plan läuft, erhalten Sie für diese Rechnungen keine Mahnungen und es fallen keine Verzugszinsen an:`
          : `as agreed, you will pay ${m(input.total)} (invoices ${invoices}) in instalments. While the plan runs, you will get no overdue reminders and no late interest on these invoices:`,
        mail.instalments.map((i) => `${d(i.dueDate)}: ${m(i.amount)}`).join('\n'),
        howToPay,
        de ? 'Wir erinnern Sie jeweils ein paar Tage vor jeder Rate.' : 'We will remind you a few days before each instalment.',
      );
      break;
    case 'plan_requested':
      subject = de ? 'Ihr Wunsch nach Ratenzahlung' : 'Your payment plan request';
      body.push(
        de
          ? `vielen Dank für Ihren Wunsch, ${m(input.total)} (Rechnungen ${invoices}) in Raten zu zahlen. Wir prüfen ihn und melden uns in Kürze.`
          : `thank you for asking to pay ${m(input.total)} (invoices ${invoices}) in instalments. We are looking at it and will be in touch shortly.`,
      );
      break;
    case 'instalment_reminder':
      subject = de ? `Ihre nächste Rate: ${m(mail.owed)} am ${d(mail.instalment.dueDate)}` : `Your next instalment: ${m(mail.owed)} on ${d(mail.instalment.dueDate)}`;
      body.push(
        de
          ? `eine freundliche Erinnerung: Ihre Rate über ${m(mail.owed)} ist am ${d(mail.instalment.dueDate)} fällig.`
          : `a friendly reminder: your instalment of ${m(mail.owed)} is due on ${d(mail.instalment.dueDate)}.`,
        howToPay,
        de ? 'Falls es diesmal nicht klappt, antworten Sie einfach auf diese E-Mail — wir finden eine Lösung.' : 'If this one is difficult, just reply to this email — we will find a way.',
      );
      break;
    case 'plan_completed':
      subject = de ? 'Geschafft — vielen Dank!' : 'All paid — thank you!';
      body.push(
        de
          ? `Sie haben Ihren Ratenplan über ${m(input.total)} vollständig bezahlt. Vielen Dank für Ihre Zuverlässigkeit!`
          : `you have paid your plan of ${m(input.total)} in full. Thank you for sticking with it!`,
        de ? 'Wie zufrieden waren Sie mit uns? Ein Klick genügt (1 = gar nicht, 5 = sehr):' : 'How did we do? One click is enough (1 = poor, 5 = excellent):',
        mail.feedbackLinks.map((l, i) => `${i + 1}: ${l}`).join('\n'),
      );
      break;
    case 'plan_defaulted':
      subject = de ? 'Ihre Ratenzahlung wurde beendet' : 'Your payment plan has ended';
      body.push(
        de
          ? `leider ist die Rate vom ${d(mail.instalment.dueDate)} nicht eingegangen, daher endet der Ratenplan. Die offenen Beträge der Rechnungen ${invoices} werden wieder regulär fällig.`
          : `unfortunately the instalment due on ${d(mail.instalment.dueDate)} has not arrived, so the payment plan has ended. The open amounts of invoices ${invoices} are due again as before.`,
        de
          ? 'Wenn sich Ihre Lage geändert hat, antworten Sie bitte auf diese E-Mail — gemeinsam finden wir eine neue Lösung.'
          : 'If your situation has changed, please reply to this email — we would rather agree a new plan together.',
      );
      break;
  }
  const greeting = de ? `Guten Tag ${input.customerName},` : `Dear ${input.customerName},`;
  const closing = de ? 'Mit freundlichen Grüßen\nDebitorenbuchhaltung' : 'Kind regards,\nAccounts receivable';
  const prefs = input.preferencesLink
    ? [de ? `Sprache, Ton und Häufigkeit unserer Nachrichten ändern: ${input.preferencesLink}` : `Change the language, tone and frequency of our messages: ${input.preferencesLink}`]
    : [];
  return paragraphsMail(input.locale, subject, [greeting, ...body, closing, ...prefs]);
}
