import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Customer } from '../domain/customer.ts';
import { dynamo } from '../adapters/aws.ts';
import { keys } from './keys.ts';
import { entity, isConditionalFailure, tableName } from './table.ts';

/** Creates the customer; returns false when the id exists already (idempotent replay). */
export async function putNewCustomer(customer: Customer, requestHash: string): Promise<boolean> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.customer(customer.id), entity: 'customer', ...customer, requestHash },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

export async function getCustomer(id: string): Promise<(Customer & { requestHash?: string }) | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.customer(id), ConsistentRead: true }));
  return entity(out.Item);
}
