/**
 * Disputes: the dispute record (`DISPUTE#<id>`, with the hash of the request that opened it) and the invoice it
 * pauses. Opening writes both in one transaction (the invoice leaves the reminder index, its version moves, so a
 * run that read it before cannot commit); resolving writes the resolution, the invoice's balance and state, the
 * credit note's ledger entry and the customer's notice in one transaction.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { InvoiceDispute } from '../domain/collections.ts';
import type { LedgerEntry } from '../domain/ledger.ts';
import { dynamo } from '../adapters/aws.ts';
import { invoiceMoneyUpdate, type InvoiceMoneyChange } from './collections.ts';
import { keys } from './keys.ts';
import { decisionPut, type CollectionsDecision } from './decisions.ts';
import { ledgerPut } from './ledger.ts';
import { mailPut, type MailMessage } from './mail.ts';
import { outboxPut } from './outbound-events.ts';
import { entity, queryAll, replayable, tableName, transactWrite, type Replayable } from './table.ts';
import type { EventEnvelope } from '../domain/events/envelope.ts';

export interface StoredDispute extends InvoiceDispute {
  invoiceId: string;
  customerId: string;
  /** `staffId`: the console member who resolved it (absent when resolved through the admin API). */
  resolution?: { outcome: 'upheld' | 'rejected'; amount?: number; explanation: string; resolvedAt: string; staffId?: string };
}

export async function getDisputeRecord(id: string): Promise<(StoredDispute & { requestHash?: string }) | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.dispute(id), ConsistentRead: true }));
  return entity<StoredDispute & { requestHash?: string }>(out.Item);
}

/** The dispute record with the hash of the request that opened it (for replaying that request). */
export async function getDisputeForReplay(id: string): Promise<Replayable<StoredDispute> | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.dispute(id), ConsistentRead: true }));
  return replayable<StoredDispute>(out.Item);
}

/**
 * Opens a dispute: the record (once) and the invoice's pause (collection stops: out of the reminder index; interest
 * skips disputed invoices), guarded by the invoice being neither paid nor disputed, with its event (dispute.opened)
 * in the outbox. `duplicate`: the record exists already (a concurrent identical request); `conflict`: the invoice
 * changed. Either way nothing is written, the event neither.
 */
export async function commitNewDispute(
  stored: StoredDispute,
  dispute: InvoiceDispute,
  requestHash: string,
  mail: MailMessage | undefined,
  decision: CollectionsDecision | undefined,
  events: readonly EventEnvelope[],
): Promise<'created' | 'duplicate' | 'conflict'> {
  const codes = await transactWrite([
    {
      Put: {
        TableName: tableName(),
        // Listed by when it was opened (GSI3 `DISPUTES`) for the disputes-by-reason report.
        Item: { ...keys.dispute(stored.id), ...keys.disputeListing(stored.openedAt, stored.id), entity: 'dispute', ...stored, requestHash },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    {
      Update: {
        TableName: tableName(),
        Key: keys.invoice(stored.invoiceId),
        // The version moves too: a reminder or interest run that read the invoice before the dispute must not commit.
        // The opening date is also kept after resolution (the prediction model's disputes per invoice).
        UpdateExpression: 'SET dispute = :d, disputesOpenedAt = list_append(if_not_exists(disputesOpenedAt, :none), :opened) ADD version :one REMOVE GSI2PK, GSI2SK',
        ConditionExpression: 'attribute_not_exists(dispute) AND #st <> :paid',
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':d': dispute, ':paid': 'paid', ':one': 1, ':none': [], ':opened': [dispute.openedAt] },
      },
    },
    ...(mail ? [{ Put: mailPut(mail) }] : []),
    ...(decision ? [{ Put: decisionPut(decision) }] : []),
    outboxPut(events, stored.openedAt),
  ]);
  if (!codes) return 'created';
  return codes[0] === 'ConditionalCheckFailed' ? 'duplicate' : 'conflict';
}

/**
 * Resolves a dispute once (guarded by the record having no resolution) with the invoice's change (guarded by its
 * version), the credit note's entry, the notice and the event (dispute.resolved). Undefined when written; else the
 * cancellation codes.
 */
export async function commitDisputeResolution(
  resolved: StoredDispute & { resolution: NonNullable<StoredDispute['resolution']> },
  invoiceChange: InvoiceMoneyChange,
  entry: LedgerEntry | undefined,
  mail: MailMessage | undefined,
  events: readonly EventEnvelope[],
): Promise<string[] | undefined> {
  return transactWrite([
    {
      // An update of the record's own fields: it keeps the listing keys (GSI3 `DISPUTES`, the disputes-by-reason
      // report), which a Put of the record read would drop; a chargeback's pause, which has no record yet, gets one.
      Update: { TableName: tableName(), Key: keys.dispute(resolved.id), ...setFields({ entity: 'dispute', ...resolved }), ConditionExpression: 'attribute_not_exists(resolution)' },
    },
    { Update: invoiceMoneyUpdate(invoiceChange) },
    ...(entry ? [{ Put: ledgerPut(entry) }] : []),
    ...(mail ? [{ Put: mailPut(mail) }] : []),
    outboxPut(events, resolved.resolution.resolvedAt),
  ]);
}

/** `SET` of each field of a record (undefined ones left out), with placeholder names and values. */
function setFields(record: Record<string, unknown>) {
  const entries = Object.entries(record).filter(([, v]) => v !== undefined);
  return {
    UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
    ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:f${i}`, v])),
  };
}

/** Customer disputes opened from `from` up to before `before` (ISO instants or date prefixes), by reason code. */
export async function disputeReasonsBetween(from: string, before: string): Promise<Record<string, number>> {
  const items = await queryAll({
    TableName: tableName(),
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': keys.disputeListing('', '').GSI3PK, ':from': from, ':to': before },
    ProjectionExpression: 'reasonCode',
  });
  const counts: Record<string, number> = {};
  for (const item of items) {
    const code = typeof item.reasonCode === 'string' ? item.reasonCode : 'other';
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}
