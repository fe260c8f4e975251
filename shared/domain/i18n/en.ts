/**
 * English: the reference catalog. Every message key exists here (other catalogs may leave keys out: English is the
 * fallback). Messages are ICU MessageFormat: `{name}` inserts an argument, `{count, plural, one {…} other {…}}`
 * chooses by `Intl.PluralRules`, `{flag, select, yes {…} other {…}}` by value. Arguments arrive formatted (money in
 * the customer's locale from our ISO 4217 table, dates in their calendar); links arrive as link objects and become
 * anchors in HTML and the bare URL in plain text.
 */
export const en = {
  language: 'en',
  locale: 'en-GB',
  name: 'English',
  messages: {
    // Shared by every mail
    'mail.greeting': 'Dear {name},',
    'mail.closing': 'Kind regards,\nAccounts receivable',
    'mail.preferences': 'Change the language, tone and frequency of our messages: {link}',
    'mail.rate': 'How did we do? One click is enough (1 = poor, 5 = excellent):',
    'mail.payButton': 'Pay now',

    // Receipt
    'receipt.subject': 'Payment received: {amount} — thank you',
    'receipt.intro': 'thank you: we received your payment of {amount} on {date}.',
    'receipt.line': 'Invoice {number}: {applied} applied, {settled, select, yes {paid in full} other {{balance} still open}}.',
    'receipt.credit': '{amount} more than was owed is kept as credit on your account; it will be used for your next invoice, or refunded on request.',

    // A card payment that failed
    'paymentFailed.subject': 'Your payment did not go through — nothing else to worry about',
    'paymentFailed.intro':
      'your payment of {amount} could not be completed. This happens — no fee or penalty applies, and nothing about your account has changed.',
    'paymentFailed.retry': 'You can try again — with the same card, another one or another method — whenever suits you:',
    'paymentFailed.line': 'Invoice {number}: {amount} — try again here: {link} — or by bank transfer with the payment reference {reference}',
    'paymentFailed.help': 'If anything is unclear, just reply to this email.',

    // The pay page a pay link opens
    'payPage.title': 'Invoice {number}',
    'payPage.due': 'Amount due: {amount} (due {date}).',
    'payPage.settled': 'Nothing to pay — this invoice is settled. Thank you!',
    'payPage.card': 'Pay by card or wallet',
    'payPage.bank': 'Or by bank transfer to {account}, reference {reference}.',
    'payPage.cardUnavailable': 'Payment by card is not available for this amount.',
    'payPage.bankOnly': 'Please pay by bank transfer to {account}, reference {reference}.',

    // Reminders (the dunning ladder)
    'reminder.subject.heads_up': '{count, plural, one {Your invoice is due soon} other {# invoices due soon}}',
    'reminder.subject.due_day': '{count, plural, one {Your invoice is due today} other {# invoices are due today}}',
    'reminder.subject.reminder': '{count, plural, one {Reminder: open invoice} other {Reminder: # open invoices}}',
    'reminder.subject.final_notice': 'Final notice before legal action',
    'reminder.subject.legal_handover': 'Your account has been handed over for legal collection',
    'reminder.opening.friendly': 'a quick, friendly note about what is coming up on your account — no action needed if it is already on its way.',
    'reminder.opening.neutral': 'this is a reminder about the following open amounts on your account.',
    'reminder.opening.firm': 'the following amounts are now overdue. Please pay them within the next few days.',
    'reminder.opening.formal': 'despite our earlier reminders, the following amounts remain unpaid.',
    'reminder.item': 'Invoice {number}: {amount}, due {date}, payment reference {reference}',
    'reminder.discount': 'Pay {amount} by {date} and the early-payment discount applies.',
    'reminder.interest': 'Late interest applies from {date}, as agreed in the terms.',
    'reminder.fee': 'A late fee of {amount} applies from {date}, as agreed in the terms.',
    'reminder.payLink': 'Pay online: {link}',
    'reminder.bank': 'Or by bank transfer to {account}, quoting the payment reference.',
    'reminder.final':
      'If we have not received payment by {date}, we will hand the matter over for legal collection, which may add costs. If you cannot pay in full, reply to this email — a payment plan is possible.',
    'reminder.handover': 'Your account has been handed over for legal collection. Please contact us if you believe this is in error.',
    'reminder.help': 'Already paid? Thank you — please ignore this message. Questions or difficulties? Just reply to this email.',
    'reminder.plan': 'Paying it all at once is hard right now? Ask for a payment plan: {link}',

    // Notices: disputes and extensions
    'notice.disputeReceived.subject': 'We received your query about invoice {number}',
    'notice.disputeReceived.body':
      'we have received your query about invoice {number} ("{reason}"). While we look into it, we will not send reminders or charge interest on this invoice.',
    'notice.disputeUpheld.subject': 'Credit note for invoice {number}',
    'notice.disputeUpheld.body': 'we have reviewed your query and agree: we have issued a credit note of {amount}. {explanation}',
    'notice.disputeUpheld.open': '{amount} remains open.',
    'notice.disputeUpheld.settled': 'The invoice is now settled.',
    'notice.disputeRejected.subject': 'The outcome of your query about invoice {number}',
    'notice.disputeRejected.body': 'we have carefully reviewed your query but cannot accept it: {explanation}',
    'notice.disputeRejected.open':
      '{amount} remains open (due {date}); our reminders resume where they paused. If you have questions, just reply to this email.',
    'notice.extensionConfirmed.subject': 'New due date for invoice {number}',
    'notice.extensionConfirmed.body':
      'as agreed, invoice {number} ({amount}) is now due on {date}. Until then you will receive no overdue reminders, and any late interest follows the new date.',

    // Payment plans
    'plan.howToPay': 'Please pay by bank transfer to {account}, quoting the reference {reference}.',
    'plan.confirmed.subject': 'Your payment plan is confirmed',
    'plan.confirmed.body':
      'as agreed, you will pay {total} (invoices {invoices}) in instalments. While the plan runs, you will get no overdue reminders and no late interest on these invoices:',
    'plan.confirmed.remind': 'We will remind you a few days before each instalment.',
    'plan.requested.subject': 'Your payment plan request',
    'plan.requested.body': 'thank you for asking to pay {total} (invoices {invoices}) in instalments. We are looking at it and will be in touch shortly.',
    'plan.instalmentReminder.subject': 'Your next instalment: {amount} on {date}',
    'plan.instalmentReminder.body': 'a friendly reminder: your instalment of {amount} is due on {date}.',
    'plan.instalmentReminder.help': 'If this one is difficult, just reply to this email — we will find a way.',
    'plan.completed.subject': 'All paid — thank you!',
    'plan.completed.body': 'you have paid your plan of {total} in full. Thank you for sticking with it!',
    'plan.defaulted.subject': 'Your payment plan has ended',
    'plan.defaulted.body':
      'unfortunately the instalment due on {date} has not arrived, so the payment plan has ended. The open amounts of invoices {invoices} are due again as before.',
    'plan.defaulted.help': 'If your situation has changed, please reply to this email — we would rather agree a new plan together.',

    // The rating page
    'feedback.title': 'How did we do?',
    'feedback.thanks': 'Thank you for your rating',
    'feedback.legend': 'Your rating (1 = poor, 5 = excellent)',
    'feedback.yours': 'Your rating: {rating} out of 5.',
    'feedback.commentSaved': 'Your comment is saved.',
    'feedback.comment': 'Anything you would like to tell us? (optional)',
    'feedback.send': 'Send',
    'feedback.change': 'You can change your rating or comment:',
    'feedback.invalid': 'choose a rating, a whole number from 1 to 5.',

    // The preferences page
    'preferences.title': 'Your communication preferences',
    'preferences.saved': 'Saved.',
    'preferences.language': 'Language',
    'preferences.tone': 'Tone',
    'preferences.tone.default': 'standard',
    'preferences.tone.friendly': 'friendly',
    'preferences.tone.neutral': 'neutral',
    'preferences.tone.formal': 'formal',
    'preferences.cadence': 'Reminders',
    'preferences.cadence.default': 'standard',
    'preferences.cadence.minimal': 'as few as possible',
    'preferences.payment': 'Preferred way to pay',
    'preferences.payment.none': 'no preference',
    'preferences.payment.card': 'card / wallet',
    'preferences.payment.bank_transfer': 'bank transfer',
    'preferences.quietHours': 'No messages between (hour, 0–23)',
    'preferences.quietHours.from': 'from',
    'preferences.quietHours.to': 'to',
    'preferences.letters': 'Also send formal notices by post',
    'preferences.save': 'Save',

    // The payment plan request page
    'planRequest.title': 'Pay in instalments',
    'planRequest.active': 'Your payment plan is agreed:',
    'planRequest.pending': 'Thank you — we will look at your request and be in touch:',
    'planRequest.none': 'You have no open invoices.',
    'planRequest.invoice': '{number}: {amount} (due {date})',
    'planRequest.count': 'Number of instalments',
    'planRequest.every': 'Every',
    'planRequest.monthly': 'month',
    'planRequest.biweekly': '2 weeks',
    'planRequest.weekly': 'week',
    'planRequest.submit': 'Ask for a payment plan',

    // Links that no longer open, and the fresh link by mail
    'link.expired.title': 'This link has expired',
    'link.expired.why': 'For your security, the links in our emails work for a limited time.',
    'link.revoked.title': 'This link is no longer valid',
    'link.revoked.why': 'The links we sent you before have been replaced by new ones.',
    'link.invalid.title': 'This link is not valid',
    'link.invalid.why': 'Please use the link from your latest email from us. If you copied it, check that it is complete.',
    'link.offer': 'We can send a fresh link to the email address we have on file for you.',
    'link.button': 'Email me a fresh link',
    'link.sentTitle': 'Check your email',
    'link.sent':
      'If this link was sent to you, a fresh one is on its way to the email address we have on file. It can take a few minutes to arrive; we send at most one every 10 minutes.',
    'link.errorTitle': 'Please check your entry',
    'link.notFoundTitle': 'Not found',
    'link.notFound': 'We could not find what this link points to. Please use the link from your latest email from us.',
    'link.purpose.pay': 'to view and pay your invoice',
    'link.purpose.feedback': 'to tell us how we did',
    'link.purpose.preferences': 'to change how we contact you',
    'link.purpose.plan-request': 'to ask for a payment plan',
    'link.purpose.portal': 'to see your account',
    'link.mail.subject': 'Your new link',
    'link.mail.intro': 'here is the fresh link you asked for, {purpose}:',
    'link.mail.until': 'It works until {date}.',
    'link.mail.ignore': 'If you did not ask for it, you can ignore this email; nothing has changed.',

    // A print run of letters (for staff; the letters themselves carry the customer's text)
    'letters.title': 'Letters {date}',
    'letters.none': 'No letters for {date}.',

    // Statements of account
    'statement.title': 'Statement of account',
    'statement.period': '{from} – {to}',
    'statement.customer': 'Customer',
    'statement.date': 'Date',
    'statement.type': 'Type',
    'statement.reference': 'Reference',
    'statement.invoice': 'Invoice',
    'statement.amount': 'Amount',
    'statement.balance': 'Balance',
    'statement.dueDate': 'Due date',
    'statement.daysPastDue': 'Days past due',
    'statement.opening': 'Opening balance on {date}',
    'statement.closing': 'Closing balance on {date}',
    'statement.openingShort': 'Opening balance',
    'statement.closingShort': 'Closing balance',
    'statement.aging': 'Ageing of the closing balance',
    'statement.openItems': 'Open items',
    'statement.creditTitle': 'Credit on your account (we owe you)',
    'statement.noActivity': 'No bookings in this period.',
    'statement.bucket.current': 'Not yet due',
    'statement.bucket.days1To30': '1–30 days overdue',
    'statement.bucket.days31To60': '31–60 days overdue',
    'statement.bucket.days61To90': '61–90 days overdue',
    'statement.bucket.over90': 'More than 90 days overdue',
    'statement.line.invoice': 'Invoice',
    'statement.line.payment': 'Payment',
    'statement.line.credit': 'Credit',
    'statement.line.interest': 'Interest',
    'statement.line.fee': 'Late fee',
    'statement.line.reversal': 'Reversal',
    'statement.entry.early_payment_discount': 'Early-payment discount',
    'statement.entry.shortfall_write_off': 'Write-off',
    'statement.entry.credit_note': 'Credit note',
    'statement.entry.credit_applied': 'Payment from credit',
    'statement.credit.overpayment': 'Overpayment',
    'statement.credit.credit_used': 'Credit used',
    'statement.credit.refund': 'Refund',
    'statement.credit.reversal': 'Reversal',
    'statement.credit.adjustment': 'Adjustment',
    'statement.subjectMonth': 'Your statement for {month}',
    'statement.subjectRange': 'Your statement for {from} – {to}',
    'statement.intro': 'here is your statement of account for {period}.',
    'statement.overdue': 'Of this, overdue:',
    'statement.creditLine': 'Credit on your account: {amount}. It will be used for your next invoice, or refunded on request.',
    'statement.payLink': 'Invoice {number}: {amount} open — pay online: {link}',
    'statement.more': '… and {count} more bookings: ask us for the full statement.',
    'statement.settled': 'Nothing is owed at the end of the period. Thank you!',
    'statement.help': 'If anything on this statement looks wrong to you, just reply to this email.',
  },
} as const;

export type MessageKey = keyof (typeof en)['messages'];
