import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ses } from './aws.ts';
import { mailFrom, sesConfigurationSet } from '../config/runtime.ts';
import { correlationId as currentCorrelationId, isCorrelationId } from '../context.ts';
import { recordMetric } from '../metrics.ts';
import { CUSTOMER_ID_TAG } from './ses-notifications.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /**
   * The customer the mail is about: sent as the SES message tag `customer_id`, which SES echoes in bounce and
   * complaint notifications (`mail.tags`), so the customer can be flagged at once.
   */
  customerId?: string;
  /** What the mail is (the stored mail's `kind`, e.g. `receipt`, `reminder:first`): counted per kind when sent. */
  kind?: string;
  /**
   * The correlation id of the work that wrote the mail (the stored mail's `correlationId`); else the current work's.
   * Sent as the header `X-Correlation-Id` and, when SES accepts it as a tag value, the tag `correlation_id` (echoed
   * in bounce and complaint notifications like `customer_id`).
   */
  correlationId?: string;
}

/** The SES message tag that carries the correlation id. */
export const CORRELATION_ID_TAG = 'correlation_id';
/** The mail header that carries the correlation id (visible to whoever reads the raw message, e.g. a support desk). */
export const CORRELATION_ID_MAIL_HEADER = 'X-Correlation-Id';

/** SES message tag values: ASCII letters, digits, `_` and `-`, at most 256 characters (our ids are `cus_<hex>`). */
const TAG_VALUE = /^[A-Za-z0-9_-]{1,256}$/;

/** Sends one mail through SES (v2 API), HTML and plain text; returns the SES message id. */
export async function sendMail(mail: OutgoingMail): Promise<string> {
  const correlationId = [mail.correlationId, currentCorrelationId()].find(isCorrelationId);
  const tags = [
    ...(mail.customerId && TAG_VALUE.test(mail.customerId) ? [{ Name: CUSTOMER_ID_TAG, Value: mail.customerId }] : []),
    ...(correlationId && TAG_VALUE.test(correlationId) ? [{ Name: CORRELATION_ID_TAG, Value: correlationId }] : []),
  ];
  const out = await ses().send(
    new SendEmailCommand({
      FromEmailAddress: mailFrom(),
      Destination: { ToAddresses: [mail.to] },
      ConfigurationSetName: sesConfigurationSet(),
      EmailTags: tags.length ? tags : undefined,
      Content: {
        Simple: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: { Html: { Data: mail.html, Charset: 'UTF-8' }, Text: { Data: mail.text, Charset: 'UTF-8' } },
          ...(correlationId ? { Headers: [{ Name: CORRELATION_ID_MAIL_HEADER, Value: correlationId }] } : {}),
        },
      },
    }),
  );
  if (!out.MessageId) throw new Error('SES returned no MessageId');
  recordMetric('MailsSent', 1, mail.kind !== undefined ? { kind: mail.kind } : {});
  return out.MessageId;
}
