import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import { tableName as configuredTableName } from '../config/runtime.ts';

export function tableName(): string {
  return configuredTableName();
}

/** Cancellation reason codes of a failed TransactWriteItems, in action order ("None" for actions that passed). */
export function cancellationCodes(error: unknown): string[] | undefined {
  if (error instanceof TransactionCanceledException || (error as { name?: string })?.name === 'TransactionCanceledException') {
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    return reasons.map((r) => r.Code ?? 'None');
  }
  return undefined;
}

/** Every item a query returns, page after page (up to `max`, when given). */
export async function queryAll(input: QueryCommandInput, max = Infinity): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamo().send(new QueryCommand({ ...input, ExclusiveStartKey }));
    items.push(...(out.Items ?? []));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey && items.length < max);
  return items;
}

/** One page of a query: at most `limit` items from `startKey` on, and where the next page starts (none after the last). */
export async function queryPage(
  input: QueryCommandInput,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ items: Record<string, unknown>[]; lastKey?: Record<string, unknown> }> {
  const out = await dynamo().send(new QueryCommand({ ...input, Limit: limit, ExclusiveStartKey: startKey }));
  return { items: out.Items ?? [], ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}) };
}

/** Every item of a paginated listing (`{items, lastKey}` pages), page after page (up to `max`, when given). */
export async function allPages<T>(
  page: (cursor?: Record<string, unknown>) => Promise<{ items: T[]; lastKey?: Record<string, unknown> }>,
  max = Infinity,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const next = await page(cursor);
    out.push(...next.items);
    cursor = next.lastKey;
  } while (cursor && out.length < max);
  return out;
}

export type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]>['TransactItems'] & unknown[];

/** DynamoDB's limits for one TransactWriteItems: 100 actions, 4 MB in all, and no two actions on the same item. */
export const MAX_TRANSACTION_ACTIONS = 100;
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

/**
 * A transaction that DynamoDB would refuse for its shape (too many actions, too large, one item twice). It is a
 * programming error — the caller must split its work — and deterministic: retrying the same message never helps, so
 * queue workers end such a message with the reason logged instead of redelivering it (see `isPermanentError`).
 */
export class TransactionLimitError extends Error {
  override readonly name = 'TransactionLimitError';
  readonly permanent = true;
  constructor(message: string, readonly actions: number, readonly estimatedBytes: number) {
    super(message);
  }
}

/** Whether retrying the failed work can never succeed (a programming error such as an oversized transaction). */
export function isPermanentError(error: unknown): boolean {
  return error instanceof TransactionLimitError || (error as { permanent?: unknown })?.permanent === true;
}

function itemKey(action: TransactItems[number]): string | undefined {
  const a = action as Record<string, { TableName?: string; Key?: Record<string, unknown>; Item?: Record<string, unknown> } | undefined>;
  const op = a.Put ?? a.Update ?? a.Delete ?? a.ConditionCheck;
  if (!op) return undefined;
  const key = op.Key ?? (op.Item ? { PK: op.Item.PK, SK: op.Item.SK } : undefined);
  return key ? `${op.TableName ?? ''}|${String(key.PK)}|${String(key.SK)}` : undefined;
}

/**
 * Counts the actions and estimates the size (serialised length: an upper bound of DynamoDB's item sizes for our
 * attribute names and values) of a transaction; throws a TransactionLimitError before anything is sent when it would
 * pass a limit or touch one item twice.
 */
export function assertTransactionLimits(items: TransactItems): void {
  const count = items.length;
  let bytes = 0;
  for (const item of items) bytes += Buffer.byteLength(JSON.stringify(item));
  if (count === 0 || count > MAX_TRANSACTION_ACTIONS) {
    throw new TransactionLimitError(`transaction of ${count} actions: DynamoDB takes 1 to ${MAX_TRANSACTION_ACTIONS}; split the work`, count, bytes);
  }
  if (bytes > MAX_TRANSACTION_BYTES) {
    throw new TransactionLimitError(`transaction of about ${(bytes / 1024 / 1024).toFixed(1)} MB: DynamoDB takes at most 4 MB; split the work`, count, bytes);
  }
  const seen = new Set<string>();
  for (const item of items) {
    const key = itemKey(item);
    if (!key) continue;
    if (seen.has(key)) throw new TransactionLimitError(`transaction touches the same item twice (${key.split('|').slice(1).join(' ')})`, count, bytes);
    seen.add(key);
  }
}

/**
 * One TransactWriteItems: undefined when it was written, else the cancellation reason of each action (in order).
 * Anything other than a cancelled transaction throws; a transaction past DynamoDB's limits throws a
 * TransactionLimitError before it is sent.
 */
export async function transactWrite(items: TransactItems): Promise<string[] | undefined> {
  assertTransactionLimits(items);
  try {
    await dynamo().send(new TransactWriteCommand({ TransactItems: items }));
    return undefined;
  } catch (error) {
    const codes = cancellationCodes(error);
    if (!codes) throw error;
    return codes;
  }
}

/**
 * The usual reading of a conditional transaction whose first action is its idempotency guard: written; 'duplicate'
 * (the first action's condition failed: done before); 'conflict' (another condition failed or a concurrent
 * transaction touched an item: read again and decide again). Other reasons throw.
 */
export function writeOutcome(codes: string[] | undefined): 'written' | 'duplicate' | 'conflict' {
  if (!codes) return 'written';
  if (codes[0] === 'ConditionalCheckFailed') return 'duplicate';
  if (codes.includes('ConditionalCheckFailed') || codes.includes('TransactionConflict')) return 'conflict';
  throw new Error(`transaction cancelled: ${codes.join(', ')}`);
}

export function isConditionalFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/**
 * A conditional write's outcome: its output when it was written, undefined when its condition failed (the item exists
 * already, or is no longer in the state the caller read); any other error is thrown.
 */
export async function ifWritten<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if (isConditionalFailure(error)) return undefined;
    throw error;
  }
}

/** Strips key and index attributes from a stored item. */
export function entity<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { PK: _pk, SK: _sk, GSI1PK: _a, GSI1SK: _b, GSI2PK: _c, GSI2SK: _d, GSI3PK: _e, GSI3SK: _f, GSI4PK: _h, GSI4SK: _i, GSI5PK: _j, GSI5SK: _k, entity: _g, ...rest } =
    item;
  return rest as T;
}

/** A record a create request made, as the domain knows it, and the hash of that request (kept for replays only). */
export interface Replayable<T> {
  entity: T;
  requestHash?: string;
}

/** The stored item as a replayable record: the domain object (without keys or request hash) and the request hash. */
export function replayable<T>(item: Record<string, unknown> | undefined): Replayable<T> | undefined {
  const all = entity<T & { requestHash?: string }>(item);
  if (!all) return undefined;
  const { requestHash, ...rest } = all;
  return { entity: rest as T, ...(requestHash !== undefined ? { requestHash } : {}) };
}

/** The stored item as the domain object: without keys, entity tag or the hash of the request that created it. */
export function domainEntity<T>(item: Record<string, unknown> | undefined): T | undefined {
  return replayable<T>(item)?.entity;
}

/** How many items a query matches, every page counted and none read (`Select: COUNT`). */
export async function countQuery(input: Omit<QueryCommandInput, 'Select' | 'ExclusiveStartKey'>): Promise<number> {
  let count = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamo().send(new QueryCommand({ ...input, Select: 'COUNT', ExclusiveStartKey }));
    count += out.Count ?? 0;
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return count;
}
