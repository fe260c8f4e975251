/**
 * Table-stream triggers, locally: reads DynamoDB Local's own stream of the table and invokes each function with a
 * stream trigger (shared/topology.ts `{type: 'stream'}`) the way Lambda's DynamoDB event source mapping does — the
 * records matching the trigger's filter patterns, in order, in batches of `batchSize`, DynamoDB-stream-shaped. A
 * batch answered with `batchItemFailures` (or a thrown error) is retried from the first failed record, up to the
 * trigger's `retryAttempts`; then it is given up, logged (in AWS: described in the on-failure queue) — the records stay
 * pending in the table and the function's sweep publishes them.
 *
 * Shards open when the poller starts are read from their end (LATEST: what was written before is the sweep's, as in
 * AWS after a long outage); shards that appear later are read from their start.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { functions, type FunctionSpec, type StreamTrigger } from '../shared/topology.ts';
import { invoke } from './invoke.ts';

/**
 * Lambda's filter criteria, the part the topology uses: every key of the pattern must match — an array lists the
 * values allowed (exact match), an object matches the value's fields the same way.
 */
export function matchesPattern(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((allowed) => allowed === value);
  if (pattern && typeof pattern === 'object') {
    if (!value || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([key, sub]) => matchesPattern(sub, (value as Record<string, unknown>)[key]));
  }
  return pattern === value;
}

type Image = Record<string, unknown>;

/**
 * DynamoDB Local writes an empty map in a stream image as `{}` instead of `{"M": {}}` (AWS and its own GetItem say
 * `M`), which no unmarshaller reads. Only a map can be empty that way (an empty list is `{"L": []}`), so `{}` is
 * written back as the empty map it is, at any depth.
 */
export function repairImage(image: Image | undefined): Image | undefined {
  if (!image) return image;
  const value = (v: unknown): unknown => {
    if (!v || typeof v !== 'object') return v;
    const av = v as { M?: Image; L?: unknown[] };
    if (Object.keys(av).length === 0) return { M: {} };
    if (av.M) return { M: repairImage(av.M) };
    if (av.L) return { L: av.L.map(value) };
    return v;
  };
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, value(v)]));
}

/** A record of the streams API as Lambda delivers it (times in epoch seconds). */
export function toLambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const d = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(d.ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(new Date(d.ApproximateCreationDateTime).getTime() / 1000) } : {}),
      Keys: d.Keys as never,
      ...(d.NewImage ? { NewImage: repairImage(d.NewImage as Image) as never } : {}),
      ...(d.OldImage ? { OldImage: repairImage(d.OldImage as Image) as never } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as never,
    },
  };
}

