/**
 * CDK assertions for signed webhooks: the dead-letter alarm on the worker's business metric, the webhooks queue with
 * its dead-letter queue, the worker's triggers, and least privilege (the worker reads no Secrets Manager secret: the
 * signing secrets are on the subscriptions' items). Synthesized without bundling (nothing here depends on the code).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { METRICS_NAMESPACE } from '../../shared/metrics.ts';
import { functionByName } from '../../shared/topology.ts';

// CloudFormation JSON is untyped; tests navigate it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

let template: Template;
let resources: Record<string, Json>;
beforeAll(() => {
  const { app, stack } = buildApp({ nag: false, context: { 'aws:cdk:bundling-stacks': [] } });
  app.synth();
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Json>;
}, 120_000);

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const functionId = (name: string) =>
  ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === functionByName(name).description)?.[0] as string;
/** Every action the function's role may take, with its resources. */
function statementsOf(name: string): { actions: string[]; resources: unknown[] }[] {
  const fn = resources[functionId(name)] as Json;
  const role = fn.Properties.Role['Fn::GetAtt'][0] as string;
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === role))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])
    .map((s) => ({ actions: [s.Action].flat(), resources: [s.Resource].flat() }));
}

describe('signed webhooks in the stack', () => {
  it('alarms (to the alarm topic) on any dead-lettered webhook delivery', () => {
    const [, alarm] = ofType('AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.MetricName === 'WebhookDeliveriesDeadLettered') ?? [];
    expect(alarm?.Properties).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [{ Name: 'service', Value: 'collections' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(JSON.stringify(alarm?.Properties.AlarmActions)).toContain('AlarmTopic');
  });

  it('has the webhooks queue with its dead-letter queue, consumed by the worker in batches of 5 with partial failures', () => {
    const [queueId, queue] = ofType('AWS::SQS::Queue').find(([id]) => id.startsWith('WebhooksQueue')) ?? [];
    expect(queue?.Properties).toMatchObject({ VisibilityTimeout: 365, RedrivePolicy: { maxReceiveCount: 5 } });
    const [, mapping] = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => JSON.stringify(m.Properties.EventSourceArn).includes(queueId as string)) ?? [];
    expect(mapping?.Properties).toMatchObject({ BatchSize: 5, FunctionResponseTypes: ['ReportBatchItemFailures'], FunctionName: { Ref: functionId('webhook-deliveries') } });
  });

  it('runs the retry sweep every minute', () => {
    const schedules = ofType('AWS::Scheduler::Schedule').filter(([, s]) => JSON.stringify(s.Properties.Target).includes(functionId('webhook-deliveries')));
    expect(schedules.map(([, s]) => s.Properties.ScheduleExpression)).toEqual(['cron(* * * * ? *)']);
  });

  it('the worker reads no secret and sends only to the webhooks queue (and its failed-runs queue); the loopback switch is never set', () => {
    const statements = statementsOf('webhook-deliveries');
    expect(statements.flatMap((s) => s.actions).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    const sendTo = statements.filter((s) => s.actions.includes('sqs:SendMessage')).flatMap((s) => s.resources.map((r) => JSON.stringify(r)));
    expect(sendTo.some((r) => r.includes('WebhooksQueue'))).toBe(true);
    expect(sendTo.every((r) => r.includes('WebhooksQueue') || r.includes('schedulesdlq'))).toBe(true);
    for (const [, fn] of ofType('AWS::Lambda::Function')) expect(fn.Properties.Environment?.Variables ?? {}).not.toHaveProperty('WEBHOOK_ALLOW_LOOPBACK');
  });
});
