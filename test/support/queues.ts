import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { stack } from './stack.ts';

const client = new SQSClient({ endpoint: stack.sqsEndpoint });

export async function queueUrl(name: string): Promise<string> {
  const out = await client.send(new GetQueueUrlCommand({ QueueName: name }));
  return new URL(new URL(out.QueueUrl as string).pathname, stack.sqsEndpoint).href;
}

export { client as sqsClient };
