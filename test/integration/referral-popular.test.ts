/**
 * A popular referral code: hundreds of friends buy for the first time while the member who
 * referred them does nothing. Their rewards must wait outside the member's item (which DynamoDB
 * caps at 400 KB) and all be settled, once each, by the member's next write.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { keys } from '#lib/storage/keys.ts';
import { itemSizeBytes } from '#lib/storage/item-size.ts';
import { scenario6FamilyProgram } from '../domain/fixtures-scenarios.ts';
import { newTenant, receiptId, type TestTenant } from './harness.ts';

const FRIENDS = 500;
const PER_FRIEND = 200;

const buy = (t: TestTenant, card: string, amount: number) =>
  t.pos('POST', '/v1/receipts', {
    receiptId: receiptId(),
    occurredAt: '2026-11-20T12:00:00+02:00',
    currency: 'UAH',
    customer: { card },
    lines: [{ lineId: '1', sku: 'VITC', category: 'otc', quantity: 1, unitPrice: amount, amount }],
  });

/** Runs `work` over `items`, a few at a time (as many tills would). */
async function inParallel<T, R>(items: readonly T[], width: number, work: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!);
      }
    }),
  );
  return out;
}

const rawItem = async (t: TestTenant, customerId: string) =>
  (await deps().db.doc.send(new GetCommand({ TableName: deps().db.table, Key: keys.customer(t.tenantId, customerId), ConsistentRead: true }))).Item!;

const pendingItems = async (t: TestTenant, customerId: string) =>
  (
    await deps().db.doc.send(
      new QueryCommand({
        TableName: deps().db.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': keys.customer(t.tenantId, customerId).pk, ':p': 'REFERRAL#' },
        Select: 'COUNT',
        ConsistentRead: true,
      }),
    )
  ).Count ?? 0;

