import type { SNSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { renderFile } from '../../local/events.ts';
import { parseSesNotification } from '../../shared/adapters/ses-notifications.ts';
import { normaliseAddress, suppressionKey } from '../../shared/store/suppression.ts';

const EMAIL = 'Ada.Lovelace@Example.com';
const vars = { email: EMAIL, customerId: 'cus_0123456789abcdef', now: '2026-03-05T10:15:30.123Z', unique: 'abc123' };

/** The SES notification inside an SNS sample (events/sns/), as the handler receives it. */
const snsMessage = (name: string): string => (renderFile(`events/sns/${name}.json`, vars) as SNSEvent).Records[0]!.Sns.Message;
const sesSample = (name: string): Record<string, unknown> => renderFile(`events/ses/${name}.json`, vars) as Record<string, unknown>;

describe('SES notifications (SNS samples in events/sns/)', () => {
  it('a permanent bounce (event publishing) is a bounce of its recipients, with the customer tag', () => {
    expect(parseSesNotification(snsMessage('ses-bounce'))).toEqual({
      kind: 'bounce',
      permanent: true,
      reason: 'General',
      recipients: [EMAIL],
      feedbackId: '0100019abc123-bounce-000000',
      messageId: '0100019abc123-mail-000000',
      timestamp: '2026-03-05T10:15:30.123Z',
      customerId: 'cus_0123456789abcdef',
    });
  });

  it('a complaint is a complaint with its feedback type as the reason', () => {
    expect(parseSesNotification(snsMessage('ses-complaint'))).toEqual({
      kind: 'complaint',
      permanent: true,
      reason: 'abuse',
      recipients: [EMAIL],
      feedbackId: '0100019abc123-complaint-000000',
      messageId: '0100019abc123-mail-000001',
      timestamp: '2026-03-05T10:15:30.123Z',
      customerId: 'cus_0123456789abcdef',
    });
  });

  it('a transient bounce (older notificationType shape) is ignored, saying why', () => {
    expect(parseSesNotification(snsMessage('ses-transient-bounce'))).toEqual({
      kind: 'ignored',
      eventType: 'Bounce',
      messageId: '0100019abc123-mail-000002',
      reason: 'transient bounce (MailboxFull)',
    });
  });
});

describe('parseSesNotification', () => {
  const bounce = () => sesSample('bounce') as { eventType?: string; notificationType?: string; bounce: Record<string, unknown>; mail: Record<string, unknown> };
  const complaint = () => sesSample('complaint') as { complaint: Record<string, unknown>; mail: Record<string, unknown> };

  it('reads the older notificationType shape (no tags) the same way', () => {
    const { eventType: _e, ...rest } = bounce();
    const old = { notificationType: 'Bounce', ...rest, mail: { ...rest.mail, tags: undefined } };
    const parsed = parseSesNotification(JSON.stringify(old));
    expect(parsed).toMatchObject({ kind: 'bounce', permanent: true, recipients: [EMAIL], messageId: '0100019abc123-mail-000000' });
    expect(parsed).not.toHaveProperty('customerId');
  });

  it('accepts an already parsed object', () => {
    expect(parseSesNotification(bounce())).toMatchObject({ kind: 'bounce', recipients: [EMAIL] });
  });

  it.each([
    ['Undetermined', 'undetermined bounce (Undetermined)'],
    ['Transient', 'transient bounce (Undetermined)'],
  ])('ignores a bounce of type %s', (bounceType, reason) => {
    const n = bounce();
    n.bounce = { ...n.bounce, bounceType, bounceSubType: 'Undetermined' };
    expect(parseSesNotification(n)).toMatchObject({ kind: 'ignored', eventType: 'Bounce', reason });
  });

  it.each(['General', 'NoEmail', 'Suppressed', 'OnAccountSuppressionList', 'UnsubscribedRecipient'])(
    'suppresses a permanent bounce of sub-type %s',
    (bounceSubType) => {
      const n = bounce();
      n.bounce = { ...n.bounce, bounceSubType };
      expect(parseSesNotification(n)).toMatchObject({ kind: 'bounce', reason: bounceSubType });
    },
  );

  it('lists each bounced recipient once', () => {
    const n = bounce();
    n.bounce = { ...n.bounce, bouncedRecipients: [{ emailAddress: 'a@example.com' }, { emailAddress: 'b@example.com' }, { emailAddress: 'a@example.com' }] };
    expect(parseSesNotification(n)).toMatchObject({ recipients: ['a@example.com', 'b@example.com'] });
  });

  it('ignores "not-spam" feedback and takes the sub-type when a complaint has no feedback type', () => {
    const notSpam = complaint();
    notSpam.complaint = { ...notSpam.complaint, complaintFeedbackType: 'not-spam' };
    expect(parseSesNotification(notSpam)).toMatchObject({ kind: 'ignored', eventType: 'Complaint', reason: 'complaint with feedback type not-spam' });

    const suppressed = complaint();
    const { complaintFeedbackType: _t, userAgent: _u, ...rest } = suppressed.complaint;
    suppressed.complaint = { ...rest, complaintSubType: 'OnAccountSuppressionList' };
    expect(parseSesNotification(suppressed)).toMatchObject({ kind: 'complaint', reason: 'OnAccountSuppressionList' });
  });

  it.each(['Send', 'Delivery', 'Open', 'Click', 'Reject', 'DeliveryDelay', 'Rendering Failure'])('ignores %s events', (eventType) => {
    expect(parseSesNotification({ eventType, mail: { messageId: 'm-1' } })).toEqual({
      kind: 'ignored',
      eventType,
      reason: `event type ${eventType} needs no action`,
    });
  });

  it('ignores the subscription confirmation SES sends to a new topic', () => {
    const msg = { notificationType: 'AmazonSnsSubscriptionSucceeded', message: 'You have successfully subscribed your Amazon SNS topic' };
    expect(parseSesNotification(JSON.stringify(msg))).toMatchObject({ kind: 'ignored', eventType: 'AmazonSnsSubscriptionSucceeded' });
  });

  it.each([
    ['not JSON', 'hello', 'not JSON'],
    ['a JSON array', '[]', 'not a JSON object'],
    ['JSON null', 'null', 'not a JSON object'],
    ['no event type', '{"foo":1}', 'not an SES notification (no eventType or notificationType)'],
  ])('ignores %s', (_what, message, reason) => {
    expect(parseSesNotification(message)).toEqual({ kind: 'ignored', reason });
  });

  it('ignores a malformed bounce, naming the field but never the address', () => {
    const n = bounce();
    n.bounce = { ...n.bounce, bouncedRecipients: [], timestamp: `not a date ${EMAIL}` };
    const parsed = parseSesNotification(n);
    expect(parsed.kind).toBe('ignored');
    expect(parsed).toMatchObject({ reason: expect.stringMatching(/^malformed bounce: .*bouncedRecipients/) });
    expect(JSON.stringify(parsed)).not.toContain('@');

    const noMessageId = bounce();
    noMessageId.mail = { ...noMessageId.mail, messageId: undefined };
    expect(parseSesNotification(noMessageId)).toMatchObject({ kind: 'ignored', reason: 'malformed mail: messageId: invalid_type' });
  });
});

describe('suppression keys', () => {
  it.each([
    [' Ada.Lovelace@Example.COM ', 'ada.lovelace@example.com'],
    ['Ada Lovelace <Ada@Example.com>', 'ada@example.com'],
    ['ada@example.com', 'ada@example.com'],
  ])('normalises %j to %j', (raw, normalised) => {
    expect(normaliseAddress(raw)).toBe(normalised);
    expect(suppressionKey(raw)).toEqual({ PK: `SUPPRESSED#${normalised}`, SK: 'SUPPRESSED' });
  });
});
