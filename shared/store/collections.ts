/**
 * Persistence of the collections engine: reading the due slice of the sparse next-action indexes, and committing a
 * run's decisions (reminder mail + invoice ladder state, interest postings, escalations) each in one transaction
 * guarded by the state the decision was made on.
 */
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { InterestAccrual, IndexUpdate } from '../domain/collections.ts';
import type { Invoice } from '../domain/invoice.ts';
import type { LedgerEntry } from '../domain/ledger.ts';
import { dynamo } from '../adapters/aws.ts';
import { duePartition, keys, openAmountSortKey, type ScheduleKind, type SweepKind } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import { mailPut, type MailMessage } from './mail.ts';
import { customerItemsPage } from './customers.ts';
import { schedulePut } from './invoices.ts';
import { entity, isConditionalFailure, queryAll, tableName, transactWrite, writeOutcome, type TransactItems } from './table.ts';

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
      ExpressionAttributeValues: { ':pk': duePartition(kind, shard), ':upTo': `${upTo}#~` },
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

function dunningUpdate(update: IndexUpdate, shard: number, now: string) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':ev': update.expectedVersion };
  const set: string[] = [];
  const remove: string[] = [];
  if (update.sentStep) {
    set.push('lastStepSent = :step', 'lastStepAt = :now');
    values[':step'] = update.sentStep;
    values[':now'] = now;
  }
  if (update.nextActionAt) {
    const due = keys.dunningDue(shard, update.nextActionAt, update.invoiceId);
    set.push('GSI2PK = :g2pk', 'GSI2SK = :g2sk');
    values[':g2pk'] = due.GSI2PK;
    values[':g2sk'] = due.GSI2SK;
  } else {
    remove.push('GSI2PK', 'GSI2SK');
  }
  let condition = 'version = :ev';
  if (update.expectedLastStep === undefined) condition += ' AND attribute_not_exists(lastStepSent)';
  else {
    condition += ' AND lastStepSent = :last';
    values[':last'] = update.expectedLastStep;
  }
  return {
    TableName: tableName(),
    Key: keys.invoice(update.invoiceId),
    UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : ''].join(' ').trim(),
    ConditionExpression: condition,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
  };
}

/**
 * A customer's dunning run in one transaction: the reminder mail (once, by its key), each invoice's new ladder state
 * and next-action time (each conditional on the version and last step the decision was made on), and after a final
 * notice the invoice's escalation marker. 'conflict': something changed meanwhile — decide again.
 */
export interface Letter {
  date: string;
  customerId: string;
  mailKey: string;
  address: string[];
  subject: string;
  text: string;
  createdAt: string;
}

export async function commitDunning(
  shard: number,
  updates: readonly IndexUpdate[],
  mail: MailMessage | undefined,
  now: Date,
  letter?: Letter,
): Promise<'committed' | 'conflict' | 'duplicate'> {
  const at = now.toISOString();
  const actions: TransactItems = [];
  if (mail) actions.push({ Put: mailPut(mail) });
  if (letter) actions.push({ Put: { TableName: tableName(), Item: { ...keys.letter(letter.date, letter.customerId, letter.mailKey), entity: 'letter', ...letter } } });
  for (const u of updates) {
    actions.push({ Update: dunningUpdate(u, shard, at) });
    if (u.escalateOn) {
      actions.push({ Put: schedulePut('escalation', { id: u.invoiceId, customerId: mail?.customerId ?? '' }, shard, u.escalateOn) });
    }
  }
  if (actions.length === 0) return 'committed';
  const codes = await transactWrite(actions);
  if (!codes) return 'committed';
  // Only the mail is an idempotency guard here; without one, any failed condition means "decide again".
  const outcome = writeOutcome(mail ? codes : ['None', ...codes]);
  return outcome === 'written' ? 'committed' : outcome;
}

