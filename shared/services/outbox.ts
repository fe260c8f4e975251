import { sendMail } from '../adapters/mailer.ts';
import { errorForLog, logger } from '../logger.ts';
import { claimMail, markSent, pendingMail } from '../store/mail.ts';

/**
 * Sends one stored mail if it is still to send. Claim → send → mark sent: concurrent callers never both send it.
 * (A crash between SES accepting the mail and marking it sent re-sends it after the lease: at-least-once, rare.)
 */
export async function deliverMail(customerId: string, key: string, now: Date): Promise<'sent' | 'not_pending'> {
  const mail = await claimMail(customerId, key, now);
  if (!mail) return 'not_pending';
  const messageId = await sendMail({ to: mail.to, subject: mail.subject, html: mail.html, text: mail.text });
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
