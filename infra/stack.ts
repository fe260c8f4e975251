/**
 * The Collections stack, built entirely from the manifest in `shared/topology.ts`: the table, the queues and their
 * dead-letter queues, the SNS topics, the secrets, one Lambda per function and its triggers (HTTP routes, queue event
 * sources, EventBridge Scheduler schedules, SNS subscriptions). Nothing about topology is written here a second time.
 */
import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  TimeZone,
  Validations,
  type CfnElement,
  type StackProps,
} from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import {
  defaultThrottleClass,
  dlqName,
  env,
  functions as manifestFunctions,
  queues as manifestQueues,
  scheduledEvent,
  secrets as manifestSecrets,
  table as manifestTable,
  throttleClasses,
  topics as manifestTopics,
  type FunctionSpec,
  type QueueId,
  type SecretName,
  type TopicId,
  type Trigger,
} from '../shared/topology.ts';
import { ManifestFunction } from './manifest-function.ts';

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
  /** Bank-fee shortfall tolerance per currency: JSON currency → minor units (`SHORTFALL_TOLERANCE`). */
  shortfallTolerance: 'collections:shortfallTolerance',
  /** `false` stops customer credit from settling new invoices (`APPLY_CREDIT_TO_NEW_INVOICES`). */
  applyCreditToNewInvoices: 'collections:applyCreditToNewInvoices',
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
  none:
    "Liveness probe (manifest auth 'none'): public by design; it returns only {status:'ok'} and its function has no " +
    'data, queue or secret permissions.',
};

/** Invoked asynchronously (EventBridge Scheduler, SNS): Lambda retries, then the failed-runs DLQ. */
function isAsyncInvoked(spec: FunctionSpec): boolean {
  return spec.triggers.some((t) => t.type === 'schedule' || t.type === 'sns');
}