export interface StreamPollerOptions {
  dynamo: DynamoDBClient;
  endpoint: string;
  tableName: string;
  region: string;
  log: (line: string) => void;
  /** Pause between polls when the stream had nothing new (ms). */
  idleMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Delivers filtered records to one function in batches, with the event source mapping's retries. */
async function deliver(fn: FunctionSpec, trigger: StreamTrigger, records: DynamoDBRecord[], log: (line: string) => void, running: () => boolean) {
  for (let start = 0; start < records.length && running(); start += trigger.batchSize) {
    let batch = records.slice(start, start + trigger.batchSize);
    for (let attempt = 0; batch.length > 0; attempt++) {
      let failedAt: string | undefined;
      try {
        const result = (await invoke(fn, { Records: batch } satisfies DynamoDBStreamEvent)) as DynamoDBBatchResponse | undefined;
        failedAt = result?.batchItemFailures?.[0]?.itemIdentifier;
      } catch (error) {
        log(`[stream] ${fn.name} threw; the batch is retried: ${(error as Error).message}`);
        failedAt = batch[0]?.dynamodb?.SequenceNumber;
      }
      if (!failedAt) break;
      if (attempt >= trigger.retryAttempts || !running()) {
        log(`[stream] ${fn.name}: batch from ${failedAt} given up after ${attempt + 1} attempts (on-failure); the sweep publishes it`);
        break;
      }
      const from = batch.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
      batch = batch.slice(Math.max(0, from));
      await sleep(Math.min(2000, 100 * 2 ** attempt));
    }
  }
}

/** A poller of the table's stream for every function with a stream trigger. */
export function startStreamPollers(options: StreamPollerOptions): { stop(): Promise<void> } {
  const targets = functions.flatMap((fn) => fn.triggers.flatMap((t) => (t.type === 'stream' ? [{ fn, trigger: t }] : [])));
  if (targets.length === 0) return { stop: async () => undefined };
  const { log } = options;
  const idleMs = options.idleMs ?? 200;
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region: options.region });
  let running = true;
  const loop = (async () => {
    const described = await options.dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
    const streamArn = described.Table?.LatestStreamArn;
    if (!streamArn) {
      log(`[stream] table ${options.tableName} has no stream; stream triggers do not run`);
      return;
    }
    const iterators = new Map<string, string>();
    const finished = new Set<string>();
    const lastSequence = new Map<string, string>();
    let first = true;
    // New shards are looked for every few seconds (and when one closes), not on every poll: DescribeStream is slow on
    // DynamoDB Local, and its shards last hours.
    let describedAt = 0;
    const discoverShards = async () => {
      describedAt = Date.now();
      const shards: Shard[] = [];
      let exclusiveStart: string | undefined;
      do {
        const out = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStart }));
        shards.push(...(out.StreamDescription?.Shards ?? []));
        exclusiveStart = out.StreamDescription?.LastEvaluatedShardId;
      } while (exclusiveStart);
      for (const shard of shards) {
        const id = shard.ShardId as string;
        if (iterators.has(id) || finished.has(id)) continue;
        const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
        if (first && closed) {
          finished.add(id);
          continue;
        }
        const out = await streams.send(
          new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: first ? 'LATEST' : 'TRIM_HORIZON' }),
        );
        if (out.ShardIterator) iterators.set(id, out.ShardIterator);
      }
      first = false;
    };
    while (running) {
      try {
        if (iterators.size === 0 || Date.now() - describedAt >= 5000) await discoverShards();
        let received = 0;
        for (const [id, iterator] of iterators) {
          let out;
          try {
            out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
          } catch (error) {
            // An iterator that expired (15 minutes unused, e.g. a paused process) is taken again after the last
            // record delivered, so nothing is skipped or delivered twice.
            const last = lastSequence.get(id);
            log(`[stream] shard ${id}: ${(error as Error).name}; reading on from ${last ?? 'its end'}`);
            const again = await streams.send(
              new GetShardIteratorCommand({
                StreamArn: streamArn,
                ShardId: id,
                ...(last ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last } : { ShardIteratorType: 'LATEST' }),
              }),
            );
            if (again.ShardIterator) iterators.set(id, again.ShardIterator);
            continue;
          }
          const records = out.Records ?? [];
          const lastRecord = records.at(-1)?.dynamodb?.SequenceNumber;
          if (lastRecord) lastSequence.set(id, lastRecord);
          received += records.length;
          if (out.NextShardIterator) iterators.set(id, out.NextShardIterator);
          else {
            iterators.delete(id);
            finished.add(id);
            describedAt = 0;
          }
          if (records.length === 0) continue;
          const lambdaRecords = records.map((r) => toLambdaRecord(r, streamArn, options.region));
          for (const { fn, trigger } of targets) {
            const matching = lambdaRecords.filter((r) => trigger.filterPatterns.some((p) => matchesPattern(p, r)));
            if (matching.length > 0) await deliver(fn, trigger, matching, log, () => running);
          }
        }
        if (received === 0) await sleep(idleMs);
      } catch (error) {
        if (!running) break;
        log(`[stream] polling failed: ${(error as Error).message}`);
        await sleep(500);
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop.catch(() => undefined);
      streams.destroy();
    },
  };
}
