/**
 * Every key in the one table, with the access path it serves. Ids that go into keys are
 * validated to `[A-Za-z0-9._:-]` at the edge, so `#` can only ever be a separator.
 *
 * | item        | pk                          | sk              | access path                                  |
 * |-------------|-----------------------------|-----------------|----------------------------------------------|
 * | API key     | KEY#{sha256(key)}           | KEY             | GetItem: bearer key → tenant, store, role     |
 * | key listing | T#{t}                       | APIKEY#{keyId}  | Query: a tenant's keys (no secrets); rotation |
 * | program     | T#{t}                       | PROGRAM#CURRENT | GetItem (cached): the program in force        |
 * | program ver | T#{t}                       | PROGRAM#V#{n}   | GetItem: the version a receipt was priced with|
 * | store       | T#{t}                       | STORE#{s}       | GetItem: store profile, and whether it is     |
 * |             |                             |                 | active (read with a POS key by the authorizer)|
 * |             |                             |                 | Query begins_with STORE#: stores, paginated   |
 * | settings    | T#{t}                       | SETTINGS        | GetItem: the tenant's name and language       |
 * | identifier  | T#{t}#ID#{kind}#{value}     | ID              | GetItem: card / phone / referral code → id;   |
 * |             | (phone: HMAC of the number) |                 | (lookup-key.ts: no phone number in any key)   |
 * |             |                             |                 | the conditional put makes them unique         |
 * | customer    | T#{t}#C#{c}                 | CUSTOMER        | GetItem: points account + version, what a     |
 * |             |                             |                 | commit reads and writes (till: this one only) |
 * | profile     | T#{t}#C#{c}                 | PROFILE         | GetItem beside it: name, contacts, staff tier,|
 * |             |                             |                 | closed months; written only when they change  |
 * | ledger      | T#{t}#C#{c}                 | LEDGER#{seq}    | Query, newest first, paginated                |
 * | adjustment  | T#{t}#C#{c}                 | ADJ#{id}        | conditional put: staff adjustment idempotency |
 * | enrolment   | T#{t}#ENROL#{enrolmentId}   | ENROL           | conditional put: a retried enrolment replays  |
 * | review      | T#{t}#C#{c}                 | REVIEW#{sku}    | conditional put: one review bonus per product |
 * | app key     | T#{t}#C#{c}                 | APPKEY#{keyId}  | Query: the customer's app keys (erase revokes)|
 * | referral    | T#{t}#C#{c}                 | REFERRAL#{f}    | conditional put by friend f's first purchase; |
 * |             |                             |                 | Query (a page) + delete when c settles them   |
 * | receipt     | T#{t}#S#{s}#R#{receiptId}   | RECEIPT         | conditional put = idempotency record (answer) |
 * | allocation  | T#{t}#S#{s}#R#{receiptId}   | RECEIPT#ALLOC   | the per-line allocation returns need; put with|
 * |             |                             |                 | the receipt, Query of both by a return        |
 * | return      | T#{t}#S#{s}#RET#{returnId}  | RETURN          | conditional put = idempotency record          |
 * | segment     | T#{t}#SEG#{segment}         | C#{c}           | Query: the customers in a segment (coupons,   |
 * |             |                             |                 | journeys, members page and CSV export)        |
 * | segment def | T#{t}                       | SEGDEF#{s}      | GetItem / Query: a tenant's defined segments  |
 * | seg def cnt | T#{t}                       | SEGDEFS         | conditional counter: definitions per tenant   |
 * | audit       | T#{t}#AUDIT#{yyyy-mm}       | {iso time}#{r}  | Query: a month of staff actions, newest first |
 * | coupon issue| T#{t}#CPNISSUE#{issueId}    | ISSUE           | progress of an issue: resumed by a retry      |
 * | coupon      | T#{t}#CPN#{code}            | COUPON          | GetItem (quote); conditional update in the    |
 * |             |                             |                 | commit marks it used exactly once             |
 * | birthday    | T#{t}#C#{c}                 | BDAY#{yyyy}     | conditional put: one birthday bonus a year    |
 * | reminder    | T#{t}#C#{c}                 | REMIND#{what}   | conditional put: one expiry reminder per lot  |
 * | notification| T#{t}#C#{c}                 | NOTIF#{eventId} | conditional put: one message per event        |
 * | journey send| T#{t}#C#{c}                 | JSENT#{iso}#{id}| Query since a date, limited: frequency cap   |
 * | deferred    | T#{t}#DEFER                 | {iso}#{eventId} | Query sk <= now: quiet-hours messages now due |
 * | journey     | T#{t}                       | JOURNEY#{id}    | GetItem / Query: a tenant's journeys          |
 * | journey run | T#{t}#C#{c}                 | JRN#{id}        | conditional put: enter once; step advanced    |
 * |             |                             |                 | conditionally, so a redelivery is a no-op     |
 * | timer       | T#{t}#TIMER                 | {iso}#{what}    | Query sk <= now: journey waits now due        |
 * | tenant      | TENANTS                     | {t}             | Query: every tenant and its time zone (jobs)  |
 * | job run     | T#{t}#JOB#{job}             | {yyyy-mm-dd}    | conditional put: a day's fan-out happens once |
 * | webhook     | T#{t}                       | WEBHOOK#{id}    | GetItem / Query: a tenant's endpoints (≤ 10)  |
 * | webhook cnt | T#{t}                       | WEBHOOKS        | conditional counter: endpoints per tenant     |
 * | delivery    | T#{t}#WH#{id}               | {deliveryId}    | conditional put: one delivery per endpoint and|
 * |             |                             | (time-ordered)  | event; Query newest first: the delivery log   |
 * | import      | T#{t}#IMPORT#{importId}     | IMPORT          | GetItem: progress, checkpoint, lease (TTL)    |
 * | import error| T#{t}#IMPORT#{importId}     | ERR#{seq}       | Query: refused rows in file order (TTL)       |
 * | imported    | T#{t}#IMPORTED#{card}       | IMPORTED        | conditional put with the member: a row is     |
 * |             |                             |                 | imported once, whatever file repeats it (TTL) |
 * | product     | T#{t}#CATALOG               | SKU#{sku}       | BatchGetItem (till, cached): a receipt's SKUs;|
 * |             |                             |                 | Query begins_with SKU#: the catalog, paged    |
 * | catalog     | T#{t}#CATALOG               | CATALOG         | read with the SKUs: whether tills look up     |
 * | budget shard| T#{t}#BUDGET#{kind}:{id}    | SHARD#{i}       | Query (quote, commit, staff): every shard;    |
 * |             | (one partition per campaign)|                 | conditional ADD in the commit: used+n <= share|
 * | event       | T#{t}#C#{c}                 | EVENT#{eventId} | conditional put: a custom event counts once,  |
 * |             |                             |                 | a retry replays its first answer              |
 * | report day  | T#{t}#RPT#{series}#{yyyy-mm}#{r} | {dd}#{key} | Query a month's days: report counters (ADD), |
 * |             |                             |                 | r = one of REPORT_SHARDS (storage/insight.ts) |
 * | report month| T#{t}#RPT#{series}#M#{r}    | {yyyy-mm}#{key} | Query a range of months: the same, per month  |
 * | report range| RPTRANGE#{hash}             | RANGE           | conditional put with the counters: the hashes |
 * |             | (hash of its first change)  |                 | of a run of stream changes counted (TTL)      |
 * | link        | LINK#{sha256(token)}        | LINK            | GetItem: a one-time sign-in link → tenant and |
 * |             |                             |                 | customer; conditional update marks it used    |
 * |             |                             |                 | once, in the transaction that makes the key   |
 * | link asks   | T#{t}#LINKREQ#{hmac(to)}    | {yyyy-mm-ddThh} | conditional ADD: links asked per phone/e-mail |
 * |             |                             |                 | and hour (TTL)                                |
 *
 * Sparse GSIs (KEYS_ONLY, attributes set on the customer item only when they apply, so a
 * receipt that changes neither writes nothing to them):
 *
 * | index     | pk                               | sk              | access path                          |
 * |-----------|----------------------------------|-----------------|--------------------------------------|
 * | birthdays | T#{t}#BDAY#{MM-DD}#{shard}       | {c}             | Query: whose birthday is on MM-DD     |
 * | expiry    | T#{t}#EXP#{shard}                | {yyyy-mm}#{c}   | Query sk < month: earliest lot expired|
 * |           |                                  |                 | begins_with month: reminders          |
 * | release   | T#{t}#REL#{shard}                | {day}#{c}       | Query sk < tomorrow: pending now due  |
 * | tiers     | T#{t}#TIER#{shard}               | {c}             | Query: customers above the first level|
 * |           |                                  |                 | (a period review may lower them)      |
 * | refills   | T#{t}#REFILL#{shard}             | {day}#{c}       | Query sk < tomorrow: refills to remind|
 * | members   | T#{t}#MEM#{shard}                | {c}             | Query: every customer of a tenant (the|
 * |           |                                  |                 | nightly segments job); set once, so a |
 * |           |                                  |                 | receipt never writes to it            |
 * | names     | T#{t}#NAME#{first character}     | {normalised name}| Query begins_with: staff find a     |
 * |           | (of the normalised name)         | (domain/names)  | customer by name; derived from the   |
 * |           |                                  |                 | name, so a receipt never writes to it|
 * |           |                                  |                 | and erasure (no name) removes it     |
 * | coupons   | T#{t}#CPNOF#{c}                  | {issuedAt}#{code}| Query newest first: a customer's     |
 * |           |                                  |                 | coupons (customer page); set at issue|
 * |           |                                  |                 | only, so marking one used writes none|
 *
 * Shards spread one tenant's busiest day over SHARDS partitions; a job queries each.
 * A period's receipts and returns (the simulator's replay) are no index: an index entry per
 * receipt was a write unit per receipt, so they are day files in S3 (storage/history-bucket.ts).
 */
