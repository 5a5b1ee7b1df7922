/**
 * Every AWS SDK command a function can send is allowed by its role, and its role allows nothing
 * else, apart from what AWS services do with the role on the function's behalf (listed below with
 * the reason). DynamoDB Local and moto check no permissions, so this is the only test that would
 * notice a command the stack forgot to grant before it fails in AWS.
 *
 * The commands come from each function's own bundle (test/support/sdk-commands.ts); the grants
 * from the templates of the app infra/app.ts builds, with every optional channel configured so
 * that every command the workers bundle is meant to be granted.
 */
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtApp } from '../support/cdk.ts';
import { allFunctionEntries } from '../../infra/bundling.ts';
import { TallyFunction } from '../../infra/constructs/tally-function.ts';
import { routeGroups } from '#lib/http/routes.ts';
import { actionsFor, bundledCommands, type BundledCommands, type Command } from '../support/sdk-commands.ts';

const stage = 'dev';
const context = {
  stage,
  emailFrom: 'club@pharmacy.example',
  sms: 'true',
  apnsSecretName: 'tally/apns',
  fcmSecretName: 'tally/fcm',
  alarmEmail: 'ops@pharmacy.example',
  // The optional table export's catalog function too.
  tableExport: 'true',
  // This test bundles each function itself; the CDK's own bundling would only repeat that work.
  'aws:cdk:bundling-stacks': [],
};

/** Actions a role holds for what an AWS service does with it; `when` says which functions need them. */
const grantedForServices: ReadonlyArray<{ actions: readonly string[]; when: (f: Fn) => boolean; reason: string }> = [
  { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], when: () => true, reason: "Lambda writes the function's logs with its role" },
  { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], when: () => true, reason: 'active tracing: Lambda sends the trace segments with the role' },
  {
    actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    when: (f) => f.commands.some((c) => c.startsWith('dynamodb:')) || f.sources.includes('stream'),
    reason: "DynamoDB uses the table's key with the caller's credentials for the items (and stream records) it reads and writes",
  },
  {
    actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
    when: (f) => f.sources.includes('queue'),
    reason: "the SQS event source mapping polls and deletes with the function's role",
  },
  {
    actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
    when: (f) => f.sources.includes('stream'),
    reason: "the stream event source mapping reads the table's stream with the function's role",
  },
  {
    actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
    when: (f) => f.failureDestination,
    reason: "Lambda sends what the function gave up on to its on-failure queue with the function's role",
  },
];

/**
 * Commands a function's bundle holds but the function never sends. The bundle is per module: a
 * function that imports the shared `deps()` bundles every repository, whatever it calls.
 */
const bundledNotSent: Readonly<Record<string, { commands: readonly Command[] | ((bundled: readonly Command[]) => readonly Command[]); reason: string }>> = {
  authorizer: {
    commands: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:TransactWriteItems'],
    reason: "it calls only the key repository's resolve, one GetItem per key (functions/http/authorizer.ts); the repository's other methods come along in the bundle",
  },
  outbox: {
    commands: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:TransactWriteItems', 'secretsmanager:GetSecretValue'],
    reason: "it reads only the tenant's active journeys and webhook endpoints through deps() (lib/app/listeners.ts: Query); the rest of deps() comes along in the bundle",
  },
};

const notSentBy = (name: string, bundled: readonly Command[]): readonly Command[] => {
  const c = bundledNotSent[name]?.commands ?? [];
  return typeof c === 'function' ? c(bundled) : c;
};

interface Fn {
  readonly name: string;
  readonly entry: string;
  readonly bundle: BundledCommands;
  /** What the function sends: the bundle's commands less `bundledNotSent`. */
  readonly commands: readonly Command[];
  readonly granted: readonly string[];
  /** Its event source mappings: a queue, a table stream. */
  readonly sources: ReadonlyArray<'queue' | 'stream'>;
  /** Whether Lambda sends its failed events or records somewhere. */
  readonly failureDestination: boolean;
}

type Json = Record<string, any>;

/** Allow-actions of a role: its policies and inline policies. A managed policy would hide grants from this test. */
function grantedTo(template: Json, roleId: string): string[] {
  const resources = template.Resources as Record<string, Json>;
  const role = resources[roleId]!;
  expect(role.Properties.ManagedPolicyArns ?? [], `${roleId} has managed policies`).toEqual([]);
  const documents = [
    ...(role.Properties.Policies ?? []).map((p: Json) => p.PolicyDocument),
    ...Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(JSON.stringify({ Ref: roleId })))
      .map((r) => r.Properties.PolicyDocument),
  ];
  const statements = documents.flatMap((d: Json) => d.Statement as Json[]);
  for (const s of statements) expect(s.NotAction, 'NotAction is not supported by this test').toBeUndefined();
  return [...new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat() as string[]))].sort();
}

/** IAM's wildcard match of an action pattern (`kms:GenerateDataKey*`) against an action. */
const allows = (pattern: string, action: string) =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(action);

