/** Staff use cases for coupon codes: issue from a campaign of the program, look one up. */
import { randomBytes } from 'node:crypto';
import { lookupHash } from '../storage/lookup-key.ts';
import { BusyError, ConflictError, IdempotencyConflictError, LimitExceededError, NotFoundError } from './errors.ts';
import { requestHash } from './idempotency.ts';
import { RuleViolationError } from '#domain/errors.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { CouponRecord } from '../storage/coupons.ts';
import type { Deps } from './deps.ts';

/** What the coupons routes use: their function builds only these (README, "Cold start"). */
export type CouponDeps = Pick<Deps, 'coupons' | 'customers' | 'programs' | 'audit' | 'clock'>;
import { liveCustomer } from './customers.ts';
import { requireProgram } from './program-in-force.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { rewardsView } from './views.ts';
import { keys } from '../storage/keys.ts';
import { receiptsByKey } from '../storage/receipts-by-key.ts';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * The i-th code of an issue: 10 characters of an HMAC (under the lookup key) of the tenant, the
 * campaign, the issue id and i. A retried issue therefore makes the very same codes — so a retry
 * resumes where the first attempt stopped instead of handing out new ones — while nobody without
 * the key can derive a code from an issue id.
 */
async function codeOf(tenantId: string, campaign: { id: string; code: string }, issueId: string, i: number): Promise<string> {
  const mac = Buffer.from(await lookupHash(tenantId, 'coupon', `${campaign.id}\u0000${issueId}\u0000${i}`), 'base64url');
  let part = '';
  for (let k = 0; k < 10; k++) part += ALPHABET[mac[k]! % ALPHABET.length];
  return `${campaign.code}-${part}`;
}

/** Issuing to a segment happens in the request up to this many customers. */
export const MAX_SEGMENT_ISSUE = 5_000;
/** Codes per transaction: with the progress record and (last) the audit record, 100 items. */
const BATCH = 98;

/**
 * Issues codes from a campaign — to one customer, to anyone holding them, or one each to a
 * segment's members — idempotent on `issueId`: the issue's progress record (request hash, batches
 * written) moves forward in the same transaction as each batch of codes, so a retry after a crash
 * or a timeout resumes from the first batch not written, with the same codes, and a finished
 * issue answers again with the same codes. Without an `issueId` a random one is used (and a
 * retry issues new codes), as before.
 */
export async function issueCoupons(
  deps: CouponDeps,
  p: Principal,
  body: { campaignId: string; customerId?: string | undefined; segment?: string | undefined; count: number; issueId?: string | undefined },
) {
  const { program } = await requireProgram(deps, p.tenantId);
  const campaign = program.coupons.find((c) => c.id === body.campaignId);
  if (!campaign) throw new RuleViolationError('unknown_campaign', `campaignId: "${body.campaignId}" is not a campaign of the current program`, 'campaignId');
  const issueId = body.issueId ?? `auto-${randomBytes(9).toString('base64url')}`;
  const hash = requestHash({ ...body, issueId: undefined });
  const earlier = await deps.coupons.issueProgress(p.tenantId, issueId);
  if (earlier && earlier.requestHash !== hash) throw new IdempotencyConflictError('issueId: was already used with a different body', 'issueId');
  if (!earlier && body.customerId) await liveCustomer(deps, p.tenantId, body.customerId);

  let recipients: Array<string | undefined>;
  if (body.segment !== undefined) {
    // A resumed issue goes to the members it started with, not to whoever joined since.
    const members = earlier ? { ids: earlier.customers ?? [], truncated: false } : await deps.customers.segmentMembers(p.tenantId, body.segment, MAX_SEGMENT_ISSUE);
    if (members.truncated) {
      throw new LimitExceededError('coupons.maxSegmentIssue', `segment: more than ${MAX_SEGMENT_ISSUE} customers; issue in batches by sub-segment`, 'segment');
    }
    recipients = members.ids;
  } else {
    recipients = Array.from({ length: body.count }, () => body.customerId);
  }
  const issuedAt = earlier?.startedAt ?? deps.clock().toISOString();
  const coupons: CouponRecord[] = [];
  for (let i = 0; i < recipients.length; i++) {
    coupons.push({ code: await codeOf(p.tenantId, campaign, issueId, i), campaignId: campaign.id, customerId: recipients[i], status: 'issued', issuedAt, issuedBy: p.actor });
  }
  const batches = Math.max(1, Math.ceil(coupons.length / BATCH));
  const audit = deps.audit.item(p, {
    at: issuedAt,
    action: 'coupons.issue',
    target: `coupon-campaign:${campaign.id}`,
    after: { issueId, count: coupons.length, ...(body.segment ? { segment: body.segment } : {}), ...(body.customerId ? { customerId: body.customerId } : {}) },
  });
  for (let b = earlier?.batchesDone ?? 0; b < batches; b++) {
    const written = await deps.coupons.issueBatch(p.tenantId, {
      issueId,
      requestHash: hash,
      startedAt: issuedAt,
      batch: b,
      batches,
      coupons: coupons.slice(b * BATCH, (b + 1) * BATCH),
      customers: body.segment !== undefined && b === 0 ? (recipients as string[]) : undefined,
      // The audit record goes with the last batch: the issue is recorded once, when it is whole.
      extra: b === batches - 1 ? [audit] : [],
    });
    if (written === 'collision') throw new ConflictError('code_collision', `issueId: a generated code already exists; issue again with another issueId (nothing from batch ${b + 1} on was written)`, 'issueId');
    if (written === 'raced') throw new BusyError('another request is issuing with the same issueId; retry the same request');
  }
  return {
    campaignId: campaign.id,
    issueId,
    ...(body.segment !== undefined ? { segment: body.segment, customers: recipients as string[] } : { customerId: body.customerId }),
    codes: coupons.map((c) => c.code),
  };
}

