/**
 * Coupon codes issued to a customer, recorded for the nightly insight job (lib/app/insight-job.ts),
 * which joins each buyer's receipts to the sends before them. The reports stream consumer calls it
 * on every batch, before counting.
 */
import { tenantOf, type ChangeRecord } from '#domain/insight.ts';
import type { Deps } from './deps.ts';

/**
 * Puts the coupon codes of `changes` issued to a customer where the nightly insight job joins
 * receipts to them (storage/day-insight.ts). A redelivery puts the same items again. Returns how
 * many it put.
 */
export async function recordCouponSends(deps: Pick<Deps, 'dayInsight'>, changes: readonly ChangeRecord[]): Promise<number> {
  const byTenant = new Map<string, Array<{ customerId: string; campaignId: string; code: string; at: string }>>();
  for (const c of changes) {
    const i = c.newImage;
    const tenantId = tenantOf(c);
    if (c.eventName !== 'INSERT' || i?.type !== 'coupon' || typeof i.customerId !== 'string' || !tenantId) continue;
    byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), { customerId: i.customerId, campaignId: String(i.campaignId), code: String(i.code), at: String(i.issuedAt) }]);
  }
  for (const [tenantId, sends] of byTenant) await deps.dayInsight.putCouponSends(tenantId, sends);
  return [...byTenant.values()].reduce((n, s) => n + s.length, 0);
}
