import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Invoice, InvoiceStatus, AppliedPayment } from '../domain/invoice.ts';
import type { LedgerEntry } from '../domain/ledger.ts';
import { dynamo } from '../adapters/aws.ts';
import { keys, openAmountPrefix, type ScheduleKind } from './keys.ts';
import { domainEntity, entity, replayable, tableName, transactWrite, type Replayable } from './table.ts';
import { mailPut, type MailMessage } from './mail.ts';
import { ledgerPut } from './ledger.ts';
import { setNextAction } from './due-index.ts';
import { outboxPut } from './outbound-events.ts';
import type { EventEnvelope } from '../domain/events/envelope.ts';

export function invoiceItem(invoice: Invoice): Record<string, unknown> {
  return {
    ...keys.invoice(invoice.id),
    ...keys.invoiceByCustomer(invoice.customerId, invoice.status, invoice.dueDate, invoice.id),
    ...keys.invoiceByStatus(invoice.status, invoice.dueDate, invoice.id),
    ...openAmountKeys(invoice),
    entity: 'invoice',
    ...invoice,
  };
}

/** The invoice's place in the amount index (GSI4): only while something is owed (GSI4SK absent = not indexed). */
function openAmountKeys(invoice: Invoice): Record<string, string> {
  const index = keys.openAmount(invoice.currency, invoice.balanceDue, invoice.dueDate, invoice.id);
  return invoice.balanceDue > 0 ? index : { GSI4PK: index.GSI4PK };
}

export type CreateInvoiceResult = 'created' | 'exists' | 'duplicate_number' | 'duplicate_reference' | 'no_customer';

export interface InvoiceSchedule {
  shard: number;
  /** First instant the dunning worker looks at the invoice (next-action index). */
  dunningAt: string;
  /** First local date the interest sweep has something to do (interest or a late fee), if the terms have any. */
  interestOn?: string;
}

export function schedulePut(kind: ScheduleKind, invoice: Pick<Invoice, 'id' | 'customerId'>, shard: number, date: string) {
  return {
    TableName: tableName(),
    Item: {
      ...keys.schedule(invoice.id, kind),
      ...keys.scheduleDue(kind, shard, date, invoice.id),
      entity: 'schedule',
      kind,
      invoiceId: invoice.id,
      customerId: invoice.customerId,
      on: date,
    },
  };
}

/** The ledger entry an invoice's issue books (receivable +, on its issue date): new invoices and imported ones. */
export function invoiceIssuedEntry(invoice: Invoice): LedgerEntry {
  return {
    id: `${invoice.id}#issued`,
    customerId: invoice.customerId,
    account: 'receivable',
    type: 'invoice_issued',
    amount: invoice.total,
    currency: invoice.currency,
    invoiceId: invoice.id,
    bookedAt: `${invoice.issueDate}T00:00:00.000Z`,
  };
}

/**
 * One transaction: the invoice, its unique number, its unique payment reference, the `invoice_issued` ledger entry,
 * the event announcing it (invoice.issued, in the outbox), and a check that the customer exists. Either all of it is
 * written or none: a replay or a concurrent duplicate fails on the invoice's own guard, so the event is never written
 * twice.
 */
export async function createInvoice(invoice: Invoice, requestHash: string, events: readonly EventEnvelope[], schedule?: InvoiceSchedule): Promise<CreateInvoiceResult> {
  const entry = invoiceIssuedEntry(invoice);
  const TableName = tableName();
  const codes = await transactWrite([
    {
      Put: {
        TableName,
        Item: {
          ...invoiceItem(invoice),
          ...(schedule ? keys.dunningDue(schedule.shard, schedule.dunningAt, invoice.id) : {}),
          requestHash,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    {
      Put: {
        TableName,
        Item: { ...keys.invoiceNumber(invoice.number), entity: 'invoice_number', invoiceId: invoice.id },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    {
      Put: {
        TableName,
        Item: { ...keys.reference(invoice.paymentReference), entity: 'reference', invoiceId: invoice.id },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    { Put: ledgerPut(entry) },
    ...(schedule?.interestOn ? [{ Put: schedulePut('interest', invoice, schedule.shard, schedule.interestOn) }] : []),
    outboxPut(events, invoice.createdAt),
    {
      ConditionCheck: {
        TableName,
        Key: keys.customer(invoice.customerId),
        ConditionExpression: 'attribute_exists(PK)',
      },
    },
  ]);
  if (!codes) return 'created';
  if (codes[0] === 'ConditionalCheckFailed') return 'exists';
  if (codes[1] === 'ConditionalCheckFailed') return 'duplicate_number';
  if (codes[2] === 'ConditionalCheckFailed') return 'duplicate_reference';
  if (codes.at(-1) === 'ConditionalCheckFailed') return 'no_customer';
  throw new Error(`transaction cancelled: ${codes.join(', ')}`);
}

/** Next value of a named counter (atomic ADD). */
export async function nextSequence(name: string): Promise<number> {
  const out = await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.counter(name),
      UpdateExpression: 'ADD #v :one',
      ExpressionAttributeNames: { '#v': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(out.Attributes?.value);
}

export async function getInvoice(id: string): Promise<Invoice | undefined> {
  return (await getInvoiceForReplay(id))?.entity;
}

/** The invoice with the hash of the request that issued it (for replaying that request). */
export async function getInvoiceForReplay(id: string): Promise<Replayable<Invoice> | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.invoice(id), ConsistentRead: true }));
  return replayable<Invoice>(out.Item);
}

export async function getInvoiceIdByReference(reference: string): Promise<string | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.reference(reference) }));
  return out.Item?.invoiceId as string | undefined;
}

