/**
 * What Athena sees of the table's exports: the Glue table `items` (one row per exported item, a
 * single column `item` shaped like DynamoDB JSON, `{"Item": {attr: {"S": …}}}`), views that turn
 * customers, ledger entries and receipts into plain columns, and the saved queries over the views.
 * One declaration of each column (an attribute path and its DynamoDB type) gives the struct type
 * the table declares, the view's SQL and the check that reads real exported items
 * (test/integration/table-export.test.ts): they cannot disagree.
 *
 * The struct declares only what the views read: the table cannot show a name, phone number,
 * e-mail address or birth date, though the files hold them (README, "Table export").
 */
import { emptyAccount } from '../../lib/domain/account.ts';

/** DynamoDB JSON's type of a leaf: a string, a number (written as a string), a boolean. */
type Leaf = 'S' | 'N' | 'BOOL';

export type ViewColumn =
  /** An attribute, or one inside maps (`['account', 'available']`), as `sqlType`. */
  | { readonly name: string; readonly attribute: readonly string[]; readonly leaf: Leaf; readonly required?: boolean }
  /** A map of numbers (month → points) as map(varchar, bigint). */
  | { readonly name: string; readonly attribute: readonly string[]; readonly leaf: 'MAP_N'; readonly required?: boolean }
  /** The `index`-th (1-based) `#`-separated part of a key attribute (ids never hold `#`; lib/storage/keys.ts). */
  | { readonly name: string; readonly keyPart: { readonly attribute: 'pk' | 'sk'; readonly index: number }; readonly required?: boolean };

export interface ExportView {
  readonly name: string;
  readonly description: string;
  /** The items' `type` attribute. */
  readonly itemType: string;
  readonly columns: readonly ViewColumn[];
}

/** The Glue table over the export files, and its partition (one per export; lib/storage/table-export.ts adds them). */
export const ITEMS_TABLE = 'items';
export const EXPORT_PARTITION = 'exporttime';

export const exportViews: readonly ExportView[] = [
  {
    name: 'customers',
    description: 'One row per customer of the newest export: ids, enrolment, tier, points account and consents (no name, phone, e-mail or birth date)',
    itemType: 'customer',
    columns: [
      { name: 'tenant', attribute: ['tenantId'], leaf: 'S', required: true },
      { name: 'customerid', attribute: ['customerId'], leaf: 'S', required: true },
      { name: 'createdat', attribute: ['createdAt'], leaf: 'S', required: true },
      { name: 'enrolmentstoreid', attribute: ['enrolmentStoreId'], leaf: 'S' },
      { name: 'erasedat', attribute: ['erasedAt'], leaf: 'S' },
      { name: 'tierid', attribute: ['account', 'tierId'], leaf: 'S' },
      { name: 'stafftierid', attribute: ['account', 'staffTierId'], leaf: 'S' },
      { name: 'available', attribute: ['account', 'available'], leaf: 'N', required: true },
      { name: 'debt', attribute: ['account', 'debt'], leaf: 'N', required: true },
      { name: 'lots', attribute: ['account', 'lots'], leaf: 'MAP_N', required: true },
      { name: 'paidtotal', attribute: ['account', 'paidTotal'], leaf: 'N', required: true },
      { name: 'receiptcount', attribute: ['account', 'receiptCount'], leaf: 'N', required: true },
      { name: 'firstpurchaseon', attribute: ['account', 'firstPurchaseOn'], leaf: 'S' },
      { name: 'lastpurchaseon', attribute: ['account', 'lastPurchaseOn'], leaf: 'S' },
      { name: 'smsconsent', attribute: ['consents', 'sms'], leaf: 'BOOL', required: true },
      { name: 'emailconsent', attribute: ['consents', 'email'], leaf: 'BOOL', required: true },
      { name: 'pushconsent', attribute: ['consents', 'push'], leaf: 'BOOL', required: true },
    ],
  },
  {
    name: 'ledger',
    description: 'One row per ledger entry of the newest export: every change of a balance, signed, with its lots and what caused it',
    itemType: 'ledger',
    columns: [
      { name: 'tenant', keyPart: { attribute: 'pk', index: 2 }, required: true },
      { name: 'customerid', keyPart: { attribute: 'pk', index: 4 }, required: true },
      { name: 'seq', attribute: ['seq'], leaf: 'N', required: true },
      { name: 'at', attribute: ['at'], leaf: 'S', required: true },
      { name: 'kind', attribute: ['kind'], leaf: 'S', required: true },
      { name: 'points', attribute: ['points'], leaf: 'N', required: true },
      { name: 'lots', attribute: ['lots'], leaf: 'MAP_N', required: true },
      { name: 'debt', attribute: ['debt'], leaf: 'N', required: true },
      { name: 'balanceafter', attribute: ['balanceAfter'], leaf: 'N', required: true },
      { name: 'storeid', attribute: ['source', 'storeId'], leaf: 'S' },
      { name: 'receiptid', attribute: ['source', 'receiptId'], leaf: 'S' },
      { name: 'returnid', attribute: ['source', 'returnId'], leaf: 'S' },
      { name: 'adjustmentid', attribute: ['source', 'adjustmentId'], leaf: 'S' },
      { name: 'reason', attribute: ['source', 'reason'], leaf: 'S' },
    ],
  },
  {
    name: 'receipts',
    description: 'One row per committed receipt of the newest export: store, customer and times (amounts are in the history files; README, "Questions the reports don’t answer")',
    itemType: 'receipt',
    columns: [
      { name: 'tenant', attribute: ['tenantId'], leaf: 'S', required: true },
      { name: 'storeid', attribute: ['storeId'], leaf: 'S', required: true },
      { name: 'receiptid', attribute: ['receiptId'], leaf: 'S', required: true },
      { name: 'customerid', attribute: ['customerId'], leaf: 'S', required: true },
      { name: 'occurredat', attribute: ['occurredAt'], leaf: 'S', required: true },
      { name: 'committedat', attribute: ['committedAt'], leaf: 'S', required: true },
      { name: 'programversion', attribute: ['programVersion'], leaf: 'N', required: true },
    ],
  },
];

