/**
 * DynamoDB refuses an item over 400 KB and a transaction over 100 items. Every item Tally writes
 * is built here at every validated maximum, and every transaction the use cases build is driven
 * at its largest through the real handlers on DynamoDB Local: each item is measured with
 * itemSizeBytes (which agrees with DynamoDB, test/storage/item-size.test.ts) and each transaction
 * counted. The worst-case sizes are printed for the release note.
 */
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_SEGMENTS } from '#domain/account-bounds.ts';
import { emptyAccount, NEVER_EXPIRES, type Account } from '#domain/account.ts';
import { parseProgram, type Program } from '#domain/program.ts';
import { MAX_REFILLS } from '#domain/refills.ts';
import { MAX_HELD_REWARDS } from '#domain/rewards.ts';
import { addMonths, monthOf } from '#domain/time.ts';
import { REFERRALS_PER_WRITE } from '#lib/app/customers.ts';
import { deps } from '#lib/app/deps.ts';
import { remindRefills } from '#lib/app/jobs.ts';
import { customerItem, customerProfileItem, type CustomerRecord } from '#lib/storage/customers.ts';
import { itemSizeBytes, MAX_ITEM_BYTES, MAX_TRANSACTION_ITEMS } from '#lib/storage/item-size.ts';
import { keys } from '#lib/storage/keys.ts';
import { programItemBytes } from '#lib/storage/programs.ts';
import type { TransactItem } from '#lib/storage/transact.ts';
import { LIMITS } from '#lib/http/schemas.ts';
import { MAX_LINE_ATTRIBUTES } from '#domain/attribute-match.ts';
import { CATALOG_LIMITS } from '#domain/catalog.ts';
import { newTenant, receiptId, type TestTenant } from '../integration/harness.ts';
import { ascii, programCode, stampSku, wide, worstCaseAccount, worstCaseCustomer, worstCaseProgram } from './worst-case.ts';

/** What the use cases wrote, by the use case that wrote it. */
interface Seen {
  transactions: number;
  maxItems: number;
  maxItemBytes: number;
  maxRequestBytes: number;
}
const seen = new Map<string, Seen>();
/** The use case being measured; 'setup' (what a test writes to get there) is not recorded. */
let current = 'setup';
const itemOf = (t: TransactItem): Record<string, unknown> | undefined => (t.Put?.Item as Record<string, unknown> | undefined) ?? undefined;

/** The largest item of each type written while measuring. */
const largestByType = new Map<string, number>();

function record(items: readonly TransactItem[] | undefined, single?: Record<string, unknown>) {
  if (current === 'setup') return;
  const s = seen.get(current) ?? { transactions: 0, maxItems: 0, maxItemBytes: 0, maxRequestBytes: 0 };
  const written = single ? [single] : (items ?? []).flatMap((t) => (itemOf(t) ? [itemOf(t)!] : []));
  for (const item of written) {
    const type = `${String(item.type ?? item.sk)} item`;
    largestByType.set(type, Math.max(largestByType.get(type) ?? 0, itemSizeBytes(item)));
  }
  const sizes = written.map((i) => itemSizeBytes(i));
  seen.set(current, {
    transactions: s.transactions + (items ? 1 : 0),
    maxItems: Math.max(s.maxItems, items?.length ?? 0),
    maxItemBytes: Math.max(s.maxItemBytes, 0, ...sizes),
    maxRequestBytes: Math.max(s.maxRequestBytes, sizes.reduce((a, b) => a + b, 0)),
  });
}

const now = new Date();
const month = monthOf(now, 'Asia/Yerevan');
/** A number with every digit significant, as large as the amounts here get. */
const MID = 1_234_567_891;

