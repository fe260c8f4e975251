import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import { correlationId } from '../context.ts';
import type { RenderedMail } from '../domain/messages.ts';
import { keys } from './keys.ts';
import { entity, isConditionalFailure, queryAll, queryPage, tableName } from './table.ts';

/** `suppressed`: not sent, because SES reported a permanent bounce or a complaint for the address. */
export type MailStatus = 'pending' | 'sending' | 'sent' | 'suppressed';

/**
 * An outgoing mail, keyed by what it is about (e.g. `receipt#<paymentId>`), so each is written once. It is written
 * pending in the same transaction as the fact it reports, then claimed, sent and marked sent. The item is also the
 * customer's communication history (with the SES message id).
 */
export interface MailMessage {
  key: string;
  customerId: string;
  kind: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  createdAt: string;
  status: MailStatus;
  claimedAt?: string;
  messageId?: string;
  sentAt?: string;
  suppressedAt?: string;
  /**
   * The correlation id of the work that wrote the mail (stamped by `mailPut` from shared/context.ts): sent with the
   * mail (header and SES tag) whenever it is sent, also later by the outbox sweep.
   */
  correlationId?: string;
  /** What a reminder covered: its invoices, step and tone (shown in the communication history). */
  invoiceIds?: string[];
  step?: string;
  tone?: string;
  /** What a statement covered. */
  period?: { from: string; to: string };
  /**
   * The decision trail of the adaptive cadence (domain/adaptive-cadence.ts) for a reminder it shaped: the policy, the
   * risk band it read, why, what it changed, and whether the mail led with the payment-plan offer.
   */
  cadence?: {
    policy: 'standard' | 'reliable' | 'likely_late';
    riskBand?: 'low' | 'medium' | 'high';
    assessedAsOf?: string;
    reason: string;
    changes: string[];
    planOfferFirst: boolean;
  };
}

/** A mail to a customer, to be written pending with the fact it reports and then delivered by the outbox. */
export function newMail(
  customer: { id: string; email: string },
  key: string,
  kind: string,
  rendered: RenderedMail,
  now: Date,
  about: Pick<MailMessage, 'invoiceIds' | 'step' | 'tone' | 'period' | 'cadence'> = {},
): MailMessage {
  return { key, customerId: customer.id, kind, to: customer.email, ...rendered, createdAt: now.toISOString(), status: 'pending', ...about };
}

export function mailPut(message: MailMessage) {
  const cid = message.correlationId ?? correlationId();
  return {
    TableName: tableName(),
    Item: {
      ...keys.mail(message.customerId, message.key),
      ...keys.mailPending(message.createdAt),
      ...keys.mailByCustomer(message.customerId, message.createdAt, message.key),
      entity: 'mail',
      ...message,
      ...(cid ? { correlationId: cid } : {}),
    },
    ConditionExpression: 'attribute_not_exists(PK)',
  };
}

export async function putMail(message: MailMessage): Promise<boolean> {
  try {
    await dynamo().send(new PutCommand(mailPut(message)));
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/**
 * Claims a pending mail for sending (or one whose earlier claim is older than the lease: its sender died). Only the
 * claimant sends, so concurrent workers never send the same mail twice.
 */
export async function claimMail(
  customerId: string,
  key: string,
  now: Date,
  leaseMs = 5 * 60_000,
): Promise<MailMessage | undefined> {
  try {
    const out = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.mail(customerId, key),
        UpdateExpression: 'SET #s = :sending, claimedAt = :now',
        ConditionExpression: '#s = :pending OR (#s = :sending AND claimedAt < :expired)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':sending': 'sending',
          ':pending': 'pending',
          ':now': now.toISOString(),
          ':expired': new Date(now.getTime() - leaseMs).toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return entity<MailMessage>(out.Attributes);
  } catch (error) {
    if (isConditionalFailure(error)) return undefined;
    throw error;
  }
}

export async function markSent(customerId: string, key: string, messageId: string, now: Date): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.mail(customerId, key),
      UpdateExpression: 'SET #s = :sent, messageId = :id, sentAt = :now REMOVE GSI2PK, GSI2SK',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':sent': 'sent', ':id': messageId, ':now': now.toISOString() },
    }),
  );
}

/**
 * sending → suppressed: the claimant found the address suppressed and sends nothing; off the pending index, like a
 * sent mail. A no-op if the claim was lost (another sender took it over after the lease).
 */
export async function markSuppressed(customerId: string, key: string, now: Date): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.mail(customerId, key),
        UpdateExpression: 'SET #s = :suppressed, suppressedAt = :now REMOVE GSI2PK, GSI2SK',
        ConditionExpression: '#s = :sending',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':suppressed': 'suppressed', ':sending': 'sending', ':now': now.toISOString() },
      }),
    );
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
}

/** Mails still to send (sparse GSI2), oldest first. */
export async function pendingMail(limit: number): Promise<MailMessage[]> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': 'MAIL#PENDING' },
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map((i) => entity<MailMessage>(i) as MailMessage);
}

export async function mailHistory(customerId: string): Promise<MailMessage[]> {
  const items = await queryAll({
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': keys.customer(customerId).PK, ':sk': 'MAIL#' },
  });
  return items.map((i) => entity<MailMessage>(i) as MailMessage);
}

/** One page of a customer's mails, oldest first (GSI1 `MAIL#<createdAt>#<key>`; `newest` first: the latest), bodies left out. */
export async function mailPage(
  customerId: string,
  limit: number,
  startKey?: Record<string, unknown>,
  order: 'oldest' | 'newest' = 'oldest',
): Promise<{ items: Omit<MailMessage, 'html' | 'text'>[]; lastKey?: Record<string, unknown> }> {
  const page = await queryPage(
    {
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
      ExpressionAttributeValues: { ':pk': keys.customer(customerId).PK, ':sk': 'MAIL#' },
      ScanIndexForward: order === 'oldest',
    },
    limit,
    startKey,
  );
  const items = page.items.map((i) => {
    const { html: _h, text: _t, ...rest } = entity<MailMessage>(i) as MailMessage;
    return rest;
  });
  return { items, ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}

/** The customer's latest mail whose key starts with `keyPrefix` (keys that sort by time), if any. */
export async function latestMail(customerId: string, keyPrefix: string): Promise<MailMessage | undefined> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': keys.customer(customerId).PK, ':sk': `MAIL#${keyPrefix}` },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return entity<MailMessage>(out.Items?.[0]);
}