function statusKeys(invoice: Pick<Invoice, 'customerId' | 'dueDate' | 'id'>, status: Invoice['status']) {
  return {
    ...keys.invoiceByCustomer(invoice.customerId, status, invoice.dueDate, invoice.id),
    ...keys.invoiceByStatus(status, invoice.dueDate, invoice.id),
  };
}

export interface InvoiceMoneyChange {
  invoice: Invoice;
  /** Signed change of the balance (interest/fee +, credit note −). */
  delta: number;
  newStatus: Invoice['status'];
  set: Partial<Pick<Invoice, 'charges' | 'credited' | 'lateFeeCharged' | 'lastStepSent'>> & { accrual?: InterestAccrual };
  /** Bring the invoice to the dunning worker at this instant (omit: leave the index as it is; null: leave it). */
  dunningAt?: string | null;
  /** Clear these attributes (e.g. `dispute`, `lastStepSent`). */
  remove?: string[];
  shard: number;
}

/** The invoice update for a money change (interest, fee, credit note), guarded by the version read. */
export function invoiceMoneyUpdate(change: InvoiceMoneyChange) {
  const { invoice } = change;
  const status = statusKeys(invoice, change.newStatus);
  const values: Record<string, unknown> = {
    ':nb': invoice.balanceDue + change.delta,
    ':ns': change.newStatus,
    ':nv': invoice.version + 1,
    ':ev': invoice.version,
    ':g1sk': status.GSI1SK,
    ':g3pk': status.GSI3PK,
    ':g3sk': status.GSI3SK,
  };
  const set = ['balanceDue = :nb', '#st = :ns', 'version = :nv', 'GSI1SK = :g1sk', 'GSI3PK = :g3pk', 'GSI3SK = :g3sk'];
  for (const [k, v] of Object.entries(change.set)) {
    if (v === undefined) continue;
    set.push(`${k} = :${k}`);
    values[`:${k}`] = v;
  }
  const remove = [...(change.remove ?? [])];
  // The amount index (GSI4): the new balance is the invoice's place; a paid invoice leaves it.
  const newBalance = invoice.balanceDue + change.delta;
  if (newBalance > 0) {
    set.push('GSI4SK = :g4sk');
    values[':g4sk'] = openAmountSortKey(newBalance, invoice.dueDate, invoice.id);
  } else {
    remove.push('GSI4SK');
  }
  if (change.dunningAt) {
    const due = keys.dunningDue(change.shard, change.dunningAt, invoice.id);
    set.push('GSI2PK = :g2pk', 'GSI2SK = :g2sk');
    values[':g2pk'] = due.GSI2PK;
    values[':g2sk'] = due.GSI2SK;
  } else if (change.dunningAt === null || change.newStatus === 'paid') {
    remove.push('GSI2PK', 'GSI2SK');
  }
  return {
    TableName: tableName(),
    Key: keys.invoice(invoice.id),
    UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${[...new Set(remove)].join(', ')}` : ''}`,
    ConditionExpression: 'version = :ev',
    ExpressionAttributeNames: { '#st': 'status' },
    ExpressionAttributeValues: values,
  };
}

/**
 * One invoice's interest run: the invoice (accrual state, charges, balance — version-guarded), the ledger postings
 * (each once by its key) and the invoice's place in the interest index. 'conflict': decide again.
 */
export async function commitInterest(
  change: InvoiceMoneyChange,
  ledger: readonly LedgerEntry[],
  nextOn: string | null,
): Promise<'committed' | 'conflict'> {
  const schedule = keys.schedule(change.invoice.id, 'interest');
  const actions: TransactItems = [
    { Update: invoiceMoneyUpdate(change) },
    ...ledger.map((e) => ({ Put: ledgerPut(e) })),
    nextOn
      ? { Put: schedulePut('interest', change.invoice, change.shard, nextOn) }
      : { Delete: { TableName: tableName(), Key: schedule } },
  ];
  const outcome = writeOutcome(await transactWrite(actions).then((codes) => (codes ? ['None', ...codes] : codes)));
  return outcome === 'written' ? 'committed' : 'conflict';
}

