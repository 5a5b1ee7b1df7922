/** The local table is built from the same definition as the deployed one (lib/storage/table.ts). */
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ensureTable } from '../../local/dynamo-local.ts';
import { tableDefinition } from '#lib/storage/table.ts';

describe('local table', () => {
  const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: 'us-east-1' });

  it('should have the deployed table’s keys, indexes, stream and TTL attribute', async () => {
    const table = process.env.TABLE_NAME!;
    const d = (await client.send(new DescribeTableCommand({ TableName: table }))).Table!;
    expect(d.KeySchema).toEqual([
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
    ]);
    expect(d.GlobalSecondaryIndexes!.map((g) => g.IndexName).sort()).toEqual(tableDefinition.globalSecondaryIndexes.map((g) => g.name).sort());
    expect(d.StreamSpecification).toMatchObject({ StreamEnabled: true, StreamViewType: tableDefinition.stream });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: tableDefinition.timeToLiveAttribute });
  });

  it('should leave an existing table as it is when started again', async () => {
    await ensureTable(client, process.env.TABLE_NAME!);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: process.env.TABLE_NAME! }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe(tableDefinition.timeToLiveAttribute);
  });
});
