/**
 * CDK assertion tests for the Collections stack, every expectation derived from the manifest (shared/topology.ts),
 * plus the cdk-nag (AwsSolutions and Serverless packs, v3 validation plugins) report.
 *
 * The app is built and synthesized once (esbuild bundles every function locally) into a temp dir outside the repo.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Validations, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { secretArnEnvVar } from '../../infra/manifest-function.ts';
import { EVENT_BUS_NAME, type CollectionsStack } from '../../infra/stack.ts';
import {
  METRICS_SERVICE,
  REMINDER_RUN_DURATION_THRESHOLD_MS,
  REVIEW_BACKLOG_THRESHOLD,
  STRAIGHT_THROUGH_MIN_DECISIONS,
  STRAIGHT_THROUGH_RATE_THRESHOLD_PERCENT,
} from '../../infra/constructs/observability.ts';
import { BUSINESS_METRICS, METRICS_NAMESPACE } from '../../shared/metrics.ts';
import {
  defaultThrottleClass,
  dlqName,
  env,
  functions,
  queues,
  queueUrlEnvVar,
  secrets,
  table,
  throttleClasses,
  topics,
  type FunctionSpec,
  type QueueId,
  type SecretName,
  type TopicId,
  type Trigger,
} from '../../shared/topology.ts';

// CloudFormation JSON from Template.toJSON() is untyped; tests navigate it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
type HttpTrigger = Extract<Trigger, { type: 'http' }>;
type QueueTrigger = Extract<Trigger, { type: 'queue' }>;
type ScheduleTrigger = Extract<Trigger, { type: 'schedule' }>;
type SnsTrigger = Extract<Trigger, { type: 'sns' }>;
type StreamTrigger = Extract<Trigger, { type: 'stream' }>;

const httpTriggers = functions.flatMap((f) =>
  f.triggers.filter((t): t is HttpTrigger => t.type === 'http').map((t) => ({ fn: f, t })),
);
const queueTriggers = functions.flatMap((f) =>
  f.triggers.filter((t): t is QueueTrigger => t.type === 'queue').map((t) => ({ fn: f, t })),
);
const scheduleTriggers = functions.flatMap((f) =>
  f.triggers.filter((t): t is ScheduleTrigger => t.type === 'schedule').map((t) => ({ fn: f, t })),
);
const snsTriggers = functions.flatMap((f) =>
  f.triggers.filter((t): t is SnsTrigger => t.type === 'sns').map((t) => ({ fn: f, t })),
);
const streamTriggers = functions.flatMap((f) =>
  f.triggers.filter((t): t is StreamTrigger => t.type === 'stream').map((t) => ({ fn: f, t })),
);
const isScheduled = (f: FunctionSpec) => f.triggers.some((t) => t.type === 'schedule');
/** Invoked asynchronously (schedules, SNS): failures after Lambda's retries go to the failed-runs DLQ. */
const isAsync = (f: FunctionSpec) => f.triggers.some((t) => t.type === 'schedule' || t.type === 'sns');
const queueIds = Object.keys(queues) as QueueId[];
const topicIds = Object.keys(topics) as TopicId[];

let outdir: string;
let app: App;
let stack: CollectionsStack;
let template: Template;
let resources: Record<string, Json>;
let buildMs = 0;
let synthMs = 0;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'collections-cdk-'));
  const start = performance.now();
  ({ app, stack } = buildApp({
    outdir,
    // Keep the report and the template even when cdk-nag finds something: the nag test below asserts on the report.
    context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
  }));
  buildMs = performance.now() - start;
  app.synth();
  synthMs = performance.now() - start - buildMs;
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Json>;
}, 180_000);

afterAll(() => {
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

// ---- helpers --------------------------------------------------------------------------------------------------------

const logicalId = (construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);
const fnId = (name: string): string => logicalId(stack.functions[name]!.fn);
const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });
const ref = (id: string) => ({ Ref: id });
const ofType = (type: string): [string, Json][] => Object.entries(resources).filter(([, r]) => r.Type === type);

interface Statement {
  actions: string[];
  resources: unknown[];
}

/** Every statement of every policy attached to a function's role (and the role's managed policies). */
function roleStatements(name: string): { statements: Statement[]; managedPolicies: unknown[] } {
  const roleArn = resources[fnId(name)]!.Properties.Role as { 'Fn::GetAtt': [string, string] };
  const roleId = roleArn['Fn::GetAtt'][0];
  const statements = ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify(ref(roleId))))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])
    .map((s) => {
      expect(s.Effect).toBe('Allow');
      return {
        actions: ([] as string[]).concat(s.Action),
        resources: ([] as unknown[]).concat(s.Resource),
      };
    });
  return { statements, managedPolicies: resources[roleId]!.Properties.ManagedPolicyArns ?? [] };
}

const actionsOf = (name: string): Set<string> =>
  new Set(roleStatements(name).statements.flatMap((s) => s.actions));
const resourcesFor = (name: string, action: string): unknown[] =>
  roleStatements(name)
    .statements.filter((s) => s.actions.includes(action))
    .flatMap((s) => s.resources);
