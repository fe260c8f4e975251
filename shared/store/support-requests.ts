/**
 * Customers' questions from the portal: one item per request on the customer (`SUPPORT#<id>`), listed for staff in
 * GSI3 `SUPPORT_REQUESTS` by when it was asked. Written once (by id) with its acknowledgement mail.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import { keys } from './keys.ts';
import { customerItemsPage } from './customers.ts';
import { mailPut, type MailMessage } from './mail.ts';
import { domainEntity, queryPage, tableName, transactWrite } from './table.ts';

export interface SupportRequest {
  id: string;
  customerId: string;
  subject: string;
  message: string;
  invoiceId?: string;
  /** The invoice's number, for the customer's and staff's lists. */
  invoiceNumber?: string;
  status: 'open';
  createdAt: string;
  source: 'portal';
}

/** Stores the request and its acknowledgement once; false when a request with this id exists already. */
export async function commitSupportRequest(request: SupportRequest, mail: MailMessage | undefined): Promise<boolean> {
  const codes = await transactWrite([
    {
      Put: {
        TableName: tableName(),
        Item: { ...keys.supportRequest(request.customerId, request.id), ...keys.supportRequestListing(request.createdAt, request.id), entity: 'support_request', ...request },
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
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.supportRequest(customerId, id), ConsistentRead: true }));
  return domainEntity<SupportRequest>(out.Item);
}

/** A page of every customer's requests, newest first (GSI3); `status` filters (pages may then hold fewer items). */
export async function supportRequestsPage(status: SupportRequest['status'] | undefined, limit: number, startKey?: Record<string, unknown>) {
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
  return { items: page.items.map((i) => domainEntity<SupportRequest>(i) as SupportRequest), ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}

/** A customer's own requests (at most `max`), newest first. */
export async function customerSupportRequests(customerId: string, max = 50): Promise<SupportRequest[]> {
  const out: SupportRequest[] = [];
  let key: Record<string, unknown> | undefined;
  do {
    const page = await customerItemsPage<SupportRequest>(customerId, 'SUPPORT#', 100, key);
    out.push(...page.items);
    key = page.lastKey;
  } while (key && out.length < 500);
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, max);
}
