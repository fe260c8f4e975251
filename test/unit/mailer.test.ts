import type { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const sent: SendEmailCommand[] = [];
vi.mock('../../shared/adapters/aws.ts', async (original) => ({
  ...(await original<typeof import('../../shared/adapters/aws.ts')>()),
  ses: () => ({
    send: async (command: SendEmailCommand) => {
      sent.push(command);
      return { MessageId: 'ses-message-1' };
    },
  }),
}));

const { sendMail } = await import('../../shared/adapters/mailer.ts');

describe('sendMail', () => {
  beforeEach(() => {
    sent.length = 0;
    process.env.MAIL_FROM = 'billing@example.com';
    process.env.SES_CONFIGURATION_SET = 'MailConfigurationSet';
  });

  const mail = { to: 'ada@example.com', subject: 'Payment received', html: '<p>Thanks</p>', text: 'Thanks' };

  it('tags mail about a customer with customer_id, which SES echoes in bounce and complaint notifications', async () => {
    expect(await sendMail({ ...mail, customerId: 'cus_0123456789abcdef' })).toBe('ses-message-1');
    expect(sent[0]!.input).toMatchObject({
      FromEmailAddress: 'billing@example.com',
      Destination: { ToAddresses: ['ada@example.com'] },
      ConfigurationSetName: 'MailConfigurationSet',
      EmailTags: [{ Name: 'customer_id', Value: 'cus_0123456789abcdef' }],
    });
  });

  it.each([
    ['no customer', undefined],
    ['a customer id SES would reject as a tag value', 'cus_1/2 3'],
  ])('sends without tags for %s', async (_what, customerId) => {
    await sendMail({ ...mail, ...(customerId ? { customerId } : {}) });
    expect(sent[0]!.input.EmailTags).toBeUndefined();
  });
});