const secretId = (name: SecretName) => logicalId(stack.secrets[name]);
const queueId = (id: QueueId) => logicalId(stack.queues[id]);
const topicId = (id: TopicId) => logicalId(stack.topics[id]);
const alarmTopicId = () => logicalId(stack.alarmTopic);
/** The ARN of the account's default event bus, as CDK renders it. */
const defaultBusArn = () =>
  JSON.stringify({
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:event-bus/${EVENT_BUS_NAME}`],
    ],
  });
const dlqId = (id: QueueId) => logicalId(stack.deadLetterQueues[id]);
const schedulesDlqId = () => {
  const ids = ofType('AWS::SQS::Queue')
    .map(([id]) => id)
    .filter((id) => id.startsWith('schedulesdlq'));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

// ---- tests ----------------------------------------------------------------------------------------------------------

describe('synthesis', () => {
  it('bundles locally and synthesizes outside the repo', () => {
    console.info(
      `[infra] stack built (esbuild bundling of ${functions.length} functions) in ${Math.round(buildMs)} ms, ` +
        `synthesized and validated in ${Math.round(synthMs)} ms`,
    );
    expect(outdir.startsWith(os.tmpdir())).toBe(true);
    const assets = fs.readdirSync(outdir).filter((f) => f.startsWith('asset.'));
    expect(assets.length).toBeGreaterThanOrEqual(functions.length);
    for (const asset of assets) expect(fs.existsSync(path.join(outdir, asset, 'index.mjs'))).toBe(true);
  });

  it('is environment-agnostic', () => {
    expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' });
    expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
  });
});

describe('HTTP API', () => {
  it('has one HTTP API with a throttled, access-logged $default stage', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });

  it('throttles every route by its manifest class: generous webhooks, tight public pages, admin in between', () => {
    const [[stageId, stageResource]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Json]];
    const props = stageResource.Properties as Json;
    // The stage default is the tightest class (a route without settings of its own gets that).
    expect(props.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: throttleClasses[defaultThrottleClass].rateLimit,
      ThrottlingBurstLimit: throttleClasses[defaultThrottleClass].burstLimit,
    });
    expect(defaultThrottleClass).toBe('public');
    const settings = props.RouteSettings as Record<string, Json>;
    expect(Object.keys(settings).sort()).toEqual(httpTriggers.map(({ t }) => `${t.method} ${t.path}`).sort());
    for (const { t } of httpTriggers) {
      expect(settings[`${t.method} ${t.path}`], `${t.method} ${t.path}`).toEqual({
        ThrottlingRateLimit: throttleClasses[t.throttle].rateLimit,
        ThrottlingBurstLimit: throttleClasses[t.throttle].burstLimit,
      });
    }
    const classOf = (key: string) => httpTriggers.find(({ t }) => `${t.method} ${t.path}` === key)!.t.throttle;
    expect(classOf('POST /webhooks/stripe')).toBe('webhook');
    expect(classOf('POST /webhooks/bank')).toBe('webhook');
    expect(classOf('GET /pay/{invoiceId}')).toBe('public');
    expect(classOf('GET /preferences/{customerId}')).toBe('public');
    expect(classOf('GET /invoices')).toBe('admin');
    // Only the payment webhooks are in the webhook class; every link page (signature auth, not a webhook) is public.
    expect(httpTriggers.filter(({ t }) => t.throttle === 'webhook').map(({ t }) => t.path).sort()).toEqual(['/webhooks/bank', '/webhooks/stripe']);
    // Signed-in portal pages share the portal class, signed-in console pages the console class; every other non-admin
    // route (link pages, sign-in) is public.
    const signedInClass: Partial<Record<typeof httpTriggers[number]['t']['auth'], string>> = { session: 'portal', staff: 'console' };
    for (const { t } of httpTriggers) if (t.auth !== 'admin' && !t.path.startsWith('/webhooks/')) expect(t.throttle, t.path).toBe(signedInClass[t.auth] ?? 'public');
    const { webhook, admin, public: pub } = throttleClasses;
    expect(webhook.rateLimit).toBeGreaterThan(admin.rateLimit);
    expect(admin.rateLimit).toBeGreaterThan(pub.rateLimit);
    expect(webhook.burstLimit).toBeGreaterThan(admin.burstLimit);
    expect(admin.burstLimit).toBeGreaterThan(pub.burstLimit);
    // The stage names routes, so it is created after them (CloudFormation refuses settings for a missing route).
    const routeIds = ofType('AWS::ApiGatewayV2::Route').map(([id]) => id);
    expect([...(stageResource.DependsOn ?? [])].sort()).toEqual(expect.arrayContaining(routeIds.sort()));
    expect(stageId).toBeTruthy();
  });

  it('has exactly one route per http trigger in the manifest, integrated with its function', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', httpTriggers.length);
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties as Json);
    const integrations = Object.fromEntries(ofType('AWS::ApiGatewayV2::Integration'));
    for (const { fn, t } of httpTriggers) {
      const route = routes.find((r) => r.RouteKey === `${t.method} ${t.path}`);
      expect(route, `${t.method} ${t.path}`).toBeDefined();
      const integrationRef = (route!.Target['Fn::Join'][1] as Json[])[1] as { Ref: string };
      expect(integrations[integrationRef.Ref]!.Properties.IntegrationUri).toEqual(getAtt(fnId(fn.name)));
    }
  });
});

describe('Lambda functions', () => {
  it('has one function per manifest entry and no others', () => {
    template.resourceCountIs('AWS::Lambda::Function', functions.length);
  });

  it.each(functions.map((f) => [f.name, f] as const))('%s: Node.js 24 on arm64, spec sizing, JSON logs', (name, f) => {
    const props = resources[fnId(name)]!.Properties as Json;
    expect(props.Runtime).toBe('nodejs24.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.Handler).toBe('index.handler');
    expect(props.Timeout).toBe(f.timeoutSeconds);
    expect(props.MemorySize).toBe(f.memoryMb);
    const logGroupId = logicalId(stack.functions[name]!.logGroup);
    expect(props.LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: ref(logGroupId) });
    expect(resources[logGroupId]!.Properties.RetentionInDays).toBe(30);
  });

  it.each(functions.map((f) => [f.name, f] as const))('%s: environment is exactly what its access needs', (name, f) => {
    const vars = resources[fnId(name)]!.Properties.Environment.Variables as Json;
    const expected = new Set(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', env.publicBaseUrl, env.payeeAccount]);
    if (f.access.table) expected.add(env.tableName);
    if (f.access.putEvents) expected.add(env.eventBusName);
    for (const q of f.access.sendTo ?? []) expected.add(queueUrlEnvVar(q));
    for (const s of f.access.secrets ?? []) expected.add(secretArnEnvVar(s));
    if (f.access.sendMail) {
      expected.add(env.mailFrom);
      expected.add(env.sesConfigurationSet);
    }
    expect(new Set(Object.keys(vars))).toEqual(expected);
    expect(vars.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(vars.POWERTOOLS_SERVICE_NAME).toBe('collections');
    // collections:accountTerms is unset by default: no ACCOUNT_TERMS at all (the terms' defaults apply).
    expect(vars[env.accountTerms]).toBeUndefined();
    if (f.access.putEvents) expect(vars[env.eventBusName]).toBe('default');
    for (const q of f.access.sendTo ?? []) expect(vars[queueUrlEnvVar(q)]).toEqual(ref(queueId(q)));
    for (const s of f.access.secrets ?? []) expect(vars[secretArnEnvVar(s)]).toEqual(ref(secretId(s)));
  });
});

describe('DynamoDB table', () => {
  it('is one on-demand table with the manifest keys, GSIs, TTL and PITR, retained and deletion-protected', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith(
          [table.partitionKey, table.sortKey, ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey])].map(
            (name) => ({ AttributeName: name, AttributeType: 'S' }),
          ),
        ),
        GlobalSecondaryIndexes: table.indexes.map((i) => ({
          IndexName: i.name,
          KeySchema: [
            { AttributeName: i.partitionKey, KeyType: 'HASH' },
            { AttributeName: i.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      },
    });
  });
});

describe('the outbox relay: the table stream', () => {
  it('the table streams new images', () => {
    expect(table.stream).toBe('NEW_IMAGE');
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
  });

  it('has at least one stream trigger: the outbox relay', () => {
    expect(streamTriggers.map(({ fn }) => fn.name)).toEqual(['events']);
  });

  it.each(streamTriggers.map(({ fn, t }) => [fn.name, t] as const))(
    '%s: the stream as an event source — filtered, checkpointed, bounded retries, an on-failure queue',
    (name, t) => {
      const onFailure = logicalId(stack.streamDeadLetterQueues[name]!);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: ref(fnId(name)),
        EventSourceArn: getAtt(logicalId(stack.table), 'StreamArn'),
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: t.batchSize,
        FilterCriteria: { Filters: t.filterPatterns.map((p) => ({ Pattern: JSON.stringify(p) })) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: t.retryAttempts,
        MaximumRecordAgeInSeconds: t.maxRecordAgeSeconds,
        DestinationConfig: { OnFailure: { Destination: getAtt(onFailure) } },
      });
      expect(resources[onFailure]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      // The filter lets through inserts of outbox records only.
      expect(t.filterPatterns).toEqual([{ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['outbox'] } } } }]);
    },
  );

  it.each(streamTriggers.map(({ fn }) => fn.name))('%s: alarms on its on-failure queue and on its iterator age', (name) => {
    const onFailure = logicalId(stack.streamDeadLetterQueues[name]!);
    const alarmsOf = (metricName: string, dimension: Json) =>
      Object.values(resources).filter(
        (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === metricName && JSON.stringify(r.Properties.Dimensions) === JSON.stringify([dimension]),
      );
    expect(alarmsOf('ApproximateNumberOfMessagesVisible', { Name: 'QueueName', Value: getAtt(onFailure, 'QueueName') })).toHaveLength(1);
    const age = alarmsOf('IteratorAge', { Name: 'FunctionName', Value: ref(fnId(name)) });
    expect(age).toHaveLength(1);
    expect(age[0]!.Properties).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Maximum', Threshold: 300_000, AlarmActions: [ref(alarmTopicId())] });
  });

  it('least privilege: only the relay reads the stream and puts events; writers only write outbox records', () => {
    const streamArn = JSON.stringify(getAtt(logicalId(stack.table), 'StreamArn'));
    const readers = functions.filter((f) => roleStatements(f.name).statements.some((s) => s.resources.some((r) => JSON.stringify(r) === streamArn)));
    expect(readers.map((f) => f.name)).toEqual(streamTriggers.map(({ fn }) => fn.name));
    for (const name of readers.map((f) => f.name)) {
      const onStream = roleStatements(name).statements.filter((s) => s.resources.some((r) => JSON.stringify(r) === streamArn));
      expect(new Set(onStream.flatMap((s) => s.actions))).toEqual(new Set(['dynamodb:ListStreams', 'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']));
    }
    const putters = functions.filter((f) => actionsOf(f.name).has('events:PutEvents')).map((f) => f.name);
    expect(putters).toEqual(streamTriggers.map(({ fn }) => fn.name));
  });
});

describe('queues', () => {
  it.each(queueIds)('%s: SSE, TLS-only, redrive to its DLQ after maxReceiveCount', (id) => {
    const spec = queues[id];
    expect(dlqId(id)).toMatch(new RegExp(`^${dlqName(id).replace(/[^A-Za-z0-9]/g, '')}`));
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: spec.visibilityTimeoutSeconds,
      MessageRetentionPeriod: spec.retentionSeconds,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: getAtt(dlqId(id)), maxReceiveCount: spec.maxReceiveCount },
    });
    expect(resources[dlqId(id)]!.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
    for (const q of [queueId(id), dlqId(id)]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(q)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('has a visibility timeout of at least 6 × the timeout of every function consuming the queue', () => {
    expect(queueTriggers.length).toBeGreaterThan(0);
    for (const { fn, t } of queueTriggers) {
      const visibility = resources[queueId(t.queue)]!.Properties.VisibilityTimeout as number;
      expect(visibility).toBeGreaterThanOrEqual(6 * fn.timeoutSeconds);
    }
    // The payments queue and its reconcile worker, explicitly.
    const reconcile = functions.find((f) => f.name === 'reconcile')!;
    expect(resources[queueId('payments')]!.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * reconcile.timeoutSeconds,
    );
  });

  it('wires each queue trigger as an event source with partial batch responses', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', queueTriggers.length + streamTriggers.length);
    for (const { fn, t } of queueTriggers) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: ref(fnId(fn.name)),
        EventSourceArn: getAtt(queueId(t.queue)),
        BatchSize: t.batchSize,
        MaximumBatchingWindowInSeconds: t.maxBatchingWindowSeconds > 0 ? t.maxBatchingWindowSeconds : Match.absent(),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  it.each(queueIds)('%s: alarms to the SNS topic when its DLQ has messages', (id) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(dlqId(id), 'QueueName') }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [ref(alarmTopicId())],
    });
  });

  it('enforces TLS on the alarm topic', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(alarmTopicId())],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('SNS topics', () => {
  it('has the alarm topic plus one topic per manifest topic', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1 + topicIds.length);
    expect(snsTriggers.length).toBeGreaterThan(0);
  });

  it.each(topicIds)('%s: encrypted with a rotating customer managed key, TLS-only', (id) => {
    const props = resources[topicId(id)]!.Properties as Json;
    const keyId = (props.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(resources[keyId]!.Type).toBe('AWS::KMS::Key');
    expect(resources[keyId]!.Properties.EnableKeyRotation).toBe(true);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(topicId(id))],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('has exactly one Lambda subscription per sns trigger, with an invoke permission for that topic only', () => {
    const lambdaSubscriptions = ofType('AWS::SNS::Subscription').filter(([, s]) => s.Properties.Protocol === 'lambda');
    expect(lambdaSubscriptions).toHaveLength(snsTriggers.length);
    for (const { fn, t } of snsTriggers) {
      const mine = lambdaSubscriptions.filter(
        ([, s]) =>
          JSON.stringify(s.Properties.Endpoint) === JSON.stringify(getAtt(fnId(fn.name))) &&
          JSON.stringify(s.Properties.TopicArn) === JSON.stringify(ref(topicId(t.topic))),
      );
      expect(mine, `${fn.name} ← ${t.topic}`).toHaveLength(1);
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(fnId(fn.name)),
        Principal: 'sns.amazonaws.com',
        SourceArn: ref(topicId(t.topic)),
      });
    }
  });

  it('publishes SES bounces and complaints of the configuration set to the ses-events topic', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 1);
    const [, destination] = ofType('AWS::SES::ConfigurationSetEventDestination')[0]!;
    const configurationSetId = ofType('AWS::SES::ConfigurationSet')[0]![0];
    expect(destination.Properties.ConfigurationSetName).toEqual(ref(configurationSetId));
    expect(destination.Properties.EventDestination).toMatchObject({
      Enabled: true,
      MatchingEventTypes: ['bounce', 'complaint'],
      SnsDestination: { TopicARN: ref(topicId('ses-events')) },
    });
    // SES may publish to the topic (for this account and configuration set only) and use the topic's key.
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(topicId('ses-events'))],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: {
              StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' }, 'AWS:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
    const [, policy] = ofType('AWS::SNS::TopicPolicy').find(
      ([, p]) => JSON.stringify(p.Properties.Topics) === JSON.stringify([ref(topicId('ses-events'))]),
    )!;
    const sesPublish = (policy.Properties.PolicyDocument.Statement as Json[]).find(
      (st) => st.Effect === 'Allow' && st.Action === 'sns:Publish',
    )!;
    expect(JSON.stringify(sesPublish.Condition.StringEquals['AWS:SourceArn'])).toContain(':configuration-set/');
    const keyId = (resources[topicId('ses-events')]!.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    expect(resources[keyId]!.Properties.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'ses.amazonaws.com' },
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        }),
      ]),
    );
  });

  it('sends notifications whose handler still fails after Lambda retries to the failed-runs DLQ', () => {
    for (const { fn } of snsTriggers) {
      expect(resources[fnId(fn.name)]!.Properties.DeadLetterConfig).toEqual({ TargetArn: getAtt(schedulesDlqId()) });
    }
  });

  it('sends notifications SNS cannot deliver to the function to the failed-runs DLQ (subscription redrive policy)', () => {
    expect(snsTriggers.length).toBeGreaterThan(0);
    for (const { fn, t } of snsTriggers) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'lambda',
        TopicArn: ref(topicId(t.topic)),
        Endpoint: getAtt(fnId(fn.name)),
        RedrivePolicy: { deadLetterTargetArn: getAtt(schedulesDlqId()) },
      });
    }
  });
});

describe('schedules', () => {
  it('has one EventBridge Scheduler schedule per schedule trigger (reminders, interest, escalation among them)', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', scheduleTriggers.length);
    const scheduled = new Set(scheduleTriggers.map(({ fn }) => fn.name));
    for (const name of ['reminders', 'interest', 'escalation']) expect(scheduled).toContain(name);
  });

  it.each(scheduleTriggers.map(({ fn, t }) => [fn.name, t] as const))(
    '%s: UTC cron from the manifest, EventBridge-shaped input, retries and DLQ',
    (name, t) => {
      const mine = ofType('AWS::Scheduler::Schedule')
        .map(([, s]) => s.Properties as Json)
        .filter((p) => JSON.stringify(p.Target.Arn) === JSON.stringify(getAtt(fnId(name))));
      expect(mine).toHaveLength(1);
      const p = mine[0]!;
      const [minute, hour, ...rest] = /^cron\((.*)\)$/.exec(p.ScheduleExpression as string)![1]!.split(' ');
      expect([minute, hour]).toEqual([t.cron.minute, t.cron.hour]);
      expect(rest).toHaveLength(4); // day month weekDay year
      expect(p.ScheduleExpressionTimezone).toBe('Etc/UTC');
      expect(p.State).toBe('ENABLED');
      expect(p.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      expect(p.Target.RetryPolicy).toEqual({
        MaximumRetryAttempts: expect.any(Number),
        MaximumEventAgeInSeconds: expect.any(Number),
      });
      expect(p.Target.DeadLetterConfig).toEqual({ Arn: getAtt(schedulesDlqId()) });
      const input = JSON.stringify(p.Target.Input);
      expect(input).toContain('<aws.scheduler.scheduled-time>');
      expect(input).toContain('Scheduled Event');
    },
  );

  it('alarms on the scheduled-runs DLQ, which also receives failed async invocations', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(schedulesDlqId(), 'QueueName') }],
    });
    for (const f of functions.filter(isScheduled)) {
      expect(resources[fnId(f.name)]!.Properties.DeadLetterConfig).toEqual({ TargetArn: getAtt(schedulesDlqId()) });
    }
  });
});

describe('secrets and mail', () => {
  it('has one generated placeholder secret per manifest secret', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', secrets.length);
    for (const name of secrets) {
      expect(resources[secretId(name)]!.Properties.GenerateSecretString).toBeDefined();
    }
  });

  it('has an SES configuration set and the email identity for the domain', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'example.com' });
  });

  it('outputs the API URL, table name, queue URLs and secret ARNs', () => {
    const outputs = Object.values(template.toJSON().Outputs as Record<string, Json>).map((o) =>
      JSON.stringify(o.Value),
    );
    expect(outputs).toContain(JSON.stringify(ref(logicalId(stack.table))));
    for (const q of queueIds) expect(outputs).toContain(JSON.stringify(ref(queueId(q))));
    for (const s of secrets) expect(outputs).toContain(JSON.stringify(ref(secretId(s))));
    expect(Object.keys(template.toJSON().Outputs as object)).toContain('ApiUrl');
  });
});

describe('IAM: least privilege from the manifest', () => {
  const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

  it.each(functions.map((f) => [f.name, f] as const))('%s: only the actions its access lists', (name, f) => {
    const { statements, managedPolicies } = roleStatements(name);
    expect(managedPolicies).toEqual([]);
    const actions = new Set(statements.flatMap((s) => s.actions));
    for (const a of actions) expect(a, 'no wildcard actions').not.toContain('*');

    // Logs: its own log group only.
    expect(resourcesFor(name, 'logs:PutLogEvents')).toEqual([
      getAtt(logicalId(stack.functions[name]!.logGroup)),
    ]);

    const dynamo = [...actions].filter((a) => a.startsWith('dynamodb:'));
    if (!f.access.table) expect(dynamo).toEqual([]);
    else expect(dynamo).toContain('dynamodb:Query');
    if (f.access.table === 'read') for (const a of WRITE_ACTIONS) expect(actions).not.toContain(a);
    if (f.access.table === 'readwrite') for (const a of WRITE_ACTIONS) expect(actions).toContain(a);

    const secretsRead = resourcesFor(name, 'secretsmanager:GetSecretValue');
    expect(secretsRead).toEqual((f.access.secrets ?? []).map((s) => ref(secretId(s))));

    const ses = [...actions].filter((a) => a.startsWith('ses:'));
    if (f.access.sendMail) {
      expect(ses.sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      for (const r of resourcesFor(name, 'ses:SendEmail')) expect(JSON.stringify(r)).not.toContain('*');
    } else expect(ses).toEqual([]);

    const sendTargets = resourcesFor(name, 'sqs:SendMessage').map((r) => JSON.stringify(r));
    const allowedTargets = new Set([
      ...(f.access.sendTo ?? []).map((q) => JSON.stringify(getAtt(queueId(q)))),
      ...(isAsync(f) ? [JSON.stringify(getAtt(schedulesDlqId()))] : []),
      // The on-failure destination of its stream trigger (Lambda's event source mapping sends with the function's role).
      ...(f.triggers.some((t) => t.type === 'stream') ? [JSON.stringify(getAtt(logicalId(stack.streamDeadLetterQueues[f.name]!)))] : []),
    ]);
    expect(new Set(sendTargets)).toEqual(allowedTargets);

    // EventBridge: PutEvents on the default bus only, and only with access.putEvents.
    const events = [...actions].filter((a) => a.startsWith('events:'));
    if (f.access.putEvents) {
      expect(events).toEqual(['events:PutEvents']);
      expect(resourcesFor(name, 'events:PutEvents').map((r) => JSON.stringify(r))).toEqual([defaultBusArn()]);
    } else expect(events).toEqual([]);

    const consumes = f.triggers.some((t) => t.type === 'queue');
    expect(actions.has('sqs:ReceiveMessage')).toBe(consumes);
    expect(actions.has('sqs:DeleteMessage')).toBe(consumes);

    const allowedPrefixes = ['logs:', 'dynamodb:', 'sqs:', 'secretsmanager:', 'ses:', 'events:', 'xray:'];
    for (const a of actions) expect(allowedPrefixes.some((p) => a.startsWith(p)), a).toBe(true);
  });

  it('health gets no data, queue or secret actions', () => {
    const actions = [...actionsOf('health')];
    expect(actions.filter((a) => /^(dynamodb|sqs|secretsmanager|ses):/.test(a))).toEqual([]);
  });

  it('stripe-webhook can sqs:SendMessage to payments but cannot send mail', () => {
    const actions = actionsOf('stripe-webhook');
    expect(actions).toContain('sqs:SendMessage');
    expect(resourcesFor('stripe-webhook', 'sqs:SendMessage')).toEqual([getAtt(queueId('payments'))]);
    expect(actions).not.toContain('ses:SendEmail');
  });

  it('reconcile can ses:SendEmail (identity and configuration set only) and reads only the link-signing secret', () => {
    const actions = actionsOf('reconcile');
    expect(actions).toContain('ses:SendEmail');
    expect(resourcesFor('reconcile', 'secretsmanager:GetSecretValue')).toEqual([ref(secretId('LINK_SIGNING_SECRET'))]);
    const sesResources = resourcesFor('reconcile', 'ses:SendEmail').map((r) => JSON.stringify(r));
    expect(sesResources).toHaveLength(2);
    expect(sesResources.some((r) => r.includes(':identity/'))).toBe(true);
    expect(sesResources.some((r) => r.includes(':configuration-set/'))).toBe(true);
  });

  it('only the functions whose manifest entry has putEvents may put events, and at least one does', () => {
    const putters = functions.filter((f) => actionsOf(f.name).has('events:PutEvents')).map((f) => f.name);
    expect(putters).toEqual(functions.filter((f) => f.access.putEvents).map((f) => f.name));
    expect(putters.length).toBeGreaterThan(0);
  });

  it('ses-events may read and write the table but sends no mail, no messages and no events', () => {
    const actions = actionsOf('ses-events');
    expect(actions).toContain('dynamodb:PutItem');
    expect(actions).toContain('dynamodb:UpdateItem');
    for (const a of actions) expect(a).not.toMatch(/^(ses|events|secretsmanager):/);
  });

  it("customers reads only ADMIN_API_KEY's secret", () => {
    expect(resourcesFor('customers', 'secretsmanager:GetSecretValue')).toEqual([ref(secretId('ADMIN_API_KEY'))]);
  });

  it('each scheduler role may invoke only its own function', () => {
    for (const { fn } of scheduleTriggers) {
      const schedule = ofType('AWS::Scheduler::Schedule')
        .map(([, s]) => s.Properties as Json)
        .find((p) => JSON.stringify(p.Target.Arn) === JSON.stringify(getAtt(fnId(fn.name))))!;
      const roleId = (schedule.Target.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const invokeResources = ofType('AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([ref(roleId)]))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])
        .filter((s) => s.Action === 'lambda:InvokeFunction')
        .flatMap((s) => [].concat(s.Resource));
      expect(invokeResources.length).toBeGreaterThan(0);
      for (const r of invokeResources) expect(JSON.stringify(r)).toContain(`"${fnId(fn.name)}"`);
    }
  });
});

describe('context', () => {
  /** A second app without bundling (`aws:cdk:bundling-stacks: []`) and without nag: only the context differs. */
  const build = (context: Record<string, unknown>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collections-cdk-ctx-'));
    try {
      const built = buildApp({ outdir: dir, nag: false, context: { 'aws:cdk:bundling-stacks': [], ...context } });
      return Template.fromStack(built.stack);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it('turns deletion protection off, subscribes the alarm email and uses the SES identity and sender given', () => {
    const t = build({
      'collections:deletionProtection': 'false',
      'collections:alarmEmail': 'ops@example.org',
      'collections:sesIdentity': 'mail.example.org',
      'collections:mailFrom': 'Billing <billing@mail.example.org>',
    });
    t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
    });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' });
    t.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'mail.example.org' });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [env.mailFrom]: 'Billing <billing@mail.example.org>' }) },
    });
  });

  it('has no alarm subscription when collections:alarmEmail is empty (the default)', () => {
    expect(ofType('AWS::SNS::Subscription').filter(([, s]) => s.Properties.Protocol === 'email')).toEqual([]);
  });

  const accountTermsOf = (t: Template): Map<string, unknown> => {
    const out = new Map<string, unknown>();
    for (const [, r] of Object.entries(t.findResources('AWS::Lambda::Function'))) {
      const vars = (r as Json).Properties.Environment.Variables as Json;
      out.set(r.Properties.Description as string, vars[env.accountTerms]);
    }
    return out;
  };
  const withTable = new Set(functions.filter((f) => f.access.table).map((f) => f.description));

  it.each([
    ['an object (cdk.json)', { netDays: 14, discount: { basisPoints: 200, days: 10 } }],
    ['a JSON string (-c)', '{"netDays": 14, "discount": {"basisPoints": 200, "days": 10}}'],
  ])('passes collections:accountTerms given as %s to every function with table access, as JSON', (_what, value) => {
    const terms = accountTermsOf(build({ 'collections:accountTerms': value }));
    expect(terms.size).toBe(functions.length);
    for (const [description, v] of terms) {
      if (withTable.has(description)) expect(JSON.parse(v as string)).toEqual({ netDays: 14, discount: { basisPoints: 200, days: 10 } });
      else expect(v, description).toBeUndefined();
    }
  });

  it('refuses a collections:accountTerms that is not JSON', () => {
    expect(() => build({ 'collections:accountTerms': 'net 30' })).toThrow(/collections:accountTerms must be JSON/);
  });

  it('refuses a MAIL_FROM the SES identity does not cover', () => {
    const context = { 'collections:sesIdentity': 'example.com', 'collections:mailFrom': 'billing@other.org' };
    expect(() => build(context)).toThrow(/not covered by the SES identity/);
  });
});

describe('observability: tracing, alarms, dashboard', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties as Json);
  const alarmOn = (namespace: string, metricName: string, dimensions: unknown) =>
    alarms().filter(
      (a) => a.Namespace === namespace && a.MetricName === metricName && JSON.stringify(a.Dimensions) === JSON.stringify(dimensions),
    );

  it.each(functions.map((f) => f.name))('%s: X-Ray active tracing on, and may put trace segments', (name) => {
    expect(resources[fnId(name)]!.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(resourcesFor(name, 'xray:PutTraceSegments')).toEqual(['*']);
    expect(resourcesFor(name, 'xray:PutTelemetryRecords')).toEqual(['*']);
  });

  it.each(functions.map((f) => f.name))('%s: alarms to the alarm topic on any Lambda error and any throttle', (name) => {
    for (const metric of ['Errors', 'Throttles']) {
      const found = alarmOn('AWS/Lambda', metric, [{ Name: 'FunctionName', Value: ref(fnId(name)) }]);
      expect(found, `${metric} alarm of ${name}`).toHaveLength(1);
      expect(found[0]).toMatchObject({
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [ref(alarmTopicId())],
      });
    }
  });

  it('alarms on any 5xx of the HTTP API', () => {
    const found = alarmOn('AWS/ApiGateway', '5xx', [{ Name: 'ApiId', Value: ref(logicalId(stack.api)) }]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Statistic: 'Sum', Threshold: 0, AlarmActions: [ref(alarmTopicId())] });
  });

  it("alarms on the SES configuration set's bounce rate (4 %) and complaint rate (0.08 %), before AWS's review levels", () => {
    const dims = [{ Name: 'ses:configuration-set', Value: ref(ofType('AWS::SES::ConfigurationSet')[0]![0]) }];
    const bounce = alarmOn('AWS/SES', 'Reputation.BounceRate', dims);
    const complaint = alarmOn('AWS/SES', 'Reputation.ComplaintRate', dims);
    expect(bounce).toHaveLength(1);
    expect(complaint).toHaveLength(1);
    expect(bounce[0]).toMatchObject({ Threshold: 0.04, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [ref(alarmTopicId())] });
    expect(complaint[0]).toMatchObject({ Threshold: 0.0008, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [ref(alarmTopicId())] });
  });

  it('alarms when EventBridge Scheduler could not deliver or dropped a scheduled run', () => {
    const found = alarms().filter((a) =>
      (a.Metrics as Json[] | undefined)?.some((m) => m.MetricStat?.Metric?.Namespace === 'AWS/Scheduler'),
    );
    expect(found).toHaveLength(1);
    const metrics = found[0]!.Metrics as Json[];
    const names = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric.MetricName as string).sort();
    expect(names).toEqual(['InvocationDroppedCount', 'TargetErrorCount']);
    for (const m of metrics.filter((x) => x.MetricStat)) {
      expect(m.MetricStat.Metric.Dimensions).toEqual([{ Name: 'ScheduleGroup', Value: 'default' }]);
    }
    expect(found[0]).toMatchObject({ Threshold: 0, AlarmActions: [ref(alarmTopicId())] });
  });

  it('alarms on the depth of every dead-letter queue, the failed-runs queue included', () => {
    for (const id of [...queueIds.map(dlqId), schedulesDlqId()]) {
      expect(alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: getAtt(id, 'QueueName') }]), id).toHaveLength(1);
    }
  });

  it('sends every alarm to the alarm topic, and only there', () => {
    const all = alarms();
    // … + 1: webhook deliveries dead-lettered; + 3: straight-through rate, review backlog, reminder run duration
    // (business metrics, infra/constructs/observability.ts).
    expect(all.length).toBe(2 * functions.length + 4 + queueIds.length + 1 + 1 + 3 + 2 * streamTriggers.length);
    for (const a of all) expect(a.AlarmActions).toEqual([ref(alarmTopicId())]);
  });

  describe('business metrics (shared/metrics.ts: EMF, namespace Collections, dimension service)', () => {
    const serviceDimension = [{ Name: 'service', Value: METRICS_SERVICE }];

    it('reads the service dimension every function writes (its POWERTOOLS_SERVICE_NAME)', () => {
      const names = new Set(ofType('AWS::Lambda::Function').map(([, f]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME));
      expect([...names]).toEqual([METRICS_SERVICE]);
    });

    it('alarms when the straight-through rate falls below the threshold over 6 hours, with a minimum of decisions', () => {
      const found = alarms().filter((a) => (a.Metrics as Json[] | undefined)?.some((m) => m.MetricStat?.Metric?.MetricName === 'PaymentsApplied'));
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        Threshold: STRAIGHT_THROUGH_RATE_THRESHOLD_PERCENT,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      const metrics = found[0]!.Metrics as Json[];
      expect(metrics.find((m) => m.Expression)?.Expression).toBe(
        `IF(FILL(applied, 0) + FILL(review, 0) >= ${STRAIGHT_THROUGH_MIN_DECISIONS}, 100 * FILL(applied, 0) / (FILL(applied, 0) + FILL(review, 0)), 100)`,
      );
      const inputs = Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat]));
      for (const [id, metricName] of [['applied', 'PaymentsApplied'], ['review', 'PaymentsSentToReview']] as const) {
        expect(inputs[id]).toMatchObject({ Metric: { Namespace: METRICS_NAMESPACE, MetricName: metricName, Dimensions: serviceDimension }, Period: 21_600, Stat: 'Sum' });
      }
    });

    it('alarms when the review backlog (the PaymentsInReview gauge) reaches its threshold', () => {
      const found = alarmOn(METRICS_NAMESPACE, 'PaymentsInReview', serviceDimension);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ Statistic: 'Maximum', Period: 900, Threshold: REVIEW_BACKLOG_THRESHOLD, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    });

    it('alarms when the hourly reminder run is still finishing 45 minutes after it fired', () => {
      const found = alarmOn(METRICS_NAMESPACE, 'ReminderRunElapsed', serviceDimension);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ Statistic: 'Maximum', Period: 3600, Threshold: REMINDER_RUN_DURATION_THRESHOLD_MS, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    });

    it('shows every business metric on the dashboard, the rate as metric math and the mails per kind by search', () => {
      const body = JSON.stringify(stack.resolve(ofType('AWS::CloudWatch::Dashboard')[0]![1].Properties.DashboardBody));
      for (const title of ['Payments decided (per hour)', 'Straight-through rate (%)', 'Payments waiting in review', 'Mail (per hour)', 'Mails sent by kind (per hour)', 'Reminder runs', 'Events out (per hour)', 'Queue messages that failed (per hour)']) {
        expect(body, title).toContain(title);
      }
      for (const name of Object.keys(BUSINESS_METRICS)) expect(body, name).toContain(`\\"${name}\\"`);
      expect(body).toContain('100 * FILL(applied, 0)');
      expect(body).toContain(`SEARCH('{${METRICS_NAMESPACE},kind,service} MetricName=\\\\\\"MailsSent\\\\\\"`);
    });
  });

  it('has one dashboard with the alarms, per-function invocations, duration, errors and throttles, API, DLQs, SES and schedules', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(stack.resolve(ofType('AWS::CloudWatch::Dashboard')[0]![1].Properties.DashboardBody));
    for (const title of [
      'Alarms',
      'API requests and errors',
      'Lambda invocations',
      'Lambda duration (p99, ms)',
      'Lambda errors',
      'Lambda throttles',
      'Dead-letter queues (messages waiting)',
      'SES reputation (configuration set)',
      'Scheduled runs (EventBridge Scheduler)',
    ]) {
      expect(body, title).toContain(title);
    }
    for (const f of functions) expect(body, f.name).toContain(`\\"label\\":\\"${f.name}\\"`);
    for (const m of ['Invocations', 'Duration', 'Errors', 'Throttles', '5xx', 'Reputation.BounceRate', 'Reputation.ComplaintRate', 'TargetErrorCount']) {
      expect(body, m).toContain(m);
    }
  });
});

