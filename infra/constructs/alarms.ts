/** Alarms: one SNS topic for every alarm, and an alarm on any queue that holds messages (dead-letter queues). */
import { Duration, type Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { acknowledge } from './nag.ts';

export type AlarmOnMessages = (queue: Queue, alarmId: string, what: string) => Alarm;

export function createAlarms(stack: Stack, alarmEmail: string): { alarmTopic: Topic; alarmOnMessages: AlarmOnMessages } {
  const alarmTopic = new Topic(stack, 'AlarmTopic', { displayName: 'Collections alarms', enforceSSL: true });
  // Not KMS-encrypted: alarm notifications carry only alarm names and metric values, and CloudWatch cannot publish
  // to a topic encrypted with the AWS managed SNS key (enforceSSL covers AwsSolutions-SNS3).
  if (alarmEmail) {
    const subscription = alarmTopic.addSubscription(new EmailSubscription(alarmEmail));
    acknowledge(
      subscription,
      'Serverless-SNSRedrivePolicy',
      "The operators' alarm email: a dead-letter queue for undeliverable alarm mails could only raise another alarm " +
        'to this same topic and address; the alarms stay visible in CloudWatch and on the dashboard.',
    );
  }
  const alarmAction = new SnsAction(alarmTopic);
  const alarmOnMessages: AlarmOnMessages = (queue, alarmId, what) => {
    const alarm = new Alarm(stack, alarmId, {
      alarmDescription: `${what}: messages are waiting in ${queue.node.id}; inspect and redrive them.`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(alarmAction);
    return alarm;
  };
  return { alarmTopic, alarmOnMessages };
}
