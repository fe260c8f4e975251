import type { SNSEvent } from 'aws-lambda';
import { parseSesNotification } from '../../shared/adapters/ses-notifications.ts';
import { snsHandler } from '../../shared/handlers/sns.ts';
import { logger } from '../../shared/logger.ts';
import { recordMetric } from '../../shared/metrics.ts';
import { recordMailFeedback } from '../../shared/services/outbox.ts';

/**
 * SES bounces and complaints (the configuration set's event destination, through SNS): permanent bounces and
 * complaints suppress the address and flag the tagged customer; everything else is ignored. Idempotent, so SNS
 * redeliveries and Lambda retries change nothing. Logs ids and kinds, never addresses.
 *
 * A message that is not a usable SES notification is logged and dropped (retrying cannot fix it); a storage error
 * throws, so Lambda retries the invocation and then dead-letters it.
 */
export const handler = snsHandler(async (event: SNSEvent) => {
  const now = new Date();
  const summary = { suppressed: 0, alreadySuppressed: 0, customersFlagged: 0, ignored: 0 };
  for (const record of event.Records) {
    const notification = parseSesNotification(record.Sns.Message);
    if (notification.kind === 'ignored') {
      summary.ignored++;
      logger.info('SES notification ignored', {
        snsMessageId: record.Sns.MessageId,
        eventType: notification.eventType,
        reason: notification.reason,
        messageId: notification.messageId,
      });
      continue;
    }
    const result = await recordMailFeedback(notification, now);
    // Each report counts once, as SES reports it (SNS redelivers rarely; the suppression itself is idempotent).
    recordMetric(notification.kind === 'bounce' ? 'MailsBounced' : 'MailComplaints');
    summary.suppressed += result.suppressed;
    summary.alreadySuppressed += result.alreadySuppressed;
    if (result.customerFlagged) summary.customersFlagged++;
    logger.info('SES feedback recorded', {
      snsMessageId: record.Sns.MessageId,
      kind: notification.kind,
      reason: notification.reason,
      messageId: notification.messageId,
      feedbackId: notification.feedbackId,
      recipients: notification.recipients.length,
      customerId: notification.customerId,
      ...result,
    });
  }
  return summary;
});
