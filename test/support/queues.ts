import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { stack } from './stack.ts';

const client = new SQSClient({ endpoint: stack.sqsEndpoint });

export async function queueUrl(name: string): Promise<string> {
  const out = await client.send(new GetQueueUrlCommand({ QueueName: name }));
  return new URL(new URL(out.QueueUrl as string).pathname, stack.sqsEndpoint).href;
}

/** Messages waiting plus in flight. */
export async function queueDepth(name: string): Promise<number> {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: await queueUrl(name),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

export { client as sqsClient };
