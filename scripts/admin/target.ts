/**
 * Where the operator's command acts: the local runtime's table (the one `npm start` runs, found
 * through `.local/runtime.json`; when none is running, DynamoDB Local is started on the same
 * state directory for the command's duration), or a deployed stage's, found through the stacks'
 * outputs — read from CloudFormation with the caller's AWS credentials, or from the file
 * `cdk deploy --outputs-file` wrote.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { makeDeps, type Deps } from '../../lib/app/deps.ts';
import { createDb } from '../../lib/storage/client.ts';
import { stackName, stackOutputs } from '../../infra/outputs.ts';
import { localClient, ensureTable, startDynamoLocal } from '../../local/dynamo-local.ts';
import { LOCAL_TABLE, runtimeFile, type RuntimeInfo } from '../../local/runtime-file.ts';

export interface Target {
  /** Said in the command's output: where this went. */
  readonly where: string;
  readonly deps: Deps;
  readonly apiUrl: string | undefined;
  /** In AWS: the staff pool the first administrator goes into. */
  readonly staffPool?: { readonly client: CognitoIdentityProviderClient; readonly userPoolId: string; readonly clientId: string | undefined };
  close(): Promise<void>;
}

export class TargetError extends Error {
  override readonly name = 'TargetError';
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function localTarget(stateDir: string): Promise<Target> {
  // DynamoDB Local takes any credentials; the command must never pick up real ones for it.
  const local = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
  Object.assign(process.env, local);
  const file = runtimeFile(stateDir);
  if (existsSync(file)) {
    const rt = JSON.parse(readFileSync(file, 'utf8')) as Partial<RuntimeInfo>;
    if (rt.pid && alive(rt.pid)) {
      if (!rt.dynamodb) throw new TargetError(`${file} names no table: restart npm start (it writes the table's endpoint there since this command exists)`);
      const db = createDb({ endpoint: rt.dynamodb.endpoint, table: rt.dynamodb.table });
      return { where: `the local runtime at ${rt.url}`, deps: makeDeps(db), apiUrl: rt.url, close: async () => db.doc.destroy() };
    }
  }
  // Nothing running: the same data directory npm start uses, for as long as the command runs.
  const ddb = await startDynamoLocal({ dataDir: join(stateDir, 'dynamodb') });
  const client = localClient(ddb.endpoint);
  await ensureTable(client, LOCAL_TABLE);
  client.destroy();
  const db = createDb({ endpoint: ddb.endpoint, table: LOCAL_TABLE });
  return {
    where: `the local table in ${join(stateDir, 'dynamodb')} (npm start was not running)`,
    deps: makeDeps(db),
    apiUrl: undefined,
    close: async () => {
      db.doc.destroy();
      await ddb.stop();
    },
  };
}

type Outputs = Record<string, Record<string, string>>;

async function outputsFromCloudFormation(stage: string, region: string): Promise<Outputs> {
  const cf = new CloudFormationClient({ region });
  try {
    const out: Outputs = {};
    for (const part of Object.keys(stackOutputs) as Array<keyof typeof stackOutputs>) {
      const name = stackName(stage, part);
      let stack;
      try {
        stack = (await cf.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
      } catch (e) {
        throw new TargetError(`--stage: stack ${name} could not be read in ${region} (${(e as Error).message}); deploy it first (README "Deploy to AWS") or pass --outputs`);
      }
      out[name] = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    }
    return out;
  } finally {
    cf.destroy();
  }
}

export async function awsTarget(opts: { stage: string; region: string | undefined; outputsFile: string | undefined }): Promise<Target> {
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new TargetError('--region: is required with --stage (or set AWS_REGION)');
  let outputs: Outputs;
  if (opts.outputsFile) {
    try {
      outputs = JSON.parse(readFileSync(opts.outputsFile, 'utf8')) as Outputs;
    } catch (e) {
      throw new TargetError(`--outputs: ${opts.outputsFile} is not a readable JSON file (${(e as Error).message})`);
    }
  } else {
    outputs = await outputsFromCloudFormation(opts.stage, region);
  }
  const read = (part: keyof typeof stackOutputs, key: string): string => {
    const v = outputs[stackName(opts.stage, part)]?.[key];
    if (!v) throw new TargetError(`the outputs of ${stackName(opts.stage, part)} have no ${key}: deploy the current version of the stacks`);
    return v;
  };
  const table = read('data', stackOutputs.data.tableName);
  const userPoolId = read('api', stackOutputs.api.staffUserPoolId);
  const apiUrl = read('api', stackOutputs.api.apiUrl);
  const clientId = outputs[stackName(opts.stage, 'api')]?.[stackOutputs.api.staffUserPoolClientId];
  process.env.AWS_REGION = region;
  const db = createDb({ table });
  const cognito = new CognitoIdentityProviderClient({ region });
  return {
    where: `stage ${opts.stage} in ${region} (table ${table})`,
    deps: makeDeps(db),
    apiUrl,
    staffPool: { client: cognito, userPoolId, clientId },
    close: async () => {
      db.doc.destroy();
      cognito.destroy();
    },
  };
}