function pascal(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

/** Rule namespace of cdk-nag's AwsSolutions pack in CDK's validation report. */
export const NAG_NAMESPACE = 'AwsSolutions';

/**
 * Acknowledge a cdk-nag AwsSolutions finding on a construct and its children, always with a written reason.
 *
 * The id is recorded namespaced (`AwsSolutions::AwsSolutions-XXX`), so cdk-nag still reports the finding and CDK's
 * validation moves it to `suppressedViolations` in `validation-report.json`, with the reason: an audit trail of every
 * acknowledgement. (An un-namespaced id would make cdk-nag drop the finding silently.)
 */
export function acknowledge(scope: IConstruct, ruleId: string, reason: string): void {
  if (!reason.trim()) throw new Error(`Acknowledgement of ${ruleId} on ${scope.node.path} needs a reason`);
  Validations.of(scope).acknowledge({ id: `${NAG_NAMESPACE}::${ruleId}`, reason });
}

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
  /** One topic per manifest topic, KMS-encrypted and TLS-only. */
  readonly topics: Record<TopicId, Topic>;

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
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'Collections alarms', enforceSSL: true });
    // Not KMS-encrypted: alarm notifications carry only alarm names and metric values, and CloudWatch cannot publish
    // to a topic encrypted with the AWS managed SNS key (enforceSSL covers AwsSolutions-SNS3).
    if (alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(alarmEmail));
    const alarmAction = new SnsAction(this.alarmTopic);
    const alarmOnMessages = (queue: Queue, alarmId: string, what: string): Alarm => {
      const alarm = new Alarm(this, alarmId, {
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

    // ---- Table ----------------------------------------------------------------------------------------------------
    this.table = new TableV2(this, manifestTable.logicalName, {
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
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- Queues ---------------------------------------------------------------------------------------------------
    const queueEntries = Object.values(manifestQueues);
    this.queues = {} as Record<QueueId, Queue>;
    this.deadLetterQueues = {} as Record<QueueId, Queue>;
    for (const spec of queueEntries) {
      const dlq = new Queue(this, dlqName(spec.id), {
        retentionPeriod: Duration.days(14),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      const queue = new Queue(this, `${pascal(spec.id)}Queue`, {
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        retentionPeriod: Duration.seconds(spec.retentionSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      alarmOnMessages(dlq, `${pascal(dlqName(spec.id))}Alarm`, `Dead-letter queue of ${spec.id}`);
      this.queues[spec.id] = queue;
      this.deadLetterQueues[spec.id] = dlq;
    }

    // Failed asynchronous runs: deliveries EventBridge Scheduler gave up on, and asynchronous invocations (scheduled
    // runs, SNS notifications) that still failed after Lambda's own retries. Created only if the manifest has any.
    const hasAsync = manifestFunctions.some(isAsyncInvoked);
    let scheduleDlq: Queue | undefined;
    if (hasAsync) {
      scheduleDlq = new Queue(this, 'schedules-dlq', {
        retentionPeriod: Duration.days(14),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      alarmOnMessages(scheduleDlq, 'SchedulesDlqAlarm', 'Failed scheduled runs and notifications');
    }

    // ---- Topics ---------------------------------------------------------------------------------------------------
    // Encrypted with a customer managed key: the publishers (SES) cannot use the AWS managed SNS key, whose policy
    // cannot be changed. The messages carry recipient addresses, hence encryption at rest.
    this.topics = {} as Record<TopicId, Topic>;
    const topicEntries = Object.values(manifestTopics);
    if (topicEntries.length > 0) {
      const topicsKey = new Key(this, 'TopicsKey', {
        description: 'Encrypts the Collections SNS topics (SES bounce and complaint notifications)',
        enableKeyRotation: true,
      });
      // SES publishes the configuration set's events, so it must be able to use this key. What SES may publish, and
      // for whom, is limited by the topic policy (this account and configuration set only, added with the event
      // destination below); the key statement carries no condition, as in AWS's examples for services publishing
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
        this.topics[spec.id] = new Topic(this, `${pascal(spec.id)}Topic`, {
          displayName: `Collections ${spec.id}: ${spec.description}`.slice(0, 100),
          masterKey: topicsKey,
          enforceSSL: true,
        });
      }
    }

    // ---- Secrets --------------------------------------------------------------------------------------------------
    this.secrets = {} as Record<SecretName, Secret>;
    for (const name of manifestSecrets) {
      const secret = new Secret(this, pascal(name.toLowerCase()) + 'Secret', {
        description: `Collections ${name}: a generated placeholder; put the real value after the first deploy.`,
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
      });
      acknowledge(
        secret,
        'AwsSolutions-SMG4',
        `${name} is a credential issued and rotated by its owner (payment provider, bank or operators) and written ` +
          'here by hand; Secrets Manager has no rotation function that could issue a new one.',
      );
      this.secrets[name] = secret;
    }

    // ---- SES ------------------------------------------------------------------------------------------------------
    const configurationSet = new ConfigurationSet(this, 'MailConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const emailIdentity = new EmailIdentity(this, 'MailIdentity', {
      identity: identity.includes('@') ? Identity.email(sesIdentity) : Identity.domain(sesIdentity),
      configurationSet,
    });
    const configurationSetArn = this.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: configurationSet.configurationSetName,
    });
    // Bounces and complaints of mail sent with the configuration set → the ses-events topic (CDK adds the topic
    // policy letting SES publish, for this configuration set and account only).
    new ConfigurationSetEventDestination(this, 'MailEventsDestination', {
      configurationSet,
      destination: EventDestination.snsTopic(this.topics['ses-events']),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    // ---- HTTP API -------------------------------------------------------------------------------------------------
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'Collections: admin API and payment webhooks',
      createDefaultStage: false,
    });
    this.apiStage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      // Default route throttling (any route without its own settings); every manifest route gets its class's below.
      throttle: throttleClasses[defaultThrottleClass],
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            httpMethod: '$context.httpMethod',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });
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
          [env.applyCreditToNewInvoices]: applyCredit === undefined ? undefined : String(applyCredit),
        },
        eventBus,
        asyncDeadLetterQueue: isAsyncInvoked(spec) ? scheduleDlq : undefined,
      });
      this.functions[spec.name] = mf;
      this.acknowledgeGrantWildcards(mf);
      this.wireTriggers(mf, spec, scheduleDlq);
    }

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
          fn.addEventSource(
            new SqsEventSource(queue, {
              batchSize: trigger.batchSize,
              maxBatchingWindow:
                trigger.maxBatchingWindowSeconds > 0 ? Duration.seconds(trigger.maxBatchingWindowSeconds) : undefined,
              reportBatchItemFailures: true,
            }),
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
        case 'sns': {
          // SNS invokes the function asynchronously; CDK adds the lambda:InvokeFunction permission for this topic.
          this.topics[trigger.topic].addSubscription(new LambdaSubscription(fn));
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
