/**
 * Promises to pay: the promise item (`PROMISE#<id>`, listed by status in GSI3: open ones by when they were made,
 * kept and broken ones by when they were settled) and the current promise on the invoice item (`invoice.promise`),
 * always changed together, in one transaction with the invoice's version guard and the decision record.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { InvoicePromise } from '../domain/promises.ts';
import { dynamo } from '../adapters/aws.ts';
import { decisionPut, type CollectionsDecision } from './decisions.ts';
import { keys } from './keys.ts';
import { mailPut, type MailMessage } from './mail.ts';
import { outboxPut } from './outbound-events.ts';
import { countQuery, domainEntity, queryPage, tableName, transactWrite, type TransactItems } from './table.ts';
import type { EventEnvelope } from '../domain/events/envelope.ts';

export interface StoredPromise extends InvoicePromise {
  invoiceId: string;
  customerId: string;
  invoiceNumber: string;
  currency: string;
  /** The invoice's balance when the promise was made, minor units. */
  balanceAtPromise: number;
}

function listing(promise: Pick<StoredPromise, 'id' | 'status' | 'madeAt' | 'settledAt'>) {
  return keys.promiseByStatus(promise.status, promise.settledAt ?? promise.madeAt, promise.id);
}

/**
 * Makes a promise: its item (once), the invoice's current promise and its place in the reminder index (the promise's
 * end: the worker settles it then), the confirmation mail, the decision record and the event (promise.made) — guarded
 * by the invoice's version and state (not paid, disputed or escalated). `conflict`: the invoice changed; `duplicate`:
 * the promise exists. Either way nothing is written, the event neither.
 */
export async function commitNewPromise(
  promise: StoredPromise,
  invoice: { id: string; version: number },
  dueAt: { shard: number },
  mail: MailMessage | undefined,
  decision: CollectionsDecision,
  events: readonly EventEnvelope[],
): Promise<'created' | 'duplicate' | 'conflict'> {
  const { invoiceId: _i, customerId: _c, invoiceNumber: _n, currency: _cur, balanceAtPromise: _b, ...onInvoice } = promise;
  const due = keys.dunningDue(dueAt.shard, promise.until, invoice.id);
  const codes = await transactWrite([
    { Put: { TableName: tableName(), Item: { ...keys.promise(promise.id), ...listing(promise), entity: 'promise', ...promise }, ConditionExpression: 'attribute_not_exists(PK)' } },
    {
      Update: {
        TableName: tableName(),
        Key: keys.invoice(invoice.id),
        UpdateExpression: 'SET promise = :p, GSI2PK = :g2pk, GSI2SK = :g2sk, version = :nv',
        ConditionExpression: 'version = :ev AND #st <> :paid AND attribute_not_exists(dispute) AND attribute_not_exists(escalatedAt)',
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':p': onInvoice, ':g2pk': due.GSI2PK, ':g2sk': due.GSI2SK, ':nv': invoice.version + 1, ':ev': invoice.version, ':paid': 'paid' },
      },
    },
    ...(mail ? [{ Put: mailPut(mail) }] : []),
    { Put: decisionPut(decision) },
    outboxPut(events, promise.madeAt),
  ]);
  if (!codes) return 'created';
  return codes[0] === 'ConditionalCheckFailed' ? 'duplicate' : 'conflict';
}

/**
 * The actions that settle a promise (kept or broken) alongside the invoice's own update (which sets
 * `invoice.promise` to `settled` under its version guard): the promise item moves to its new status, and the
 * decision is recorded.
 */
export function promiseSettledActions(settled: InvoicePromise, decision: CollectionsDecision): TransactItems {
  const at = settled.settledAt ?? decision.at;
  const index = listing({ ...settled, settledAt: at });
  return [
    {
      Update: {
        TableName: tableName(),
        Key: keys.promise(settled.id),
        UpdateExpression: 'SET #st = :s, settledAt = :at, GSI3PK = :g3pk, GSI3SK = :g3sk',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':s': settled.status, ':at': at, ':g3pk': index.GSI3PK, ':g3sk': index.GSI3SK },
      },
    },
    { Put: decisionPut(decision) },
  ];
}

export async function getPromise(id: string): Promise<StoredPromise | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.promise(id), ConsistentRead: true }));
  return domainEntity<StoredPromise>(out.Item);
}

/** One page of the promises with a status, newest first (GSI3). */
export async function promisesPage(
  status: InvoicePromise['status'],
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ items: StoredPromise[]; lastKey?: Record<string, unknown> }> {
  const page = await queryPage(
    {
      TableName: tableName(),
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.promiseByStatus(status, '', '').GSI3PK },
      ScanIndexForward: false,
    },
    limit,
    startKey,
  );
  return { items: page.items.map((i) => domainEntity<StoredPromise>(i) as StoredPromise), ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}

/** How many promises were settled with `status` from `from` up to before `before` (ISO instants or date prefixes). */
export async function countPromisesSettled(status: 'kept' | 'broken', from: string, before: string): Promise<number> {
  return countQuery({
    TableName: tableName(),
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': keys.promiseByStatus(status, '', '').GSI3PK, ':from': from, ':to': before },
  });
}