/** The worst-case account made consistent with `worstCaseProgram` and the clock, so pricing runs on it. */
function worstStoredAccount(): Account {
  const w = worstCaseAccount();
  // Lots from 12 months ago (some expire at this write) to 240 months ahead, and a never-expiring one.
  const lots = Object.fromEntries([...Array.from({ length: 242 }, (_, i) => addMonths(month, i - 1)), NEVER_EXPIRES].map((k) => [k, MID]));
  // Pending buckets for every day of a year, half of them due now.
  const pendingLots = Object.fromEntries(
    Array.from({ length: 367 }, (_, i) => [`${new Date(now.getTime() + (i - 183) * 86_400_000).toISOString().slice(0, 10)}#${addMonths(month, 240)}`, MID]),
  );
  const activity = Object.fromEntries(Array.from({ length: 61 }, (_, i) => [addMonths(month, -i), { paid: MID, points: MID }]));
  return {
    ...w,
    available: MID * 243,
    lots,
    debt: 0,
    paidTotal: MID,
    receiptCount: 0,
    staffTierId: null,
    eligibleSpend: MID,
    eligibleSpendYear: { year: month.slice(0, 4), amount: MID },
    earnedDay: null,
    tierId: programCode('t', 0),
    tierRank: 0,
    activity,
    pendingLots,
    couponUses: {},
    // One reward held from each of as many milestones as a customer may hold: the receipt uses them all.
    rewards: {
      ...emptyAccount().rewards,
      rewards: Array.from({ length: MAX_HELD_REWARDS }, (_, i) => ({ rewardId: `${programCode('m', i)}:${i + 1}`, ruleId: programCode('m', i), amountOff: 1, unlockedAt: now.toISOString(), count: 1 })),
      rewardSeq: 1_000,
    },
    referral: { referredBy: 'c_referrer', referrerRewarded: false, friendsRewarded: 0, friendsEnrolled: 0 },
  };
}

/** Overwrites a customer's item with `account` and the widest profile, keeping its identifiers. */
async function storeWorst(t: TestTenant, customerId: string, account: Account, extra: Partial<CustomerRecord> = {}): Promise<CustomerRecord> {
  const d = deps();
  const enrolled = (await d.customers.get(t.tenantId, customerId))!;
  const worst = worstCaseCustomer(t.tenantId);
  const rec: CustomerRecord = {
    ...enrolled,
    profile: { ...worst.profile, customerId, card: enrolled.profile.card, phone: enrolled.profile.phone, referralCode: enrolled.profile.referralCode },
    account,
    staffTier: worst.staffTier,
    ledgerSeq: 1_000,
    version: 1,
    ...extra,
  };
  for (const Item of [customerItem(rec), customerProfileItem(rec)]) await d.db.doc.send(new PutCommand({ TableName: d.db.table, Item }));
  return rec;
}

/** Runs `work` with what it writes recorded under `label`. */
async function measure<T>(label: string, work: () => Promise<T>): Promise<T> {
  current = label;
  try {
    return await work();
  } finally {
    current = 'setup';
  }
}

const report: string[] = [];
const sizeLine = (what: string, bytes: number) => report.push(`${what.padEnd(58)} ${String(bytes).padStart(7)} bytes (${((100 * bytes) / MAX_ITEM_BYTES).toFixed(0)} % of 400 KB)`);

