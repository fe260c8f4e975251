import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from './aws.ts';
import { queueUrl } from '../config/runtime.ts';
import type { QueueId } from '../topology.ts';

export async function enqueue(queue: QueueId, body: unknown): Promise<void> {
  await sqs().send(new SendMessageCommand({ QueueUrl: queueUrl(queue), MessageBody: JSON.stringify(body) }));
}

/** Sends many messages, ten per SendMessageBatch call; throws if SQS refuses any (the caller's retry re-sends all). */
export async function enqueueAll(queue: QueueId, bodies: readonly unknown[]): Promise<void> {
  const QueueUrl = queueUrl(queue);
  for (let i = 0; i < bodies.length; i += 10) {
    const chunk = bodies.slice(i, i + 10);
    const out = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: chunk.map((body, j) => ({ Id: String(j), MessageBody: JSON.stringify(body) })),
      }),
    );
    if (out.Failed?.length) throw new Error(`SQS refused ${out.Failed.length} message(s): ${out.Failed[0]?.Code ?? 'unknown'}`);
  }
}
