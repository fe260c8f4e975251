import type { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderReceipt } from '../../shared/domain/messages.ts';

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

  it('sends a rendered mail with both parts: the HTML with its anchors and the plain text', async () => {
    const rendered = renderReceipt({
      customerName: 'Ada',
      locale: 'en-GB',
      timeZone: 'Europe/London',
      currency: 'EUR',
      amount: 12_500,
      receivedAt: '2027-03-05T10:00:00Z',
      invoices: [{ number: 'INV-1', applied: 12_500, balanceDue: 0 }],
      credit: 0,
      preferencesLink: 'https://pay.example.com/preferences?t=x',
    });
    await sendMail({ to: 'ada@example.com', ...rendered });
    const body = sent[0]!.input.Content?.Simple?.Body;
    expect(body?.Text?.Data).toBe(rendered.text);
    expect(body?.Html?.Data).toBe(rendered.html);
    expect(body?.Html?.Data).toContain('<a href="https://pay.example.com/preferences?t=x"');
  });
});
