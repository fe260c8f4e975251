import { sendMail } from '../adapters/mailer.ts';
import type { SesFeedback } from '../adapters/ses-notifications.ts';
import { mailSuppressedEvent } from '../domain/events/collections-events.ts';
import { errorForLog, logger } from '../logger.ts';
import { recordMetric } from '../metrics.ts';
import { getCustomer } from '../store/customers.ts';
import { claimMail, markSent, markSuppressed, pendingMail } from '../store/mail.ts';
import { flagCustomerMailSuppressed, getSuppression, normaliseAddress, suppress } from '../store/suppression.ts';

/**
 * Sends one stored mail if it is still to send. Claim → send → mark sent: concurrent callers never both send it.
 * (A crash between SES accepting the mail and marking it sent re-sends it after the lease: at-least-once, rare.)
 *
 * A mail to a suppressed address (SES reported a permanent bounce or a complaint) is not sent: the customer is
 * flagged `mailSuppressed` and the mail is marked `suppressed` (a crash in between redoes both after the lease).
 */
export async function deliverMail(customerId: string, key: string, now: Date): Promise<'sent' | 'suppressed' | 'not_pending'> {
  const mail = await claimMail(customerId, key, now);
  if (!mail) return 'not_pending';
  const suppression = await getSuppression(mail.to);
  if (suppression) {
    const flag = { reason: suppression.kind, at: suppression.at };
    await flagCustomerMailSuppressed(customerId, flag, mailSuppressedEvent(customerId, flag, 'send_attempt', now));
    await markSuppressed(customerId, key, now);
    recordMetric('MailsSuppressed');
    logger.info('mail not sent: the address is suppressed', { kind: mail.kind, mailKey: key, suppression: suppression.kind });
    return 'suppressed';
  }
  // Under the correlation id of the work that wrote the mail (a mail sent later by the sweep keeps it).
  const messageId = await sendMail({
    to: mail.to,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    customerId,
    kind: mail.kind,
    ...(mail.correlationId ? { correlationId: mail.correlationId } : {}),
  });
  await markSent(customerId, key, messageId, now);
  logger.info('mail sent', { kind: mail.kind, mailKey: key, messageId });
  return 'sent';
}

/** Sends mails left pending (their sender crashed or SES failed); the sparse index holds only those. */
export async function deliverPendingMail(now: Date, limit = 100): Promise<number> {
  let sent = 0;
  for (const mail of await pendingMail(limit)) {
    try {
      if ((await deliverMail(mail.customerId, mail.key, now)) === 'sent') sent++;
    } catch (error) {
      logger.warn('pending mail not sent; will retry', { mailKey: mail.key, error: errorForLog(error) });
    }
  }
  return sent;
}

/**
 * What SES told us about a mail: a permanent bounce or a complaint. Suppresses each recipient (once; a replay or a
 * later report changes nothing) and, when the mail carried the `customer_id` tag and that customer's address is
 * one of the recipients, flags the customer now rather than at their next mail.
 */
export async function recordMailFeedback(
  feedback: SesFeedback,
  now: Date,
): Promise<{ suppressed: number; alreadySuppressed: number; customerFlagged: boolean }> {
  let suppressed = 0;
  const byAddress = new Map<string, { kind: 'bounce' | 'complaint'; at: string }>();
  for (const recipient of feedback.recipients) {
    const { created, suppression } = await suppress(
      {
        address: recipient,
        kind: feedback.kind,
        reason: feedback.reason,
        at: feedback.timestamp,
        messageId: feedback.messageId,
        feedbackId: feedback.feedbackId,
        ...(feedback.customerId ? { customerId: feedback.customerId } : {}),
      },
      now,
    );
    if (created) suppressed++;
    byAddress.set(suppression.address, { kind: suppression.kind, at: suppression.at });
  }

  let customerFlagged = false;
  if (feedback.customerId) {
    const customer = await getCustomer(feedback.customerId);
    // The flag follows the stored suppression (the first report), so both paths set the same value.
    const stored = customer ? byAddress.get(normaliseAddress(customer.email)) : undefined;
    if (customer && stored) {
      const flag = { reason: stored.kind, at: stored.at };
      customerFlagged = (await flagCustomerMailSuppressed(customer.id, flag, mailSuppressedEvent(customer.id, flag, 'ses_notification', now))) === 'flagged';
    }
  }
  return { suppressed, alreadySuppressed: byAddress.size - suppressed, customerFlagged };
}

/**
 * Delivers a mail just committed with the fact it reports, without failing the caller: if SES is down the mail stays
 * pending and the outbox sweep sends it. The decision the mail reports stands either way.
 */
export async function deliverSoon(mail: { customerId: string; key: string } | undefined, now: Date): Promise<void> {
  if (!mail) return;
  try {
    await deliverMail(mail.customerId, mail.key, now);
  } catch (error) {
    logger.warn('mail not sent yet; the outbox will retry', { mailKey: mail.key, error: errorForLog(error) });
  }
}