/**
 * The coupons issued to one customer, newest first, a page at a time (the customer page): a
 * Query of the `coupons` index and one BatchGetItem of the page's codes for their state, with
 * each campaign's name, reward and validity from the program in force.
 */
export async function customerCoupons(deps: Pick<Deps, 'db' | 'programs' | 'customers' | 'coupons' | 'clock'>, p: Principal, customerId: string, q: { limit: number; cursor?: string | undefined }) {
  const { program } = await requireProgram(deps, p.tenantId);
  await liveCustomer(deps, p.tenantId, customerId);
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, (sk) => /^\d{4}-\d\d-\d\dT[^#]+#[A-Z0-9]+-[A-Z0-9]+$/.test(sk), customerId);
  const page = await deps.coupons.codesOf(p.tenantId, customerId, q.limit, after);
  const items = new Map((await receiptsByKey(deps.db, page.codes.map((code) => keys.coupon(p.tenantId, code)))).map((i) => [i.code as string, i]));
  const now = deps.clock();
  const coupons = page.codes.flatMap((code) => {
    const c = items.get(code);
    if (!c) return [];
    const campaign = program.coupons.find((x) => x.id === c.campaignId);
    const running = !!campaign && !(campaign.validFrom && now < new Date(campaign.validFrom)) && !(campaign.validTo && now >= new Date(campaign.validTo));
    const usedAt = (c.usedBy as { at?: string } | undefined)?.at;
    return [{
      code,
      campaignId: c.campaignId as string,
      name: campaign?.name ?? (c.campaignId as string),
      ...(campaign ? { reward: campaign.reward } : {}),
      status: c.status as 'issued' | 'used',
      usable: c.status === 'issued' && running,
      issuedAt: c.issuedAt as string,
      ...(campaign?.validTo ? { validTo: campaign.validTo } : {}),
      ...(usedAt ? { usedAt } : {}),
    }];
  });
  return { customerId, coupons, nextCursor: page.nextSk ? encodeCursor(page.nextSk, customerId) : null };
}

/** The customer's unlocked rewards and their progress on stamp cards and item milestones (the customer page). */
export async function customerStamps(deps: Pick<Deps, 'programs' | 'customers'>, p: Principal, customerId: string) {
  const { program } = await requireProgram(deps, p.tenantId);
  const c = await liveCustomer(deps, p.tenantId, customerId);
  return { customerId, ...rewardsView(program, c.account) };
}

export async function getCoupon(deps: CouponDeps, p: Principal, code: string) {
  const c = await deps.coupons.get(p.tenantId, code.toUpperCase());
  if (!c) throw new NotFoundError('coupon', 'code');
  return c;
}
