import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { requireEnv, sqs } from './aws.ts';
import { queueUrlEnvVar, type QueueId } from '../topology.ts';

export async function enqueue(queue: QueueId, body: unknown): Promise<void> {
  await sqs().send(new SendMessageCommand({ QueueUrl: requireEnv(queueUrlEnvVar(queue)), MessageBody: JSON.stringify(body) }));
}