describe('items at every validated maximum', () => {
  it('should keep the worst-case customer item under 400 KB, and DynamoDB should store it', async () => {
    const item = customerItem(worstCaseCustomer(`t${'x'.repeat(63)}`));
    const bytes = itemSizeBytes(item);
    sizeLine('customer item (every list and text at its maximum)', bytes);
    expect(bytes).toBeLessThan(MAX_ITEM_BYTES);
    await deps().db.doc.send(new PutCommand({ TableName: deps().db.table, Item: item }));
    const profile = customerProfileItem(worstCaseCustomer(`t${'x'.repeat(63)}`));
    sizeLine('customer profile item (every list and text at its maximum)', itemSizeBytes(profile));
    expect(itemSizeBytes(profile)).toBeLessThan(MAX_ITEM_BYTES);
    await deps().db.doc.send(new PutCommand({ TableName: deps().db.table, Item: profile }));
  });

  it('should keep a product at every maximum within 8 KB (one read unit on the till’s eventually consistent lookup), and DynamoDB should store it', async () => {
    const d = deps();
    const attributes = Object.fromEntries(Array.from({ length: MAX_LINE_ATTRIBUTES }, (_, i) => [ascii(64, `a${i}-`), wide(64)]));
    const body = { name: wide(CATALOG_LIMITS.nameChars), category: wide(64), attributes, price: CATALOG_LIMITS.maxPrice };
    const t = await newTenant();
    // Through the API, so every field passed the validation a file row or a PUT gets.
    const put = await t.staff('PUT', `/v1/catalog/${encodeURIComponent(wide(64))}`, body);
    expect(put.status).toBe(200);
    const stored = (await t.items()).find((i) => i.type === 'product')!;
    // A product an import wrote names the import and row instead of the actor: the larger of the two.
    const bytes = itemSizeBytes({ ...stored, source: { importId: ascii(64), row: Number.MAX_SAFE_INTEGER } });
    sizeLine('product item (catalog: every text and attribute at its maximum)', bytes);
    expect(bytes).toBeLessThanOrEqual(8 * 1024);
    await d.db.doc.send(new PutCommand({ TableName: d.db.table, Item: { ...stored, source: { importId: ascii(64), row: Number.MAX_SAFE_INTEGER } } }));
  });

  it('should refuse at validation a program with every list at its schema maximum, and keep the largest accepted one under 400 KB', async () => {
    const t = await newTenant();
    // (ASCII here: at 3 bytes a character the body alone would pass the API's 2 MB.)
    const everyList = { ...worstCaseProgram(), exclusions: { categories: Array.from({ length: 1000 }, (_, i) => ascii(64, `c${i}`)), skus: Array.from({ length: 10_000 }, (_, i) => ascii(64, `s${i}`)) } };
    const v = await t.staff('POST', '/v1/program/validate', { document: everyList });
    expect(v.body.valid).toBe(false);
    expect(v.body.issues[0].message).toMatch(/400 KB/);
    // Whatever validate accepts, publish stores: the check is the stored item's size.
    const accepted = worstCaseProgram();
    expect((await t.staff('POST', '/v1/program/validate', { document: accepted })).body).toEqual({ valid: true, issues: [] });
    sizeLine('program item (the receipt-maximising program below)', programItemBytes(t.tenantId, accepted, (parseProgram(accepted) as { ok: true; program: Program }).program, 'staff:anna'));
  });
});

