/**
 * Polls each queue a function is triggered by and invokes it with SQS-shaped batches, like Lambda's event source
 * mapping: messages the handler reports in `batchItemFailures` (or the whole batch, if it throws) stay on the queue
 * and come back after the visibility timeout; the emulator moves them to the DLQ after maxReceiveCount.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { functions, type QueueId } from '../shared/topology.ts';
import { invoke } from './invoke.ts';

export function startPollers(
  client: SQSClient,
  queueUrls: Record<QueueId, string>,
  region: string,
  waitSeconds: number,
  log: (line: string) => void,
): { stop(): Promise<void> } {
  let running = true;
  const loops: Promise<void>[] = [];
  for (const fn of functions) {
    for (const trigger of fn.triggers) {
      if (trigger.type !== 'queue') continue;
      const queueUrl = queueUrls[trigger.queue];
      const queueArn = `arn:aws:sqs:${region}:000000000000:${trigger.queue}`;
      loops.push(
        (async () => {
          while (running) {
            try {
              const out = await client.send(
                new ReceiveMessageCommand({
                  QueueUrl: queueUrl,
                  MaxNumberOfMessages: Math.min(10, trigger.batchSize),
                  WaitTimeSeconds: waitSeconds,
                  MessageSystemAttributeNames: ['All'],
                  MessageAttributeNames: ['All'],
                }),
              );
              const messages = out.Messages ?? [];
              if (messages.length === 0 || !running) continue;
              const event: SQSEvent = {
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
                  messageAttributes: {},
                  md5OfBody: m.MD5OfBody ?? '',
                  eventSource: 'aws:sqs',
                  eventSourceARN: queueArn,
                  awsRegion: region,
                })),
              };
              let failed = new Set<string>(messages.map((m) => m.MessageId as string));
              try {
                const result = (await invoke(fn, event)) as SQSBatchResponse | undefined;
                failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
              } catch (error) {
                log(`[queue] ${fn.name} threw; the whole batch returns to ${trigger.queue}: ${(error as Error).message}`);
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
                log(`[queue] polling ${trigger.queue} failed: ${(error as Error).message}`);
                await new Promise((r) => setTimeout(r, 500));
              }
            }
          }
        })(),
      );
    }
  }
  return {
    stop: async () => {
      running = false;
      await Promise.allSettled(loops);
    },
  };
}
