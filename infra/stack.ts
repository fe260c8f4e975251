/**
 * The Collections stack, built entirely from the manifest in `shared/topology.ts`: the table, the queues and their
 * dead-letter queues, the SNS topics, the secrets, one Lambda per function and its triggers (HTTP routes, queue event
 * sources, EventBridge Scheduler schedules, SNS subscriptions). Nothing about topology is written here a second time.
 */
import { CfnOutput, Duration, Names, Stack, TimeZone, type CfnElement, type StackProps } from 'aws-cdk-lib';
import { HttpMethod, type CfnStage, type HttpApi, type HttpRoute, type HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import {
  dlqName,
  env,
  functions as manifestFunctions,
  queues as manifestQueues,
  scheduledEvent,
  secrets as manifestSecrets,
  streamDlqName,
  table as manifestTable,
  throttleClasses,
  topics as manifestTopics,
  type FunctionSpec,
  type QueueId,
  type SecretName,
  type TopicId,
  type Trigger,
} from '../shared/topology.ts';
import { createAlarms, type AlarmOnMessages } from './constructs/alarms.ts';
import { createHttpApi } from './constructs/api.ts';
import { createMail } from './constructs/mail.ts';
import { createObservability, type Observability } from './constructs/observability.ts';
import { acknowledge } from './constructs/nag.ts';
import { pascal } from './constructs/names.ts';
import { createQueues, isAsyncInvoked } from './constructs/queues.ts';
import { createSecrets } from './constructs/secrets.ts';
import { createTable } from './constructs/table.ts';
import { createTopics } from './constructs/topics.ts';
import { ManifestFunction } from './manifest-function.ts';

export { acknowledge, NAG_NAMESPACE } from './constructs/nag.ts';

/** Context keys read by the stack (defaults in `cdk.json`; override with `cdk synth -c key=value`). */
export const contextKeys = {
  deletionProtection: 'collections:deletionProtection',
  sesIdentity: 'collections:sesIdentity',
  mailFrom: 'collections:mailFrom',
  alarmEmail: 'collections:alarmEmail',
  publicBaseUrl: 'collections:publicBaseUrl',
  payeeAccount: 'collections:payeeAccount',
  /** Account-wide payment terms: a JSON string or object (`ACCOUNT_TERMS` of every function with table access). */
  accountTerms: 'collections:accountTerms',
  /** The adaptive reminder cadence: JSON, see shared/domain/adaptive-cadence.ts (`ADAPTIVE_CADENCE`). */
  adaptiveCadence: 'collections:adaptiveCadence',
  /** Bank-fee shortfall tolerance per currency: JSON currency → minor units (`SHORTFALL_TOLERANCE`). */
  shortfallTolerance: 'collections:shortfallTolerance',
  /** `false` stops customer credit from settling new invoices (`APPLY_CREDIT_TO_NEW_INVOICES`). */
  applyCreditToNewInvoices: 'collections:applyCreditToNewInvoices',
  /** The business's branding on customer pages and mails: JSON (a string or an object in cdk.json) (`BRANDING`). */
  branding: 'collections:branding',
  /** The webhook retry schedule: JSON, seconds before each attempt, the first 0 (`WEBHOOK_RETRY_SCHEDULE`). */
  webhookRetrySchedule: 'collections:webhookRetrySchedule',
} as const;

/** The EventBridge bus functions with `access.putEvents` publish to (`EVENT_BUS_NAME`). */
export const EVENT_BUS_NAME = 'default';

export interface CollectionsStackProps extends StackProps {
  /** DynamoDB deletion protection. @default context `collections:deletionProtection`, else true */
  readonly deletionProtection?: boolean;
  /** SES identity (domain or address) to send from. @default context `collections:sesIdentity`, else example.com */
  readonly sesIdentity?: string;
  /** MAIL_FROM address. @default context `collections:mailFrom`, else `billing@<sesIdentity>` */
  readonly mailFrom?: string;
  /** Email subscribed to the alarm topic; empty for none. @default context `collections:alarmEmail` */
  readonly alarmEmail?: string;
  /** PUBLIC_BASE_URL for links in mail. @default context `collections:publicBaseUrl`, else the API's URL */
  readonly publicBaseUrl?: string;
}

/** EventBridge Scheduler delivery retries; a later run picks up whatever a lost one missed. */
const SCHEDULE_RETRY = { retryAttempts: 3, maxEventAge: Duration.hours(1) } as const;
/** AWS: a Lambda event source queue's visibility timeout should be ≥ 6 × the function timeout. */
const VISIBILITY_TO_TIMEOUT_FACTOR = 6;

/** Why a route has no API Gateway authorizer: the manifest's `auth` is enforced in code (shared/http/api.ts). */
const HTTP_AUTH_REASON: Record<Extract<Trigger, { type: 'http' }>['auth'], string> = {
  admin:
    "Admin route (manifest auth 'admin'): httpHandler in shared/http/api.ts rejects the request with 401 unless it " +
    'carries `Authorization: Bearer <key>` equal (timing-safe compare) to the ADMIN_API_KEY secret; authorization is ' +
    'enforced in code by design, so no API Gateway authorizer is attached.',
  signature:
    "Webhook route (manifest auth 'signature'): the payment provider cannot present AWS, JWT or Lambda-authorizer " +
    "credentials; the handler verifies the provider's HMAC signature over the raw body with the webhook secret " +
    'before anything is stored or enqueued.',
  session:
    "Customer portal route (manifest auth 'session'): shared/http/portal.ts answers 401/redirects to sign-in unless the " +
    'request carries a live portal session cookie (an opaque random token whose SHA-256 is looked up in the table, with ' +
    'idle and absolute expiry), and refuses any POST without the session-bound CSRF token; customers cannot hold AWS ' +
    'or JWT credentials, so no API Gateway authorizer is attached.',
  staff:
    "Staff console route (manifest auth 'staff'): shared/http/console.ts answers 401/redirects to sign-in unless the " +
    'request carries a live console session cookie of an active member of the staff directory (an opaque random token ' +
    'whose SHA-256 is looked up in the table, with idle and absolute expiry), refuses any POST without the ' +
    "session-bound CSRF token and any change by a read-only member; sign-in is by a mailed one-time link, so no API " +
    'Gateway authorizer is attached.',
  none:
    "Public route (manifest auth 'none'): the liveness probe (public by design; it returns only {status:'ok'} and its " +
    'function has no data, queue or secret permissions) and the portal sign-in form (it answers the same page for ' +
    'every address and is rate-limited per address and per client in the table); the same for the console sign-in form.',
};

/** How cdk-nag names a `<LogicalId.Arn>` token in IAM5 findings. */
function arnToken(resource: IConstruct): string {
  const cfn = resource.node.defaultChild as CfnElement;
  return `<${Stack.of(resource).getLogicalId(cfn)}.Arn>`;
}

function contextString(scope: Construct, key: string): string | undefined {
  const v: unknown = scope.node.tryGetContext(key);
  if (v === undefined || v === null) return undefined;
  return String(v).trim();
}

/** A JSON context value given as a string (`-c key='{…}'`) or as an object (cdk.json), as compact JSON text. */
function contextJson(scope: Construct, key: string): string | undefined {
  const v: unknown = scope.node.tryGetContext(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return JSON.stringify(v);
  try {
    return JSON.stringify(JSON.parse(v));
  } catch {
    throw new Error(`Context ${key} must be JSON (a string or an object in cdk.json), got ${JSON.stringify(v)}`);
  }
}

function contextBoolean(scope: Construct, key: string): boolean | undefined {
  const v: unknown = scope.node.tryGetContext(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw new Error(`Context ${key} must be true or false, got ${JSON.stringify(v)}`);
}

/** The bare address of `billing@example.com` or `Billing <billing@example.com>`. */
function mailAddress(from: string): string {
  return (/<([^>]+)>/.exec(from)?.[1] ?? from).trim();
}

export class CollectionsStack extends Stack {
  readonly table: TableV2;
  readonly queues: Record<QueueId, Queue>;
  readonly deadLetterQueues: Record<QueueId, Queue>;
  readonly secrets: Record<SecretName, Secret>;
  readonly functions: Record<string, ManifestFunction>;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  /** Every HTTP route with its manifest route key and throttle class. */
  private readonly httpRoutes: { routeKey: string; throttle: Extract<Trigger, { type: 'http' }>['throttle']; route: HttpRoute }[] = [];
  readonly alarmTopic: Topic;
  /** Alarms on functions, API, SES and schedules, and the dashboard (infra/constructs/observability.ts). */
  readonly observability: Observability;
  /** One topic per manifest topic, KMS-encrypted and TLS-only. */
  readonly topics: Record<TopicId, Topic>;
  /** The on-failure destination of each function's table-stream trigger (by function name). */
  readonly streamDeadLetterQueues: Record<string, Queue> = {};
  private alarmOnMessages!: AlarmOnMessages;

  constructor(scope: Construct, id: string, props: CollectionsStackProps = {}) {
    super(scope, id, props);

    const deletionProtection =
      props.deletionProtection ?? contextBoolean(this, contextKeys.deletionProtection) ?? true;
    const sesIdentity = props.sesIdentity ?? contextString(this, contextKeys.sesIdentity) ?? 'example.com';
    const mailFrom = props.mailFrom ?? contextString(this, contextKeys.mailFrom) ?? `billing@${sesIdentity}`;
    const alarmEmail = props.alarmEmail ?? contextString(this, contextKeys.alarmEmail) ?? '';
    const publicBaseUrlOverride =
      props.publicBaseUrl ?? (contextString(this, contextKeys.publicBaseUrl) || undefined);
    const accountTerms = contextJson(this, contextKeys.accountTerms);
    const shortfallTolerance = contextJson(this, contextKeys.shortfallTolerance);
    const adaptiveCadence = contextJson(this, contextKeys.adaptiveCadence);
    const applyCredit = contextBoolean(this, contextKeys.applyCreditToNewInvoices);

    const fromAddress = mailAddress(mailFrom).toLowerCase();
    const identity = sesIdentity.toLowerCase();
    const fromMatchesIdentity = identity.includes('@')
      ? fromAddress === identity
      : fromAddress.endsWith(`@${identity}`);
    if (!fromMatchesIdentity) {
      throw new Error(
        `MAIL_FROM ${mailFrom} is not covered by the SES identity ${sesIdentity}: set ${contextKeys.mailFrom} to an ` +
          `address of that domain or ${contextKeys.sesIdentity} to the address's domain.`,
      );
    }

    // ---- Alarms ---------------------------------------------------------------------------------------------------
    const { alarmTopic, alarmOnMessages } = createAlarms(this, alarmEmail);
    this.alarmTopic = alarmTopic;
    this.alarmOnMessages = alarmOnMessages;

    // ---- Table ----------------------------------------------------------------------------------------------------
    this.table = createTable(this, deletionProtection);

    // ---- Queues ---------------------------------------------------------------------------------------------------
    const queueEntries = Object.values(manifestQueues);
    const { queues, deadLetterQueues, scheduleDlq } = createQueues(this, alarmOnMessages);
    this.queues = queues;
    this.deadLetterQueues = deadLetterQueues;

    // ---- Topics ---------------------------------------------------------------------------------------------------
    this.topics = createTopics(this);
    const topicEntries = Object.values(manifestTopics);

    // ---- Secrets --------------------------------------------------------------------------------------------------
    this.secrets = createSecrets(this);

    // ---- SES ------------------------------------------------------------------------------------------------------
    const { configurationSet, emailIdentity, configurationSetArn } = createMail(this, sesIdentity, this.topics['ses-events']);

    // ---- HTTP API -------------------------------------------------------------------------------------------------
    ({ api: this.api, apiStage: this.apiStage } = createHttpApi(this));
    const apiUrl = this.apiStage.url;
    const publicBaseUrl = publicBaseUrlOverride ?? apiUrl;

    // ---- Functions and triggers -----------------------------------------------------------------------------------
    // PutEvents only on the account's default bus (by ARN), for functions whose manifest entry asks for it.
    const eventBus: IEventBus | undefined = manifestFunctions.some((f) => f.access.putEvents)
      ? EventBus.fromEventBusName(this, 'DefaultBus', EVENT_BUS_NAME)
      : undefined;
    this.functions = {};
    for (const spec of manifestFunctions) {
      const mf = new ManifestFunction(this, spec.name, {
        spec,
        table: this.table,
        queues: this.queues,
        secrets: this.secrets,
        mail: {
          mailFrom,
          configurationSetName: configurationSet.configurationSetName,
          identityArn: emailIdentity.emailIdentityArn,
          configurationSetArn,
        },
        settings: {
          [env.publicBaseUrl]: publicBaseUrl,
          [env.payeeAccount]: contextString(this, contextKeys.payeeAccount) ?? '',
          [env.accountTerms]: accountTerms,
          [env.shortfallTolerance]: shortfallTolerance,
          [env.adaptiveCadence]: adaptiveCadence,
          [env.applyCreditToNewInvoices]: applyCredit === undefined ? undefined : String(applyCredit),
          [env.branding]: contextJson(this, contextKeys.branding),
          [env.webhookRetrySchedule]: contextJson(this, contextKeys.webhookRetrySchedule),
        },
        eventBus,
        asyncDeadLetterQueue: isAsyncInvoked(spec) ? scheduleDlq : undefined,
      });
      this.functions[spec.name] = mf;
      this.acknowledgeGrantWildcards(mf);
      this.wireTriggers(mf, spec, scheduleDlq);
    }

    // ---- Alarms and dashboard -------------------------------------------------------------------------------------
    this.observability = createObservability(this, {
      alarmTopic,
      functions: this.functions,
      api: this.api,
      deadLetterQueues: [
        ...queueEntries.map((q) => ({ label: dlqName(q.id), queue: this.deadLetterQueues[q.id] })),
        ...(scheduleDlq ? [{ label: 'schedules-dlq (failed runs)', queue: scheduleDlq }] : []),
        ...Object.entries(this.streamDeadLetterQueues).map(([name, queue]) => ({ label: streamDlqName(name), queue })),
      ],
      configurationSetName: configurationSet.configurationSetName,
    });

    // ---- Per-route throttling -------------------------------------------------------------------------------------
    // Each route its own bucket of its manifest class (shared/topology.ts `throttleClasses`): a flood of link pages is
    // refused (429) on those routes only, never on the webhooks. The stage may only name routes that exist, so it
    // waits for them.
    const stage = this.apiStage.node.defaultChild as CfnStage;
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const { routeKey, throttle, route } of this.httpRoutes) {
      routeSettings[routeKey] = {
        ThrottlingRateLimit: throttleClasses[throttle].rateLimit,
        ThrottlingBurstLimit: throttleClasses[throttle].burstLimit,
      };
      stage.node.addDependency(route);
    }
    // A map of CloudFormation RouteSettings (the L1 property is a JSON map, rendered as written).
    stage.addPropertyOverride('RouteSettings', routeSettings);

    // ---- Outputs --------------------------------------------------------------------------------------------------
    new CfnOutput(this, 'ApiUrl', { value: apiUrl, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    for (const spec of queueEntries) {
      new CfnOutput(this, `${pascal(spec.id)}QueueUrl`, { value: this.queues[spec.id].queueUrl });
      new CfnOutput(this, `${pascal(dlqName(spec.id))}Url`, { value: this.deadLetterQueues[spec.id].queueUrl });
    }
    for (const name of manifestSecrets) {
      new CfnOutput(this, `${pascal(name.toLowerCase())}SecretArn`, {
        value: this.secrets[name].secretArn,
        description: `Put the real ${name} here after deploy`,
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });
    for (const spec of topicEntries) {
      new CfnOutput(this, `${pascal(spec.id)}TopicArn`, { value: this.topics[spec.id].topicArn });
    }
  }

  private wireTriggers(mf: ManifestFunction, spec: FunctionSpec, scheduleDlq: IQueue | undefined): void {
    const { fn } = mf;
    let integration: HttpLambdaIntegration | undefined;
    let schedulerRole: Role | undefined;
    spec.triggers.forEach((trigger, i) => {
      switch (trigger.type) {
        case 'http': {
          integration ??= new HttpLambdaIntegration(`${pascal(spec.name)}Integration`, fn);
          const [route] = this.api.addRoutes({
            path: trigger.path,
            methods: [HttpMethod[trigger.method]],
            integration,
          });
          acknowledge(route!, 'AwsSolutions-APIG4', HTTP_AUTH_REASON[trigger.auth]);
          this.httpRoutes.push({ routeKey: `${trigger.method} ${trigger.path}`, throttle: trigger.throttle, route: route! });
          break;
        }
        case 'queue': {
          const queue = this.queues[trigger.queue];
          const visibility = manifestQueues[trigger.queue].visibilityTimeoutSeconds;
          if (visibility < VISIBILITY_TO_TIMEOUT_FACTOR * spec.timeoutSeconds) {
            throw new Error(
              `Queue ${trigger.queue}: visibility timeout ${visibility}s is below ${VISIBILITY_TO_TIMEOUT_FACTOR} × ` +
                `the ${spec.name} timeout (${spec.timeoutSeconds}s); raise it in shared/topology.ts.`,
            );
          }
          const eventSource = new SqsEventSource(queue, {
              batchSize: trigger.batchSize,
              maxBatchingWindow:
                trigger.maxBatchingWindowSeconds > 0 ? Duration.seconds(trigger.maxBatchingWindowSeconds) : undefined,
              reportBatchItemFailures: true,
          });
          fn.addEventSource(eventSource);
          acknowledge(
            fn.node.findChild(`SqsEventSource:${Names.nodeUniqueId(queue.node)}`),
            'Serverless-LambdaEventSourceMappingDestination',
            `Lambda offers on-failure destinations for stream and Kafka event sources only, not for SQS: a message ` +
              `of ${trigger.queue} that keeps failing goes to its dead-letter queue by the queue's redrive policy ` +
              `(maxReceiveCount ${manifestQueues[trigger.queue].maxReceiveCount}), which is alarmed.`,
          );
          break;
        }
        case 'schedule': {
          schedulerRole ??= this.schedulerRole(mf);
          new Schedule(mf, `Schedule${i}`, {
            description: `${spec.name}: ${trigger.description}`,
            schedule: ScheduleExpression.cron({ ...trigger.cron, timeZone: TimeZone.ETC_UTC }),
            target: new LambdaInvoke(fn, {
              role: schedulerRole,
              // EventBridge-shaped (the manifest's `scheduledEvent`): the handler takes "now" from `time`.
              input: ScheduleTargetInput.fromObject(
                scheduledEvent({
                  name: spec.name,
                  time: ContextAttribute.scheduledTime,
                  scheduleArn: ContextAttribute.scheduleArn,
                  executionId: ContextAttribute.executionId,
                }),
              ),
              deadLetterQueue: scheduleDlq,
              retryAttempts: SCHEDULE_RETRY.retryAttempts,
              maxEventAge: SCHEDULE_RETRY.maxEventAge,
            }),
          });
          break;
        }
        case 'stream': {
          // The table's stream, filtered by the event source (records that do not match never invoke the function).
          // The function answers the batch's checkpoint (reportBatchItemFailures); a batch still failing after the
          // retries, or older than maxRecordAge, is described in the on-failure queue (alarmed) — its records stay
          // pending in the table and the function's sweep publishes them.
          const onFailure = new Queue(this, streamDlqName(spec.name), {
            retentionPeriod: Duration.days(14),
            encryption: QueueEncryption.SQS_MANAGED,
            enforceSSL: true,
          });
          this.alarmOnMessages(onFailure, `${pascal(streamDlqName(spec.name))}Alarm`, `Stream batches ${spec.name} gave up on`);
          acknowledge(
            onFailure,
            'Serverless-SQSRedrivePolicy',
            'The on-failure destination of a stream event source: it holds descriptions of failed batches (shard, ' +
              'sequence numbers), not work — nothing consumes it, and the records themselves stay pending in the ' +
              'table, where the scheduled sweep publishes them; any message in it raises its alarm.',
          );
          acknowledge(
            onFailure,
            'AwsSolutions-SQS3',
            'This queue is itself a dead-letter destination (the on-failure destination of the table-stream event ' +
              'source of ' + spec.name + '), so it has no dead-letter queue of its own; any message in it raises its alarm.',
          );
          this.streamDeadLetterQueues[spec.name] = onFailure;
          fn.addEventSource(
            new DynamoEventSource(this.table, {
              startingPosition: StartingPosition.TRIM_HORIZON,
              batchSize: trigger.batchSize,
              maxBatchingWindow: trigger.maxBatchingWindowSeconds > 0 ? Duration.seconds(trigger.maxBatchingWindowSeconds) : undefined,
              filters: trigger.filterPatterns.map((pattern) => FilterCriteria.filter(pattern)),
              reportBatchItemFailures: true,
              bisectBatchOnError: true,
              retryAttempts: trigger.retryAttempts,
              maxRecordAge: Duration.seconds(trigger.maxRecordAgeSeconds),
              onFailure: new SqsDlq(onFailure),
            }),
          );
          break;
        }
        case 'sns': {
          // SNS invokes the function asynchronously; CDK adds the lambda:InvokeFunction permission for this topic.
          // Notifications SNS cannot deliver to the function (e.g. throttled past SNS's retries) go to the failed-runs
          // queue too (SNS redrive policy; CDK adds the queue policy for this topic).
          this.topics[trigger.topic].addSubscription(new LambdaSubscription(fn, { deadLetterQueue: scheduleDlq }));
          break;
        }
      }
    });
  }

  /** The role EventBridge Scheduler assumes to invoke one function (same trust as the target's default role). */
  private schedulerRole(mf: ManifestFunction): Role {
    const role = new Role(mf, 'SchedulerRole', {
      description: `EventBridge Scheduler invokes ${mf.spec.name}`,
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': this.account,
            'aws:SourceArn': this.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${arnToken(mf.fn)}:*]`,
      `Added by CDK's grantInvoke for the scheduler target: lambda:InvokeFunction on ${mf.spec.name} and its own ` +
        'versions/aliases only; no other function can be invoked.',
    );
    return role;
  }

  /** Findings produced by CDK's own grants that are already as narrow as the service allows. */
  private acknowledgeGrantWildcards(mf: ManifestFunction): void {
    acknowledge(
      mf.role,
      'AwsSolutions-IAM5[Resource::*]',
      "Added by CDK for X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords only, which X-Ray " +
        'does not scope to resources (the service authorizes them on Resource * alone); no other action has a wildcard.',
    );
    if (!isAsyncInvoked(mf.spec)) {
      acknowledge(
        mf.fn,
        'Serverless-LambdaDLQ',
        `${mf.spec.name} is never invoked asynchronously (its triggers: ` +
          `${[...new Set(mf.spec.triggers.map((t) => t.type))].join(', ')}): API Gateway invokes it synchronously and ` +
          "answers the caller with the error, and an SQS event source's failed messages go to that queue's own " +
          'dead-letter queue (redrive policy); a Lambda dead-letter target would never receive anything.',
      );
    }
    if (mf.spec.access.table) {
      acknowledge(
        mf.role,
        `AwsSolutions-IAM5[Resource::${arnToken(this.table)}/index/*]`,
        `Added by CDK's table.grant${mf.spec.access.table === 'read' ? 'Read' : 'ReadWrite'}Data: the wildcard ` +
          `covers only this table's own indexes (${manifestTable.indexes.map((i) => i.name).join(', ')} in the ` +
          'manifest), which the function queries; no other table is reachable.',
      );
    }
  }
}
