import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LedgerEntry } from '../domain/ledger.ts';
import { dynamo } from '../adapters/aws.ts';
import { keys } from './keys.ts';
import { entity, tableName } from './table.ts';

/** A transaction Put for a ledger entry: append-only, so the put fails if the entry exists. */
export function ledgerPut(entry: LedgerEntry) {
  return {
    TableName: tableName(),
    Item: { ...keys.ledgerEntry(entry.customerId, entry.bookedAt, entry.id), entity: 'ledger', ...entry },
    ConditionExpression: 'attribute_not_exists(PK)',
  };
}

export async function ledgerEntries(customerId: string): Promise<LedgerEntry[]> {
  const items: LedgerEntry[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
        ExpressionAttributeValues: { ':pk': keys.customer(customerId).PK, ':sk': keys.ledgerPrefix },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    for (const i of out.Items ?? []) items.push(entity<LedgerEntry>(i) as LedgerEntry);
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
