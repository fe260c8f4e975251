/**
 * The short-lived sign-in items of the customer portal and of the staff console (each a "realm" with keys of its own,
 * so a portal item is never read as a console one), each expiring by the table's TTL (`expiresAt`, epoch seconds;
 * DynamoDB deletes expired items within days, so every read checks the expiry itself):
 * - sessions, keyed by the SHA-256 of the cookie token (the token is never stored);
 * - one-time sign-in tokens, keyed by the SHA-256 of their nonce, spent by a conditional delete;
 * - rate-limit counters (fixed windows), one item per scope and window.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import { keys } from './keys.ts';
import { entity, isConditionalFailure, tableName } from './table.ts';

const seconds = (at: Date | number) => Math.ceil((typeof at === 'number' ? at : at.getTime()) / 1000);

/** What every session has, whoever it is for. */
export interface SessionTimes {
  /** The SHA-256 (hex) of the cookie token: the session's id in the table and in logs' place. */
  id: string;
  /** The per-session CSRF token every POST form carries. */
  csrf: string;
  createdAt: string;
  lastSeenAt: string;
  /** Idle expiry (moves with use) and absolute expiry (never moves), ISO instants. */
  idleUntil: string;
  absoluteUntil: string;
}

export interface PortalSession extends SessionTimes {
  customerId: string;
  /** The customer's link version when the session began: revoking the customer's links ends the session. */
  linkVersion: number;
}

export interface ConsoleSession extends SessionTimes {
  staffId: string;
  /** The member's session version when the session began: bumping it (or removing the member) ends the session. */
  sessionVersion: number;
  /** The member's `createdAt` when the session began: a member removed and added again starts afresh. */
  staffSince: string;
}

export interface LoginTokenRecord {
  customerId: string;
  /** The customer's link version when it was issued (revoking the customer's links refuses it). */
  linkVersion: number;
  issuedAt: string;
  validUntil: string;
}

export interface ConsoleLoginTokenRecord {
  staffId: string;
  /** The member's session version and `createdAt` when it was issued (a removed or re-added member's link is refused). */
  sessionVersion: number;
  staffSince: string;
  issuedAt: string;
  validUntil: string;
}

/** Who signs in: customers to the portal, staff to the console. */
export type SessionRealm = 'portal' | 'console';
interface Realms {
  portal: { session: PortalSession; login: LoginTokenRecord };
  console: { session: ConsoleSession; login: ConsoleLoginTokenRecord };
}
export type SessionOf<R extends SessionRealm> = Realms[R]['session'];
export type LoginTokenOf<R extends SessionRealm> = Realms[R]['login'];

const REALMS = {
  portal: { session: keys.portalSession, login: keys.portalLogin, sessionEntity: 'portal_session', loginEntity: 'portal_login', owner: 'customerId' },
  console: { session: keys.consoleSession, login: keys.consoleLogin, sessionEntity: 'console_session', loginEntity: 'console_login', owner: 'staffId' },
} as const;

function sessionTtl(session: Pick<PortalSession, 'idleUntil' | 'absoluteUntil'>): number {
  return seconds(Math.min(new Date(session.idleUntil).getTime(), new Date(session.absoluteUntil).getTime()));
}

export async function putSession<R extends SessionRealm = 'portal'>(session: SessionOf<R>, realm: R = 'portal' as R): Promise<void> {
  const r = REALMS[realm];
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...r.session(session.id), entity: r.sessionEntity, ...session, expiresAt: sessionTtl(session) },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

export async function getSession<R extends SessionRealm = 'portal'>(id: string, realm: R = 'portal' as R): Promise<SessionOf<R> | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: REALMS[realm].session(id), ConsistentRead: true }));
  const item = entity<SessionOf<R> & { expiresAt?: number }>(out.Item);
  if (!item) return undefined;
  const { expiresAt: _ttl, ...session } = item;
  return session as SessionOf<R>;
}

/** Moves the idle expiry (never past the absolute one); false when the session is gone. */
export async function touchSession(session: SessionTimes, now: Date, idleUntil: string, realm: SessionRealm = 'portal'): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: REALMS[realm].session(session.id),
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

export async function deleteSession(id: string, realm: SessionRealm = 'portal'): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: REALMS[realm].session(id) }));
}

export async function putLoginToken<R extends SessionRealm = 'portal'>(nonceHash: string, record: LoginTokenOf<R>, realm: R = 'portal' as R): Promise<void> {
  const r = REALMS[realm];
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...r.login(nonceHash), entity: r.loginEntity, ...record, expiresAt: seconds(new Date(record.validUntil)) },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

/**
 * Spends a one-time sign-in token: deletes its record if it exists and belongs to the customer (or, in the console,
 * the staff member) — a conditional delete, so of two concurrent spends exactly one wins. The record spent, or
 * undefined (unknown, spent before, another's).
 */
export async function spendLoginToken<R extends SessionRealm = 'portal'>(nonceHash: string, ownerId: string, realm: R = 'portal' as R): Promise<LoginTokenOf<R> | undefined> {
  const r = REALMS[realm];
  try {
    const out = await dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: r.login(nonceHash),
        ConditionExpression: 'attribute_exists(PK) AND #owner = :c',
        ExpressionAttributeNames: { '#owner': r.owner },
        ExpressionAttributeValues: { ':c': ownerId },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return entity<LoginTokenOf<R>>(out.Attributes);
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
