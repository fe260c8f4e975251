import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Customer } from '../domain/customer.ts';
import { customerNameKey, nameAnswers, type NameMatchKind, type NameQuery } from '../domain/party-name.ts';
import { dynamo } from '../adapters/aws.ts';
import { keys } from './keys.ts';
import { domainEntity, isConditionalFailure, replayable, tableName, transactWrite, type Replayable } from './table.ts';
import { payerPut } from './payments.ts';
import { normaliseAddress } from './suppression.ts';

/**
 * Creates the customer and links their bank accounts and Stripe customer id to them, in one transaction.
 * 'exists': the id exists already (idempotent replay); 'account_taken': an account or Stripe id belongs to
 * another customer.
 */
export async function putNewCustomer(customer: Customer, requestHash: string): Promise<'created' | 'exists' | 'account_taken'> {
  const links = [
    ...customer.bankAccounts.map((a) => payerPut(`account:${a}`, customer.id, 'known_account')),
    ...(customer.stripeCustomerId ? [payerPut(`stripe:${customer.stripeCustomerId}`, customer.id, 'stripe_customer')] : []),
  ];
  const codes = await transactWrite([
    {
      Put: {
        TableName: tableName(),
        Item: { ...keys.customer(customer.id), ...keys.customerListing(customer.createdAt, customer.id), ...customerNameIndex(customer), ...customerEmailIndex(customer), entity: 'customer', ...customer, requestHash },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    ...links.map((Put) => ({ Put })),
  ]);
  if (!codes) return 'created';
  if (codes[0] === 'ConditionalCheckFailed') return 'exists';
  if (codes.includes('ConditionalCheckFailed')) return 'account_taken';
  throw new Error(`transaction cancelled: ${codes.join(', ')}`);
}

export async function getCustomer(id: string): Promise<Customer | undefined> {
  return (await getCustomerForReplay(id))?.entity;
}

/** The customer with the hash of the request that created it (for replaying that request). */
export async function getCustomerForReplay(id: string): Promise<Replayable<Customer> | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.customer(id), ConsistentRead: true }));
  return replayable<Customer>(out.Item);
}

/** All customers, oldest first, a page at a time (GSI3 `CUSTOMERS`). */
export async function listCustomers(limit: number, cursor?: Record<string, unknown>): Promise<{ items: Customer[]; lastKey?: Record<string, unknown> }> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :pk',
      ExpressionAttributeValues: { ':pk': 'CUSTOMERS' },
      Limit: limit,
      ExclusiveStartKey: cursor,
    }),
  );
  return { items: (out.Items ?? []).map((i) => domainEntity<Customer>(i) as Customer), lastKey: out.LastEvaluatedKey };
}

/**
 * Revokes every signed link issued to the customer: bumps `linkVersion` (and `version`, so a profile change that read
 * the customer before cannot write the old link version back). Undefined when there is no such customer.
 */
export async function bumpLinkVersion(id: string): Promise<number | undefined> {
  try {
    const out = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.customer(id),
        UpdateExpression: 'ADD linkVersion :one, version :one',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return (out.Attributes as { linkVersion: number }).linkVersion;
  } catch (error) {
    if (isConditionalFailure(error)) return undefined;
    throw error;
  }
}

/**
 * The customer item's place in the name index (GSI5): set on create and on every profile write, so a renamed
 * customer is found by the new name only; empty when the name normalises to nothing (the item leaves the index).
 */
export function customerNameIndex(customer: Pick<Customer, 'id' | 'name'>): { GSI5PK?: string; GSI5SK?: string } {
  const key = customerNameKey(customer.name);
  return key ? keys.customerName(key.partition, key.sortPrefix, customer.id) : {};
}

export interface NameMatchedCustomer {
  customerId: string;
  name: string;
  kind: NameMatchKind;
}

/** Items read per name-index query (more than returned: a cut name's prefix may also match longer words). */
const NAME_READ_LIMIT = 10;

/**
 * Customers whose name answers one of the queries (domain/party-name.ts `payerNameQueries`), strongest query first,
 * each customer once, at most `max`. Keyed reads of the name index (GSI5), one per query, each of at most
 * NAME_READ_LIMIT items: never a scan.
 */
export async function customersByName(queries: readonly NameQuery[], max: number): Promise<NameMatchedCustomer[]> {
  const out: NameMatchedCustomer[] = [];
  for (const query of queries) {
    if (out.length >= max) break;
    const res = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI5',
        KeyConditionExpression: 'GSI5PK = :pk AND begins_with(GSI5SK, :sk)',
        ExpressionAttributeValues: {
          ':pk': keys.customerName(query.partition, '', '').GSI5PK,
          ':sk': query.kind === 'cut' ? query.name : `${query.name}#`,
        },
        ProjectionExpression: 'id, #n',
        ExpressionAttributeNames: { '#n': 'name' },
        Limit: NAME_READ_LIMIT,
      }),
    );
    for (const item of res.Items ?? []) {
      const { id, name } = item as { id: string; name: string };
      if (out.length >= max || out.some((c) => c.customerId === id) || !nameAnswers(query, name)) continue;
      out.push({ customerId: id, name, kind: query.kind });
    }
  }
  return out;
}

/**
 * Writes the customer's profile as `next` (holds, preferences, terms…), guarded by the version read (`customer`):
 * attributes gone from `next` are removed, the name index (GSI5) follows the name (a renamed customer is found by
 * the new name only). The stored request hash stays. False when the customer changed meanwhile.
 */
export async function updateCustomerRecord(customer: Customer, next: Customer): Promise<boolean> {
  const nameIndex = customerNameIndex(next);
  const { id: _id, ...fields } = { ...next, ...nameIndex, ...customerEmailIndex(next) };
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':ev': customer.version };
  const set: string[] = [];
  const remove: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    names[`#${k}`] = k;
    if (v === undefined) continue;
    set.push(`#${k} = :${k}`);
    values[`:${k}`] = v;
  }
  for (const k of Object.keys(customer)) {
    if (!(k in next) && k !== 'requestHash') {
      remove.push(`#${k}`);
      names[`#${k}`] = k;
    }
  }
  for (const k of Object.keys(names)) if (!set.some((s) => s.startsWith(`${k} `)) && !remove.includes(k)) delete names[k];
  if (!nameIndex.GSI5PK) remove.push('GSI5PK', 'GSI5SK');
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.customer(customer.id),
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: 'version = :ev',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

export { customerItemsPage } from './customer-items.ts';

/**
 * The customer item's place in the e-mail index (GSI1, sparse): set on create and on every profile write, so a
 * changed address is found by the new address only. (Customers created before the index existed carry no key until
 * their next profile write: docs/data-model.md describes the one-off backfill.)
 */
export function customerEmailIndex(customer: Pick<Customer, 'id' | 'email'>): { GSI1PK: string; GSI1SK: string } {
  return keys.customerEmail(normaliseAddress(customer.email), customer.id);
}

/**
 * The customers whose address is `email` (normalised), at most `max`, by id: a keyed read of the e-mail index
 * (GSI1), never a scan. The index is eventually consistent (a customer created a moment ago may be missing).
 */
export async function customersByEmail(email: string, max: number): Promise<Customer[]> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
      ExpressionAttributeValues: { ':pk': keys.customerEmail(normaliseAddress(email), '').GSI1PK, ':sk': 'CUSTOMER#' },
      Limit: max,
    }),
  );
  return (out.Items ?? []).map((i) => domainEntity<Customer>(i) as Customer).filter((c) => normaliseAddress(c.email) === normaliseAddress(email));
}
