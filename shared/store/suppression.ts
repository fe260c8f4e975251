/**
 * Addresses we no longer mail: SES reported a permanent bounce or a complaint for them. One item per normalised
 * address, written once (the first report wins; replays and later reports change nothing), never expiring.
 *
 * Also the customer's `mailSuppressed` flag, set when we learn that the customer's address is suppressed (from the
 * notification's `customer_id` tag, or when a mail to them is about to be sent).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { EventEnvelope } from '../domain/events/envelope.ts';
import { dynamo } from '../adapters/aws.ts';
import { keys } from './keys.ts';
import { outboxPut } from './outbound-events.ts';
import { entity, isConditionalFailure, tableName, transactWrite } from './table.ts';

export type SuppressionKind = 'bounce' | 'complaint';

export interface Suppression {
  /** Normalised (trimmed, lower-cased) address. */
  address: string;
  kind: SuppressionKind;
  /** The bounce sub-type or complaint feedback type SES gave (`General`, `NoEmail`, `abuse`…). */
  reason: string;
  /** When the bounce or complaint happened (SES's timestamp). */
  at: string;
  /** SES message id of the mail that bounced or was complained about. */
  messageId: string;
  /** SES feedback id of the report. */
  feedbackId: string;
  /** The customer the mail was about (its `customer_id` tag), when known. */
  customerId?: string;
  /** When we recorded it. */
  recordedAt: string;
}

/** `mailSuppressed` on the customer item: why (`bounce` or `complaint`) and since when. */
export interface MailSuppressedFlag {
  reason: SuppressionKind;
  at: string;
}

/**
 * The suppression item's key. (Kept here rather than in keys.ts while that file is being changed elsewhere; it
 * belongs there — see docs/data-model.md.)
 */
export function suppressionKey(address: string) {
  return { PK: `SUPPRESSED#${normaliseAddress(address)}`, SK: 'SUPPRESSED' };
}

/** `Ada <Ada@Example.com> ` → `ada@example.com`: the form suppression items are keyed by. */
export function normaliseAddress(address: string): string {
  const bare = /<([^>]*)>/.exec(address)?.[1] ?? address;
  return bare.trim().toLowerCase();
}

export async function getSuppression(address: string): Promise<Suppression | undefined> {
  const out = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: suppressionKey(address), ConsistentRead: true }),
  );
  return entity<Suppression>(out.Item);
}

export async function isSuppressed(address: string): Promise<boolean> {
  return (await getSuppression(address)) !== undefined;
}

/**
 * Records that an address must not be mailed — once: if it is already suppressed nothing changes and the stored
 * suppression comes back (`created: false`).
 */
export async function suppress(
  input: Omit<Suppression, 'recordedAt'>,
  now: Date,
): Promise<{ created: boolean; suppression: Suppression }> {
  const suppression: Suppression = { ...input, address: normaliseAddress(input.address), recordedAt: now.toISOString() };
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...suppressionKey(suppression.address), entity: 'suppression', ...suppression },
        ConditionExpression: 'attribute_not_exists(PK)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { created: true, suppression };
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
    // The old item comes back in DynamoDB's wire format (the document client does not convert errors).
    const old = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
    const existing = old ? entity<Suppression>(unmarshall(old)) : await getSuppression(suppression.address);
    if (!existing) throw error;
    return { created: false, suppression: existing };
  }
}

/**
 * Sets `mailSuppressed` on the customer — once: an existing flag is kept (replays change nothing) and an unknown
 * customer is left alone. The customer's `version` is not changed: the flag is not part of what staff edit. The
 * flagging's `customer.mail_suppressed` event goes in the same transaction (outbox), so it exists exactly when the
 * flag was set by this call.
 */
export async function flagCustomerMailSuppressed(
  customerId: string,
  flag: MailSuppressedFlag,
  event: EventEnvelope,
): Promise<'flagged' | 'unchanged'> {
  const actions = [
    {
      Update: {
        TableName: tableName(),
        Key: keys.customer(customerId),
        UpdateExpression: 'SET mailSuppressed = :flag',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(mailSuppressed)',
        ExpressionAttributeValues: { ':flag': { reason: flag.reason, at: flag.at } },
      },
    },
    outboxPut([event], event.occurredAt),
  ];
  // A concurrent transaction on the customer item (TransactionConflict) is retried a few times, then thrown: the
  // caller's retry (SNS redelivery, the mail's lease) comes back.
  for (let attempt = 1; ; attempt++) {
    const codes = await transactWrite(actions);
    if (!codes) return 'flagged';
    // Flagged already (or no such customer): nothing changed, no event.
    if (codes[0] === 'ConditionalCheckFailed') return 'unchanged';
    if (!codes.includes('TransactionConflict') || attempt >= 3) throw new Error(`transaction cancelled: ${codes.join(', ')}`);
  }
}
