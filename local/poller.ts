/**
 * Polls each queue a function is triggered by and invokes it with SQS-shaped batches, like Lambda's event source
 * mapping: messages the handler reports in `batchItemFailures` (or the whole batch, if it throws) stay on the queue
 * and come back after the visibility timeout; the emulator moves them to the DLQ after maxReceiveCount.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { functions, type QueueId } from '../shared/topology.ts';
import { invoke } from './invoke.ts';

export interface PollOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  waitSeconds: number;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
  log: (line: string) => void;
}

export function toSqsEvent(messages: import('@aws-sdk/client-sqs').Message[], queueArn: string, region: string): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId as string,
      receiptHandle: m.ReceiptHandle as string,
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: m.Attributes?.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      // As Lambda's event source mapping delivers them (the correlation id travels as one: adapters/queue.ts).
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([name, a]) => [
          name,
          { dataType: a.DataType ?? 'String', ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}), stringListValues: [], binaryListValues: [] },
        ]),
      ),
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: region,
    })),
  };
}

/** One polling loop: receive → invoke → delete what succeeded. Returns a stopper that waits for the loop to end. */
export function pollQueue(options: PollOptions): { stop(): Promise<void> } {
  const { client, queueUrl, log } = options;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const out = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, options.batchSize),
            WaitTimeSeconds: options.waitSeconds,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        const messages = out.Messages ?? [];
        if (messages.length === 0 || !running) continue;
        let failed = new Set<string>(messages.map((m) => m.MessageId as string));
        try {
          const result = await options.handler(toSqsEvent(messages, options.queueArn, options.region));
          failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch (error) {
          log(`[queue] handler threw; the whole batch returns to the queue: ${(error as Error).message}`);
        }
        const done = messages.filter((m) => !failed.has(m.MessageId as string));
        if (done.length > 0) {
          await client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
            }),
          );
        }
      } catch (error) {
        if (running) {
          log(`[queue] polling failed: ${(error as Error).message}`);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** A poller for every queue trigger in the manifest. */
export function startPollers(
  client: SQSClient,
  queueUrls: Record<QueueId, string>,
  region: string,
  waitSeconds: number,
  log: (line: string) => void,
): { stop(): Promise<void> } {
  const pollers = functions.flatMap((fn) =>
    fn.triggers.flatMap((trigger) =>
      trigger.type === 'queue'
        ? [
            pollQueue({
              client,
              queueUrl: queueUrls[trigger.queue],
              queueArn: `arn:aws:sqs:${region}:000000000000:${trigger.queue}`,
              region,
              batchSize: trigger.batchSize,
              waitSeconds,
              handler: (event) => invoke(fn, event) as Promise<SQSBatchResponse | void>,
              log,
            }),
          ]
        : [],
    ),
  );
  return { stop: async () => void (await Promise.allSettled(pollers.map((p) => p.stop()))) };
}
