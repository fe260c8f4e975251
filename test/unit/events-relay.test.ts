/**
 * The pieces of the outbox relay that need no emulator: the stream filter as the local runtime applies it (the same
 * patterns CDK gives Lambda), and the EventBridge adapter's batching — there is no EventBridge emulator, so its client
 * is stubbed here to see the requests and to refuse entries as EventBridge can.
 */
import { PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { matchesPattern, repairImage } from '../../local/streams.ts';
import { EventTooLargeError, eventBridge, publishEvents, PUT_EVENTS_MAX_ENTRIES } from '../../shared/adapters/events.ts';
import { EVENT_SOURCE, eventId, type EventEnvelope } from '../../shared/domain/events/envelope.ts';
import { functionByName, type StreamTrigger } from '../../shared/topology.ts';

const trigger = functionByName('events').triggers.find((t): t is StreamTrigger => t.type === 'stream')!;
const passes = (record: unknown) => trigger.filterPatterns.some((p) => matchesPattern(p, record));

describe('the relay trigger filter (Lambda filter criteria, as local/streams.ts applies them)', () => {
  const image = (entity: string) => ({ PK: { S: 'X' }, SK: { S: 'Y' }, entity: { S: entity } });

  it('lets through inserts of outbox records only', () => {
    expect(passes({ eventName: 'INSERT', dynamodb: { NewImage: image('outbox') } })).toBe(true);
    expect(passes({ eventName: 'MODIFY', dynamodb: { NewImage: image('outbox') } }), 'marking published').toBe(false);
    expect(passes({ eventName: 'REMOVE', dynamodb: {} })).toBe(false);
    expect(passes({ eventName: 'INSERT', dynamodb: { NewImage: image('invoice') } })).toBe(false);
    expect(passes({ eventName: 'INSERT', dynamodb: { NewImage: { entity: { N: '1' } } } })).toBe(false);
    expect(passes({ eventName: 'INSERT', dynamodb: {} })).toBe(false);
  });

  it('matches nested patterns by exact values, any of the listed ones', () => {
    expect(matchesPattern({ a: ['x', 'y'], b: { c: [1] } }, { a: 'y', b: { c: 1 }, d: 'ignored' })).toBe(true);
    expect(matchesPattern({ a: ['x', 'y'] }, { a: 'z' })).toBe(false);
    expect(matchesPattern({ b: { c: [1] } }, { b: 'not an object' })).toBe(false);
  });
});

describe('stream images from DynamoDB Local', () => {
  it('reads an empty map written as {} (a DynamoDB Local quirk) as the empty map, at any depth; the rest unchanged', () => {
    const image = { data: {}, nested: { M: { totals: {}, n: { N: '1' } } }, list: { L: [{}, { S: 'x' }] }, none: { L: [] }, s: { S: 'y' } };
    expect(repairImage(image)).toEqual({
      data: { M: {} },
      nested: { M: { totals: { M: {} }, n: { N: '1' } } },
      list: { L: [{ M: {} }, { S: 'x' }] },
      none: { L: [] },
      s: { S: 'y' },
    });
  });
});

describe('publishEvents (EventBridge)', () => {
  type Send = (command: unknown) => Promise<unknown>;
  const client = eventBridge() as unknown as { send: Send };
  const original = client.send;
  let requests: PutEventsCommand[] = [];
  let answer: (command: PutEventsCommand, n: number) => Partial<PutEventsCommandOutput> = () => ({ FailedEntryCount: 0 });
  const previousBus = process.env.EVENT_BUS_NAME;

  const envelope = (n: number, data: Record<string, unknown> = { n }): EventEnvelope => ({
    id: eventId('invoice.paid', `k${n}`),
    type: 'invoice.paid',
    version: 1,
    occurredAt: '2026-12-01T09:30:00.000Z',
    customerId: 'cus_1',
    data,
  });

  beforeEach(() => {
    process.env.EVENT_BUS_NAME = 'bus-under-test';
    requests = [];
    answer = () => ({ FailedEntryCount: 0 });
    client.send = async (command: unknown) => {
      requests.push(command as PutEventsCommand);
      return answer(command as PutEventsCommand, requests.length);
    };
  });
  afterEach(() => {
    client.send = original;
    process.env.EVENT_BUS_NAME = previousBus;
  });

  it('puts 23 envelopes in requests of at most 10, each entry source collections, detail-type the type, detail the envelope', async () => {
    const events = Array.from({ length: 23 }, (_, n) => envelope(n));
    await publishEvents(events, new Date());
    expect(requests.map((r) => r.input.Entries?.length)).toEqual([PUT_EVENTS_MAX_ENTRIES, PUT_EVENTS_MAX_ENTRIES, 3]);
    const entries = requests.flatMap((r) => r.input.Entries ?? []);
    expect(entries.map((e) => JSON.parse(e.Detail as string))).toEqual(events);
    for (const e of entries) {
      expect(e).toMatchObject({ EventBusName: 'bus-under-test', Source: EVENT_SOURCE, DetailType: 'invoice.paid' });
      expect(e.Time?.toISOString()).toBe('2026-12-01T09:30:00.000Z');
    }
  });

  it('puts again only the entries EventBridge refused, and throws when some are still refused', async () => {
    answer = (command, n) => {
      const entries = command.input.Entries ?? [];
      // The first answer refuses the 2nd entry; the retry puts it.
      return n === 1
        ? { FailedEntryCount: 1, Entries: entries.map((_e, i) => (i === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e${i}` })) }
        : { FailedEntryCount: 0, Entries: entries.map((_e, i) => ({ EventId: `r${i}` })) };
    };
    const events = [envelope(1), envelope(2), envelope(3)];
    await publishEvents(events, new Date());
    expect(requests.map((r) => (r.input.Entries ?? []).map((e) => (JSON.parse(e.Detail as string) as EventEnvelope).id))).toEqual([events.map((e) => e.id), [events[1]!.id]]);

    requests = [];
    answer = (command) => ({ FailedEntryCount: 1, Entries: (command.input.Entries ?? []).map(() => ({ ErrorCode: 'InternalFailure' })) });
    await expect(publishEvents([envelope(4)], new Date())).rejects.toThrow(/EventBridge refused 1 of 1 events: InternalFailure/);
    expect(requests).toHaveLength(3);
  });

  it('refuses an envelope over 256 KB before anything is put (permanent: a retry cannot help)', async () => {
    const big = envelope(9, { blob: 'x'.repeat(256 * 1024) });
    const error = await publishEvents([envelope(1), big], new Date()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventTooLargeError);
    expect((error as EventTooLargeError).permanent).toBe(true);
    expect(requests).toHaveLength(0);
  });
});
