/**
 * A customer's items of one kind, kept under the customer's partition (`CUSTOMER#<id>`, sort key `<KIND>#…`), one page
 * at a time. Apart from customers.ts so that stores the customer store depends on (the outbox, through the payment
 * store) can list them too without an import cycle; customers.ts re-exports it.
 */
import { keys } from './keys.ts';
import { entity, queryPage, tableName } from './table.ts';

/** One page of a customer's items of one kind (`EVENT#`, `FEEDBACK#`, …: the sort key prefix), in sort key order. */
export async function customerItemsPage<T>(
  customerId: string,
  skPrefix: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ items: T[]; lastKey?: Record<string, unknown> }> {
  const page = await queryPage(
    {
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': keys.customer(customerId).PK, ':sk': skPrefix },
    },
    limit,
    startKey,
  );
  return { items: page.items.map((i) => entity<T>(i) as T), ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}
