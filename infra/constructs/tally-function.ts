/**
 * A Lambda function with Tally's defaults fixed once: arm64, Node.js 22, ESM bundle made by the
 * local esbuild (no Docker), source maps, X-Ray tracing, its own log group with retention, and a
 * least-privilege table grant.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { LOOKUP_KEY_SECRET_ENV } from '../../lib/storage/lookup-key.ts';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { tableDefinition } from '../../lib/storage/table.ts';
import { bundlingOptions, lazyFileArgs, lazyFiles, lazyFileSpecifier, projectRoot } from '../bundling.ts';

export interface TallyFunctionProps
  extends Omit<NodejsFunctionProps, 'runtime' | 'architecture' | 'logGroup' | 'logRetention' | 'logRemovalPolicy'> {
  readonly entry: string;
  readonly logsRetention?: RetentionDays;
  readonly logsRemovalPolicy?: RemovalPolicy;
}

/** How long a function may run unless it says otherwise; request retries stay well inside it (lib/storage/transact.ts). */
export const defaultFunctionTimeout = Duration.seconds(10);

/**
 * DynamoDB actions by intent; TransactWriteItems is authorised per item action. The permissions
 * test (test/infra/permissions.test.ts) checks these against the commands each bundle can send.
 */
export const tableActions = {
  keyLookup: ['dynamodb:GetItem'],
  read: ['dynamodb:GetItem', 'dynamodb:Query'],
  /** Many items by key at once: only the customer export does (lib/app/privacy.ts). */
  batchRead: ['dynamodb:BatchGetItem'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
} as const;

const shellQuote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/** After the handler's bundle: each lazy file it names (as `lazyFilesNamedIn` reads it), built beside it by the project's esbuild (infra/bundling.ts). */
function lazyFileCommands(inputDir: string, outputDir: string): string[] {
  return lazyFiles.map(
    (f) =>
      `if grep -qF ${shellQuote(lazyFileSpecifier(f))} ${shellQuote(`${outputDir}/index.mjs`)}; then ${[`${inputDir}/node_modules/.bin/esbuild`, ...lazyFileArgs(f, inputDir, outputDir)].map(shellQuote).join(' ')}; fi`,
  );
}

export class TallyFunction extends NodejsFunction {
  /** The handler's source file, which esbuild bundles (the permissions test reads the same bundle). */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: TallyFunctionProps) {
    const { logsRetention, logsRemovalPolicy, ...fnProps } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: logsRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: logsRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    super(scope, id, {
      ...fnProps,
      role,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? defaultFunctionTimeout,
      tracing: props.tracing ?? Tracing.ACTIVE,
      // JSON logs; in prod Lambda's own START/END/REPORT lines (three per invocation, on every
      // function) are dropped below WARN — our lines are JSON already and keep their own level.
      loggingFormat: LoggingFormat.JSON,
      systemLogLevelV2: scope.node.tryGetContext('stage') === 'prod' ? SystemLogLevel.WARN : SystemLogLevel.INFO,
      logGroup,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: `${projectRoot}package-lock.json`,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        ...bundlingOptions,
        externalModules: [...bundlingOptions.externalModules],
        mainFields: [...bundlingOptions.mainFields],
        format: OutputFormat.ESM,
        forceDockerBundling: false,
        commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: lazyFileCommands },
        ...props.bundling,
      },
    });
    this.entry = props.entry;
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Pinned to Node.js 22 on purpose: the runtime the test suite runs on (node@22 devDependency).',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments and PutTelemetryRecords support no resource-level permissions.',
    });
  }

  /**
   * Grants exactly the item actions the code uses on the table (no Scan, no table management;
   * DeleteItem only for segment memberships) and tells the function the table's name.
   */
  bindTable(table: ITable, access: 'keyLookup' | 'read' | 'readWrite', options: { batchRead?: boolean } = {}): this {
    const actions = [
      ...(access === 'readWrite' ? [...tableActions.read, ...tableActions.write] : tableActions[access]),
      ...(options.batchRead ? tableActions.batchRead : []),
    ];
    const indexes = tableDefinition.globalSecondaryIndexes.map((g) => `${table.tableArn}/index/${g.name}`);
    this.addToRolePolicy(new PolicyStatement({ actions, resources: [table.tableArn, ...indexes] }));
    // A table under a customer-managed key needs the key for every item read and written.
    if (table.encryptionKey) {
      this.addToRolePolicy(new PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [table.encryptionKey.keyArn] }));
    }
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }

  /**
   * Lets the function read the phone lookup key (lib/storage/lookup-key.ts): GetSecretValue only,
   * which is all the code sends (grantRead would add DescribeSecret).
   */
  bindLookupKey(secret: ISecret): this {
    this.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
    secret.encryptionKey?.grantDecrypt(this);
    this.addEnvironment(LOOKUP_KEY_SECRET_ENV, secret.secretArn);
    return this;
  }

  /**
   * Lets the function send to a queue (sqs:SendMessage also authorises SendMessageBatch) and puts
   * the queue's URL in `env` (lib/messaging/queues.ts).
   */
  bindQueue(env: string, queue: IQueue): this {
    this.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    queue.encryptionMasterKey?.grant(this, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.addEnvironment(env, queue.queueUrl);
    return this;
  }
}
