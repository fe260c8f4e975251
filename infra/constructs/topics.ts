/** The manifest's SNS topics, KMS-encrypted and TLS-only. */
import type { Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { topics as manifestTopics, type TopicId } from '../../shared/topology.ts';
import { pascal } from './names.ts';

export function createTopics(stack: Stack): Record<TopicId, Topic> {
  // Encrypted with a customer managed key: the publishers (SES) cannot use the AWS managed SNS key, whose policy
  // cannot be changed. The messages carry recipient addresses, hence encryption at rest.
  const topics = {} as Record<TopicId, Topic>;
  const topicEntries = Object.values(manifestTopics);
  if (topicEntries.length > 0) {
    const topicsKey = new Key(stack, 'TopicsKey', {
      description: 'Encrypts the Collections SNS topics (SES bounce and complaint notifications)',
      enableKeyRotation: true,
    });
    // SES publishes the configuration set's events, so it must be able to use this key. What SES may publish, and
    // for whom, is limited by the topic policy (this account and configuration set only, added with the event
    // destination in mail.ts); the key statement carries no condition, as in AWS's examples for services publishing
    // to encrypted topics, so that no missing request context can make SES's publish fail silently.
    topicsKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesToPublishToEncryptedTopics',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    for (const spec of topicEntries) {
      topics[spec.id] = new Topic(stack, `${pascal(spec.id)}Topic`, {
        displayName: `Collections ${spec.id}: ${spec.description}`.slice(0, 100),
        masterKey: topicsKey,
        enforceSSL: true,
      });
    }
  }
  return topics;
}
