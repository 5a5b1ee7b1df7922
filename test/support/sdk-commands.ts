/**
 * Which AWS SDK commands a function can send, read from its esbuild bundle, and the IAM actions
 * each needs. Every SDK v3 client defines its command base once,
 * `makeBuilder(params, "<service target>", "<Client name>", …)`, and every command as
 * `class XCommand extends command(…, "<Operation>", …)`; both survive minification as string
 * literals, so the bundle itself says what the function can call.
 *
 * The bundle is built with the deployed options (infra/bundling.ts) plus one thing: the SDK's own
 * modules are declared free of side effects, so esbuild drops every module nothing in the
 * function reaches. Without that, modules the SDK evaluates at load keep commands no code calls
 * (lib-dynamodb's `paginateScan` keeps `Scan` in every bundle that imports lib-dynamodb). Our own
 * modules keep their side effects, so everything our code can reach stays in. A function's lazy
 * files (infra/bundling.ts, `lazyFiles`) are read the same way and count as its bundle.
 */
import { relative } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { esbuildOptions, lazyFiles, lazyFilesNamedIn, projectRoot } from '../../infra/bundling.ts';

/** The IAM service prefix of each SDK client a function may bundle. */
export const iamPrefixByClient: Readonly<Record<string, string>> = {
  DynamoDBClient: 'dynamodb',
  DynamoDBStreamsClient: 'dynamodb',
  SQSClient: 'sqs',
  SNSClient: 'sns',
  EventBridgeClient: 'events',
  SESClient: 'ses',
  SESv2Client: 'ses',
  PinpointClient: 'mobiletargeting',
  SecretsManagerClient: 'secretsmanager',
  S3Client: 's3',
  SchedulerClient: 'scheduler',
  CognitoIdentityProviderClient: 'cognito-idp',
  CloudWatchClient: 'cloudwatch',
  LambdaClient: 'lambda',
  KMSClient: 'kms',
  GlueClient: 'glue',
};

/**
 * Clients the default credential provider chain bundles (SSO, web identity, assume-role, console
 * sign-in). In Lambda the credentials come from the environment, the chain's first link, so these
 * clients are never constructed and send nothing.
 */
export const credentialChainClients: ReadonlySet<string> = new Set(['STSClient', 'SSOClient', 'SSOOIDCClient', 'SigninClient', 'CognitoIdentityClient']);

/**
 * Operations an SDK client bundles for itself and never sends in Tally's configuration:
 * DynamoDB's endpoint discovery (`DescribeEndpoints`) runs only when `endpointDiscoveryEnabled`
 * or AWS_ENABLE_ENDPOINT_DISCOVERY is set, which Tally never does.
 */
export const clientInternalOperations: ReadonlySet<string> = new Set([
  'DynamoDBClient:DescribeEndpoints',
  // S3's client carries the S3 Express session call; it is sent only for directory buckets,
  // and the import bucket is a general-purpose one.
  'S3Client:CreateSession',
]);

/**
 * Operations whose IAM action has another name, or several. `TransactWriteItems` has no action of
 * its own: DynamoDB authorises each item by its kind (Put, Update, Delete, ConditionCheck), and
 * the bundle cannot say which kinds a function's transactions hold, so all four are required.
 * The SQS and SNS batch calls are authorised by their single-message action.
 */
export const actionsByOperation: Readonly<Record<string, readonly string[]>> = {
  'dynamodb:TransactWriteItems': ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
  'dynamodb:TransactGetItems': ['dynamodb:GetItem'],
  'sqs:SendMessageBatch': ['sqs:SendMessage'],
  'sqs:DeleteMessageBatch': ['sqs:DeleteMessage'],
  'sqs:ChangeMessageVisibilityBatch': ['sqs:ChangeMessageVisibility'],
  'sns:PublishBatch': ['sns:Publish'],
  's3:HeadObject': ['s3:GetObject'],
  's3:ListObjectsV2': ['s3:ListBucket'],
  's3:CreateMultipartUpload': ['s3:PutObject'],
  's3:UploadPart': ['s3:PutObject'],
  's3:CompleteMultipartUpload': ['s3:PutObject'],
};

/** A command as `<iam prefix>:<Operation>`, e.g. `dynamodb:BatchGetItem`. */
export type Command = string;

export const actionsFor = (command: Command): readonly string[] => actionsByOperation[command] ?? [command];

/** Marks every module of the AWS SDK and Smithy as free of side effects (see the module comment). */
const sdkWithoutSideEffects: Plugin = {
  name: 'sdk-without-side-effects',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === sdkWithoutSideEffects) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: sdkWithoutSideEffects });
      if (r.errors.length > 0) return undefined;
      return /[\\/]node_modules[\\/]@(aws-sdk|smithy)[\\/]/.test(r.path) ? { ...r, sideEffects: false } : r;
    });
  },
};

