/**
 * Reminder mails for the dunning ladder (issue 4 groundwork; not wired into the `reminders` sweep yet): one mail per
 * customer per run covering all their due items, in their language (English, German), in the tone of the step and
 * their profile, stating for every item the amount, the due date, the payment reference, how to pay (pay link; bank
 * details with the reference) and the terms that apply (discount deadline; interest from when). Pure.
 */
import type { StepKind, Tone } from './dunning.ts';
import { formatDate, language, paragraphsMail, type RenderedMail } from './messages.ts';
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
}

export interface ReminderInput {
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
  /** The customer's preferred way to pay: card → pay links only; bank_transfer → bank details only. */
  preferredPaymentMethod?: 'card' | 'bank_transfer';
}

type Lang = 'en' | 'de';

const subjects: Record<Lang, Record<StepKind, (n: number) => string>> = {
  en: {
    heads_up: (n) => (n > 1 ? `${n} invoices due soon` : 'Your invoice is due soon'),
    due_day: (n) => (n > 1 ? `${n} invoices are due today` : 'Your invoice is due today'),
    reminder: (n) => (n > 1 ? `Reminder: ${n} open invoices` : 'Reminder: open invoice'),
    final_notice: () => 'Final notice before legal action',
    legal_handover: () => 'Your account has been handed over for legal collection',
  },
  de: {
    heads_up: (n) => (n > 1 ? `${n} Rechnungen werden bald fällig` : 'Ihre Rechnung wird bald fällig'),
    due_day: (n) => (n > 1 ? `${n} Rechnungen sind heute fällig` : 'Ihre Rechnung ist heute fällig'),
    reminder: (n) => (n > 1 ? `Zahlungserinnerung: ${n} offene Rechnungen` : 'Zahlungserinnerung: offene Rechnung'),
    final_notice: () => 'Letzte Mahnung vor rechtlichen Schritten',
    legal_handover: () => 'Übergabe Ihres Kontos an das Inkasso',
  },
};

const openings: Record<Lang, Record<Tone, string>> = {
  en: {
    friendly: 'a quick, friendly note about what is coming up on your account — no action needed if it is already on its way.',
    neutral: 'this is a reminder about the following open amounts on your account.',
    firm: 'the following amounts are now overdue. Please pay them within the next few days.',
    formal: 'despite our earlier reminders, the following amounts remain unpaid.',
  },
  de: {
    friendly: 'ein kurzer, freundlicher Hinweis zu Ihrem Konto — falls die Zahlung schon unterwegs ist, ist nichts zu tun.',
    neutral: 'wir erinnern Sie an die folgenden offenen Beträge auf Ihrem Konto.',
    firm: 'die folgenden Beträge sind inzwischen überfällig. Bitte begleichen Sie sie in den nächsten Tagen.',
    formal: 'trotz unserer bisherigen Erinnerungen sind die folgenden Beträge weiterhin offen.',
  },
};

