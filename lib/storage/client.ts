/**
 * One DynamoDB document client per process, created at load so a warm Lambda reuses its
 * connections. `DYNAMODB_ENDPOINT` is set only by the local runtime and the tests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requiredEnv } from '../config.ts';
import { TABLE_NAME_ENV } from './table.ts';

export interface Db {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
}

export function createDb(opts: { table?: string; endpoint?: string } = {}): Db {
  const endpoint = opts.endpoint ?? process.env.DYNAMODB_ENDPOINT;
  const client = new DynamoDBClient({
    ...(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'us-east-1' } : {}),
    maxAttempts: 3,
  });
  return {
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    table: opts.table ?? requiredEnv(TABLE_NAME_ENV),
  };
}

let shared: Db | undefined;
/** The process-wide client, made on first use (after the environment is in place). */
export const db = (): Db => (shared ??= createDb());