export interface BundledCommands {
  /** What the function can send, as `<iam prefix>:<Operation>`. */
  readonly commands: readonly Command[];
  /** `<Client>:<Operation>` found but not counted: the credential chain's and client-internal ones. */
  readonly ignored: readonly string[];
}

/**
 * The commands in each function's bundle, by the names of `entries`. One esbuild run for all:
 * each entry is still its own bundle (no code splitting), but modules are resolved once.
 * Throws when a bundle holds a client this module cannot read.
 */
export async function bundledCommands(entries: Readonly<Record<string, string>>): Promise<Record<string, BundledCommands>> {
  const found = await commandsOfBundles(entries);
  // A function sends what its lazy files can send too (infra/bundling.ts, `lazyFiles`).
  const lazyFound = await commandsOfBundles(Object.fromEntries(lazyFiles.map((f) => [f.file, `${projectRoot}${f.entry}`])));
  return Object.fromEntries(
    Object.entries(found).map(([name, { bundle, code }]) => {
      const all = [bundle, ...lazyFilesNamedIn(code).map((f) => lazyFound[f.file]!.bundle)];
      const union = (pick: (b: BundledCommands) => readonly string[]) => [...new Set(all.flatMap(pick))].sort();
      return [name, { commands: union((b) => b.commands), ignored: union((b) => b.ignored) }];
    }),
  );
}

/** Each bundle's commands and code, by the names of `entries`. */
async function commandsOfBundles(entries: Readonly<Record<string, string>>): Promise<Record<string, { bundle: BundledCommands; code: string }>> {
  const outdir = 'bundles';
  const result = await build({ ...esbuildOptions({ ...entries }), outdir, sourcemap: false, write: false, metafile: true, plugins: [sdkWithoutSideEffects] });
  const byOutput = new Map(result.outputFiles!.map((f) => [relative(process.cwd(), f.path), f.text]));
  return Object.fromEntries(
    Object.entries(result.metafile!.outputs).flatMap(([path, output]) => {
      const name = Object.keys(entries).find((n) => path === `${outdir}/${n}.js`);
      const code = byOutput.get(path)!;
      return name ? [[name, { bundle: commandsInBundle(code, output.inputs), code }]] : [];
    }),
  );
}

/** The commands in one bundle's code; `inputs` (from esbuild's metafile) guards the parser. */
export function commandsInBundle(code: string, inputs: Metafile['outputs'][string]['inputs'] = {}): BundledCommands {
  // `<var>=<makeBuilder>(<params>,"<service target>","<Client>",<plugin>)`, minified or not.
  const builders = new Map<string, string>();
  for (const m of code.matchAll(/([\w$]+)\s*=\s*[\w$]+\(\s*[\w$]+\s*,\s*"[\w.-]+"\s*,\s*"(\w+Client)"\s*,\s*[\w$]+\s*\)/g)) builders.set(m[1]!, m[2]!);
  const commands = new Set<Command>();
  const ignored = new Set<string>();
  for (const m of code.matchAll(/class(?:\s+\w+)?\s+extends\s+([\w$]+)\(\s*[\w$]+\s*,\s*[\w$]+\s*,\s*"(\w+)"\s*,\s*[\w$]+\s*\)/g)) {
    const client = builders.get(m[1]!);
    if (!client) continue; // some other class built by a four-argument call
    const operation = m[2]!;
    if (credentialChainClients.has(client) || clientInternalOperations.has(`${client}:${operation}`)) {
      ignored.add(`${client}:${operation}`);
      continue;
    }
    const prefix = iamPrefixByClient[client];
    if (!prefix) throw new Error(`${client} is bundled but has no IAM prefix in iamPrefixByClient (test/support/sdk-commands.ts)`);
    commands.add(`${prefix}:${operation}`);
  }
  // Guards the patterns above against an SDK that writes its commands differently.
  // Each @aws-sdk/client-* package in the bundle defines one command builder.
  const inOutput = Object.entries(inputs).filter(([, i]) => i.bytesInOutput > 0).map(([p]) => p);
  const bundledClients = new Set(inOutput.flatMap((p) => /node_modules\/@aws-sdk\/client-([\w-]+)\//.exec(p)?.[1] ?? []));
  const recognised = [...builders.values()].filter((c) => !credentialChainClients.has(c));
  if (recognised.length < bundledClients.size || (bundledClients.size > 0 && commands.size === 0)) {
    throw new Error(`the bundle holds @aws-sdk/client-{${[...bundledClients].join(',')}} but only these command builders were recognised: ${recognised.join(', ') || 'none'}; has the SDK's command builder changed?`);
  }
  return { commands: [...commands].sort(), ignored: [...ignored].sort() };
}
