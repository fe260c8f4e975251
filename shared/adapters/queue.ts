import { SendMessageBatchCommand, SendMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { sqs } from './aws.ts';
import { queueUrl } from '../config/runtime.ts';
import { CORRELATION_ID_ATTRIBUTE, correlationId } from '../context.ts';
import type { QueueId } from '../topology.ts';

/**
 * The correlation id of the work sending (shared/context.ts), as the message attribute the receiving worker reads
 * (shared/handlers/sqs-batch.ts `recordCorrelationId`): the work goes on under the same id.
 */
function correlationAttributes(): Record<string, MessageAttributeValue> | undefined {
  const id = correlationId();
  return id ? { [CORRELATION_ID_ATTRIBUTE]: { DataType: 'String', StringValue: id } } : undefined;
}

/** Sends one message; with `delaySeconds` (0–900, SQS's limit) it becomes visible only after that delay. */
export async function enqueue(queue: QueueId, body: unknown, options: { delaySeconds?: number } = {}): Promise<void> {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: queueUrl(queue),
      MessageBody: JSON.stringify(body),
      MessageAttributes: correlationAttributes(),
      ...(options.delaySeconds ? { DelaySeconds: options.delaySeconds } : {}),
    }),
  );
}

/** Sends many messages, ten per SendMessageBatch call; throws if SQS refuses any (the caller's retry re-sends all). */
export async function enqueueAll(queue: QueueId, bodies: readonly unknown[]): Promise<void> {
  const QueueUrl = queueUrl(queue);
  const MessageAttributes = correlationAttributes();
  for (let i = 0; i < bodies.length; i += 10) {
    const chunk = bodies.slice(i, i + 10);
    const out = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: chunk.map((body, j) => ({ Id: String(j), MessageBody: JSON.stringify(body), MessageAttributes })),
      }),
    );
    if (out.Failed?.length) throw new Error(`SQS refused ${out.Failed.length} message(s): ${out.Failed[0]?.Code ?? 'unknown'}`);
  }
}