/** The attribute every view filters on, and the key parts read: part of the struct too. */
const typeColumn: ViewColumn = { name: 'type', attribute: ['type'], leaf: 'S', required: true };

// ---- The struct type of the `item` column ----

/** A node of DynamoDB JSON as declared: the type keys (`s`, `n`, `bool`, `m`) an attribute may hold. */
interface AttributeNode {
  s?: true;
  n?: true;
  bool?: true;
  /** A map whose keys are known: its attributes. */
  m?: Map<string, AttributeNode>;
  /** A map of numbers with any keys. */
  mapN?: true;
}

const attributePaths = (): Array<{ attribute: readonly string[]; leaf: Leaf | 'MAP_N' }> => [
  typeColumn as { attribute: readonly string[]; leaf: Leaf },
  { attribute: ['pk'], leaf: 'S' },
  ...exportViews.flatMap((v) => v.columns.map((c) => ('keyPart' in c ? { attribute: [c.keyPart.attribute], leaf: 'S' as const } : { attribute: c.attribute, leaf: c.leaf }))),
];

/** Glue (Hive) field names are lower case; the JSON SerDe matches them to the JSON's keys ignoring case. */
const field = (name: string) => name.toLowerCase();

function attributeTree(): Map<string, AttributeNode> {
  const root = new Map<string, AttributeNode>();
  for (const { attribute, leaf } of attributePaths()) {
    let level = root;
    attribute.forEach((name, i) => {
      const node = level.get(field(name)) ?? {};
      level.set(field(name), node);
      if (i < attribute.length - 1) {
        if (node.mapN) throw new Error(`${attribute.join('.')}: ${name} is declared a map of numbers elsewhere`);
        level = node.m ??= new Map();
        return;
      }
      if (leaf === 'MAP_N') {
        if (node.m) throw new Error(`${attribute.join('.')}: declared both as a map of numbers and a map of attributes`);
        node.mapN = true;
      } else node[field(leaf) as 's' | 'n' | 'bool'] = true;
    });
  }
  return root;
}