async function wholeLedger(t: TestTenant, customerId: string) {
  const entries: Array<{ kind: string; points: number }> = [];
  let cursor: string | null = null;
  do {
    const page = await t.staff('GET', `/v1/customers/${customerId}/ledger?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    entries.push(...page.body.entries);
    cursor = page.body.nextCursor;
  } while (cursor);
  return entries;
}

describe('a referral code used by many friends', () => {
  afterEach(() => vi.restoreAllMocks());

  it('should commit every friend’s first receipt, keep the member’s item the same size, and settle them all on the member’s next write', async () => {
    const t = await newTenant(scenario6FamilyProgram);
    const member = (await t.pos('POST', '/v1/customers', { name: 'Member' })).body;
    const friends = await inParallel(Array.from({ length: FRIENDS }, (_, i) => i), 8, async (i) => {
      const f = await t.pos('POST', '/v1/customers', { name: `Friend ${i}`, referralCode: member.referralCode });
      expect(f.status).toBe(201);
      return f.body.card as string;
    });
    const sizeBefore = itemSizeBytes(await rawItem(t, member.customerId));

    const statuses = await inParallel(friends, 8, async (card) => (await buy(t, card, 10_000)).status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    // The member's item did not grow with the friends; their rewards wait in items of their own.
    expect(itemSizeBytes(await rawItem(t, member.customerId))).toBeLessThanOrEqual(sizeBefore);
    expect(await pendingItems(t, member.customerId)).toBe(FRIENDS);
    const shown = await t.pos('POST', '/v1/identify', { customer: { card: member.card } });
    expect(shown.body.points).toMatchObject({ available: 0, pending: FRIENDS * PER_FRIEND });

    // The member's next write settles every one of them, once.
    const next = await buy(t, member.card, 10_000);
    expect(next.status).toBe(200);
    expect(next.body.balance).toEqual({ before: FRIENDS * PER_FRIEND, after: FRIENDS * PER_FRIEND + 10 });
    expect(await pendingItems(t, member.customerId)).toBe(0);
    const ledger = await wholeLedger(t, member.customerId);
    expect(ledger.filter((e) => e.kind === 'bonus').reduce((s, e) => s + e.points, 0)).toBe(FRIENDS * PER_FRIEND);
    expect(ledger.reduce((s, e) => s + e.points, 0)).toBe(next.body.balance.after);
    const after = await t.pos('POST', '/v1/identify', { customer: { card: member.card } });
    expect(after.body.points).toMatchObject({ available: FRIENDS * PER_FRIEND + 10, pending: 0 });
  }, 240_000);

  it('should keep a friend’s first receipt at two reads (three at once for levels over a window) and one transactional write', async () => {
    const t = await newTenant(scenario6FamilyProgram);
    const member = (await t.pos('POST', '/v1/customers', { name: 'Member' })).body;
    const friend = (await t.pos('POST', '/v1/customers', { name: 'Friend', referralCode: member.referralCode })).body;
    await buy(t, member.card, 10_000); // warms the program cache and the key's authorizer cache
    const customerPk = `T#${t.tenantId}#`;
    const sent: string[] = [];
    const send = deps().db.doc.send.bind(deps().db.doc);
    vi.spyOn(deps().db.doc, 'send').mockImplementation(((command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const input = command.input as { Key?: { pk?: string }; ExpressionAttributeValues?: Record<string, unknown> };
      const pk = input.Key?.pk ?? String(input.ExpressionAttributeValues?.[':pk'] ?? '');
      if (command.constructor.name === 'TransactWriteCommand' || pk.startsWith(customerPk)) sent.push(command.constructor.name);
      return send(command as never);
    }) as never);
    const r = await buy(t, friend.card, 10_000);
    expect(r.status).toBe(200);
    // The card and the customer item, and, since this program's levels look back 12 months, the
    // profile item beside it (the months before the latest live there; storage/customers.ts).
    expect(sent.filter((c) => c !== 'TransactWriteCommand').length).toBeLessThanOrEqual(3);
    expect(sent.filter((c) => c === 'TransactWriteCommand')).toHaveLength(1);
  });

  it('should settle rewards an older version appended to the member’s item, and friends of a member from before the count', async () => {
    const t = await newTenant(scenario6FamilyProgram);
    const member = (await t.pos('POST', '/v1/customers', { name: 'Member' })).body;
    // The shape items had before: rewards in a list on the member's item, no count of friends.
    await deps().db.doc.send(
      new UpdateCommand({
        TableName: deps().db.table,
        Key: keys.customer(t.tenantId, member.customerId),
        UpdateExpression: 'SET referralRewards = :list REMOVE account.referral.friendsEnrolled',
        ExpressionAttributeValues: { ':list': [1, 2].map((i) => ({ friendId: `c_old${i}`, receiptId: `R-old-${i}`, at: '2026-11-01T10:00:00.000Z' })) },
      }),
    );
    const friend = (await t.pos('POST', '/v1/customers', { name: 'Friend', referralCode: member.referralCode })).body;
    expect((await buy(t, friend.card, 10_000)).status).toBe(200);
    expect((await t.pos('POST', '/v1/identify', { customer: { card: member.card } })).body.points.pending).toBe(3 * PER_FRIEND);
    // A quote prices the receipt as the commit will, after the rewards are settled.
    const body = {
      receiptId: receiptId(),
      occurredAt: '2026-11-20T12:00:00+02:00',
      currency: 'UAH',
      customer: { card: member.card },
      lines: [{ lineId: '1', sku: 'VITC', category: 'otc', quantity: 1, unitPrice: 10_000, amount: 10_000 }],
    };
    const quoted = await t.pos('POST', '/v1/receipts/quote', body);
    const next = await t.pos('POST', '/v1/receipts', body);
    expect(next.body.balance).toEqual({ before: 3 * PER_FRIEND, after: 3 * PER_FRIEND + 10 });
    const { storeId: _s, committedAt: _c, ...committed } = next.body;
    expect(committed).toEqual(quoted.body);
    expect((await rawItem(t, member.customerId)).referralRewards).toBeUndefined();
    expect(await pendingItems(t, member.customerId)).toBe(0);
  });
});