export interface Key {
  readonly pk: string;
  readonly sk: string;
}

export type IdentifierKind = 'card' | 'phone' | 'referral';

export const keys = {
  apiKey: (hash: string): Key => ({ pk: `KEY#${hash}`, sk: 'KEY' }),
  currentProgram: (tenantId: string): Key => ({ pk: `T#${tenantId}`, sk: 'PROGRAM#CURRENT' }),
  programVersion: (tenantId: string, version: number): Key => ({
    pk: `T#${tenantId}`,
    sk: `PROGRAM#V#${String(version).padStart(8, '0')}`,
  }),
  tenantKey: (tenantId: string, keyId: string): Key => ({ pk: `T#${tenantId}`, sk: `APIKEY#${keyId}` }),
  store: (tenantId: string, storeId: string): Key => ({ pk: `T#${tenantId}`, sk: `STORE#${storeId}` }),
  tenantSettings: (tenantId: string): Key => ({ pk: `T#${tenantId}`, sk: 'SETTINGS' }),
  identifier: (tenantId: string, kind: IdentifierKind, value: string): Key => ({
    pk: `T#${tenantId}#ID#${kind}#${value}`,
    sk: 'ID',
  }),
  customer: (tenantId: string, customerId: string): Key => ({ pk: `T#${tenantId}#C#${customerId}`, sk: 'CUSTOMER' }),
  /** What a receipt never changes (name, contacts, birth date, staff tier, closed months of activity), apart from the item every commit rewrites. */
  customerProfile: (tenantId: string, customerId: string): Key => ({ pk: `T#${tenantId}#C#${customerId}`, sk: 'PROFILE' }),
  ledgerEntry: (tenantId: string, customerId: string, seq: number): Key => ({
    pk: `T#${tenantId}#C#${customerId}`,
    sk: `${LEDGER_PREFIX}${String(seq).padStart(12, '0')}`,
  }),
  adjustment: (tenantId: string, customerId: string, adjustmentId: string): Key => ({
    pk: `T#${tenantId}#C#${customerId}`,
    sk: `ADJ#${adjustmentId}`,
  }),
  enrolment: (tenantId: string, enrolmentId: string): Key => ({ pk: `T#${tenantId}#ENROL#${enrolmentId}`, sk: 'ENROL' }),
  review: (tenantId: string, customerId: string, sku: string): Key => ({
    pk: `T#${tenantId}#C#${customerId}`,
    sk: `REVIEW#${sku}`,
  }),
  appKey: (tenantId: string, customerId: string, keyId: string): Key => ({ pk: `T#${tenantId}#C#${customerId}`, sk: `APPKEY#${keyId}` }),
  referralReward: (tenantId: string, referrerId: string, friendId: string): Key => ({
    pk: `T#${tenantId}#C#${referrerId}`,
    sk: `${REFERRAL_PREFIX}${friendId}`,
  }),
  receipt: (tenantId: string, storeId: string, receiptId: string): Key => ({
    pk: `T#${tenantId}#S#${storeId}#R#${receiptId}`,
    sk: 'RECEIPT',
  }),
  receiptAllocation: (tenantId: string, storeId: string, receiptId: string): Key => ({
    pk: `T#${tenantId}#S#${storeId}#R#${receiptId}`,
    sk: 'RECEIPT#ALLOC',
  }),
  segmentMember: (tenantId: string, segment: string, customerId: string): Key => ({
    pk: `T#${tenantId}#SEG#${segment}`,
    sk: `C#${customerId}`,
  }),
  segmentDefinition: (tenantId: string, segmentId: string): Key => ({ pk: `T#${tenantId}`, sk: `SEGDEF#${segmentId}` }),
  segmentDefinitionCount: (tenantId: string): Key => ({ pk: `T#${tenantId}`, sk: 'SEGDEFS' }),
  /** Monthly partitions keep one tenant's busy month from growing a single item collection forever. */
  audit: (tenantId: string, at: string, suffix: string): Key => ({ pk: `T#${tenantId}#AUDIT#${at.slice(0, 7)}`, sk: `${at}#${suffix}` }),
  coupon: (tenantId: string, code: string): Key => ({ pk: `T#${tenantId}#CPN#${code}`, sk: 'COUPON' }),
  couponIssue: (tenantId: string, issueId: string): Key => ({ pk: `T#${tenantId}#CPNISSUE#${issueId}`, sk: 'ISSUE' }),
  birthdayGrant: (tenantId: string, customerId: string, year: string): Key => ({ pk: `T#${tenantId}#C#${customerId}`, sk: `BDAY#${year}` }),
  reminder: (tenantId: string, customerId: string, what: string): Key => ({ pk: `T#${tenantId}#C#${customerId}`, sk: `REMIND#${what}` }),
  tenant: (tenantId: string): Key => ({ pk: 'TENANTS', sk: tenantId }),
  notification: (tenantId: string, customerId: string, eventId: string): Key => ({ pk: `T#${tenantId}#C#${customerId}`, sk: `NOTIF#${eventId}` }),
  journeySend: (tenantId: string, customerId: string, at: string, claimId: string): Key => ({ pk: `T#${tenantId}#C#${customerId}`, sk: `JSENT#${at}#${claimId}` }),
  deferred: (tenantId: string, until: string, eventId: string): Key => ({ pk: `T#${tenantId}#DEFER`, sk: `${until}#${eventId}` }),
  journey: (tenantId: string, journeyId: string): Key => ({ pk: `T#${tenantId}`, sk: `JOURNEY#${journeyId}` }),
  journeyRun: (tenantId: string, customerId: string, journeyId: string): Key => ({ pk: `T#${tenantId}#C#${customerId}`, sk: `JRN#${journeyId}` }),
  timer: (tenantId: string, dueAt: string, what: string): Key => ({ pk: `T#${tenantId}#TIMER`, sk: `${dueAt}#${what}` }),
  jobRun: (tenantId: string, job: string, day: string): Key => ({ pk: `T#${tenantId}#JOB#${job}`, sk: day }),
  webhook: (tenantId: string, webhookId: string): Key => ({ pk: `T#${tenantId}`, sk: `WEBHOOK#${webhookId}` }),
  webhookCount: (tenantId: string): Key => ({ pk: `T#${tenantId}`, sk: 'WEBHOOKS' }),
  webhookDelivery: (tenantId: string, webhookId: string, deliveryId: string): Key => ({ pk: `T#${tenantId}#WH#${webhookId}`, sk: deliveryId }),
  import: (tenantId: string, importId: string): Key => ({ pk: `T#${tenantId}#IMPORT#${importId}`, sk: 'IMPORT' }),
  importError: (tenantId: string, importId: string, seq: number): Key => ({ pk: `T#${tenantId}#IMPORT#${importId}`, sk: `${IMPORT_ERROR_PREFIX}${String(seq).padStart(10, '0')}` }),
  importedMember: (tenantId: string, card: string): Key => ({ pk: `T#${tenantId}#IMPORTED#${card}`, sk: 'IMPORTED' }),
  /** A SKU is any one-line code; as the sort key's tail it cannot clash with another item. */
  product: (tenantId: string, sku: string): Key => ({ pk: `T#${tenantId}#CATALOG`, sk: `${CATALOG_PRODUCT_PREFIX}${sku}` }),
  catalogMarker: (tenantId: string): Key => ({ pk: `T#${tenantId}#CATALOG`, sk: 'CATALOG' }),
  budgetShard: (tenantId: string, budgetKey: string, shard: number): Key => ({ pk: `T#${tenantId}#BUDGET#${budgetKey}`, sk: `${SHARD_PREFIX}${shard}` }),
  customEvent: (tenantId: string, customerId: string, eventId: string): Key => ({ pk: `T#${tenantId}#C#${customerId}`, sk: `EVENT#${eventId}` }),
  return: (tenantId: string, storeId: string, returnId: string): Key => ({
    pk: `T#${tenantId}#S#${storeId}#RET#${returnId}`,
    sk: 'RETURN',
  }),
  reportDay: (tenantId: string, series: string, day: string, key: string, shard: number): Key => ({
    pk: `T#${tenantId}#RPT#${series}#${day.slice(0, 7)}#${shard}`,
    sk: `${day.slice(8, 10)}#${key}`,
  }),
  reportMonth: (tenantId: string, series: string, month: string, key: string, shard: number): Key => ({
    pk: `T#${tenantId}#RPT#${series}#M#${shard}`,
    sk: `${month}#${key}`,
  }),
  /** A range's per-store split of a tenant's till figures, by the UTC day it was written (storage/insight.ts). */
  reportLog: (tenantId: string, day: string, range: string): Key => ({ pk: `T#${tenantId}#RPTLOG#${day}`, sk: range }),
  /** The last UTC day of logs folded into the stores (lib/app/store-fold.ts). */
  reportFold: (tenantId: string): Key => ({ pk: `T#${tenantId}#RPTFOLD`, sk: 'FOLD' }),
  /** Not a tenant's: a run of the stream's changes may hold several tenants' (storage/insight.ts). */
  reportRange: (hash: string): Key => ({ pk: `RPTRANGE#${hash}`, sk: 'RANGE' }),
  /** By the link token's SHA-256 alone: the exchange has no credential, so no tenant, to start from. */
  link: (hash: string): Key => ({ pk: `LINK#${hash}`, sk: 'LINK' }),
  /** Links asked for one phone or address (keyed hash) in one hour. */
  linkRequests: (tenantId: string, destinationHash: string, hour: string): Key => ({ pk: `T#${tenantId}#LINKREQ#${destinationHash}`, sk: hour }),
};

