import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ses } from './aws.ts';
import { mailFrom, sesConfigurationSet } from '../config/runtime.ts';
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
}

/** SES message tag values: ASCII letters, digits, `_` and `-`, at most 256 characters (our ids are `cus_<hex>`). */
const TAG_VALUE = /^[A-Za-z0-9_-]{1,256}$/;

/** Sends one mail through SES (v2 API), HTML and plain text; returns the SES message id. */
export async function sendMail(mail: OutgoingMail): Promise<string> {
  const out = await ses().send(
    new SendEmailCommand({
      FromEmailAddress: mailFrom(),
      Destination: { ToAddresses: [mail.to] },
      ConfigurationSetName: sesConfigurationSet(),
      EmailTags:
        mail.customerId && TAG_VALUE.test(mail.customerId) ? [{ Name: CUSTOMER_ID_TAG, Value: mail.customerId }] : undefined,
      Content: {
        Simple: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: { Html: { Data: mail.html, Charset: 'UTF-8' }, Text: { Data: mail.text, Charset: 'UTF-8' } },
        },
      },
    }),
  );
  if (!out.MessageId) throw new Error('SES returned no MessageId');
  return out.MessageId;
}
