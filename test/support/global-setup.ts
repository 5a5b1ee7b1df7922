/**
 * Starts one in-memory DynamoDB Local for the whole run on a free port and creates the table
 * from the same definition the CDK stack uses. Workers are forked after this runs, so the
 * environment set here is theirs; tests isolate by using a fresh tenant each.
 */
import { ensureTable, localClient, startDynamoLocal, type DynamoLocal } from '../../local/dynamo-local.ts';

let ddb: DynamoLocal | undefined;

export async function setup(): Promise<void> {
  ddb = await startDynamoLocal();
  const table = 'tally-test';
  const client = localClient(ddb.endpoint);
  await ensureTable(client, table);
  client.destroy();
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: ddb.endpoint,
    TABLE_NAME: table,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
  });
}

export async function teardown(): Promise<void> {
  await ddb?.stop();
}
