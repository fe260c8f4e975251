/** The one DynamoDB table, keys and indexes from the manifest. */
import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { table as manifestTable } from '../../shared/topology.ts';

export function createTable(stack: Stack, deletionProtection: boolean): TableV2 {
  return new TableV2(stack, manifestTable.logicalName, {
    partitionKey: { name: manifestTable.partitionKey, type: AttributeType.STRING },
    sortKey: { name: manifestTable.sortKey, type: AttributeType.STRING },
    billing: Billing.onDemand(),
    globalSecondaryIndexes: manifestTable.indexes.map((index) => ({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
      sortKey: { name: index.sortKey, type: AttributeType.STRING },
      // ProjectionType.ALL is the default projection.
    })),
    timeToLiveAttribute: manifestTable.ttlAttribute,
    // The outbox relay's trigger: new images only (it needs the record written, never the one replaced).
    dynamoStream: StreamViewType[manifestTable.stream],
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