describe('Permissions: each function may send exactly the AWS SDK commands its code can send', () => {
  let fns: Fn[];

  beforeAll(async () => {
    const { app } = builtApp(context);
    const templates = new Map<Stack, Json>();
    const templateOf = (s: Stack) => templates.get(s) ?? templates.set(s, Template.fromStack(s).toJSON()).get(s)!;
    const resourcesOf = (s: Stack, type: string) => Object.values(templateOf(s).Resources as Record<string, Json>).filter((r) => r.Type === type);
    const deployed = app.node.findAll().filter((c): c is TallyFunction => c instanceof TallyFunction);
    const nameOf = (fn: TallyFunction) => String((fn.node.defaultChild as CfnFunction).functionName).replace(`tally-${stage}-`, '');
    const bundles = await bundledCommands(Object.fromEntries(deployed.map((fn) => [nameOf(fn), fn.entry])));
    fns = deployed.map((fn) => {
      const stack = Stack.of(fn);
      const template = templateOf(stack);
      const fnId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
      const name = nameOf(fn);
      const ofThisFunction = (type: string) => resourcesOf(stack, type).filter((r) => JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: fnId }));
      const mappings = ofThisFunction('AWS::Lambda::EventSourceMapping');
      const invokeConfigs = ofThisFunction('AWS::Lambda::EventInvokeConfig');
      const bundle = bundles[name]!;
      const notSent = new Set(notSentBy(name, bundle.commands));
      return {
        name,
        entry: fn.entry,
        bundle,
        commands: bundle.commands.filter((c) => !notSent.has(c)),
        granted: grantedTo(template, stack.getLogicalId(fn.role!.node.defaultChild as CfnElement)),
        sources: mappings.map((m) => (/StreamArn/.test(JSON.stringify(m.Properties.EventSourceArn)) ? 'stream' : 'queue')),
        failureDestination: [...mappings, ...invokeConfigs].some((m) => m.Properties.DestinationConfig?.OnFailure),
      } satisfies Fn;
    });
  }, 180_000);

  afterAll(() => {
    // The table for the issue note: function → commands → actions.
    const rows = (fns ?? []).map((f) => {
      const service = grantedForServices.filter((e) => e.when(f)).flatMap((e) => e.actions).filter((a) => f.granted.includes(a));
      const actions = [...new Set(f.commands.flatMap(actionsFor))].sort();
      return `| ${f.name} | ${f.commands.join(', ')} | ${actions.join(', ')} | ${[...new Set(service)].join(', ')} |`;
    });
    console.log(['| function | SDK commands it can send | IAM actions they need | granted for AWS services |', '|---|---|---|---|', ...rows].join('\n'));
  });

  it('should find every deployed function, and bundle each the way `npm run bundle` measures', () => {
    expect(fns.map((f) => f.name).sort()).toEqual(Object.keys(allFunctionEntries(Object.keys(routeGroups))).sort());
    const entries = allFunctionEntries(Object.keys(routeGroups));
    for (const f of fns) expect(f.entry, f.name).toBe(entries[f.name]);
  });

  it('should read commands from every bundle (the parser still understands this SDK)', () => {
    for (const f of fns) expect(f.bundle.commands.length, f.name).toBeGreaterThan(0);
  });

  it("should count a lazy file's commands as its function's: the imports function signs links with S3's client from its own file", () => {
    expect(fns.find((f) => f.name === 'imports')!.commands.filter((c) => c.startsWith('s3:'))).toEqual(['s3:GetObject', 's3:PutObject']);
  });

  it("should grant every action each function's commands need", () => {
    const missing = fns.flatMap((f) =>
      f.commands.flatMap((c) => actionsFor(c).filter((a) => !f.granted.some((g) => allows(g, a))).map((a) => `${f.name}: ${c} needs ${a}`)),
    );
    expect(missing).toEqual([]);
  });

  it('should grant nothing a function does not send, beyond what AWS services do with its role', () => {
    const extra = fns.flatMap((f) => {
      const justified = new Set([...f.commands.flatMap(actionsFor), ...grantedForServices.filter((e) => e.when(f)).flatMap((e) => e.actions)]);
      return f.granted.filter((g) => !justified.has(g)).map((g) => `${f.name}: ${g} is granted but never sent`);
    });
    expect(extra).toEqual([]);
  });

  it('should keep each exception needed: a bundled-but-not-sent command is in the bundle and not granted anyway', () => {
    const stale = Object.keys(bundledNotSent).flatMap((name) => {
      const f = fns.find((x) => x.name === name);
      if (!f) return [`${name}: no such function`];
      const commands = notSentBy(name, f.bundle.commands);
      if (commands.length === 0) return [`${name}: its exception holds no command`];
      return commands.flatMap((c) => [
        ...(f.bundle.commands.includes(c) ? [] : [`${name}: ${c} is no longer in the bundle`]),
        ...(actionsFor(c).every((a) => f.granted.some((g) => allows(g, a))) ? [`${name}: ${c} is granted, so it needs no exception`] : []),
      ]);
    });
    expect(stale).toEqual([]);
    for (const e of grantedForServices) expect(fns.some((f) => e.when(f) && e.actions.some((a) => f.granted.includes(a))), e.reason).toBe(true);
  });
});
