/**
 * The customer item every receipt rewrites (DynamoDB bills it per started KB, twice in the
 * commit's transaction) stays within 1 KB for a long-lived customer with the longest profile,
 * because what a receipt never changes lives on the profile item (storage/customers.ts). Items
 * stored before the split still read, search, export and erase the same, and their next write
 * splits them. Through the real handlers on DynamoDB Local.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '#domain/account.ts';
import { ACTIVITY_MONTHS } from '#domain/pricing.ts';
import { addMonths } from '#domain/time.ts';
import { deps } from '#lib/app/deps.ts';
import { customerItem, customerProfileItem, indexAttributes, profileIndexAttributes, type CustomerRecord } from '#lib/storage/customers.ts';
import { itemSizeBytes, valueSizeBytes } from '#lib/storage/item-size.ts';
import { keys } from '#lib/storage/keys.ts';
import { newTenant, receipt, type TestTenant } from '../integration/harness.ts';

/** 100 characters of Armenian (2 UTF-8 bytes each), the widest script a name search keeps as it is. */
const LONG_NAME = 'Արամ Պետրոսյան-Սարգսյան '.repeat(5).slice(0, 100);
const LONG_EMAIL = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
/** The month the harness's receipts fall in (program time). */
const MONTH = '2026-11';

/**
 * A customer of five years at realistic fullness for the test program (12-month expiry, levels,
 * no refills, budgets or once-only rules to keep), ids of 12 characters: 60 months of activity
 * before this one with 7-digit money, a lot for each of the 12 months points live plus one that
 * never expires, 6 segments (2 of them defined), 3 kinds of custom event, a referrer.
 * Per entry, what the lists a richer program fills take on the same item is printed beside it.
 */
function longLivedAccount(a: Account): Account {
  return {
    ...a,
    available: 1_234_567,
    lots: Object.fromEntries([...Array.from({ length: 12 }, (_, i) => addMonths(MONTH, i + 1)), '9999-12'].map((m) => [m, 98_765])),
    paidTotal: 987_654_321,
    receiptCount: 1_234,
    eligibleSpend: 987_654_321,
    eligibleSpendYear: { year: '2026', amount: 98_765_432 },
    earnedDay: { day: '2026-11-19', points: 1_234 },
    activity: Object.fromEntries(Array.from({ length: ACTIVITY_MONTHS + 1 }, (_, i) => [addMonths(MONTH, -i), { paid: 9_876_543, points: 98_765, receipts: 21 }])),
    firstPurchaseOn: '2021-11-02',
    lastPurchaseOn: '2026-11-19',
    lastEventOn: Object.fromEntries(Array.from({ length: 3 }, (_, i) => [id('evt', i), '2026-11-18'])),
    referral: { referredBy: 'c_AbCdEfGhIjKlMnOp', referrerRewarded: true, friendsRewarded: 12, friendsEnrolled: 14 },
    segments: [...Array.from({ length: 4 }, (_, i) => id('seg', i)), ...Array.from({ length: 2 }, (_, i) => id('def', i))],
    definedSegments: Array.from({ length: 2 }, (_, i) => id('def', i)),
    rfmClass: 'champions' as Account['rfmClass'],
  };
}
const id = (kind: string, i: number) => `${kind}-${'x'.repeat(12 - kind.length - 2)}-${i}`;

/** What one more entry of each list a richer program fills costs on the customer item. */
const perEntry = {
  segment: 1 + id('seg', 0).length,
  'coupon campaign used': 1 + id('cmp', 0).length + valueSizeBytes(1),
  'once-only grant': 1 + `${id('once', 0)}@2026`.length,
  'per-customer budget use': 1 + `rule:${id('rule', 0)}`.length + valueSizeBytes({ period: '2026-11', grants: 1, points: 500 }),
  'refill due': 1 + 'SKU-100000'.length + valueSizeBytes({ ruleId: id('refill', 0), name: 'Vitamin D3', runsOutOn: '2026-12-20', remindOn: '2026-12-15', boughtOn: '2026-11-19' }),
  'expiry lot': 1 + 7 + valueSizeBytes(98_765),
};

/** The item a customer had before the profile item existed: everything on `CUSTOMER`. */
const legacyItem = (c: CustomerRecord) => {
  const { profileApart: _a, contactChannels: _c, ...item } = customerItem(c);
  return { ...item, ...c.profile, staffTier: c.staffTier, account: c.account, ...indexAttributes(c), ...profileIndexAttributes(c) };
};

