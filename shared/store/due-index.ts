/**
 * The due index: the sparse next-action indexes (GSI2) the sweeps read, a shard's due slice at a time, and a
 * customer's unpaid invoices with their place in the reminder index.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Invoice } from '../domain/invoice.ts';
import { dynamo } from '../adapters/aws.ts';
import { duePartition, keys, type SweepKind } from './keys.ts';
import { entity, isConditionalFailure, queryAll, tableName } from './table.ts';

export interface DueEntry {
  invoiceId: string;
  customerId: string;
}

/**
 * One page of a shard's due slice: GSI2 items of the shard whose sort key (instant or local date, then invoice id)
 * is at or before `upTo`. Only items with something due are read — never the table.
 */
export async function dueSlice(
  kind: SweepKind,
  shard: number,
  upTo: string,
  limit: number,
  cursor?: Record<string, unknown>,
): Promise<{ entries: DueEntry[]; lastKey?: Record<string, unknown>; consumedCapacity: number }> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :upTo',
      ExpressionAttributeValues: { ':pk': duePartition(kind, shard), ':upTo': dueSliceBound(upTo) },
      ProjectionExpression: kind === 'dunning' ? 'id, customerId' : 'invoiceId, customerId',
      Limit: limit,
      ExclusiveStartKey: cursor,
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  return {
    entries: (out.Items ?? []).map((i) => ({ invoiceId: (i.id ?? i.invoiceId) as string, customerId: i.customerId as string })),
    lastKey: out.LastEvaluatedKey,
    consumedCapacity: out.ConsumedCapacity?.CapacityUnits ?? 0,
  };
}

/** The greatest sort key of a due slice up to `upTo` (instant or local date): every invoice id at `upTo` sorts below it. */
export function dueSliceBound(upTo: string): string {
  return `${upTo}#~`;
}

/**
 * The smallest sort key in a sweep's index, over all its shards (undefined when the index is empty): a due slice up to
 * `upTo` has an entry exactly when this key is at or below `dueSliceBound(upTo)`.
 */
export async function earliestDueKey(kind: SweepKind, shards: number): Promise<string | undefined> {
  const firsts = await Promise.all(
    Array.from({ length: shards }, async (_, shard) => {
      const out = await dynamo().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: 'GSI2',
          KeyConditionExpression: 'GSI2PK = :pk',
          ExpressionAttributeValues: { ':pk': duePartition(kind, shard) },
          ProjectionExpression: 'GSI2SK',
          Limit: 1,
        }),
      );
      return out.Items?.[0]?.GSI2SK as string | undefined;
    }),
  );
  return firsts.reduce<string | undefined>((min, key) => (key !== undefined && (min === undefined || key < min) ? key : min), undefined);
}

/**
 * A customer's unpaid invoices (GSI1: open and partially paid), oldest due date first, each with `indexedAt`: its
 * current next-action time in the reminder index (absent when it is not in it).
 */
export async function unpaidInvoices(customerId: string, max = Infinity): Promise<(Invoice & { indexedAt?: string })[]> {
  const out: (Invoice & { indexedAt?: string })[] = [];
  for (const status of ['open', 'partially_paid'] as const) {
    const items = await queryAll(
      {
        TableName: tableName(),
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
        ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':sk': `INVOICE#${status}#` },
      },
      max,
    );
    for (const item of items) {
      const indexed = typeof item.GSI2PK === 'string' && item.GSI2PK.startsWith('DUE#DUNNING#') ? String(item.GSI2SK).split('#')[0] : undefined;
      out.push({ ...(entity<Invoice>(item) as Invoice), ...(indexed ? { indexedAt: indexed } : {}) });
    }
  }
  return out.sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.id.localeCompare(b.id)));
}

/**
 * Puts an item (an invoice or a plan, by its key) in the reminder index at `dueAt`, if `condition` holds (its
 * attribute names are `#a`…, its values `:v`…). False when the condition fails; other errors are thrown.
 */
export async function setNextAction(
  key: Record<string, string>,
  id: string,
  dueAt: { shard: number; at: string },
  condition: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> },
): Promise<boolean> {
  const due = keys.dunningDue(dueAt.shard, dueAt.at, id);
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET GSI2PK = :pk, GSI2SK = :sk',
        ConditionExpression: condition.expression,
        ...(condition.names ? { ExpressionAttributeNames: condition.names } : {}),
        ExpressionAttributeValues: { ':pk': due.GSI2PK, ':sk': due.GSI2SK, ...condition.values },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}
