/**
 * The table export read the way Athena will read it, with no Athena here:
 * - real items: a customer enrolled at a till, one enrolled by staff, receipts (one burning
 *   points), a return and an adjustment, written by the real handlers on DynamoDB Local;
 * - the export: those items copied as they are (AttributeValues) into a table on moto_server, and
 *   the schedule's own ExportTableToPointInTime request (lib/storage/table-export.ts, the
 *   scheduled time filled in as Scheduler does) sent to it; moto writes the export's data file
 *   (`{"Item": …}` a line, gzip) into its S3 under exports/AWSDynamoDB/;
 * - the catalog: the summary manifest DynamoDB writes last put into that export's folder, and the
 *   catalog function (functions/workers/export-catalog.ts) given S3's event for it, against
 *   moto's S3 and Glue, adding the export as a partition located at its data folder;
 * - the views: every column of every view (infra/constructs/table-export-views.ts) is a path the
 *   Glue table's declared struct type has, and evaluated on the exported lines it yields what the
 *   API says of the same customers, ledgers and receipts; every column a saved query names is a
 *   column of the view it reads.
 */
import { gunzipSync } from 'node:zlib';
import { CreateDatabaseCommand, CreateTableCommand as CreateGlueTableCommand, GetPartitionsCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeExportCommand,
  DynamoDBClient,
  ExportTableToPointInTimeCommand,
  ScanCommand,
  UpdateContinuousBackupsCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { completedExportOf, EXPORT_DATABASE_ENV, EXPORT_TABLE_ENV, exportRequest, MANIFEST_PREFIX } from '#lib/storage/table-export.ts';
import { absentValue, EXPORT_PARTITION, exportQueries, exportViews, ITEMS_TABLE, itemColumnType, viewColumns, type ExportView, type ViewColumn } from '../../infra/constructs/table-export-views.ts';
import { startMoto, type Moto } from '../support/moto.ts';
import { newTenant, receipt, type TestTenant } from './harness.ts';

type Json = Record<string, any>;
let t: TestTenant;
let moto: Moto;
let motoDb: DynamoDBClient;
let motoS3: S3Client;
let glue: GlueClient;
const bucket = 'tally-test-exports';
const database = 'tally_test_export';
const customers: Record<'till' | 'staff', { customerId: string; card: string }> = {} as never;
const receiptIds: string[] = [];
let lines: Json[] = [];
let exportArn = '';
let dataKey = '';

/** DynamoDB JSON's key lookup as the JSON SerDe does it: ignoring case. */
const get = (o: unknown, key: string): unknown => {
  if (typeof o !== 'object' || o === null) return undefined;
  const k = Object.keys(o).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : (o as Json)[k];
};

beforeAll(async () => {
  t = await newTenant();
  const enrolled = await t.pos('POST', '/v1/customers', { phone: '+374 91 234567', name: 'Armen', email: 'armen@example.am', birthDate: '1990-03-02', consents: { sms: true, email: false, push: false } });
  expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
  customers.till = enrolled.body;
  const byStaff = await t.staff('POST', '/v1/customers', { name: 'Lilit', consents: { sms: false, email: true, push: false } });
  expect(byStaff.status, JSON.stringify(byStaff.body)).toBe(201);
  customers.staff = byStaff.body;
  const first = receipt(customers.till.card, [{ amount: 60_000 }, { amount: 5_000, category: 'rx' }]);
  const second = receipt(customers.till.card, [{ amount: 20_000 }], { burn: { points: 90 } });
  for (const r of [first, second]) {
    const done = await t.pos('POST', '/v1/receipts', r);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    receiptIds.push(r.receiptId);
  }
  expect((await t.pos('POST', '/v1/returns', { returnId: 'RET-1', receiptId: first.receiptId, lines: [{ lineId: '1', quantity: 1 }] })).status).toBe(200);
  expect((await t.staff('POST', `/v1/customers/${customers.staff.customerId}/adjustments`, { adjustmentId: 'welcome', points: 75, reason: 'goodwill' })).status).toBe(200);

  // The tenant's items as stored (AttributeValues, binary attributes and all).
  const raw: Array<Record<string, AttributeValue>> = [];
  const local = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT!, region: 'us-east-1' });
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await local.send(
      new ScanCommand({ TableName: deps().db.table, FilterExpression: 'begins_with(pk, :t)', ExpressionAttributeValues: { ':t': { S: `T#${t.tenantId}` } }, ExclusiveStartKey: start }),
    );
    raw.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  local.destroy();

  moto = await startMoto();
  motoDb = new DynamoDBClient(moto.config);
  motoS3 = new S3Client({ ...moto.config, forcePathStyle: true });
  glue = new GlueClient(moto.config);
  const table = await motoDb.send(
    new CreateTableCommand({
      TableName: 'tally-test',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  // As the data stack has it: an export reads the point-in-time backups.
  await motoDb.send(new UpdateContinuousBackupsCommand({ TableName: 'tally-test', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
  for (let i = 0; i < raw.length; i += 25) {
    await motoDb.send(new BatchWriteItemCommand({ RequestItems: { 'tally-test': raw.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  await motoS3.send(new CreateBucketCommand({ Bucket: bucket }));

  // What the schedule sends, with Scheduler's <aws.scheduler.scheduled-time> filled in.
  const request = exportRequest({ tableArn: table.TableDescription!.TableArn!, bucket, clientToken: '2026-12-01T03:00:00Z' });
  const started = await motoDb.send(new ExportTableToPointInTimeCommand(request));
  exportArn = started.ExportDescription!.ExportArn!;
  let status = started.ExportDescription!.ExportStatus;
  for (let i = 0; i < 200 && status === 'IN_PROGRESS'; i++) {
    await new Promise((r) => setTimeout(r, 25));
    status = (await motoDb.send(new DescribeExportCommand({ ExportArn: exportArn }))).ExportDescription!.ExportStatus;
  }
  expect(status).toBe('COMPLETED');
  const listed = await motoS3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: MANIFEST_PREFIX }));
  expect(listed.Contents?.length).toBe(1);
  dataKey = listed.Contents![0]!.Key!;
  const body = await (await motoS3.send(new GetObjectCommand({ Bucket: bucket, Key: dataKey }))).Body!.transformToByteArray();
  lines = gunzipSync(body)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Json);
  expect(lines.length).toBe(raw.length);
}, 60_000);

afterAll(async () => {
  motoDb?.destroy();
  motoS3?.destroy();
  glue?.destroy();
  await moto?.stop();
});

// ---- The Glue type, parsed: struct<a:struct<s:string>,…> ----

type HiveType = { kind: 'struct'; fields: Map<string, HiveType> } | { kind: 'map'; value: HiveType } | { kind: 'scalar'; name: string };

function parseHive(text: string): HiveType {
  let i = 0;
  const name = () => {
    const m = /^[a-z0-9_]+/.exec(text.slice(i))!;
    i += m[0].length;
    return m[0];
  };
  const expect1 = (c: string) => {
    if (text[i] !== c) throw new Error(`expected ${c} at ${i} of ${text}`);
    i++;
  };
  const type = (): HiveType => {
    const n = name();
    if (n === 'struct') {
      expect1('<');
      const fields = new Map<string, HiveType>();
      do {
        if (text[i] === ',') i++;
        const f = name();
        expect1(':');
        if (fields.has(f)) throw new Error(`field ${f} declared twice`);
        fields.set(f, type());
      } while (text[i] === ',');
      expect1('>');
      return { kind: 'struct', fields };
    }
    if (n === 'map') {
      expect1('<');
      expect(name()).toBe('string');
      expect1(',');
      const value = type();
      expect1('>');
      return { kind: 'map', value };
    }
    return { kind: 'scalar', name: n };
  };
  const parsed = type();
  expect(i).toBe(text.length);
  return parsed;
}

/** The declared type at a path of struct fields (what `item."a"."m"."b"."n"` dereferences), or undefined. */
function declaredAt(root: HiveType, path: readonly string[]): HiveType | undefined {
  let at: HiveType | undefined = root;
  for (const f of path) at = at?.kind === 'struct' ? at.fields.get(f) : undefined;
  return at;
}

/** The struct path a column reads, as its SQL spells it (lower case, DynamoDB JSON's type keys between names). */
const structPath = (c: ViewColumn): string[] => {
  if ('keyPart' in c) return [c.keyPart.attribute, 's'];
  const leaf = c.leaf === 'MAP_N' ? 'm' : c.leaf.toLowerCase();
  return [...c.attribute.flatMap((a, i) => (i === 0 ? [a.toLowerCase()] : ['m', a.toLowerCase()])), leaf];
};

/** A column's value on one exported line, as the view's SQL computes it (null where Athena gives NULL). */
function evaluate(line: Json, c: ViewColumn): unknown {
  let at: unknown = get(line, 'Item');
  for (const f of structPath(c)) at = get(at, f);
  if (at === undefined || at === null) return absentValue(c) ?? null;
  if ('keyPart' in c) return String(at).split('#')[c.keyPart.index - 1] ?? '';
  switch (c.leaf) {
    case 'S':
      expect(typeof at, c.name).toBe('string');
      return at;
    case 'N': {
      // CAST(… AS bigint): a whole number in a string.
      expect(at, c.name).toMatch(/^-?\d+$/);
      return Number(at);
    }
    case 'BOOL':
      expect(typeof at, c.name).toBe('boolean');
      return at;
    case 'MAP_N':
      return Object.fromEntries(
        Object.entries(at as Json).map(([k, v]) => {
          const n = get(v, 'n');
          expect(n, `${c.name}.${k}`).toMatch(/^-?\d+$/);
          return [k, Number(n)];
        }),
      );
  }
}

const rowsOf = (view: ExportView): Json[] =>
  lines
    .filter((l) => get(get(get(l, 'Item'), 'type'), 's') === view.itemType)
    .map((l) => Object.fromEntries(view.columns.map((c) => [c.name, evaluate(l, c)])));
const viewNamed = (name: string) => exportViews.find((v) => v.name === name)!;

describe('table export: the views over a real export of real items', () => {
  it('the export holds every item, one `{"Item": …}` a line, under exports/AWSDynamoDB/{id}/data/', () => {
    expect(dataKey).toMatch(/^exports\/AWSDynamoDB\/[^/]+\/data\/[^/]+$/);
    for (const l of lines) expect(Object.keys(l)).toEqual(['Item']);
    // The SerDe matches keys ignoring case: no object of an exported item may hold two keys that differ only in case.
    const clashes: string[] = [];
    const walk = (o: unknown, path: string) => {
      if (Array.isArray(o)) return o.forEach((v, i) => walk(v, `${path}[${i}]`));
      if (typeof o !== 'object' || o === null) return;
      const seen = new Map<string, string>();
      for (const [k, v] of Object.entries(o)) {
        if (seen.has(k.toLowerCase())) clashes.push(`${path}: ${seen.get(k.toLowerCase())} and ${k}`);
        seen.set(k.toLowerCase(), k);
        walk(v, `${path}.${k}`);
      }
    };
    lines.forEach((l, i) => walk(l, `line ${i}`));
    expect(clashes).toEqual([]);
  });

  it('every view column is a path the table declares, of the type its SQL reads', () => {
    const root = parseHive(itemColumnType());
    for (const view of exportViews) {
      for (const c of [...view.columns, { name: 'type', attribute: ['type'], leaf: 'S' } as ViewColumn]) {
        const declared = declaredAt(root, structPath(c));
        const expected = 'keyPart' in c || c.leaf === 'S' || c.leaf === 'N' ? { kind: 'scalar', name: 'string' } : c.leaf === 'BOOL' ? { kind: 'scalar', name: 'boolean' } : undefined;
        if (expected) expect(declared, `${view.name}.${c.name}`).toEqual(expected);
        else expect(declared, `${view.name}.${c.name}`).toEqual({ kind: 'map', value: { kind: 'struct', fields: new Map([['n', { kind: 'scalar', name: 'string' }]]) } });
      }
    }
  });

  it('customers: one row each, with what the API says of them; the required columns are never null', async () => {
    const rows = rowsOf(viewNamed('customers'));
    expect(rows.map((r) => r.customerid).sort()).toEqual([customers.till.customerId, customers.staff.customerId].sort());
    for (const view of exportViews) {
      for (const row of rowsOf(view)) for (const c of view.columns.filter((x) => x.required)) expect(row[c.name], `${view.name}.${c.name}`).not.toBeNull();
    }
    for (const who of ['till', 'staff'] as const) {
      const row = rows.find((r) => r.customerid === customers[who].customerId)!;
      const api = await t.staff('GET', `/v1/customers/${customers[who].customerId}`);
      expect(api.status).toBe(200);
      const account = (await deps().customers.get(t.tenantId, customers[who].customerId))!;
      expect(row).toMatchObject({
        tenant: t.tenantId,
        createdat: account.profile.createdAt,
        available: account.account.available,
        debt: account.account.debt,
        lots: account.account.lots,
        paidtotal: account.account.paidTotal,
        receiptcount: account.account.receiptCount,
        tierid: account.account.tierId,
        stafftierid: null,
        erasedat: null,
        firstpurchaseon: account.account.firstPurchaseOn,
        lastpurchaseon: account.account.lastPurchaseOn,
      });
      expect(JSON.stringify(api.body)).toContain(String(account.account.available));
    }
    const till = rows.find((r) => r.customerid === customers.till.customerId)!;
    expect(till).toMatchObject({ enrolmentstoreid: 'S-01', smsconsent: true, emailconsent: false, pushconsent: false, receiptcount: 2 });
    expect(till.tierid).not.toBeNull();
    expect(rows.find((r) => r.customerid === customers.staff.customerId)).toMatchObject({ enrolmentstoreid: null, smsconsent: false, emailconsent: true, available: 75 });
  });

  it('ledger: every entry the API lists, with tenant and customer from the key; per customer the points sum to the balance and the lots to the account', async () => {
    const rows = rowsOf(viewNamed('ledger'));
    const customerRows = rowsOf(viewNamed('customers'));
    for (const who of ['till', 'staff'] as const) {
      const id = customers[who].customerId;
      const api = await t.staff('GET', `/v1/customers/${id}/ledger?limit=200`);
      const mine = rows.filter((r) => r.customerid === id).sort((a, b) => a.seq - b.seq);
      expect(mine.map((r) => [r.seq, r.kind, r.points])).toEqual(api.body.entries.map((e: Json) => [e.seq, e.kind, e.points]).sort((a: number[], b: number[]) => a[0]! - b[0]!));
      for (const r of mine) expect(r.tenant).toBe(t.tenantId);
      const customer = customerRows.find((c) => c.customerid === id)!;
      // What `points-liability-by-tier` sums: the ledger equals the account.
      expect(mine.reduce((n, r) => n + r.points, 0)).toBe(customer.available);
      expect(mine.at(-1)!.balanceafter).toBe(customer.available);
      // What `points-liability-by-expiry-month` sums: each lot's entries equal the account's lot.
      const lots: Record<string, number> = {};
      for (const r of mine) for (const [lot, n] of Object.entries(r.lots as Record<string, number>)) lots[lot] = (lots[lot] ?? 0) + n;
      expect(Object.fromEntries(Object.entries(lots).filter(([, n]) => n !== 0))).toEqual(Object.fromEntries(Object.entries(customer.lots as Record<string, number>).filter(([, n]) => n !== 0)));
    }
    const kinds = new Set(rows.map((r) => r.kind));
    for (const k of ['earn', 'burn', 'adjustment']) expect(kinds, k).toContain(k);
    expect(rows.find((r) => r.kind === 'adjustment')).toMatchObject({ adjustmentid: 'welcome', reason: 'goodwill', receiptid: null });
    expect(rows.find((r) => r.returnid === 'RET-1')).toMatchObject({ receiptid: receiptIds[0], storeid: 'S-01' });
  });

  it('receipts: one row per committed receipt, with store, customer and times', () => {
    const rows = rowsOf(viewNamed('receipts'));
    expect(rows.map((r) => r.receiptid).sort()).toEqual([...receiptIds].sort());
    for (const r of rows) {
      expect(r).toMatchObject({ tenant: t.tenantId, storeid: 'S-01', customerid: customers.till.customerId, programversion: 1 });
      expect(Number.isNaN(Date.parse(r.committedat))).toBe(false);
    }
  });

  it('every column a saved query names is a column of the view it reads, and it reads that view under that alias', () => {
    for (const q of exportQueries) {
      for (const [alias, viewName] of Object.entries(q.reads)) {
        const view = viewNamed(viewName);
        expect(q.sql, `${q.name} reads ${viewName} as ${alias}`).toMatch(new RegExp(`\\b(FROM|JOIN)\\s+${viewName}\\s+${alias}\\b`));
        const named = [...q.sql.matchAll(new RegExp(`\\b${alias}\\.([a-z_]+)\\b`, 'g'))].map((m) => m[1]!);
        expect(named.length, q.name).toBeGreaterThan(0);
        const columns = viewColumns(view).map((c) => c.name);
        expect(named.filter((n) => !columns.includes(n)), `${q.name}: ${alias} is ${viewName}`).toEqual([]);
      }
    }
    expect(viewColumns(viewNamed('customers')).map((c) => c.name)).toContain(EXPORT_PARTITION);
  });
});

describe('table export: the catalog function adds each finished export as a partition', () => {
  const summaryKey = () => `${dataKey.slice(0, dataKey.indexOf('/data/'))}/manifest-summary.json`;
  const exportTime = '2026-12-01T03:00:04.512Z';
  const event = (key: string): S3Event => ({
    Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size: 1 } } } as never],
  });

  beforeAll(async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database } }));
    // The table as the stack declares it (infra/constructs/table-export.ts).
    await glue.send(
      new CreateGlueTableCommand({
        DatabaseName: database,
        TableInput: {
          Name: ITEMS_TABLE,
          TableType: 'EXTERNAL_TABLE',
          PartitionKeys: [{ Name: EXPORT_PARTITION, Type: 'string' }],
          Parameters: { classification: 'json', compressionType: 'gzip' },
          StorageDescriptor: {
            Location: `s3://${bucket}/${MANIFEST_PREFIX}`,
            InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
            OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
            SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
            Columns: [{ Name: 'item', Type: itemColumnType() }],
          },
        },
      }),
    );
    // What DynamoDB writes last, in the export's folder (its documented shape).
    const summary = {
      version: '2023-08-01',
      exportArn,
      startTime: '2026-12-01T03:00:04.512Z',
      endTime: '2026-12-01T03:07:41.009Z',
      tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/tally-test',
      tableId: '12345a12-abcd-123a-ab12-1234abc12345',
      exportTime,
      s3Bucket: bucket,
      s3Prefix: 'exports',
      s3SseAlgorithm: 'AES256',
      s3SseKmsKeyId: null,
      manifestFilesS3Key: summaryKey().replace('manifest-summary.json', 'manifest-files.json'),
      billedSizeBytes: 4096,
      itemCount: lines.length,
      outputFormat: 'DYNAMODB_JSON',
      exportType: 'FULL_EXPORT',
    };
    await motoS3.send(new PutObjectCommand({ Bucket: bucket, Key: summaryKey(), Body: JSON.stringify(summary) }));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: moto.endpoint,
      AWS_ENDPOINT_URL_GLUE: moto.endpoint,
      [EXPORT_DATABASE_ENV]: database,
      [EXPORT_TABLE_ENV]: ITEMS_TABLE,
    });
  });

  it('on S3’s event for the summary manifest: a partition of the export’s time, at its data folder, with the table’s SerDe and columns; again, nothing more', async () => {
    const { handler } = await import('../../functions/workers/export-catalog.ts');
    const [first] = await handler(event(summaryKey()));
    expect(first).toMatchObject({ outcome: 'added', export: { exportTime, itemCount: lines.length } });
    const partitions = (await glue.send(new GetPartitionsCommand({ DatabaseName: database, TableName: ITEMS_TABLE }))).Partitions!;
    expect(partitions).toHaveLength(1);
    const location = `s3://${bucket}/${dataKey.slice(0, dataKey.lastIndexOf('/') + 1)}`;
    expect(partitions[0]).toMatchObject({
      Values: [exportTime],
      StorageDescriptor: { Location: location, SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }, Columns: [{ Name: 'item', Type: itemColumnType() }] },
    });
    // The partition's location holds the data file the views were checked on, and only it.
    const atLocation = await motoS3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: location.slice(`s3://${bucket}/`.length) }));
    expect(atLocation.Contents!.map((o) => o.Key)).toEqual([dataKey]);
    // S3 may deliver an event twice.
    expect((await handler(event(summaryKey())))[0]!.outcome).toBe('exists');
    expect((await glue.send(new GetPartitionsCommand({ DatabaseName: database, TableName: ITEMS_TABLE }))).Partitions).toHaveLength(1);
  });

  it('reads only full DynamoDB JSON exports’ summaries', async () => {
    const { handler } = await import('../../functions/workers/export-catalog.ts');
    expect((await handler(event(`${MANIFEST_PREFIX}01764558004512-0a1b2c3d/manifest-files.json`)))[0]!.outcome).toBe('ignored');
    expect(completedExportOf(`${MANIFEST_PREFIX}01764558004512-0a1b2c3d/manifest-summary.json`, { outputFormat: 'DYNAMODB_JSON', exportType: 'INCREMENTAL_EXPORT', exportTime })).toBeNull();
    expect(completedExportOf(`${MANIFEST_PREFIX}01764558004512-0a1b2c3d/manifest-summary.json`, { outputFormat: 'ION', exportTime })).toBeNull();
    // A summary from before incremental exports has no exportType: a full export.
    expect(completedExportOf(`${MANIFEST_PREFIX}01764558004512-0a1b2c3d/manifest-summary.json`, { outputFormat: 'DYNAMODB_JSON', exportTime })).toMatchObject({
      exportId: '01764558004512-0a1b2c3d',
      dataPrefix: `${MANIFEST_PREFIX}01764558004512-0a1b2c3d/data/`,
    });
  });
});
