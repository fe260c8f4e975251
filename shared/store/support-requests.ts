/**
 * Customers' questions from the portal: one item per request on the customer (`SUPPORT#<id>`), listed for staff in
 * GSI3 `SUPPORT_REQUESTS` by when it was asked, and while open (waiting for staff) in the sparse work index GSI2
 * `SUPPORT#OPEN` (the console's queue: the first answer or a close takes it out). Written once (by id) with its
 * acknowledgement mail; staff's replies are appended to the item (a list), each write conditional on the version read
 * and committed with the customer's mail in one transaction. A reply keeps the hash of the request that made it (`requestHash`), read only to tell a
 * replay of the same Idempotency-Key from a reuse with another body.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import type { SupportReply, SupportRequest, SupportRequestStatus } from '../domain/support-requests.ts';
import { keys } from './keys.ts';
import { customerItemsPage } from './customers.ts';
import { mailPut, type MailMessage } from './mail.ts';
import { countQuery, entity, queryPage, tableName, transactWrite } from './table.ts';

export type { SupportReply, SupportRequest } from '../domain/support-requests.ts';

type StoredReply = SupportReply & { requestHash?: string };

/** The stored item as the domain object: without keys, the request hash, or the replies' request hashes. */
function toRequest(item: Record<string, unknown> | undefined): SupportRequest | undefined {
  const stored = entity<Omit<SupportRequest, 'replies'> & { requestHash?: string; replies?: StoredReply[] }>(item);
  if (!stored) return undefined;
  const { requestHash: _hash, replies, ...rest } = stored;
  return { ...rest, ...(replies ? { replies: replies.map(({ requestHash: _h, ...reply }) => reply) } : {}) };
}

/** Stores the request and its acknowledgement once; false when a request with this id exists already. */
export async function commitSupportRequest(request: SupportRequest, mail: MailMessage | undefined): Promise<boolean> {
  const codes = await transactWrite([
    {
      Put: {
        TableName: tableName(),
        Item: {
          ...keys.supportRequest(request.customerId, request.id),
          ...keys.supportRequestListing(request.createdAt, request.id),
          ...(request.status === 'open' ? keys.supportRequestOpen(request.createdAt, request.id) : {}),
          entity: 'support_request',
          ...request,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    ...(mail ? [{ Put: mailPut(mail) }] : []),
  ]);
  if (!codes) return true;
  if (codes[0] === 'ConditionalCheckFailed') return false;
  throw new Error(`support request: transaction cancelled (${codes.join(', ')})`);
}

export async function getSupportRequest(customerId: string, id: string): Promise<SupportRequest | undefined> {
  return (await getSupportRequestForReplay(customerId, id))?.entity;
}

/** The request and the hash of the request that made each reply (by reply id), for replays. */
export async function getSupportRequestForReplay(customerId: string, id: string): Promise<{ entity: SupportRequest; replyHashes: Map<string, string | undefined> } | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.supportRequest(customerId, id), ConsistentRead: true }));
  const request = toRequest(out.Item);
  if (!request) return undefined;
  const replies = (out.Item?.replies ?? []) as StoredReply[];
  return { entity: request, replyHashes: new Map(replies.map((r) => [r.id, r.requestHash])) };
}

