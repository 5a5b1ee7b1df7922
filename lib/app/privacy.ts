/**
 * A customer's right to see and to be forgotten. Export: everything held about them as one JSON
 * document. Erase: the personal data in the profile removed, identifiers freed (so the person can
 * no longer be identified), sent-message texts deleted, the ledger kept with its amounts under
 * the random customer id, so the books still balance but point to nobody. Both are audited
 * without the personal values themselves.
 */
import { BusyError, NotFoundError } from './errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { CustomerRecord } from '../storage/customers.ts';
import { keys } from '../storage/keys.ts';
import { receiptsByKey } from '../storage/receipts-by-key.ts';
import { receiptAnswerOf } from '../storage/receipt-codec.ts';
import { transactWrite, withOptimisticRetry, type TransactItem } from '../storage/transact.ts';
import { liveCustomer, type CustomerDeps } from './customers.ts';
import { requireProgram } from './program-in-force.ts';
import { pointsView } from './views.ts';

const strip = (i: Record<string, unknown>) => {
  const { pk: _pk, sk: _sk, ...rest } = i;
  return rest;
};

/** Partition items per export page: with the receipts they name, a page stays far below Lambda's 6 MB answer. */
export const EXPORT_PAGE_ITEMS = 200;

/**
 * Everything held about a customer, a page at a time: every page has the profile and points; the
 * items of the customer's partition (ledger, messages, runs, reminders, reviews) and the receipts
 * those ledger entries name come `EXPORT_PAGE_ITEMS` at a time, with `next` for the following
 * page. The audit record is written before anything is read, so no export goes unrecorded.
 */
export async function exportCustomer(deps: CustomerDeps, p: Principal, customerId: string, cursor?: string) {
  const { program } = await requireProgram(deps, p.tenantId);
  const after = cursor === undefined ? undefined : decodeCursor(cursor, (sk) => sk !== 'CUSTOMER', customerId);
  const c = await liveCustomer(deps, p.tenantId, customerId);
  const now = deps.clock();
  const at = now.toISOString();
  if (after === undefined) {
    await transactWrite(deps.db, [deps.audit.item(p, { at, action: 'customer.export', target: `customer:${customerId}` })]);
  }
  const page = await deps.customers.partitionPage(p.tenantId, customerId, EXPORT_PAGE_ITEMS, after);
  const ofType = (type: string) => page.items.filter((i) => i.type === type).map(strip);
  const ledger = ofType('ledger').sort((a, b) => (a.seq as number) - (b.seq as number));
  // Receipts are keyed by store and receipt id; the ledger names the ones this customer made.
  const receiptKeys = [...new Map(ledger.flatMap((r) => {
    const s = r.source as { storeId?: string; receiptId?: string };
    return s.storeId && s.receiptId ? [[`${s.storeId}/${s.receiptId}`, keys.receipt(p.tenantId, s.storeId, s.receiptId)] as const] : [];
  })).values()];
  const receipts = (await receiptsByKey(deps.db, receiptKeys)).map((item) => ({
    storeId: item.storeId,
    receiptId: item.receiptId,
    occurredAt: item.occurredAt,
    committedAt: item.committedAt,
    answer: JSON.parse(receiptAnswerOf(item)) as unknown,
  }));
  return {
    exportedAt: at,
    customerId,
    profile: { ...c.profile, devices: (c.profile.devices ?? []).map((d) => ({ platform: d.platform, token: `…${d.token.slice(-6)}` })) },
    points: pointsView(program, c.account, now),
    tierId: c.account.tierId,
    segments: c.account.segments,
    ledger,
    receipts,
    couponsUsed: c.account.couponUses,
    rewards: c.account.rewards.rewards,
    notifications: ofType('notification'),
    journeys: ofType('journeyRun'),
    reminders: [...ofType('expiryReminder'), ...ofType('refillReminder')],
    birthdayBonuses: ofType('birthdayGrant'),
    events: ofType('customEvent').map((e) => ({ eventId: e.eventId, type: e.eventType, attributes: e.attributes, storeId: e.storeId, occurredAt: e.occurredAt, points: e.points, at: e.at })),
    reviews: ofType('review').map((r) => ({ sku: r.sku, kind: r.kind, ...(r.text ? { text: r.text } : {}), ...(r.rating !== undefined ? { rating: r.rating } : {}), at: r.at ?? JSON.parse(r.response as string).at })),
    next: page.nextSk ? encodeCursor(page.nextSk, customerId) : null,
  };
}

const PERSONAL = ['name', 'phone', 'email', 'birthDate', 'locale', 'devices', 'referralCode'] as const;
/** Items in the customer's partition that hold what the person wrote or was sent; erasure deletes them. */
const PERSONAL_ITEMS = new Set(['notification', 'review']);

/**
 * Erases the person: the profile emptied and the identifiers freed, the customer's app keys
 * revoked and the audit record, in one transaction; then message texts and review texts deleted,
 * a page at a time. Repeating it (after a crash in the second part, too) finishes the job.
 */
export async function eraseCustomer(deps: CustomerDeps, p: Principal, customerId: string, reason: string) {
  await requireProgram(deps, p.tenantId);
  const erasedAt = await withOptimisticRetry<string>(async () => {
    const c = await deps.customers.get(p.tenantId, customerId);
    if (!c) throw new NotFoundError('customer', 'customerId');
    if (c.profile.erasedAt) return { done: true, value: c.profile.erasedAt };
    const at = deps.clock().toISOString();
    const next: CustomerRecord = {
      ...c,
      profile: { customerId, card: '', consents: { sms: false, email: false, push: false }, createdAt: c.profile.createdAt, erasedAt: at },
    };
    const appKeys = (await deps.customers.appKeys(p.tenantId, customerId)).filter((k) => !k.revokedAt);
    const items: TransactItem[] = [
      ...deps.customers.updateItems(c, next, []),
      ...(await deps.customers.identifierDeletes(c)),
      ...appKeys.flatMap((k) => deps.apiKeys.revokeItems(p.tenantId, customerId, k, at)),
      deps.audit.item(p, {
        at,
        action: 'customer.erase',
        target: `customer:${customerId}`,
        // Which fields were removed, never their values.
        before: { fields: PERSONAL.filter((f) => c.profile[f] !== undefined), appKeys: appKeys.map((k) => k.keyId) },
        after: { erasedAt: at, reason },
      }),
    ];
    const r = await transactWrite(deps.db, items);
    return r.ok ? { done: true, value: at } : { done: false };
  });
  const removed = { notifications: 0, reviews: 0 };
  let after: string | undefined;
  do {
    const page = await deps.customers.partitionPage(p.tenantId, customerId, 100, after);
    const doomed = page.items.filter((i) => PERSONAL_ITEMS.has(i.type as string));
    if (doomed.length) {
      const r = await transactWrite(deps.db, doomed.map((n): TransactItem => ({ Delete: { TableName: deps.db.table, Key: { pk: n.pk, sk: n.sk } } })));
      if (!r.ok) throw new BusyError('could not finish erasing; retry the same request');
      for (const d of doomed) removed[d.type === 'review' ? 'reviews' : 'notifications']++;
    }
    after = page.nextSk;
  } while (after);
  return { customerId, erasedAt, removed };
}
