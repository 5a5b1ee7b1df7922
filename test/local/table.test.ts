/** The local table is built from the same definition as the deployed one (lib/storage/table.ts). */
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

  it('should add the indexes a table kept from an older version lacks (the members index, for segments)', async () => {
    const older = `older-${Date.now()}`;
    await client.send(
      new CreateTableCommand({
        TableName: older,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk', 'bdayPk', 'bdaySk'].map((n) => ({ AttributeName: n, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [{ IndexName: 'birthdays', KeySchema: [{ AttributeName: 'bdayPk', KeyType: 'HASH' }, { AttributeName: 'bdaySk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    try {
      await ensureTable(client, older);
      const d = (await client.send(new DescribeTableCommand({ TableName: older }))).Table!;
      expect(d.GlobalSecondaryIndexes!.map((g) => g.IndexName).sort()).toEqual(tableDefinition.globalSecondaryIndexes.map((g) => g.name).sort());
    } finally {
      await client.send(new DeleteTableCommand({ TableName: older }));
    }
  });

  it('should leave an existing table as it is when started again', async () => {
    await ensureTable(client, process.env.TABLE_NAME!);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: process.env.TABLE_NAME! }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe(tableDefinition.timeToLiveAttribute);
  });
});
