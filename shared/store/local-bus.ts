/**
 * The local event bus (EVENT_BUS_NAME=`local`; there is no EventBridge emulator): every publication of an envelope is
 * recorded as an item in the table, so it is seen whichever process published it — the stack's own process (the
 * relay triggered by the stream poller) or a test process running a function itself (the crash tests). One item per
 * publication, not per event: a re-publication (stream retry, the sweep racing the stream) appears twice with the
 * same envelope id, exactly as EventBridge would deliver it twice.
 *
 * Local only: never written in AWS. Items expire after a week so a kept `.data/` does not grow without end.
 *   PK `LOCALBUS#<customerId | ->`, SK `<publishedAt>#<seq>` — one customer's publications in order;
 *   GSI3 `LOCALBUS` / `<publishedAt>#<seq>` — all publications in order (GET /local/events without a customer).
 */
import { randomBytes } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import type { EventEnvelope } from '../domain/events/envelope.ts';
import { queryAll, tableName } from './table.ts';

export interface LocalPublication extends EventEnvelope {
  /** When the local bus received it (ISO 8601). */
  publishedAt: string;
}

export interface LocalPublicationFilter {
  customerId?: string;
  type?: string;
  /** Publications at or after this instant (ISO 8601). */
  since?: string;
}

const KEEP_SECONDS = 7 * 24 * 3600;
const NO_CUSTOMER = '-';
// Publications in one millisecond keep their order within a process; the random part keeps two processes apart.
const processTag = randomBytes(3).toString('hex');
let seq = 0;

/** Records one publication of each envelope, in the order given (BatchWrite: 25 items a request). */
export async function recordLocalPublications(events: readonly EventEnvelope[], now: Date): Promise<void> {
  const publishedAt = now.toISOString();
  const expiresAt = Math.floor(now.getTime() / 1000) + KEEP_SECONDS;
  const items = events.map((event) => {
    seq += 1;
    const sk = `${publishedAt}#${String(seq).padStart(9, '0')}#${processTag}`;
    return {
      PK: `LOCALBUS#${event.customerId ?? NO_CUSTOMER}`,
      SK: sk,
      GSI3PK: 'LOCALBUS',
      GSI3SK: sk,
      entity: 'local_publication',
      publishedAt,
      event,
      expiresAt,
    };
  });
  for (let i = 0; i < items.length; i += 25) {
    let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const out = await dynamo().send(new BatchWriteCommand({ RequestItems: { [tableName()]: pending } }));
      pending = (out.UnprocessedItems?.[tableName()] ?? []) as typeof pending;
    }
  }
}

/** The publications matching the filter, in publication order (at most `max`). */
export async function localPublications(filter: LocalPublicationFilter, max = 5000): Promise<LocalPublication[]> {
  const byCustomer = filter.customerId !== undefined;
  const names: Record<string, string> = { '#pk': byCustomer ? 'PK' : 'GSI3PK' };
  const values: Record<string, unknown> = { ':pk': byCustomer ? `LOCALBUS#${filter.customerId}` : 'LOCALBUS' };
  let condition = '#pk = :pk';
  if (filter.since) {
    names['#sk'] = byCustomer ? 'SK' : 'GSI3SK';
    values[':since'] = filter.since;
    condition += ' AND #sk >= :since';
  }
  const items = await queryAll(
    {
      TableName: tableName(),
      ...(byCustomer ? {} : { IndexName: 'GSI3' }),
      KeyConditionExpression: condition,
      ...(filter.type ? { FilterExpression: '#event.#type = :type' } : {}),
      ExpressionAttributeNames: { ...names, ...(filter.type ? { '#event': 'event', '#type': 'type' } : {}) },
      ExpressionAttributeValues: { ...values, ...(filter.type ? { ':type': filter.type } : {}) },
    },
    max,
  );
  return items.map((i) => ({ ...(i.event as EventEnvelope), publishedAt: i.publishedAt as string }));
}
