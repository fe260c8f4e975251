/**
 * Events out through the local stack: the local bus records what left (GET /local/events), the outbox relay publishes
 * what committed, and nothing else.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { publishEvents } from '../../shared/adapters/events.ts';
import { eventId, type EventEnvelope } from '../../shared/domain/events/envelope.ts';
import { getOutboxRecord, outboxPut } from '../../shared/store/outbound-events.ts';
import { tableName, transactWrite } from '../../shared/store/table.ts';
import { publishedEvents, waitForEvents } from '../support/events.ts';
import { api, eventually, newCustomer, newInvoice, stack, unique } from '../support/stack.ts';

function envelope(customerId: string | null, key: string, type: EventEnvelope['type'] = 'invoice.issued'): EventEnvelope {
  return { id: eventId(type, key), type, version: 1, occurredAt: '2026-11-01T10:00:00.000Z', customerId, data: { key } };
}

describe('the local bus (GET /local/events)', () => {
  it('lists every publication in order, a re-publication twice with the same id, filtered by customer, type and time', async () => {
    const customer = unique('cus');
    const other = unique('cus');
    const before = new Date(Date.now() - 1000).toISOString();
    const a = envelope(customer, unique('a'));
    const b = envelope(customer, unique('b'), 'invoice.paid');
    const c = envelope(other, unique('c'));
    // Published from this process (as the crash tests' functions do): the stack's route lists them all the same.
    await publishEvents([a, b], new Date());
    await publishEvents([c], new Date());
    await publishEvents([a], new Date());

    const mine = await waitForEvents({ customerId: customer }, (events) => events.length === 3);
    expect(mine.map((e) => e.id)).toEqual([a.id, b.id, a.id]);
    expect(mine[0]).toMatchObject({ ...a, publishedAt: expect.any(String) });
    expect((await publishedEvents({ customerId: customer, type: 'invoice.paid' })).map((e) => e.id)).toEqual([b.id]);
    expect((await publishedEvents({ customerId: other })).map((e) => e.id)).toEqual([c.id]);
    expect((await publishedEvents({ customerId: customer, since: new Date(Date.now() + 60_000).toISOString() })).length).toBe(0);
    // Without a customer: every publication since a time, in order (other test files publish too: filter by ours).
    const all = (await publishedEvents({ since: before })).filter((e) => e.customerId === customer || e.customerId === other);
    expect(all.map((e) => e.id)).toEqual([a.id, b.id, c.id, a.id]);
  });

  it('refuses a since that is not a date-time, naming the field', async () => {
    const res = await fetch(`${stack.apiUrl}/local/events?since=yesterday`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe('since');
  });
});

describe('the outbox relay (table stream → events function)', () => {
  it('publishes a committed record once, with its envelope ids, and marks it published', async () => {
    const customer = unique('cus');
    const a = envelope(customer, unique('a'));
    // An empty map in the data (DynamoDB Local's stream writes it as `{}`: local/streams.ts repairs it).
    const b = { ...envelope(customer, unique('b'), 'invoice.paid'), data: { totals: {} } };
    const at = new Date().toISOString();
    const put = outboxPut([a, b], at);
    // The change and its record in one transaction (here the change is a marker item of the test's own).
    expect(await transactWrite([{ Put: { TableName: tableName(), Item: { PK: `TEST#${customer}`, SK: 'CHANGE' } } }, put])).toBeUndefined();

    const published = await waitForEvents({ customerId: customer }, (events) => events.length >= 2);
    expect(published.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(published[0]).toMatchObject({ type: 'invoice.issued', data: a.data, occurredAt: a.occurredAt });
    const record = await eventually(async () => {
      const r = await getOutboxRecord(put.Put.Item.id);
      return r?.status === 'published' ? r : undefined;
    }, 5000, 'the record marked published');
    expect(record.publishedAt).toBeTruthy();
  });
});

describe('what the writers publish', () => {
  it('an invoice issued and paid by check: each event once, each valid against its schema in docs/events/', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 4200 });
    const paid = await api(
      'POST',
      '/payments',
      { customerId: customer.id, method: 'check', reference: 'CHK-7', amount: 4200, currency: 'EUR', receivedDate: '2026-11-20', allocations: [{ invoiceId: invoice.id, amount: 4200 }] },
      { 'idempotency-key': unique('idem') },
    );
    expect(paid.status).toBe(201);
    const events = await waitForEvents({ customerId: customer.id }, (list) => ['invoice.issued', 'payment.applied', 'invoice.paid'].every((t) => list.some((e) => e.type === t)));
    expect(new Set(events.map((e) => e.id)).size, 'one publication per event').toBe(events.length);
    expect(events.find((e) => e.type === 'invoice.paid')?.data).toMatchObject({ invoiceId: invoice.id });

    // The documented schemas, applied by a JSON Schema 2020-12 validator, as a consumer would.
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    for (const { publishedAt: _at, ...envelope } of events) {
      const validate = ajv.getSchema(`urn:collections:events:${envelope.type}:v${envelope.version}`) ??
        ajv.compile(JSON.parse(readFileSync(`docs/events/${envelope.type}.v${envelope.version}.json`, 'utf8')) as object);
      expect(validate(envelope), `${envelope.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(envelope.customerId).toBe(customer.id);
      // A correlation id on every event: the request's that made the change.
      expect(envelope.correlationId).toBeTruthy();
    }
  });
});
