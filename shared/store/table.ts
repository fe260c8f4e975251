import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo, requireEnv } from '../adapters/aws.ts';
import { env } from '../topology.ts';

export function tableName(): string {
  return requireEnv(env.tableName);
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

/**
 * One TransactWriteItems: undefined when it was written, else the cancellation reason of each action (in order).
 * Anything other than a cancelled transaction throws.
 */
export async function transactWrite(items: TransactItems): Promise<string[] | undefined> {
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

/** Strips key and index attributes from a stored item. */
export function entity<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { PK: _pk, SK: _sk, GSI1PK: _a, GSI1SK: _b, GSI2PK: _c, GSI2SK: _d, GSI3PK: _e, GSI3SK: _f, GSI4PK: _h, GSI4SK: _i, entity: _g, ...rest } =
    item;
  return rest as T;
}
