/**
 * The transactional outbox: the table's stream already carries every committed change (ledger
 * entries, receipts, returns, reminders, customer items), so domain events are derived from it
 * here instead of being written a second time on the POS's time. Pure: stream images in, events
 * out. Event ids come from the item's key (and version), so a redelivered stream record yields
 * the same ids and consumers can drop the repeat.
 */
import { createHash } from 'node:crypto';
import { EVENT_VERSION, type DomainEvent, type EventType } from './catalog.ts';
import { receiptAnswerOf } from '../storage/receipt-codec.ts';

export interface ChangeRecord {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly newImage?: Record<string, unknown> | undefined;
  readonly oldImage?: Record<string, unknown> | undefined;
  /** When DynamoDB recorded the change (the stream's ApproximateCreationDateTime). */
  readonly at: string;
}

type Item = Record<string, any>;

const CUSTOMER_PK = /^T#([^#]+)#C#([^#]+)$/;

const eventId = (...parts: Array<string | number>) => createHash('sha256').update(parts.join('|')).digest('base64url').slice(0, 32);

function event<T extends EventType>(type: T, idParts: Array<string | number>, tenantId: string, customerId: string | null, occurredAt: string, data: DomainEvent<T>['data']): DomainEvent {
  return { id: eventId(type, ...idParts), type, version: EVENT_VERSION, tenantId, customerId, occurredAt, data } as DomainEvent;
}

/** `migrated` has none: a migrated member's opening balance is in `customer.imported`. */
const ledgerTypes: Record<string, EventType> = {
  earn: 'points.earned',
  burn: 'points.burned',
  earn_reversal: 'points.reversed',
  burn_refund: 'points.refunded',
  release: 'points.released',
  adjustment: 'points.adjusted',
  expiry: 'points.expired',
  bonus: 'bonus.granted',
  event: 'points.earned',
};

/**
 * One event per receipt and per return: the points a receipt earned and burned are in its
 * `receipt.committed`, and those a return reversed and refunded in its `receipt.returned`, so
 * their own ledger entries publish no `points.*` event of their own (each event on the bus is
 * paid for again by every queue its rules feed). Other balance changes are still `points.*`.
 */
const saidByReceiptEvent = (kind: string, s: { receiptId?: unknown; returnId?: unknown }): boolean =>
  s.returnId ? kind === 'earn_reversal' || kind === 'burn_refund' : Boolean(s.receiptId) && (kind === 'earn' || kind === 'burn');