const get = async (key: { pk: string; sk: string }) => (await deps().db.doc.send(new GetCommand({ TableName: deps().db.table, Key: key, ConsistentRead: true }))).Item;

describe('the customer item a receipt rewrites', () => {
  let t: TestTenant;
  /** Profile items a GetItem asked for, while counting. */
  let profileReads = 0;
  const middleware = 'countProfileReads';
  beforeAll(async () => {
    t = await newTenant();
    deps().db.doc.middlewareStack.add(
      (next, context) => async (args) => {
        // The document client's commands reach this stack marshalled (GetItemCommand, { S: … }).
        const sk = (args.input as { Key?: { sk?: string | { S?: string } } }).Key?.sk;
        if (/^Get(Item)?Command$/.test(context.commandName ?? '') && (sk === 'PROFILE' || (typeof sk === 'object' && sk.S === 'PROFILE'))) profileReads++;
        return next(args);
      },
      { step: 'initialize', name: middleware },
    );
  });
  afterAll(() => void deps().db.doc.middlewareStack.remove(middleware));

  it('stays within 1 KB for a customer of five years with the longest name and e-mail, every consent and a device', async () => {
    const enrolled = await t.staff('POST', '/v1/customers', {
      name: LONG_NAME,
      email: LONG_EMAIL,
      phone: '+37491234567',
      birthDate: '1980-02-29',
      locale: 'hy',
      consents: { sms: true, email: true, push: true },
    });
    expect(enrolled.status, enrolled.raw).toBe(201);
    const { customerId, card } = enrolled.body as { customerId: string; card: string };
    const d = deps();
    const stored = (await d.customers.get(t.tenantId, customerId))!;
    const long: CustomerRecord = {
      ...stored,
      profile: { ...stored.profile, devices: [{ token: 'f'.repeat(163), platform: 'GCM' }], referralCode: 'ARAM-7Q2X9K' },
      account: longLivedAccount(stored.account),
      staffTier: { tierId: 'vip', by: 'staff:anna', at: '2026-10-01T09:00:00.000Z', reason: 'Board member of the partner clinic, approved by the regional manager' },
      ledgerSeq: 4_321,
    };
    for (const item of [customerItem(long), customerProfileItem(long)]) await d.db.doc.send(new PutCommand({ TableName: d.db.table, Item: item }));
    const profileBefore = await get(keys.customerProfile(t.tenantId, customerId));
    profileReads = 0;

    const r = await t.pos('POST', '/v1/receipts', receipt(card, [{ amount: 12_345 }, { amount: 67_890 }, { amount: 4_321 }, { amount: 999 }, { amount: 55_555 }]));
    expect(r.status, r.raw).toBe(200);

    // The till read the customer item alone, and left the profile item as it was.
    expect(profileReads).toBe(0);
    expect(await get(keys.customerProfile(t.tenantId, customerId))).toEqual(profileBefore);
    const written = (await get(keys.customer(t.tenantId, customerId)))!;
    expect(written.version).toBe(stored.version + 1);
    const bytes = itemSizeBytes(written);
    const sizes = (o: Record<string, unknown>) =>
      Object.entries(o)
        .map(([k, v]) => `${k} ${Buffer.byteLength(k) + valueSizeBytes(v)}`)
        .join(', ');
    const breakdown = `${sizes(written)}; account: ${sizes(written.account as Record<string, unknown>)}`;
    console.info(`customer item a commit writes: ${bytes} B (profile item ${itemSizeBytes(profileBefore!)} B, one item before the split ${itemSizeBytes(legacyItem(long))} B): ${breakdown}`);
    console.info(`left under 1 KB: ${1024 - bytes} B; one more entry costs: ${Object.entries(perEntry).map(([k, v]) => `${k} ${v} B`).join(', ')}`);
    expect(bytes).toBeLessThanOrEqual(1024);
    // No card, name, contact or birth date on the item the till reads and writes (consents, language and referral code are).
    for (const text of [card, LONG_NAME, LONG_EMAIL, '37491234567', '1980-02-29', 'f'.repeat(163)]) expect(JSON.stringify(written)).not.toContain(text);
  });

  it('moves a month onto the profile item when a receipt of a new month comes, without reading the profile item', async () => {
    const c = (await t.pos('POST', '/v1/customers', { name: 'Month Turner' })).body as { customerId: string; card: string };
    expect((await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 10_000 }], { occurredAt: '2026-10-20T12:00:00+04:00' }))).status).toBe(200);
    const coldBefore = (await get(keys.customerProfile(t.tenantId, c.customerId)))!;
    profileReads = 0;
    expect((await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 20_000 }]))).status).toBe(200);
    expect(profileReads).toBe(0);
    const hot = (await get(keys.customer(t.tenantId, c.customerId)))!;
    const cold = (await get(keys.customerProfile(t.tenantId, c.customerId)))!;
    expect(Object.keys((hot.account as Account).activity)).toEqual(['2026-11']);
    // Only the month moved and the version it was read at changed on the profile item.
    expect(cold).toEqual({ ...coldBefore, earlierActivity: { '2026-10': { paid: 10_000, points: 100, receipts: 1 } }, earlierAsOf: (hot.version as number) - 1 });
    // A late receipt of an earlier month adds to that month where it is kept (reading both items).
    expect((await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 5_000 }], { occurredAt: '2026-10-25T12:00:00+04:00' }))).status).toBe(200);
    expect(profileReads).toBeGreaterThan(0);
    expect((await get(keys.customerProfile(t.tenantId, c.customerId)))!.earlierActivity).toEqual({ '2026-10': { paid: 15_000, points: 150, receipts: 2 } });
    // And the whole record reads as one account again.
    const whole = (await deps().customers.get(t.tenantId, c.customerId))!;
    expect(whole.account.activity).toEqual({ '2026-10': { paid: 15_000, points: 150, receipts: 2 }, '2026-11': { paid: 20_000, points: 200, receipts: 1 } });
    expect(whole.profile.name).toBe('Month Turner');
  });

  it('reads as before when the process dies between the month move and the commit, and the retry moves the month again', async () => {
    const d = deps();
    const c = (await t.pos('POST', '/v1/customers', { name: 'Half Turner' })).body as { customerId: string; card: string };
    expect((await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 10_000 }], { occurredAt: '2026-10-20T12:00:00+04:00' }))).status).toBe(200);
    const before = (await d.customers.get(t.tenantId, c.customerId))!;
    const hotBefore = await get(keys.customer(t.tenantId, c.customerId));
    // The first write of a month turn, and no commit after it.
    const prev = (await d.customers.getAccount(t.tenantId, c.customerId))!;
    const next = { ...prev, account: { ...prev.account, activity: { ...prev.account.activity, [MONTH]: { paid: 1, points: 0, receipts: 1 } } } };
    expect(await d.customers.moveMonths(prev, next)).toBe(true);
    expect(await get(keys.customer(t.tenantId, c.customerId))).toEqual(hotBefore);
    expect((await d.customers.get(t.tenantId, c.customerId))!.account).toEqual(before.account);
    // The month is still the customer item's: a receipt of it adds there, and that value wins on read.
    expect((await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 5_000 }], { occurredAt: '2026-10-25T12:00:00+04:00' }))).status).toBe(200);
    expect((await d.customers.get(t.tenantId, c.customerId))!.account.activity).toEqual({ '2026-10': { paid: 15_000, points: 150, receipts: 2 } });
    // The month's next first receipt moves it again, with what it holds now.
    expect((await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 20_000 }]))).status).toBe(200);
    expect((await get(keys.customerProfile(t.tenantId, c.customerId)))!.earlierActivity).toEqual({ '2026-10': { paid: 15_000, points: 150, receipts: 2 } });
    expect((await d.customers.get(t.tenantId, c.customerId))!.account.activity).toEqual({ '2026-10': { paid: 15_000, points: 150, receipts: 2 }, '2026-11': { paid: 20_000, points: 200, receipts: 1 } });
    // A slow writer's move, read before the last late receipt, cannot set its older value over it.
    expect(await d.customers.moveMonths(prev, next)).toBe(false);
    expect((await get(keys.customerProfile(t.tenantId, c.customerId)))!.earlierActivity).toEqual({ '2026-10': { paid: 15_000, points: 150, receipts: 2 } });
  });

  it('reads both items and writes the profile item whole when it has no months map to move a month into', async () => {
    const d = deps();
    const c = (await t.pos('POST', '/v1/customers', { name: 'Mapless Turner' })).body as { customerId: string; card: string };
    expect((await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 10_000 }], { occurredAt: '2026-10-20T12:00:00+04:00' }))).status).toBe(200);
    await d.db.doc.send(new UpdateCommand({ TableName: d.db.table, Key: keys.customerProfile(t.tenantId, c.customerId), UpdateExpression: 'REMOVE earlierActivity, earlierAsOf' }));
    profileReads = 0;
    expect((await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 20_000 }]))).status).toBe(200);
    expect(profileReads).toBe(1);
    const cold = (await get(keys.customerProfile(t.tenantId, c.customerId)))!;
    expect(cold).toMatchObject({ name: 'Mapless Turner', earlierActivity: { '2026-10': { paid: 10_000, points: 100, receipts: 1 } } });
    expect((await d.customers.get(t.tenantId, c.customerId))!.account.activity).toEqual({ '2026-10': { paid: 10_000, points: 100, receipts: 1 }, '2026-11': { paid: 20_000, points: 200, receipts: 1 } });
  });

  it('reads, finds, exports and erases a customer stored before the split, and splits it at its next write', async () => {
    const d = deps();
    const made = await t.staff('POST', '/v1/customers', { name: 'Zaruhi Legacy', email: 'zaruhi@example.am', phone: '+37477123456', birthDate: '1975-03-08', consents: { sms: true, email: true, push: false } });
    expect(made.status, made.raw).toBe(201);
    const { customerId, card } = made.body as { customerId: string; card: string };
    const other = (await t.staff('POST', '/v1/customers', { name: 'Zaruhi Newer' })).body as { customerId: string };
    // Rewrite the first as it was stored before: one item, the name and birthday keys on it, no profile item.
    const record = (await d.customers.get(t.tenantId, customerId))!;
    await d.db.doc.send(new PutCommand({ TableName: d.db.table, Item: legacyItem({ ...record, account: { ...record.account, activity: { '2026-09': { paid: 7_000, points: 70, receipts: 1 }, '2026-11': { paid: 1_000, points: 10, receipts: 1 } } } }) }));
    await d.db.doc.send(new DeleteCommand({ TableName: d.db.table, Key: keys.customerProfile(t.tenantId, customerId) }));

    const view = await t.staff('GET', `/v1/customers/${customerId}`);
    expect(view.status, view.raw).toBe(200);
    expect(view.body).toMatchObject({ name: 'Zaruhi Legacy', email: 'zaruhi@example.am', birthDate: '1975-03-08' });
    // The name search pages through entries of both kinds (one on CUSTOMER, one on PROFILE).
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await t.staff('GET', `/v1/customers/search?name=zaruhi&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status, page.raw).toBe(200);
      seen.push(...(page.body.customers as Array<{ customerId: string; name: string; phone?: string }>).map((c) => `${c.customerId}:${c.name}:${c.phone ?? ''}`));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen.sort()).toEqual([`${customerId}:Zaruhi Legacy:+37477123456`, `${other.customerId}:Zaruhi Newer:`].sort());
    const exported = await t.staff('GET', `/v1/customers/${customerId}/export`);
    expect(exported.body.profile).toMatchObject({ name: 'Zaruhi Legacy', phone: '+37477123456' });

    // The next write (a receipt) splits it: the till reads it whole, the same as before.
    profileReads = 0;
    expect((await t.pos('POST', '/v1/receipts', receipt(card, [{ amount: 10_000 }]))).status).toBe(200);
    const hot = (await get(keys.customer(t.tenantId, customerId)))!;
    const cold = (await get(keys.customerProfile(t.tenantId, customerId)))!;
    expect(hot).toMatchObject({ profileApart: true, contactChannels: ['sms', 'email'] });
    for (const gone of ['card', 'name', 'email', 'phone', 'birthDate', 'namePk', 'nameSk', 'bdayPk', 'bdaySk', 'memPk', 'memSk']) expect(hot[gone], gone).toBeUndefined();
    expect(cold).toMatchObject({ card, name: 'Zaruhi Legacy', email: 'zaruhi@example.am', nameSk: 'zaruhi legacy', bdaySk: customerId, memSk: customerId, earlierActivity: { '2026-09': { paid: 7_000, points: 70, receipts: 1 } } });
    expect(Object.keys((hot.account as Account).activity)).toEqual(['2026-11']);
    const found = await t.staff('GET', '/v1/customers/search?name=zaruhi%20l');
    expect(found.body.customers).toEqual([expect.objectContaining({ customerId, name: 'Zaruhi Legacy' })]);

    // Erasure leaves nothing personal on either item.
    expect((await t.staff('POST', `/v1/customers/${customerId}/erase`, { reason: 'asked' })).status).toBe(200);
    for (const key of [keys.customer(t.tenantId, customerId), keys.customerProfile(t.tenantId, customerId)]) {
      const text = JSON.stringify(await get(key));
      for (const personal of ['Zaruhi', 'zaruhi', '37477123456', '1975-03-08']) expect(text, key.sk).not.toContain(personal);
    }
    expect((await t.staff('GET', '/v1/customers/search?name=zaruhi%20l')).body.customers).toEqual([]);
  });
});
