/**
 * Starts one in-memory DynamoDB Local for the whole run on a free port and creates the tables
 * from the same definition the CDK stack uses: one per worker (test/support/worker-table.ts picks
 * it), so files that run at the same time never share a table or its stream (several tests read
 * the whole stream). Workers are forked after this runs, so the environment set here is theirs;
 * within a worker, tests isolate by using a fresh tenant each.
 */
import type { TestProject } from 'vitest/node';
import { ensureTable, localClient, startDynamoLocal, useLocalTable, type DynamoLocal } from '../../local/dynamo-local.ts';
import { workerTable } from './worker-table.ts';

let ddb: DynamoLocal | undefined;

export async function setup(project: TestProject): Promise<void> {
  ddb = await startDynamoLocal();
  await useLocalTable(ddb, workerTable(1), 'ERROR');
  const client = localClient(ddb.endpoint);
  for (let id = 2; id <= project.config.maxWorkers; id++) await ensureTable(client, workerTable(id));
  client.destroy();
}

export async function teardown(): Promise<void> {
  await ddb?.stop();
}