/** Moves or removes a schedule marker without touching the invoice. */
export async function reschedule(kind: ScheduleKind, invoice: Pick<Invoice, 'id' | 'customerId'>, shard: number, on: string | null) {
  if (on) await dynamo().send(new PutCommand(schedulePut(kind, invoice, shard, on)));
  else await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: keys.schedule(invoice.id, kind) }));
}

export interface OutgoingEvent {
  id: string;
  customerId: string;
  detailType: string;
  source: string;
  detail: Record<string, unknown>;
  createdAt: string;
  status: 'pending' | 'published';
  publishedId?: string;
}

export function outEventPut(event: OutgoingEvent) {
  return {
    TableName: tableName(),
    Item: { ...keys.outEvent(event.customerId, event.id), ...keys.outEventPending(event.createdAt), entity: 'out_event', ...event },
    ConditionExpression: 'attribute_not_exists(PK)',
  };
}

/**
 * The most invoices one escalation transaction takes: 1 event + 2 actions per invoice stays under DynamoDB's 100
 * actions (and far under 4 MB). The service escalates more in several groups.
 */
export const ESCALATIONS_PER_COMMIT = 40;

/**
 * Escalation of up to ESCALATIONS_PER_COMMIT of a customer's invoices in one transaction: each invoice marked
 * escalated (version-guarded) and brought to the reminder worker, which tells the customer in their business hours;
 * their escalation markers removed; the `collections.escalated` event (outbox) listing them.
 */
export async function commitEscalation(
  invoices: readonly Invoice[],
  event: OutgoingEvent,
  shard: number,
  now: Date,
): Promise<'committed' | 'conflict' | 'duplicate'> {
  const actions: TransactItems = [{ Put: outEventPut(event) }];
  for (const invoice of invoices) {
    const due = keys.dunningDue(shard, now.toISOString(), invoice.id);
    actions.push({
      Update: {
        TableName: tableName(),
        Key: keys.invoice(invoice.id),
        UpdateExpression: 'SET escalatedAt = :now, GSI2PK = :pk, GSI2SK = :sk',
        ConditionExpression: 'version = :ev AND attribute_not_exists(escalatedAt) AND attribute_not_exists(planId) AND attribute_not_exists(dispute)',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':ev': invoice.version, ':pk': due.GSI2PK, ':sk': due.GSI2SK },
      },
    });
    actions.push({ Delete: { TableName: tableName(), Key: keys.schedule(invoice.id, 'escalation') } });
  }
  const outcome = writeOutcome(await transactWrite(actions));
  return outcome === 'written' ? 'committed' : outcome;
}

export async function markEventPublished(event: Pick<OutgoingEvent, 'customerId' | 'id'>, publishedId: string, now: Date): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.outEvent(event.customerId, event.id),
      UpdateExpression: 'SET #s = :p, publishedId = :pid, publishedAt = :now REMOVE GSI2PK, GSI2SK',
      ConditionExpression: '#s = :pending',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':p': 'published', ':pid': publishedId, ':now': now.toISOString(), ':pending': 'pending' },
    }),
  ).catch((error: unknown) => {
    if (!isConditionalFailure(error)) throw error;
  });
}

/** Events not yet published (sparse GSI2), oldest first. */
export async function pendingEvents(limit: number): Promise<OutgoingEvent[]> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': 'OUTEVENT#PENDING' },
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map((i) => entity<OutgoingEvent>(i) as OutgoingEvent);
}

/** One page of the events sent downstream about a customer (outbox items, `EVENT#<id>` order). */
export async function customerEventsPage(
  customerId: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ items: OutgoingEvent[]; lastKey?: Record<string, unknown> }> {
  return customerItemsPage<OutgoingEvent>(customerId, 'EVENT#', limit, startKey);
}

/** The letters written on a day (the print run), in customer order. */
export async function lettersOf(date: string): Promise<Letter[]> {
  const items = await queryAll({ TableName: tableName(), KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `LETTERS#${date}` } });
  return items.map((item) => entity<Letter>(item) as Letter);
}