describe('transactions at their largest, through the real handlers', () => {
  let t: TestTenant;
  let spy: ReturnType<typeof vi.spyOn>;

  beforeAll(async () => {
    t = await newTenant();
    const send = deps().db.doc.send.bind(deps().db.doc);
    spy = vi.spyOn(deps().db.doc, 'send').mockImplementation(((command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      if (command.constructor.name === 'TransactWriteCommand') record(command.input.TransactItems as TransactItem[]);
      if (command.constructor.name === 'PutCommand') record(undefined, command.input.Item as Record<string, unknown>);
      return send(command as never);
    }) as never);
    const published = await measure('POST /v1/program (publish)', () => t.staff('POST', '/v1/program', { document: worstCaseProgram() }));
    expect(published.status).toBe(201);
  }, 120_000);

  afterAll(() => {
    spy.mockRestore();
    const rows = [...seen.entries()];
    console.log(
      [
        '',
        'Worst-case item sizes (itemSizeBytes):',
        ...report,
        ...[...largestByType.entries()].sort((a, b) => b[1] - a[1]).map(([type, bytes]) => `  largest ${type} written: ${bytes} bytes`),
        '',
        `Transactions at their largest (DynamoDB allows ${MAX_TRANSACTION_ITEMS} items, 400 KB each):`,
        ...rows.map(([k, s]) => `${k.padEnd(58)} ${String(s.maxItems).padStart(3)} items, largest item ${String(s.maxItemBytes).padStart(7)} bytes, ${s.transactions} transaction(s)`),
      ].join('\n'),
    );
  });

  const check = (label: string) => {
    const s = seen.get(label)!;
    expect(s, label).toBeDefined();
    expect(s.maxItems, label).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
    expect(s.maxItemBytes, label).toBeLessThan(MAX_ITEM_BYTES);
    expect(s.maxRequestBytes, label).toBeLessThan(4 * 1024 * 1024);
    return s;
  };

  it('should commit and fully return a 500-line receipt that uses and unlocks the most rewards, 5 coupons, a burn and a referral', async () => {
    const c = (await t.pos('POST', '/v1/customers', { name: 'Worst', phone: '+37491000001' })).body;
    await storeWorst(t, c.customerId, worstStoredAccount());
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(...(await t.staff('POST', '/v1/coupons', { campaignId: programCode('cpn', i), customerId: c.customerId })).body.codes);
    const lines = Array.from({ length: LIMITS.linesPerReceipt }, (_, i) => ({
      lineId: ascii(64, `${i}-`),
      // Every stamp card's every SKU is on it, so every step unlocks (as far as the customer may hold rewards).
      sku: i < 200 ? stampSku(Math.floor(i / 40), i % 40) : wide(64, `p${i}`),
      category: wide(64),
      quantity: 1,
      unitPrice: 999_999_999_999,
      amount: 999_999_999_999,
    }));
    const body = { receiptId: ascii(64), occurredAt: now.toISOString(), currency: 'AMD', customer: { customerId: c.customerId }, lines, burn: { points: 999_999_999 }, coupons: codes };
    const r = await measure('POST /v1/receipts (commit)', () => t.pos('POST', '/v1/receipts', body));
    expect(r.status).toBe(200);
    expect(r.body.rewards.used).toHaveLength(MAX_HELD_REWARDS);
    expect(r.body.rewards.unlocked.reduce((n: number, x: { count: number }) => n + x.count, 0)).toBe(MAX_HELD_REWARDS);
    expect(r.body.earn.rules).toHaveLength(500);
    check('POST /v1/receipts (commit)');

    // Every line back by amount (a refund answer's largest line; the allocation keeps each line's returned share), or by units where nothing was paid in money.
    const paid = r.body.lines.map((l: { paid: number }) => l.paid);
    const ret = await measure('POST /v1/returns (every line)', () =>
      t.pos('POST', '/v1/returns', {
        returnId: ascii(64),
        receiptId: body.receiptId,
        lines: lines.map((l, i) => (paid[i] > 0 ? { lineId: l.lineId, amount: paid[i] } : { lineId: l.lineId, quantity: 1 })),
      }),
    );
    expect(ret.status).toBe(200);
    expect(ret.body.couponsRestored).toHaveLength(5);
    check('POST /v1/returns (every line)');
  }, 180_000);

  it('should replace the most segments with as many others (from a customer who has 50 from before the limit)', async () => {
    const c = (await t.pos('POST', '/v1/customers', { name: 'Segments' })).body;
    await storeWorst(t, c.customerId, { ...worstStoredAccount(), segments: Array.from({ length: 50 }, (_, i) => ascii(64, `old${i}`)) });
    const label = 'PUT /v1/customers/{id}/segments';
    const r = await measure(label, () => t.staff('PUT', `/v1/customers/${c.customerId}/segments`, { segments: Array.from({ length: MAX_SEGMENTS }, (_, i) => ascii(64, `new${i}`)) }));
    expect(r.status).toBe(200);
    // The customer item, the audit record, the memberships, and the profile item (the defined ones kept change).
    expect(check(label).maxItems).toBe(3 + MAX_SEGMENTS + 50);
  });

  it('should settle the most friends’ rewards one write settles, a page per transaction', async () => {
    const c = (await t.pos('POST', '/v1/customers', { name: 'Popular' })).body;
    await storeWorst(t, c.customerId, { ...worstStoredAccount(), referral: { referredBy: null, referrerRewarded: true, friendsRewarded: 0, friendsEnrolled: REFERRALS_PER_WRITE + 10 } });
    const d = deps();
    const pending = Array.from({ length: REFERRALS_PER_WRITE + 10 }, (_, i) => ({
      ...keys.referralReward(t.tenantId, c.customerId, `c_friend${i}`),
      type: 'referralReward',
      friendId: `c_friend${i}`,
      receiptId: receiptId(),
      at: now.toISOString(),
    }));
    for (let i = 0; i < pending.length; i += 25) {
      await d.db.doc.send(new BatchWriteCommand({ RequestItems: { [d.db.table]: pending.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    const label = 'referral settlement (before the referrer’s write)';
    const r = await measure(label, () => t.staff('POST', `/v1/customers/${c.customerId}/adjustments`, { adjustmentId: 'settle', points: 1, reason: 'settles friends' }));
    expect(r.status).toBe(200);
    const s = check(label);
    expect(s.transactions).toBe(REFERRALS_PER_WRITE / 90 + 1);
  });

  it('should remind the most refills a customer keeps in one transaction', async () => {
    const c = (await t.pos('POST', '/v1/customers', { name: 'Refills' })).body;
    const w = worstStoredAccount();
    const due = Object.fromEntries(Object.entries(w.refills).map(([sku, r]) => [sku, { ...r, remindOn: '2026-01-01' }]));
    expect(Object.keys(due)).toHaveLength(MAX_REFILLS);
    await storeWorst(t, c.customerId, { ...w, refills: due });
    const label = 'refill reminders (job)';
    expect(await measure(label, () => remindRefills(deps(), t.tenantId, c.customerId, now.toISOString().slice(0, 10)))).toBe('done');
    expect(check(label).maxItems).toBe(1 + MAX_REFILLS);
  });

  it('should issue the most coupon codes one request may, at most 100 items to a transaction', async () => {
    const label = 'POST /v1/coupons (1,000 codes)';
    expect((await measure(label, () => t.staff('POST', '/v1/coupons', { campaignId: programCode('cpn', 0), count: 1000 }))).status).toBe(201);
    // 98 codes, the issue's progress record and, with the last batch, its audit record.
    expect(check(label).maxItems).toBeGreaterThanOrEqual(99);
    expect(check(label).maxItems).toBeLessThanOrEqual(100);
  });

  it('should keep enrolment, staff writes and erasure of a worst-case customer small', async () => {
    const member = (await t.pos('POST', '/v1/customers', { name: 'Member' })).body;
    const enrol = 'POST /v1/customers (with a referral code and enrolmentId)';
    const c = (await measure(enrol, () => t.pos('POST', '/v1/customers', { name: 'Friend', phone: '+37491000002', referralCode: member.referralCode, enrolmentId: ascii(64) }))).body;
    check(enrol);
    await storeWorst(t, c.customerId, worstStoredAccount());
    const writes: Array<[string, () => Promise<{ status: number }>]> = [
      ['POST /v1/customers/{id}/adjustments', () => t.staff('POST', `/v1/customers/${c.customerId}/adjustments`, { adjustmentId: ascii(64), points: 5, reason: wide(500) })],
      ['POST /v1/customers/{id}/reviews', () => t.staff('POST', `/v1/customers/${c.customerId}/reviews`, { sku: ascii(64), rating: 5, text: wide(2000) })],
      ['PUT /v1/customers/{id}/tier', () => t.staff('PUT', `/v1/customers/${c.customerId}/tier`, { tierId: null, reason: wide(500) })],
      ['POST /v1/customers/{id}/erase', () => t.staff('POST', `/v1/customers/${c.customerId}/erase`, { reason: wide(500) })],
    ];
    for (const [label, write] of writes) {
      expect((await measure(label, write)).status, label).toBe(200);
      check(label);
    }
  });

  it('should keep every transaction seen under DynamoDB’s limits', () => {
    for (const [label] of seen) check(label);
    const largest = Math.max(...[...seen.values()].map((s) => s.maxItems));
    expect(largest).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
  });
});