function attributeType(node: AttributeNode): string {
  const fields = [
    ...(node.s ? ['s:string'] : []),
    ...(node.n ? ['n:string'] : []),
    ...(node.bool ? ['bool:boolean'] : []),
    ...(node.m ? [`m:${structOf(node.m)}`] : []),
    ...(node.mapN ? ['m:map<string,struct<n:string>>'] : []),
  ];
  return `struct<${fields.join(',')}>`;
}

const structOf = (attributes: Map<string, AttributeNode>): string =>
  `struct<${[...attributes.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, node]) => `${name}:${attributeType(node)}`)
    .join(',')}>`;

/** The Hive type of the `item` column: every attribute any view reads, and nothing else. */
export const itemColumnType = (): string => structOf(attributeTree());

// ---- The views ----

const quote = (name: string) => `"${field(name)}"`;
/** `item."account"."m"."available"."n"`: DynamoDB JSON's type keys between the attribute names. */
const pathSql = (attribute: readonly string[], leaf: string) => `item.${attribute.map(quote).join('."m".')}.${quote(leaf)}`;

const newAccount = emptyAccount() as unknown as Record<string, unknown>;

/**
 * What an absent attribute reads as: the customer item leaves out an account field at a new
 * account's value (storage/customers.ts), so a number or map of numbers of the account reads as
 * that value (0, no lots); anything else absent is null (undefined here).
 */
export function absentValue(c: ViewColumn): 0 | Record<string, never> | undefined {
  if ('keyPart' in c || c.attribute.length !== 2 || c.attribute[0] !== 'account' || !Object.hasOwn(newAccount, c.attribute[1]!)) return undefined;
  return c.leaf === 'N' ? 0 : c.leaf === 'MAP_N' ? {} : undefined;
}

export const columnSql = (c: ViewColumn): string => {
  if ('keyPart' in c) return `split_part(${pathSql([c.keyPart.attribute], 'S')}, '#', ${c.keyPart.index})`;
  switch (c.leaf) {
    case 'S':
      return pathSql(c.attribute, 'S');
    case 'N': {
      const n = `CAST(${pathSql(c.attribute, 'N')} AS bigint)`;
      return absentValue(c) === undefined ? n : `coalesce(${n}, 0)`;
    }
    case 'BOOL':
      return pathSql(c.attribute, 'BOOL');
    case 'MAP_N': {
      const map = `transform_values(${pathSql(c.attribute, 'M')}, (k, v) -> CAST(v."n" AS bigint))`;
      return absentValue(c) === undefined ? map : `coalesce(${map}, CAST(MAP() AS map(varchar, bigint)))`;
    }
  }
};

/** The view column's type, as Athena (Presto) and as Glue (Hive) name it. */
export const columnTypes = (c: ViewColumn): { presto: string; hive: string } => {
  if ('keyPart' in c) return { presto: 'varchar', hive: 'string' };
  return { S: { presto: 'varchar', hive: 'string' }, N: { presto: 'bigint', hive: 'bigint' }, BOOL: { presto: 'boolean', hive: 'boolean' }, MAP_N: { presto: 'map(varchar,bigint)', hive: 'map<string,bigint>' } }[c.leaf];
};

/**
 * The view's SQL: its item type, from the newest export only. The newest is the largest
 * partition value, read from the partition list (`items$partitions`, no data scanned); Athena
 * (engine 3) should apply it as a dynamic partition filter, so that one export's files are read
 * (unverifiable without Athena; the result is right either way, only the bytes scanned differ).
 */
export function viewSql(database: string, view: ExportView): string {
  const columns = [...view.columns.map((c) => `${columnSql(c)} AS ${quote(c.name)}`), `${quote(EXPORT_PARTITION)}`];
  return [
    `SELECT ${columns.join(', ')}`,
    `FROM "${database}"."${ITEMS_TABLE}"`,
    `WHERE ${pathSql(['type'], 'S')} = '${view.itemType}'`,
    `AND ${quote(EXPORT_PARTITION)} = (SELECT max(${quote(EXPORT_PARTITION)}) FROM "${database}"."${ITEMS_TABLE}$partitions")`,
  ].join('\n');
}