/** The condition every change of a request is written under: it exists, at the version read. */
function atVersion(request: SupportRequest) {
  return request.version === undefined
    ? { ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#v)', ExpressionAttributeValues: {} }
    : { ConditionExpression: 'attribute_exists(PK) AND #v = :v', ExpressionAttributeValues: { ':v': request.version } };
}

/**
 * Appends a reply and sets the status (closing when `status` is closed), with the customer's mail, in one transaction
 * conditional on the version read. 'conflict': the request changed meanwhile (or a concurrent writer sent the same
 * reply): read it again and decide again.
 */
export async function commitSupportReply(
  request: SupportRequest,
  reply: SupportReply,
  requestHash: string,
  status: Exclude<SupportRequestStatus, 'open'>,
  mail: MailMessage | undefined,
): Promise<'written' | 'conflict'> {
  const guard = atVersion(request);
  const closing = status === 'closed';
  const codes = await transactWrite([
    {
      Update: {
        TableName: tableName(),
        Key: keys.supportRequest(request.customerId, request.id),
        // Answered or closed: no longer waiting for staff (out of the open queue).
        UpdateExpression: `SET #r = list_append(if_not_exists(#r, :none), :reply), #st = :st, #v = :next, updatedAt = :at${closing ? ', closedAt = :at, closedBy = :by' : ''}${closing && reply.staffId ? ', closedByStaffId = :staff' : ''} REMOVE GSI2PK, GSI2SK`,
        ConditionExpression: guard.ConditionExpression,
        ExpressionAttributeNames: { '#r': 'replies', '#st': 'status', '#v': 'version' },
        ExpressionAttributeValues: {
          ...guard.ExpressionAttributeValues,
          ':none': [],
          ':reply': [{ ...reply, requestHash } satisfies StoredReply],
          ':st': status,
          ':next': (request.version ?? 0) + 1,
          ':at': reply.at,
          ...(closing ? { ':by': reply.by } : {}),
          ...(closing && reply.staffId ? { ':staff': reply.staffId } : {}),
        },
      },
    },
    ...(mail ? [{ Put: mailPut(mail) }] : []),
  ]);
  if (!codes) return 'written';
  if (codes.every((c) => c === 'None' || c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) return 'conflict';
  throw new Error(`support reply: transaction cancelled (${codes.join(', ')})`);
}

/** Closes the request (no mail), conditional on the version read; 'conflict': it changed meanwhile. */
export async function closeSupportRequest(request: SupportRequest, by: string, at: string, staffId?: string): Promise<'written' | 'conflict'> {
  const guard = atVersion(request);
  const codes = await transactWrite([
    {
      Update: {
        TableName: tableName(),
        Key: keys.supportRequest(request.customerId, request.id),
        UpdateExpression: `SET #st = :st, #v = :next, updatedAt = :at, closedAt = :at, closedBy = :by${staffId ? ', closedByStaffId = :staff' : ''} REMOVE GSI2PK, GSI2SK`,
        ConditionExpression: guard.ConditionExpression,
        ExpressionAttributeNames: { '#st': 'status', '#v': 'version' },
        ExpressionAttributeValues: { ...guard.ExpressionAttributeValues, ':st': 'closed', ':next': (request.version ?? 0) + 1, ':at': at, ':by': by, ...(staffId ? { ':staff': staffId } : {}) },
      },
    },
  ]);
  if (!codes) return 'written';
  if (codes.every((c) => c === 'None' || c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) return 'conflict';
  throw new Error(`close support request: transaction cancelled (${codes.join(', ')})`);
}

/** A page of every customer's requests, newest first (GSI3); `status` filters (pages may then hold fewer items). */
export async function supportRequestsPage(status: SupportRequestStatus | undefined, limit: number, startKey?: Record<string, unknown>) {
  const page = await queryPage(
    {
      TableName: tableName(),
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.supportRequestListing('', '').GSI3PK, ...(status ? { ':st': status } : {}) },
      ...(status ? { FilterExpression: '#st = :st', ExpressionAttributeNames: { '#st': 'status' } } : {}),
      ScanIndexForward: false,
    },
    limit,
    startKey,
  );
  return { items: page.items.map((i) => toRequest(i) as SupportRequest), ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}

/**
 * A page of the open requests (waiting for staff), oldest first: the sparse work index GSI2 `SUPPORT#OPEN`, so a page
 * reads open requests only, however many were answered before them.
 */
export async function openSupportRequestsPage(limit: number, startKey?: Record<string, unknown>) {
  const page = await queryPage(
    {
      TableName: tableName(),
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.supportRequestOpen('', '').GSI2PK },
      ScanIndexForward: true,
    },
    limit,
    startKey,
  );
  return { items: page.items.map((i) => toRequest(i) as SupportRequest), ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}

/** How many requests wait for staff (a COUNT on the sparse work index: it holds open requests only). */
export async function countOpenSupportRequests(): Promise<number> {
  return countQuery({
    TableName: tableName(),
    IndexName: 'GSI2',
    KeyConditionExpression: 'GSI2PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.supportRequestOpen('', '').GSI2PK },
  });
}

/** A customer's own requests (at most `max`), newest first. */
export async function customerSupportRequests(customerId: string, max = 50): Promise<SupportRequest[]> {
  const out: SupportRequest[] = [];
  let key: Record<string, unknown> | undefined;
  do {
    const page = await customerItemsPage<Record<string, unknown>>(customerId, 'SUPPORT#', 100, key);
    out.push(...page.items.map((i) => toRequest(i) as SupportRequest));
    key = page.lastKey;
  } while (key && out.length < 500);
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, max);
}
