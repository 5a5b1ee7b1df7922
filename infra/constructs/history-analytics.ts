/**
 * The optional export for questions the reports don't answer: a Glue table over the history day
 * files (every committed receipt and return, as the simulator replays them), an Athena workgroup
 * whose results expire, and a few saved queries. Nothing is copied: Athena reads the files where
 * they are, and partition projection (tenant injected, day a date) means no crawler and no
 * partition to add — a query names its tenant and days, so it reads only those folders.
 *
 *   s3://{historyBucket}/history/tenant={tenantId}/day={YYYY-MM-DD}/{batchId}.jsonl.gz
 *
 * One JSON object a line: `kind` receipt or return, `customerId`, `storeId`, `receiptId`
 * (`returnId`, `receiptStoreId` for returns), `occurredAt`, `at` (commit time, whose UTC day is
 * the folder), `lines` (`lineId`, `sku`, `category`, `quantityMilli`, `unitPrice`, `amount` in
 * minor units, `attributes`), `burnPoints`, `coupons`. A stream batch written again may leave a
 * receipt in two files: the saved queries keep each (store, receipt) once, and so should yours.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Where the day files are, under the history bucket (lib/storage/history-bucket.ts on the writing side). */
export const HISTORY_FILES_PREFIX = 'history/';
/** A query scans at most this much (Athena stops it and says so): a mistaken query costs at most $0.05. */
export const SCAN_LIMIT_BYTES = 10 * 1024 ** 3;
/** Query results are kept this long. */
export const RESULT_DAYS = 30;

export interface HistoryAnalyticsProps {
  readonly stage: string;
  /** The bucket the reports stream reader writes the day files to. */
  readonly historyBucket: IBucket;
}

/** One (store, receipt) once: a receipt written in two batch files is the same receipt. */
const receipts = (extra = '') => `WITH receipts AS (
  SELECT * FROM (
    SELECT r.*, row_number() OVER (PARTITION BY storeid, receiptid ORDER BY "at") AS copy
    FROM history r
    WHERE tenant = ? AND day BETWEEN ? AND ? AND kind = 'receipt' AND coalesce(unreplayable, false) = false${extra}
  ) WHERE copy = 1
)`;

/** The saved queries; each asks for the tenant and the first and last day (YYYY-MM-DD, UTC). */
export const savedQueries = [
  {
    name: 'revenue-by-store-and-week',
    description: 'Receipts, members and revenue (line amounts, minor units) per store and ISO week',
    sql: `${receipts()}
SELECT storeid, date_trunc('week', date(day)) AS week, count(*) AS receipts, count(DISTINCT customerid) AS members,
       sum(reduce(lines, BIGINT '0', (s, l) -> s + l.amount, s -> s)) AS revenue
FROM receipts GROUP BY 1, 2 ORDER BY 2, 1`,
  },
  {
    name: 'basket-size-distribution',
    description: 'How many receipts have 1, 2, 3 … lines, with their average revenue',
    sql: `${receipts()}
SELECT cardinality(lines) AS lines, count(*) AS receipts, avg(reduce(lines, BIGINT '0', (s, l) -> s + l.amount, s -> s)) AS average_revenue
FROM receipts GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'sku-pairs',
    description: 'SKUs bought together most often (pairs on one receipt), with how many receipts had both',
    sql: `${receipts()}
, skus AS (SELECT DISTINCT storeid, receiptid, l.sku FROM receipts CROSS JOIN UNNEST(lines) AS t(l))
SELECT a.sku AS sku_a, b.sku AS sku_b, count(*) AS receipts
FROM skus a JOIN skus b ON a.storeid = b.storeid AND a.receiptid = b.receiptid AND a.sku < b.sku
GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 100`,
  },
] as const;

export class HistoryAnalytics extends Construct {
  readonly databaseName: string;
  readonly workGroupName: string;
  readonly resultsBucket: Bucket;

  constructor(scope: Construct, id: string, props: HistoryAnalyticsProps) {
    super(scope, id);
    // Glue names: lower case, underscores.
    this.databaseName = `tally_${props.stage}_history`;
    this.workGroupName = `tally-${props.stage}-analytics`;
    const database = new CfnDatabase(this, 'Database', {
      catalogId: Stack.of(this).account,
      databaseInput: { name: this.databaseName, description: 'Tally: committed receipts and returns, as day files (JSON Lines, gzip)' },
    });
    const line = 'struct<lineid:string,sku:string,category:string,quantitymilli:bigint,unitprice:bigint,amount:bigint,attributes:map<string,string>>';
    const location = props.historyBucket.s3UrlForObject(HISTORY_FILES_PREFIX);
    const table = new CfnTable(this, 'Table', {
      catalogId: Stack.of(this).account,
      databaseName: this.databaseName,
      tableInput: {
        name: 'history',
        description: 'One row per receipt or return line of a day file; see README, "Questions the reports don’t answer"',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [
          { name: 'tenant', type: 'string' },
          { name: 'day', type: 'string' },
        ],
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          'projection.enabled': 'true',
          // Injected: every query must name its tenant (no listing of tenants, no scan across them).
          'projection.tenant.type': 'injected',
          'projection.day.type': 'date',
          'projection.day.format': 'yyyy-MM-dd',
          'projection.day.range': '2020-01-01,NOW',
          'projection.day.interval': '1',
          'projection.day.interval.unit': 'DAYS',
          'storage.location.template': `${location}tenant=\${tenant}/day=\${day}/`,
        },
        storageDescriptor: {
          location,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' } },
          columns: [
            { name: 'kind', type: 'string', comment: 'receipt or return' },
            { name: 'tenantid', type: 'string' },
            { name: 'customerid', type: 'string' },
            { name: 'storeid', type: 'string' },
            { name: 'receiptid', type: 'string', comment: 'a return: the receipt it returns from' },
            { name: 'returnid', type: 'string' },
            { name: 'receiptstoreid', type: 'string', comment: 'a return: the store of the receipt' },
            { name: 'occurredat', type: 'string', comment: 'ISO time on the till' },
            { name: 'at', type: 'string', comment: 'ISO time of the commit (its UTC day is the folder)' },
            { name: 'lines', type: `array<${line}>`, comment: 'a return: lineid and quantitymilli only' },
            { name: 'burnpoints', type: 'bigint' },
            { name: 'coupons', type: 'array<string>' },
            { name: 'unreplayable', type: 'boolean', comment: 'a receipt from before lines kept SKU and category' },
          ],
        },
      },
    });
    table.addResourceDependency(database);

    this.resultsBucket = new Bucket(this, 'Results', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-results', expiration: Duration.days(RESULT_DAYS), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.resultsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Query results, written by Athena for the workgroup and expired after 30 days; Athena keeps the query history and CloudTrail the API calls.',
    });
    const workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'Tally: ad hoc questions over the receipts history',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: SCAN_LIMIT_BYTES,
        resultConfiguration: { outputLocation: this.resultsBucket.s3UrlForObject('results/'), encryptionConfiguration: { encryptionOption: 'SSE_S3' } },
      },
    });
    for (const q of savedQueries) {
      const named = new CfnNamedQuery(this, `Query-${q.name}`, { name: q.name, description: q.description, database: this.databaseName, workGroup: this.workGroupName, queryString: q.sql });
      named.addResourceDependency(workGroup);
      named.addResourceDependency(database);
    }
  }
}