/** The invoice that carries `number` (its uniqueness item `INVOICE_NUMBER#<number>`, a keyed read). */
export async function getInvoiceIdByNumber(number: string): Promise<string | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.invoiceNumber(number) }));
  return out.Item?.invoiceId as string | undefined;
}

export async function getAppliedPayments(invoiceId: string): Promise<AppliedPayment[]> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': keys.invoice(invoiceId).PK, ':sk': 'ALLOCATION#' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => ({
    paymentId: i.paymentId as string,
    amount: i.amount as number,
    appliedAt: i.appliedAt as string,
  }));
}

export interface InvoicePage {
  items: Invoice[];
  nextCursor?: string;
}

/** Lists invoices by customer (GSI1) or by status (GSI3), oldest due date first, paginated. */
export async function listInvoices(
  filter: { customerId?: string; status?: InvoiceStatus },
  limit: number,
  cursor?: Record<string, unknown>,
): Promise<{ items: Invoice[]; lastKey?: Record<string, unknown> }> {
  const byCustomer = filter.customerId !== undefined;
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: byCustomer ? 'GSI1' : 'GSI3',
      KeyConditionExpression: byCustomer
        ? filter.status
          ? 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)'
          : 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)'
        : 'GSI3PK = :pk',
      ExpressionAttributeValues: byCustomer
        ? filter.status
          ? { ':pk': `CUSTOMER#${filter.customerId}`, ':sk': `INVOICE#${filter.status}#` }
          : { ':pk': `CUSTOMER#${filter.customerId}`, ':prefix': 'INVOICE#' }
        : { ':pk': `INVOICE_STATUS#${filter.status}` },
      Limit: limit,
      ExclusiveStartKey: cursor,
    }),
  );
  return { items: (out.Items ?? []).map((i) => domainEntity<Invoice>(i) as Invoice), lastKey: out.LastEvaluatedKey };
}

export interface AmountIndexQuery {
  currency: string;
  amount: number;
  /** Balances considered, inclusive (see nearAmountWindow in shared/domain/matching.ts). */
  min: number;
  max: number;
  /** Calendar date the money arrived: among invoices with exactly the amount, those due nearest to it are read. */
  aroundDate: string;
  /** Items per direction (exact on/after the date, exact before it, nearest below, nearest above). */
  perSide: number;
}

/**
 * Open invoices of any customer whose balance is within [min, max], from the sparse amount index (GSI4), bounded to
 * 4 × perSide items: with exactly the amount, the nearest due dates on both sides of `aroundDate`; otherwise the
 * nearest balances below and above. Four small queries on one partition (the currency); read cost does not grow
 * with the portfolio.
 */
export async function openInvoicesNearAmount(q: AmountIndexQuery): Promise<Invoice[]> {
  const exact = openAmountPrefix(q.amount);
  const range = (from: string, to: string, forward: boolean) =>
    dynamo()
      .send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: 'GSI4',
          KeyConditionExpression: 'GSI4PK = :pk AND GSI4SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `OPEN_AMOUNT#${q.currency}`, ':from': from, ':to': to },
          ScanIndexForward: forward,
          Limit: q.perSide,
        }),
      )
      .then((out) => out.Items ?? []);
  const pages = await Promise.all([
    range(`${exact}${q.aroundDate}`, `${exact}~`, true),
    range(exact, `${exact}${q.aroundDate}`, false),
    ...(q.min < q.amount ? [range(openAmountPrefix(q.min), exact, false)] : []),
    ...(q.max > q.amount ? [range(openAmountPrefix(q.amount + 1), openAmountPrefix(q.max + 1), true)] : []),
  ]);
  const seen = new Set<string>();
  const invoices: Invoice[] = [];
  for (const item of pages.flat()) {
    const invoice = entity<Invoice>(item);
    if (!invoice || seen.has(invoice.id) || invoice.balanceDue <= 0) continue;
    seen.add(invoice.id);
    invoices.push(invoice);
  }
  return invoices;
}

/**
 * Grants an extension: the new due date on the invoice, which re-enters the reminder index at `dueAt` (the ladder
 * starts over from the new date: only steps due from now on are sent), its escalation schedule dropped, and the
 * confirmation mail, in one transaction guarded by the version read and the invoice not being escalated.
 */
export async function commitExtension(
  invoice: Pick<Invoice, 'id' | 'customerId' | 'version'>,
  extension: NonNullable<Invoice['extension']>,
  dueAt: { shard: number; at: string },
  mail: MailMessage | undefined,
): Promise<boolean> {
  const due = keys.dunningDue(dueAt.shard, dueAt.at, invoice.id);
  const codes = await transactWrite([
    {
      Update: {
        TableName: tableName(),
        Key: keys.invoice(invoice.id),
        UpdateExpression: 'SET extension = :x, GSI2PK = :pk, GSI2SK = :sk, version = :nv REMOVE lastStepSent',
        ConditionExpression: 'version = :ev AND attribute_not_exists(escalatedAt)',
        ExpressionAttributeValues: { ':x': extension, ':pk': due.GSI2PK, ':sk': due.GSI2SK, ':ev': invoice.version, ':nv': invoice.version + 1 },
      },
    },
    { Delete: { TableName: tableName(), Key: keys.schedule(invoice.id, 'escalation') } },
    ...(mail ? [{ Put: mailPut(mail) }] : []),
  ]);
  return !codes;
}

/** Brings an unpaid invoice to the reminder worker at `dueAt` (it re-decides); a paid or missing invoice is left alone. */
export async function remindAt(invoiceId: string, dueAt: { shard: number; at: string }): Promise<void> {
  await setNextAction(keys.invoice(invoiceId), invoiceId, dueAt, {
    expression: 'attribute_exists(PK) AND #st <> :paid',
    names: { '#st': 'status' },
    values: { ':paid': 'paid' },
  });
}
