/**
 * A customer's right to see and to be forgotten. Export: everything held about them as one JSON
 * document. Erase: the personal data in the profile removed, identifiers freed (so the person can
 * no longer be identified), sent-message texts deleted, the ledger kept with its amounts under
 * the random customer id, so the books still balance but point to nobody. Both are audited
 * without the personal values themselves.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { BusyError, NotFoundError } from './errors.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { CustomerRecord } from '../storage/customers.ts';
import { keys } from '../storage/keys.ts';
import { transactWrite, withOptimisticRetry, type TransactItem } from '../storage/transact.ts';
import { requireProgram } from './customers.ts';
import type { Deps } from './deps.ts';
import { pointsView } from './views.ts';

const strip = (i: Record<string, unknown>) => {
  const { pk: _pk, sk: _sk, ...rest } = i;
  return rest;
};

export async function exportCustomer(deps: Deps, p: Principal, customerId: string) {
  const { program } = await requireProgram(deps, p.tenantId);
  const c = await deps.customers.get(p.tenantId, customerId);
  if (!c || c.profile.erasedAt) throw new NotFoundError('customer', 'customerId');
  const now = deps.clock();
  const items = await deps.customers.partition(p.tenantId, customerId);
  const ofType = (type: string) => items.filter((i) => i.type === type).map(strip);
  const ledger = ofType('ledger').sort((a, b) => (a.seq as number) - (b.seq as number));
  // Receipts are keyed by store and receipt id; the ledger names the ones this customer made.
  const receiptKeys = [...new Map(ledger.flatMap((r) => {
    const s = r.source as { storeId?: string; receiptId?: string };
    return s.storeId && s.receiptId ? [[`${s.storeId}/${s.receiptId}`, keys.receipt(p.tenantId, s.storeId, s.receiptId)] as const] : [];
  })).values()];
  const receipts: unknown[] = [];
  for (let i = 0; i < receiptKeys.length; i += 100) {
    let request: Record<string, { Keys: Array<Record<string, unknown>> }> | undefined = { [deps.db.table]: { Keys: receiptKeys.slice(i, i + 100).map((k) => ({ ...k })) } };
    while (request && Object.keys(request).length) {
      const r = await deps.db.doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of r.Responses?.[deps.db.table] ?? []) {
        receipts.push({ storeId: item.storeId, receiptId: item.receiptId, occurredAt: item.occurredAt, committedAt: item.committedAt, answer: JSON.parse(item.response as string) });
      }
      request = r.UnprocessedKeys as typeof request;
    }
  }
  const at = now.toISOString();
  await transactWrite(deps.db, [deps.audit.item(p.tenantId, { at, actor: p.actor, action: 'customer.export', target: `customer:${customerId}` })]);
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
    reviews: ofType('review').map((r) => ({ sku: r.sku, kind: r.kind })),
  };
}

const PERSONAL = ['name', 'phone', 'email', 'birthDate', 'locale', 'devices', 'referralCode'] as const;

export async function eraseCustomer(deps: Deps, p: Principal, customerId: string, reason: string) {
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
    const items: TransactItem[] = [
      ...deps.customers.updateItems(c, next, []),
      ...(await deps.customers.identifierDeletes(c)),
      deps.audit.item(p.tenantId, {
        at,
        actor: p.actor,
        action: 'customer.erase',
        target: `customer:${customerId}`,
        // Which fields were removed, never their values.
        before: { fields: PERSONAL.filter((f) => c.profile[f] !== undefined) },
        after: { erasedAt: at, reason },
      }),
    ];
    const r = await transactWrite(deps.db, items);
    return r.ok ? { done: true, value: at } : { done: false };
  });
  // Texts of messages sent hold the name; the items go (nothing can be sent to nobody anyway).
  const sent = (await deps.customers.partition(p.tenantId, customerId)).filter((i) => i.type === 'notification');
  for (let i = 0; i < sent.length; i += 100) {
    const r = await transactWrite(deps.db, sent.slice(i, i + 100).map((n): TransactItem => ({ Delete: { TableName: deps.db.table, Key: { pk: n.pk, sk: n.sk } } })));
    if (!r.ok) throw new BusyError('could not finish erasing; retry the same request');
  }
  return { customerId, erasedAt, removed: { notifications: sent.length } };
}