/** All columns of a view, its partition column last. */
export const viewColumns = (view: ExportView): Array<{ name: string; presto: string; hive: string }> => [
  ...view.columns.map((c) => ({ name: c.name, ...columnTypes(c) })),
  { name: EXPORT_PARTITION, presto: 'varchar', hive: 'string' },
];

/**
 * How Athena stores a view in the Glue catalog (what `CREATE VIEW` writes): a VIRTUAL_VIEW table
 * whose original text is the view's JSON, base64, between `/* Presto View: ` and ` *\/`. The
 * columns must be exactly the types the SQL yields, hence a CAST on every number.
 */
export function prestoViewText(database: string, view: ExportView): string {
  const json = JSON.stringify({
    originalSql: viewSql(database, view),
    catalog: 'awsdatacatalog',
    schema: database,
    columns: viewColumns(view).map((c) => ({ name: c.name, type: c.presto })),
  });
  return `/* Presto View: ${Buffer.from(json, 'utf8').toString('base64')} */`;
}

// ---- The saved queries ----

export interface SavedQuery {
  readonly name: string;
  readonly description: string;
  /** The views it reads, by the alias it gives each; every column it names is `alias.column`. */
  readonly reads: Readonly<Record<string, string>>;
  readonly sql: string;
}

/** Each asks for the tenant (`?`), and reads the newest export through the views. */
export const exportQueries: readonly SavedQuery[] = [
  {
    name: 'points-liability-by-tier',
    description: 'Points owed (the sum of every ledger entry) per tier, with the customers and what their accounts say (the two agree)',
    reads: { c: 'customers', e: 'ledger' },
    sql: `WITH owed AS (SELECT e.tenant, e.customerid, sum(e.points) AS points, sum(e.debt) AS debt FROM ledger e GROUP BY 1, 2)
SELECT coalesce(c.stafftierid, c.tierid, '(none)') AS tier, count(*) AS customers,
       sum(coalesce(o.points, 0)) AS points_owed, sum(coalesce(o.debt, 0)) AS points_debt, sum(c.available) AS available_on_accounts
FROM customers c LEFT JOIN owed o ON o.tenant = c.tenant AND o.customerid = c.customerid
WHERE c.tenant = ?
GROUP BY 1 ORDER BY 3 DESC`,
  },
  {
    name: 'points-liability-by-expiry-month',
    description: 'Points owed per month of expiry (the lots every ledger entry moved, summed)',
    reads: { e: 'ledger' },
    sql: `SELECT t.lot AS expires_with_month, sum(t.owed) AS points_owed
FROM ledger e CROSS JOIN UNNEST(e.lots) AS t(lot, owed)
WHERE e.tenant = ?
GROUP BY 1 HAVING sum(t.owed) <> 0 ORDER BY 1`,
  },
  {
    name: 'members-enrolled-by-month-and-store',
    description: 'Customers enrolled per month (UTC) and per store whose till enrolled them',
    reads: { c: 'customers' },
    sql: `SELECT substr(c.createdat, 1, 7) AS month, coalesce(c.enrolmentstoreid, '(staff, app or import)') AS store, count(*) AS members
FROM customers c
WHERE c.tenant = ?
GROUP BY 1, 2 ORDER BY 1, 2`,
  },
  {
    name: 'customers-without-receipt-in-90-days',
    description: 'Customers (not erased) with no receipt committed in the 90 days before the export, with their last one if any',
    reads: { c: 'customers', r: 'receipts' },
    sql: `SELECT c.customerid, c.createdat, max(r.committedat) AS last_receipt, c.available
FROM customers c LEFT JOIN receipts r ON r.tenant = c.tenant AND r.customerid = c.customerid
WHERE c.tenant = ? AND c.erasedat IS NULL
GROUP BY c.customerid, c.createdat, c.available, c.exporttime
HAVING max(r.committedat) IS NULL OR from_iso8601_timestamp(max(r.committedat)) < from_iso8601_timestamp(c.exporttime) - INTERVAL '90' DAY
ORDER BY 3 NULLS FIRST`,
  },
];