describe('cdk-nag (AwsSolutions and Serverless packs via the CDK validation API)', () => {
  interface ReportViolation {
    ruleName: string;
    severity: string;
    violatingConstructs: { constructPath: string }[];
  }
  interface SuppressedViolation extends ReportViolation {
    acknowledgedId?: string;
    acknowledgedAt?: string;
    reason?: string;
  }
  interface PluginReport {
    pluginName: string;
    conclusion: string;
    violations: ReportViolation[];
    suppressedViolations?: SuppressedViolation[];
  }
  const packs = ['AwsSolutions', 'Serverless'] as const;
  const report = (pack: (typeof packs)[number]): PluginReport => {
    const file = path.join(outdir, 'validation-report.json');
    expect(fs.existsSync(file), 'validation-report.json is written in the outdir').toBe(true);
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports: PluginReport[] };
    const nag = json.pluginReports.find((r) => r.pluginName === pack);
    expect(nag, `the ${pack} pack ran`).toBeDefined();
    return nag!;
  };
  const describeViolations = (vs: ReportViolation[]) =>
    vs
      .map((v) => `${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`)
      .join('\n');

  it.each(packs)('%s: has zero unacknowledged errors', (pack) => {
    const nag = report(pack);
    const errors = nag.violations.filter((v) => v.severity === 'error' || v.severity === 'fatal');
    expect(errors, describeViolations(errors)).toEqual([]);
    expect(nag.conclusion).toBe('success');
  });

  it.each(packs)('%s: has zero unacknowledged warnings', (pack) => {
    const nag = report(pack);
    expect(nag.violations, describeViolations(nag.violations)).toEqual([]);
  });

  it.each(packs)('%s: gives every acknowledged finding a written reason', (pack) => {
    const suppressed = report(pack).suppressedViolations ?? [];
    expect(suppressed.length).toBeGreaterThan(0);
    for (const s of suppressed) {
      expect(s.reason?.trim().length ?? 0, `${s.ruleName} at ${s.acknowledgedAt}`).toBeGreaterThan(20);
    }
  });

  it('both packs pass with an alarm email subscribed too (collections:alarmEmail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collections-cdk-nag-'));
    try {
      const built = buildApp({
        outdir: dir,
        context: {
          'aws:cdk:bundling-stacks': [],
          'collections:alarmEmail': 'ops@example.com',
          '@aws-cdk/core:failSynthOnValidationErrors': false,
        },
      });
      built.app.synth();
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'validation-report.json'), 'utf8')) as { pluginReports: PluginReport[] };
      for (const pack of packs) {
        const nag = json.pluginReports.find((r) => r.pluginName === pack);
        expect(nag?.violations, `${pack}: ${describeViolations(nag?.violations ?? [])}`).toEqual([]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no acknowledgement without a reason or without a finding it covers', () => {
    const used = new Set(
      packs.flatMap((pack) =>
        (report(pack).suppressedViolations ?? []).map((s) => `${s.acknowledgedAt} ${s.acknowledgedId ?? ''}`),
      ),
    );
    const acks = app.node.findAll().flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) =>
          Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason })),
        ),
    );
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.reason.trim().length, `${a.id} at ${a.path}`).toBeGreaterThan(20);
      expect(used.has(`${a.path} ${a.id}`), `acknowledgement ${a.id} at ${a.path} covers a finding`).toBe(true);
    }
  });
});
