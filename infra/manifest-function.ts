/**
 * One Lambda function built from one manifest entry (`shared/topology.ts` → `functions[]`): its own role, its own log
 * group, its environment and exactly the grants listed in `spec.access`. Triggers are wired by the stack.
 */
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  env,
  functionEnv,
  queueUrlEnvVar,
  secretArnEnvVar,
  type EnvVarName,
  type FunctionSpec,
  type QueueId,
  type SecretName,
} from '../shared/topology.ts';

export { secretArnEnvVar };

/** The repository root: entries in the manifest are relative to it, and so is the lock file. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Lets ESM bundles `require()` CommonJS-only dependencies that esbuild leaves as dynamic requires. */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * NodejsFunction bundles with the project's esbuild and silently falls back to Docker without it; Docker is not
 * available here, so say what is missing instead.
 */
function assertLocalEsbuild(): void {
  try {
    createRequire(path.join(repoRoot, 'package.json')).resolve('esbuild');
  } catch {
    throw new Error('esbuild is not installed in this repository (run `npm ci`); Lambda bundling needs it locally.');
  }
}

export interface MailResources {
  /** `MAIL_FROM` for functions with `access.sendMail`. */
  readonly mailFrom: string;
  readonly configurationSetName: string;
  /** ARNs `ses:SendEmail` is scoped to: the sending identity and the configuration set. */
  readonly identityArn: string;
  readonly configurationSetArn: string;
}

export interface ManifestFunctionProps {
  readonly spec: FunctionSpec;
  readonly table: ITableV2;
  readonly queues: Readonly<Record<QueueId, IQueue>>;
  readonly secrets: Readonly<Record<SecretName, ISecret>>;
  readonly mail: MailResources;
  /**
   * Values of the stack-wide variables (PUBLIC_BASE_URL, PAYEE_ACCOUNT) and of the operator-configured ones
   * (ACCOUNT_TERMS, SHORTFALL_TOLERANCE, APPLY_CREDIT_TO_NEW_INVOICES; unset = the documented default). Each is set
   * only for the functions the topology declares it for (`functionEnv`).
   */
  readonly settings?: Readonly<Partial<Record<EnvVarName, string>>>;
  /** The bus functions with `access.putEvents` may put events on (the account's default bus). */
  readonly eventBus?: IEventBus;
  /** Where asynchronous invocations that still fail after Lambda's retries go (scheduled functions). */
  readonly asyncDeadLetterQueue?: IQueue;
}

export class ManifestFunction extends Construct {
  readonly spec: FunctionSpec;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ManifestFunctionProps) {
    super(scope, id);
    const { spec, table, queues, secrets, mail } = props;
    this.spec = spec;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Own role instead of the AWSLambdaBasicExecutionRole managed policy: it may write to its own log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${spec.name}`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    // Exactly the variables the topology declares for this function (shared/topology.ts `functionEnv`).
    if (spec.access.putEvents && !props.eventBus) throw new Error(`${spec.name} has access.putEvents but no event bus was given`);
    const values: Record<string, string | undefined> = {
      ...props.settings,
      [env.serviceName]: 'collections',
      [env.tableName]: table.tableName,
      [env.mailFrom]: mail.mailFrom,
      [env.sesConfigurationSet]: mail.configurationSetName,
      [env.eventBusName]: props.eventBus?.eventBusName,
    };
    for (const queueId of spec.access.sendTo ?? []) values[queueUrlEnvVar(queueId)] = queues[queueId].queueUrl;
    for (const name of spec.access.secrets ?? []) values[secretArnEnvVar(name)] = secrets[name].secretArn;
    const environment: Record<string, string> = { NODE_OPTIONS: '--enable-source-maps' };
    for (const { name, source } of functionEnv(spec)) {
      if (source === 'local') continue;
      const value = values[name];
      if (value === undefined) {
        if (source === 'always') throw new Error(`${spec.name}: no value for ${name}, which the topology always sets`);
        continue;
      }
      environment[name] = value;
    }

    assertLocalEsbuild();
    this.fn = new NodejsFunction(this, 'Function', {
      description: spec.description,
      entry: path.join(repoRoot, spec.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMb,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      // X-Ray active tracing: Lambda samples invocations and traces them (CDK grants xray:PutTraceSegments and
      // xray:PutTelemetryRecords, which X-Ray only offers on Resource *).
      tracing: Tracing.ACTIVE,
      environment,
      deadLetterQueue: props.asyncDeadLetterQueue,
      bundling: {
        minify: true,
        sourceMap: true,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        forceDockerBundling: false, // local esbuild (checked above); Docker is not used
      },
    });

    // Least privilege, exactly as listed in the manifest.
    if (spec.access.table === 'read') table.grantReadData(this.fn);
    if (spec.access.table === 'readwrite') table.grantReadWriteData(this.fn);
    for (const queueId of spec.access.sendTo ?? []) queues[queueId].grantSendMessages(this.fn);
    for (const name of spec.access.secrets ?? []) secrets[name].grantRead(this.fn);
    if (spec.access.sendMail) {
      this.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail', 'ses:SendRawEmail'],
          resources: [mail.identityArn, mail.configurationSetArn],
        }),
      );
    }
    // events:PutEvents on that one bus (its ARN, no wildcard).
    if (spec.access.putEvents) props.eventBus?.grantPutEventsTo(this.fn);
  }
}
