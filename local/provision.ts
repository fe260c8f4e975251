/** Creates the table and queues on the emulators from the shared topology (the same definitions CDK uses). */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { dlqName, queues, table, type QueueId } from '../shared/topology.ts';

export async function createTable(client: DynamoDBClient, name: string): Promise<void> {
  const attributeNames = new Set<string>([table.partitionKey, table.sortKey]);
  for (const index of table.indexes) {
    attributeNames.add(index.partitionKey);
    attributeNames.add(index.sortKey);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributeNames].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream },
        GlobalSecondaryIndexes: table.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const described = await client.send(new DescribeTableCommand({ TableName: name }));
  // A table kept from before the outbox relay (persistent local data) gets its stream now.
  if (!described.Table?.StreamSpecification?.StreamEnabled) {
    await client.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } }));
  }
  // A table kept from an earlier version (persistent local data) gets the indexes added since; items written before
  // carry no keys for them (e.g. invoices created before the amount index are not in it).
  const present = new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of table.indexes.filter((i) => !present.has(i.name))) {
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: [index.partitionKey, index.sortKey].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    );
  }
}

/** Creates each queue's DLQ and the queue with its redrive policy; returns the queue URLs by id. */
export async function createQueues(client: SQSClient, endpoint: string): Promise<Record<QueueId, string>> {
  // fauxqs names queues http://sqs.<region>.localhost:<port>/…, a host that does not resolve everywhere; the SDK
  // sends requests to the queue URL's host, so point the URL at the emulator's address.
  const local = (url: string) => new URL(new URL(url).pathname, endpoint).href;
  const urls = {} as Record<QueueId, string>;
  for (const spec of Object.values(queues)) {
    const dlq = await client.send(
      new CreateQueueCommand({ QueueName: dlqName(spec.id), Attributes: { MessageRetentionPeriod: String(spec.retentionSeconds) } }),
    );
    const dlqArn = (
      await client.send(new GetQueueAttributesCommand({ QueueUrl: local(dlq.QueueUrl as string), AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    const main = await client.send(
      new CreateQueueCommand({
        QueueName: spec.id,
        Attributes: {
          VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(spec.retentionSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: spec.maxReceiveCount }),
        },
      }),
    );
    urls[spec.id] = local(main.QueueUrl as string);
  }
  return urls;
}
