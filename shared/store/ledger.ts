import type { LedgerEntry } from '../domain/ledger.ts';
import { keys } from './keys.ts';
import { entity, queryAll, queryPage, tableName } from './table.ts';

/** A transaction Put for a ledger entry: append-only, so the put fails if the entry exists. */
export function ledgerPut(entry: LedgerEntry) {
  return {
    TableName: tableName(),
    Item: { ...keys.ledgerEntry(entry.customerId, entry.bookedAt, entry.id), entity: 'ledger', ...entry },
    ConditionExpression: 'attribute_not_exists(PK)',
  };
}

export async function ledgerEntries(customerId: string): Promise<LedgerEntry[]> {
  const items = await queryAll({
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': keys.customer(customerId).PK, ':sk': keys.ledgerPrefix },
    ConsistentRead: true,
  });
  return items.map((i) => entity<LedgerEntry>(i) as LedgerEntry);
}

/** One page of a customer's ledger in booking order (the sort key is `LEDGER#<bookedAt>#<id>`). */
export async function ledgerPage(
  customerId: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ items: LedgerEntry[]; lastKey?: Record<string, unknown> }> {
  const page = await queryPage(
    {
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': keys.customer(customerId).PK, ':sk': keys.ledgerPrefix },
      ConsistentRead: true,
    },
    limit,
    startKey,
  );
  return { items: page.items.map((i) => entity<LedgerEntry>(i) as LedgerEntry), ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}
