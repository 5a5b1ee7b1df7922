/** Staff use cases for coupon codes: issue from a campaign of the program, look one up. */
import { randomInt } from 'node:crypto';
import { transactWrite } from '../storage/transact.ts';
import { BusyError, NotFoundError } from './errors.ts';
import { RuleViolationError } from '#domain/errors.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { CouponRecord } from '../storage/coupons.ts';
import type { Deps } from './deps.ts';
import { liveCustomer, requireProgram } from './customers.ts';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const randomPart = () => Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/** Issuing to a segment happens in the request up to this many customers. */
export const MAX_SEGMENT_ISSUE = 5_000;

export async function issueCoupons(
  deps: Deps,
  p: Principal,
  body: { campaignId: string; customerId?: string | undefined; segment?: string | undefined; count: number },
) {
  const { program } = await requireProgram(deps, p.tenantId);
  const campaign = program.coupons.find((c) => c.id === body.campaignId);
  if (!campaign) throw new RuleViolationError('unknown_campaign', `campaignId: "${body.campaignId}" is not a campaign of the current program`, 'campaignId');
  if (body.customerId) await liveCustomer(deps, p.tenantId, body.customerId);
  const issuedAt = deps.clock().toISOString();
  if (body.segment !== undefined) {
    const members = await deps.customers.segmentMembers(p.tenantId, body.segment, MAX_SEGMENT_ISSUE);
    if (members.truncated) {
      throw new RuleViolationError('segment_too_large', `segment: more than ${MAX_SEGMENT_ISSUE} customers; issue in batches by sub-segment`, 'segment');
    }
    const coupons = members.ids.map((customerId) => ({ code: `${campaign.code}-${randomPart()}`, campaignId: campaign.id, customerId, status: 'issued' as const, issuedAt, issuedBy: p.actor }));
    if (!(await deps.coupons.issue(p.tenantId, coupons))) throw new BusyError('could not issue unique codes; retry');
    await recordIssue(deps, p, issuedAt, campaign.id, { segment: body.segment, count: coupons.length });
    return { campaignId: campaign.id, segment: body.segment, codes: coupons.map((c) => c.code), customers: members.ids };
  }
  // 32^10 codes per campaign: a collision is unlikely, and the conditional put catches it anyway.
  for (let attempt = 0; attempt < 3; attempt++) {
    const coupons: CouponRecord[] = Array.from({ length: body.count }, () => ({
      code: `${campaign.code}-${randomPart()}`,
      campaignId: campaign.id,
      customerId: body.customerId,
      status: 'issued',
      issuedAt,
      issuedBy: p.actor,
    }));
    if (await deps.coupons.issue(p.tenantId, coupons)) {
      await recordIssue(deps, p, issuedAt, campaign.id, { customerId: body.customerId, count: coupons.length });
      return { campaignId: campaign.id, customerId: body.customerId, codes: coupons.map((c) => c.code) };
    }
  }
  throw new BusyError('could not issue unique codes; retry');
}

export async function getCoupon(deps: Deps, p: Principal, code: string) {
  const c = await deps.coupons.get(p.tenantId, code.toUpperCase());
  if (!c) throw new NotFoundError('coupon', 'code');
  return c;
}

/** Batches of codes span several transactions, so the audit record follows the last one. */
async function recordIssue(deps: Deps, p: Principal, at: string, campaignId: string, after: object): Promise<void> {
  await transactWrite(deps.db, [deps.audit.item(p, { at, action: 'coupons.issue', target: `coupon-campaign:${campaignId}`, after })]);
}
