import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { requireEnv, ses } from './aws.ts';
import { env } from '../topology.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
}

/** Sends one mail through SES (v2 API), HTML and plain text; returns the SES message id. */
export async function sendMail(mail: OutgoingMail): Promise<string> {
  const out = await ses().send(
    new SendEmailCommand({
      FromEmailAddress: requireEnv(env.mailFrom),
      Destination: { ToAddresses: [mail.to] },
      ConfigurationSetName: process.env[env.sesConfigurationSet] || undefined,
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
