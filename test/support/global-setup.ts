/**
 * Starts one in-memory DynamoDB Local for the whole run on a free port and creates the table
 * from the same definition the CDK stack uses. Workers are forked after this runs, so the
 * environment set here is theirs; tests isolate by using a fresh tenant each.
 */
import { startDynamoLocal, useLocalTable, type DynamoLocal } from '../../local/dynamo-local.ts';

let ddb: DynamoLocal | undefined;

export async function setup(): Promise<void> {
  ddb = await startDynamoLocal();
  await useLocalTable(ddb, 'tally-test', 'ERROR');
}

export async function teardown(): Promise<void> {
  await ddb?.stop();
}
