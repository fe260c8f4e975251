/**
 * The customer portal's short-lived items, each expiring by the table's TTL (`expiresAt`, epoch seconds; DynamoDB
 * deletes expired items within days, so every read checks the expiry itself):
 * - sessions, keyed by the SHA-256 of the cookie token (the token is never stored);
 * - one-time sign-in tokens, keyed by the SHA-256 of their nonce, spent by a conditional delete;
 * - rate-limit counters (fixed windows), one item per scope and window.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import { keys } from './keys.ts';
import { entity, isConditionalFailure, tableName } from './table.ts';

const seconds = (at: Date | number) => Math.ceil((typeof at === 'number' ? at : at.getTime()) / 1000);

export interface PortalSession {
  /** The SHA-256 (hex) of the cookie token: the session's id in the table and in logs' place. */
  id: string;
  customerId: string;
  /** The per-session CSRF token every POST form carries. */
  csrf: string;
  /** The customer's link version when the session began: revoking the customer's links ends the session. */
  linkVersion: number;
  createdAt: string;
  lastSeenAt: string;
  /** Idle expiry (moves with use) and absolute expiry (never moves), ISO instants. */
  idleUntil: string;
  absoluteUntil: string;
}

function sessionTtl(session: Pick<PortalSession, 'idleUntil' | 'absoluteUntil'>): number {
  return seconds(Math.min(new Date(session.idleUntil).getTime(), new Date(session.absoluteUntil).getTime()));
}

export async function putSession(session: PortalSession): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.portalSession(session.id), entity: 'portal_session', ...session, expiresAt: sessionTtl(session) },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

export async function getSession(id: string): Promise<PortalSession | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.portalSession(id), ConsistentRead: true }));
  const item = entity<PortalSession & { expiresAt?: number }>(out.Item);
  if (!item) return undefined;
  const { expiresAt: _ttl, ...session } = item;
  return session;
}

/** Moves the idle expiry (never past the absolute one); false when the session is gone. */
export async function touchSession(session: PortalSession, now: Date, idleUntil: string): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.portalSession(session.id),
        UpdateExpression: 'SET lastSeenAt = :now, idleUntil = :idle, expiresAt = :ttl',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':idle': idleUntil, ':ttl': sessionTtl({ idleUntil, absoluteUntil: session.absoluteUntil }) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

export async function deleteSession(id: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: keys.portalSession(id) }));
}

export interface LoginTokenRecord {
  customerId: string;
  /** The customer's link version when it was issued (revoking the customer's links refuses it). */
  linkVersion: number;
  issuedAt: string;
  validUntil: string;
}

export async function putLoginToken(nonceHash: string, record: LoginTokenRecord): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.portalLogin(nonceHash), entity: 'portal_login', ...record, expiresAt: seconds(new Date(record.validUntil)) },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

/**
 * Spends a one-time sign-in token: deletes its record if it exists and belongs to the customer (a conditional delete,
 * so of two concurrent spends exactly one wins). The record spent, or undefined (unknown, spent before, another's).
 */
export async function spendLoginToken(nonceHash: string, customerId: string): Promise<LoginTokenRecord | undefined> {
  try {
    const out = await dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.portalLogin(nonceHash),
        ConditionExpression: 'attribute_exists(PK) AND customerId = :c',
        ExpressionAttributeValues: { ':c': customerId },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return entity<LoginTokenRecord>(out.Attributes);
  } catch (error) {
    if (isConditionalFailure(error)) return undefined;
    throw error;
  }
}

/**
 * Counts one hit in a fixed window of `windowMs` for a scope and answers the count so far in this window (this hit
 * included). One atomic ADD; the item expires by TTL after its window.
 */
export async function countHit(scope: string, windowMs: number, now: Date): Promise<number> {
  const window = Math.floor(now.getTime() / windowMs);
  const out = await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.rateCounter(scope, window),
      UpdateExpression: 'ADD hits :one SET expiresAt = if_not_exists(expiresAt, :ttl), entity = if_not_exists(entity, :e)',
      ExpressionAttributeValues: { ':one': 1, ':ttl': seconds((window + 2) * windowMs), ':e': 'rate_counter' },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number((out.Attributes as { hits?: number } | undefined)?.hits ?? 1);
}