const words = {
  en: {
    greeting: (name: string) => `Dear ${name},`,
    item: (n: string, amount: string, due: string, ref: string) => `Invoice ${n}: ${amount}, due ${due}, payment reference ${ref}`,
    discount: (amount: string, until: string) => `  Pay ${amount} by ${until} and the early-payment discount applies.`,
    interest: (from: string) => `  Late interest applies from ${from}, as agreed in the terms.`,
    fee: (amount: string, from: string) => `  A late fee of ${amount} applies from ${from}, as agreed in the terms.`,
    payLink: (link: string) => `  Pay online: ${link}`,
    bank: (account: string) => `Or by bank transfer to ${account}, quoting the payment reference.`,
    final: (date: string) =>
      `If we have not received payment by ${date}, we will hand the matter over for legal collection, which may add costs. If you cannot pay in full, reply to this email — a payment plan is possible.`,
    handover: 'Your account has been handed over for legal collection. Please contact us if you believe this is in error.',
    help: 'Already paid? Thank you — please ignore this message. Questions or difficulties? Just reply to this email.',
    plan: (link: string) => `Paying it all at once is hard right now? Ask for a payment plan: ${link}`,
    prefs: (link: string) => `Change the language, tone and frequency of our messages: ${link}`,
    closing: 'Kind regards,\nAccounts receivable',
  },
  de: {
    greeting: (name: string) => `Guten Tag ${name},`,
    item: (n: string, amount: string, due: string, ref: string) => `Rechnung ${n}: ${amount}, fällig am ${due}, Verwendungszweck ${ref}`,
    discount: (amount: string, until: string) => `  Zahlen Sie ${amount} bis zum ${until}, dann gilt der Skonto.`,
    interest: (from: string) => `  Ab dem ${from} fallen laut den vereinbarten Bedingungen Verzugszinsen an.`,
    fee: (amount: string, from: string) => `  Ab dem ${from} fällt laut den vereinbarten Bedingungen eine Mahngebühr von ${amount} an.`,
    payLink: (link: string) => `  Online bezahlen: ${link}`,
    bank: (account: string) => `Oder per Überweisung an ${account} mit dem Verwendungszweck.`,
    final: (date: string) =>
      `Sollte die Zahlung bis zum ${date} nicht eingegangen sein, übergeben wir die Forderung an das Inkasso; dadurch können weitere Kosten entstehen. Wenn Sie nicht auf einmal zahlen können, antworten Sie auf diese E-Mail — eine Ratenzahlung ist möglich.`,
    handover: 'Ihr Konto wurde an das Inkasso übergeben. Bitte melden Sie sich, falls Sie dies für einen Irrtum halten.',
    help: 'Schon bezahlt? Vielen Dank — dann betrachten Sie diese Nachricht als gegenstandslos. Fragen oder Schwierigkeiten? Antworten Sie einfach auf diese E-Mail.',
    plan: (link: string) => `Eine Zahlung auf einmal fällt gerade schwer? Fragen Sie eine Ratenzahlung an: ${link}`,
    prefs: (link: string) => `Sprache, Ton und Häufigkeit unserer Nachrichten ändern: ${link}`,
    closing: 'Mit freundlichen Grüßen\nDebitorenbuchhaltung',
  },
};

export function renderReminder(input: ReminderInput): RenderedMail {
  const lang = language(input.locale);
  const w = words[lang];
  const date = (d: string) => formatDate(d, input.locale, input.timeZone);
  const money = (amount: number, currency: string) => formatMoney({ amount, currency }, input.locale);
  const items = input.items.map((item) =>
    [
      w.item(item.invoiceNumber, money(item.balanceDue, item.currency), date(item.dueDate), formatRfReference(item.paymentReference)),
      ...(item.discount ? [w.discount(money(item.discount.discountedAmount, item.currency), date(item.discount.until))] : []),
      ...(item.interestFrom ? [w.interest(date(item.interestFrom))] : []),
      ...(item.lateFee ? [w.fee(money(item.lateFee.amount, item.currency), date(item.lateFee.from))] : []),
      ...(input.preferredPaymentMethod === 'bank_transfer' ? [] : [w.payLink(item.payLink)]),
    ].join('\n'),
  );
  const paragraphs = [
    w.greeting(input.customerName),
    openings[lang][input.tone],
    ...items,
    ...(input.preferredPaymentMethod === 'card' ? [] : [w.bank(input.payeeAccount)]),
    ...(input.kind === 'final_notice' && input.legalDate ? [w.final(date(input.legalDate))] : []),
    ...(input.kind === 'legal_handover' ? [w.handover] : []),
    w.help,
    ...(input.planRequestLink && input.kind !== 'legal_handover' ? [w.plan(input.planRequestLink)] : []),
    w.closing,
    ...(input.preferencesLink ? [w.prefs(input.preferencesLink)] : []),
  ];
  // The subject speaks of the items at the mail's step (a due-day mail may also list an invoice due next week).
  const atStep = input.itemKinds ? input.itemKinds.filter((k) => k === input.kind).length : input.items.length;
  return paragraphsMail(input.locale, subjects[lang][input.kind](Math.max(1, atStep)), paragraphs);
}