export const LEDGER_PREFIX = 'LEDGER#';
export const SHARD_PREFIX = 'SHARD#';
export const REFERRAL_PREFIX = 'REFERRAL#';
export const IMPORT_ERROR_PREFIX = 'ERR#';
export const CATALOG_PRODUCT_PREFIX = 'SKU#';

export const SHARDS = 8;

/** A stable shard for a customer id (FNV-1a), so its index entries never move between shards. */
export function shardOf(customerId: string, shards: number = SHARDS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) h = Math.imul(h ^ customerId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

export const indexKeys = {
  birthdays: (tenantId: string, monthDay: string, shard: number) => `T#${tenantId}#BDAY#${monthDay}#${shard}`,
  expiry: (tenantId: string, shard: number) => `T#${tenantId}#EXP#${shard}`,
  expirySk: (lot: string, customerId: string) => `${lot}#${customerId}`,
  release: (tenantId: string, shard: number) => `T#${tenantId}#REL#${shard}`,
  tiers: (tenantId: string, shard: number) => `T#${tenantId}#TIER#${shard}`,
  refills: (tenantId: string, shard: number) => `T#${tenantId}#REFILL#${shard}`,
  members: (tenantId: string, shard: number) => `T#${tenantId}#MEM#${shard}`,
  /** Coupons issued to this customer (the coupon item carries it when it has a customer). */
  customerCoupons: (tenantId: string, customerId: string) => `T#${tenantId}#CPNOF#${customerId}`,
  /** Customers whose normalised name starts with this character (one partition per first letter). */
  names: (tenantId: string, firstCharacter: string) => `T#${tenantId}#NAME#${firstCharacter}`,
};