const sum = (r: Record<string, number> | undefined) => Object.values(r ?? {}).reduce((s, n) => s + n, 0);
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function eventsFromChange(change: ChangeRecord): DomainEvent[] {
  const item: Item | undefined = change.newImage;
  if (change.eventName === 'REMOVE' || !item) return [];
  const pk = String(item.pk);
  const sk = String(item.sk);
  const owner = CUSTOMER_PK.exec(pk);

  if (change.eventName === 'INSERT') {
    switch (item.type) {
      case 'ledger': {
        const type = ledgerTypes[item.kind];
        if (!type || !owner) return [];
        const s = item.source ?? {};
        if (saidByReceiptEvent(item.kind, s)) return [];
        return [
          event(type, [pk, sk], owner[1]!, owner[2]!, item.at, defined({
            seq: item.seq,
            points: item.points,
            pendingPoints: sum(item.pending),
            balanceAfter: item.balanceAfter,
            storeId: s.storeId,
            receiptId: s.receiptId,
            returnId: s.returnId,
            reason: s.reason,
            ...(type === 'points.adjusted' ? { actor: s.actor, adjustmentId: s.adjustmentId } : {}),
          }) as never),
        ];
      }
      case 'customer':
        // A migrated member is no new enrolment: no welcome message, no enrolment journeys.
        if (item.importId) {
          return [
            event('customer.imported', [pk], item.tenantId, item.customerId, item.createdAt, defined({
              importId: item.importId,
              locale: item.locale,
              consents: { sms: Boolean(item.consents?.sms), email: Boolean(item.consents?.email), push: Boolean(item.consents?.push) },
              balance: Number(item.account?.available ?? 0),
            })),
          ];
        }
        return [
          event('customer.enrolled', [pk], item.tenantId, item.customerId, item.createdAt, defined({
            locale: item.locale,
            referred: Boolean(item.account?.referral?.referredBy),
            consents: { sms: Boolean(item.consents?.sms), email: Boolean(item.consents?.email), push: Boolean(item.consents?.push) },
          })),
        ];
      case 'receipt': {
        const answer = JSON.parse(receiptAnswerOf(item));
        const events = [
          event('receipt.committed', [pk], item.tenantId, item.customerId, item.committedAt, {
            storeId: item.storeId,
            receiptId: item.receiptId,
            amount: answer.totals.amount,
            paid: answer.totals.paid,
            pointsEarned: answer.totals.pointsEarned,
            pointsBurned: answer.totals.pointsBurned,
            balanceAfter: answer.balance.after,
            occurredAt: item.occurredAt,
          }),
        ];
        for (const r of answer.rewards?.unlocked ?? []) {
          events.push(
            event('reward.unlocked', [pk, r.rewardId], item.tenantId, item.customerId, item.committedAt, {
              rewardId: r.rewardId,
              // The receipt's answer names the reward, not its rule; reward ids are `rule:n`.
              ruleId: r.ruleId ?? String(r.rewardId).split(':')[0],
              name: r.name,
              // Answers from before counts list one reward per entry.
              count: r.count ?? 1,
              storeId: item.storeId,
              receiptId: item.receiptId,
            }),
          );
        }
        return events;
      }
      case 'return': {
        const answer = JSON.parse(item.response);
        return [
          event('receipt.returned', [pk], item.tenantId, item.customerId, item.at, {
            storeId: item.storeId,
            returnId: item.returnId,
            receiptId: item.receiptId,
            receiptStoreId: item.receiptStoreId,
            refund: answer.totals.refund,
            pointsReversed: answer.totals.pointsReversed,
            pointsRefunded: answer.totals.pointsRefunded,
            balanceAfter: answer.balance.after,
          }),
        ];
      }
      case 'expiryReminder':
        return [event('points.expiring', [pk, sk], item.tenantId, item.customerId, item.at, { lot: item.lot, points: item.points, expiresOn: item.expiresOn, balance: item.balance })];
      case 'refillReminder':
        return [event('refill.due', [pk, sk], item.tenantId, item.customerId, item.at, { sku: item.sku, ruleId: item.ruleId, name: item.name, runsOutOn: item.runsOutOn })];
      case 'birthdayGrant':
        return [event('birthday.granted', [pk, sk], item.tenantId, item.customerId, item.at, { year: sk.slice('BDAY#'.length), day: item.day, points: item.points })];
      case 'customEvent':
        return [
          event('customer.event', [pk, sk], item.tenantId, item.customerId, item.at, defined({
            eventId: item.eventId,
            eventType: item.eventType,
            attributes: item.attributes ?? {},
            points: item.points,
            storeId: item.storeId,
            occurredAt: item.occurredAt,
          })),
        ];
      case 'coupon':
        return item.customerId ? [event('coupon.issued', [pk], item.tenantId, item.customerId, item.issuedAt, { code: item.code, campaignId: item.campaignId })] : [];
      default:
        return [];
    }
  }

  // MODIFY: only the customer item's level changes are events of their own.
  if (item.type !== 'customer' || !change.oldImage) return [];
  const before: Item = change.oldImage.account ?? {};
  const after: Item = item.account ?? {};
  const out: DomainEvent[] = [];
  if ((before.tierId ?? null) !== (after.tierId ?? null)) {
    out.push(event('tier.changed', [pk, item.version, 'program'], item.tenantId, item.customerId, change.at, { from: before.tierId ?? null, to: after.tierId ?? null, by: 'program' }));
  }
  if ((before.staffTierId ?? null) !== (after.staffTierId ?? null)) {
    out.push(event('tier.changed', [pk, item.version, 'staff'], item.tenantId, item.customerId, change.at, { from: before.staffTierId ?? null, to: after.staffTierId ?? null, by: 'staff' }));
  }
  const was: string[] = before.segments ?? [];
  const now: string[] = after.segments ?? [];
  for (const s of now.filter((x) => !was.includes(x))) out.push(event('segment.entered', [pk, item.version, 'seg', s], item.tenantId, item.customerId, change.at, { segmentId: s }));
  for (const s of was.filter((x) => !now.includes(x))) out.push(event('segment.left', [pk, item.version, 'seg', s], item.tenantId, item.customerId, change.at, { segmentId: s }));
  return out;
}
