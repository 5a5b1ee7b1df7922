/**
 * Customer use cases: enrol, identify, read, ledger, staff adjustments and staff tiers.
 * Primary adapter (functions/http) → these → secondary adapters (lib/storage).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { adjustPoints, grantBonus } from '#domain/adjustments.ts';
import { discountRate, settleReferrals } from '#domain/referral.ts';
import type { LedgerEntry } from '#domain/account.ts';
import { emptyAccount } from '#domain/account.ts';
import { CARD_RULE, PHONE_RULE, cardNumber, normalizeCard, normalizePhone } from '#domain/identifiers.ts';
import type { Program } from '#domain/program.ts';
import { currentTier, isStaffTier } from '#domain/tiers.ts';
import { BusyError, ConflictError, ForbiddenError, IdempotencyConflictError, InvalidRequestError, NotFoundError } from './errors.ts';
import { RuleViolationError } from '#domain/errors.ts';
import type { AdjustmentBody, CustomerRef, EnrolBody, ReviewBody, TierBody } from '../http/schemas.ts';
import type { Principal } from '../storage/api-keys.ts';
import { CreateRaceError, EnrolmentExistsError, IdentifierTakenError, numberEntries, type CustomerRecord } from '../storage/customers.ts';
import { keys } from '../storage/keys.ts';
import { transactWrite, withOptimisticRetry } from '../storage/transact.ts';
import { requestHash, type Answer } from './idempotency.ts';
import type { Deps } from './deps.ts';
import { customerView, pendingReferralPoints, pointsView, rewardsView, tierView } from './views.ts';

export async function requireProgram(deps: Deps, tenantId: string): Promise<{ version: number; program: Program }> {
  const p = await deps.programs.current(tenantId);
  if (!p) throw new ConflictError('program_not_configured', 'this tenant has no loyalty program published yet');
  return p;
}

/** Finds the customer a POS names by card, phone or id: one or two reads. */
export async function resolveCustomer(deps: Deps, tenantId: string, ref: CustomerRef, prefix = 'customer'): Promise<CustomerRecord> {
  let customerId = ref.customerId;
  if (ref.card !== undefined) {
    const card = normalizeCard(ref.card);
    if (!card) throw new InvalidRequestError(`${prefix}.card: ${CARD_RULE}`, `${prefix}.card`);
    customerId = (await deps.customers.findId(tenantId, 'card', card)) ?? undefined;
    if (!customerId) throw new NotFoundError('customer with this card', `${prefix}.card`);
  } else if (ref.phone !== undefined) {
    const phone = normalizePhone(ref.phone);
    if (!phone) throw new InvalidRequestError(`${prefix}.phone: ${PHONE_RULE}`, `${prefix}.phone`);
    customerId = (await deps.customers.findId(tenantId, 'phone', phone)) ?? undefined;
    if (!customerId) throw new NotFoundError('customer with this phone', `${prefix}.phone`);
  }
  const customer = customerId ? await deps.customers.get(tenantId, customerId) : null;
  // An erased customer cannot be identified again, not even by id.
  if (!customer || customer.profile.erasedAt) throw new NotFoundError('customer', `${prefix}.customerId`);
  return customer;
}

export async function identify(deps: Deps, p: Principal, ref: CustomerRef) {
  const { program } = await requireProgram(deps, p.tenantId);
  const c = await resolveCustomer(deps, p.tenantId, ref);
  const now = deps.clock();
  // The discount the next receipt gets counts friends' rewards that receipt will settle.
  const settledAccount = settle(program, c, now).record.account;
  const tier = currentTier(program, c.account);
  return {
    customerId: c.profile.customerId,
    card: c.profile.card,
    name: c.profile.name,
    referralCode: c.profile.referralCode,
    tier: tierView(tier),
    points: pointsView(program, c.account, now, pendingReferralPoints(program, c)),
    discount: discountRate(program, settledAccount, tier?.discountBps ?? 0),
    ...rewardsView(program, c.account),
    coupons: [] as unknown[],
  };
}

/** Referral codes are short enough to read out at a till, without look-alike characters. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const newReferralCode = () => Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');

export async function enrol(deps: Deps, p: Principal, body: EnrolBody): Promise<Answer> {
  const { program } = await requireProgram(deps, p.tenantId);
  // With an enrolmentId a till's retry gets the first answer instead of a second customer.
  const hash = requestHash(body);
  const idempotencyKey = body.enrolmentId ? keys.enrolment(p.tenantId, body.enrolmentId) : undefined;
  const replay = (storedHash: string, response: string): Answer => {
    if (storedHash !== hash) throw new IdempotencyConflictError('enrolmentId: was already used with a different body', 'enrolmentId');
    return { body: response, replayed: true };
  };
  const earlier = async () => (body.enrolmentId ? deps.customers.enrolment(p.tenantId, body.enrolmentId) : null);
  const first = await earlier();
  if (first) return replay(first.requestHash, first.response);
  const phone = body.phone === undefined ? undefined : normalizePhone(body.phone);
  if (phone === null) throw new InvalidRequestError(`phone: ${PHONE_RULE}`, 'phone');
  const givenCard = body.card === undefined ? undefined : normalizeCard(body.card);
  if (givenCard === null) throw new InvalidRequestError(`card: ${CARD_RULE}`, 'card');
  let referredBy: string | null = null;
  if (body.referralCode !== undefined) {
    if (!program.referral) throw new RuleViolationError('referral_not_offered', 'referralCode: this program has no referral terms', 'referralCode');
    referredBy = await deps.customers.findId(p.tenantId, 'referral', body.referralCode.toUpperCase());
    if (!referredBy) throw new RuleViolationError('unknown_referral_code', 'referralCode: no customer has this code', 'referralCode');
  }
  const now = deps.clock();
  const at = now.toISOString();

  // Issued card numbers and referral codes can collide; the conditional write catches it and we draw again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const card = givenCard ?? cardNumber(Array.from({ length: 15 }, () => randomInt(10)).join(''));
    const start = { ...emptyAccount(), referral: { referredBy, referrerRewarded: false, friendsRewarded: 0 } };
    const registration = grantBonus(program, start, program.bonuses.registration ?? 0, now);
    const welcome = grantBonus(program, registration.accountAfter, referredBy ? (program.referral?.newcomer.bonusPoints ?? 0) : 0, now);
    const draft: CustomerRecord = {
      tenantId: p.tenantId,
      profile: {
        customerId: `c_${randomBytes(12).toString('base64url')}`,
        card,
        phone,
        name: body.name,
        email: body.email?.toLowerCase(),
        birthDate: body.birthDate,
        locale: body.locale,
        consents: body.consents,
        createdAt: at,
        referralCode: program.referral ? newReferralCode() : undefined,
      },
      account: welcome.accountAfter,
      ledgerSeq: 0,
      version: 1,
      pendingReferrals: [],
    };
    const entries = [
      ...numberEntries(draft, registration.entries, at, { reason: 'registration' }),
      ...numberEntries({ ...draft, ledgerSeq: registration.entries.length }, welcome.entries, at, { reason: 'referral: welcome' }),
    ];
    const record: CustomerRecord = { ...draft, ledgerSeq: entries.length };
    const response = JSON.stringify(customerView(record, program, now));
    try {
      await deps.customers.create(record, { entries, ...(idempotencyKey ? { idempotency: { key: idempotencyKey, requestHash: hash, response } } : {}) });
      return { body: response, replayed: false };
    } catch (e) {
      if (e instanceof EnrolmentExistsError) return replay(e.requestHash, e.response);
      if (e instanceof CreateRaceError) {
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
        const done = await earlier();
        if (done) return replay(done.requestHash, done.response);
        continue;
      }
      if (e instanceof IdentifierTakenError && ((e.kind === 'card' && givenCard === undefined) || e.kind === 'referral')) continue;
      throw e;
    }
  }
  throw new BusyError('could not issue a unique card number; retry');
}

/**
 * A customer record ready to be written: friends' rewards left on the item are settled into the
 * account, with the ledger entries that records them (they go in the same transaction).
 */
export function settle(program: Program, c: CustomerRecord, now: Date): { record: CustomerRecord; entries: LedgerEntry[] } {
  if (c.pendingReferrals.length === 0) return { record: c, entries: [] };
  const s = settleReferrals(program, c.account, c.pendingReferrals, now);
  return { record: { ...c, account: s.account, pendingReferrals: [] }, entries: s.entries };
}

export async function getCustomer(deps: Deps, p: Principal, customerId: string) {
  const { program } = await requireProgram(deps, p.tenantId);
  const c = await deps.customers.get(p.tenantId, customerId);
  if (!c || c.profile.erasedAt) throw new NotFoundError('customer', 'customerId');
  return customerView(c, program, deps.clock());
}

const encodeCursor = (sk: string) => Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  try {
    const { sk } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sk?: unknown };
    if (typeof sk === 'string' && /^LEDGER#\d{12}$/.test(sk)) return sk;
  } catch {
    // fall through to the 400 below
  }
  throw new InvalidRequestError('cursor: is not a cursor this API returned', 'cursor');
}

export async function ledgerPage(deps: Deps, p: Principal, customerId: string, q: { limit: number; cursor?: string | undefined }) {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  const c = await deps.customers.get(p.tenantId, customerId);
  if (!c) throw new NotFoundError('customer', 'customerId');
  const page = await deps.customers.ledger(p.tenantId, customerId, q.limit, after);
  return {
    customerId,
    balance: c.account.available,
    entries: page.rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      kind: r.kind,
      points: r.points,
      ...(r.pending ? { pendingPoints: Object.values(r.pending).reduce((s, n) => s + n, 0) } : {}),
      balanceAfter: r.balanceAfter,
      source: r.source,
    })),
    nextCursor: page.nextSk ? encodeCursor(page.nextSk) : null,
  };
}

export async function adjust(deps: Deps, p: Principal, customerId: string, body: AdjustmentBody) {
  const { program } = await requireProgram(deps, p.tenantId);
  const limit = program.staff.supportAdjustmentLimit;
  if (p.role === 'support' && Math.abs(body.points) > limit) {
    throw new ForbiddenError(`points: a support key may adjust at most ${limit} points at a time; ask an admin`, 'points', 'over_limit');
  }
  const hash = requestHash({ customerId, ...body });
  const key = keys.adjustment(p.tenantId, customerId, body.adjustmentId);
  return withOptimisticRetry<Answer>(async () => {
    const loaded = await deps.customers.get(p.tenantId, customerId);
    if (!loaded) throw new NotFoundError('customer', 'customerId');
    const now = deps.clock();
    const settled = settle(program, loaded, now);
    const c = settled.record;
    const outcome = adjustPoints(program, c.account, body.points, now);
    const entries = numberEntries(loaded, [...settled.entries, ...outcome.entries], now.toISOString(), {
      adjustmentId: body.adjustmentId,
      actor: p.actor,
      reason: body.reason,
    });
    const response = JSON.stringify({
      adjustmentId: body.adjustmentId,
      customerId,
      points: body.points,
      reason: body.reason,
      actor: p.actor,
      at: now.toISOString(),
      balance: { before: c.account.available, after: outcome.accountAfter.available },
    });
    const next: CustomerRecord = { ...c, account: outcome.accountAfter, ledgerSeq: c.ledgerSeq + entries.length };
    const r = await transactWrite(deps.db, [
      {
        Put: {
          TableName: deps.db.table,
          Item: { ...key, type: 'adjustment', requestHash: hash, response, actor: p.actor },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      ...deps.customers.updateItems(loaded, next, entries),
      deps.audit.item(p.tenantId, {
        at: now.toISOString(),
        actor: p.actor,
        action: 'points.adjust',
        target: `customer:${customerId}`,
        before: { available: loaded.account.available },
        after: { available: outcome.accountAfter.available, points: body.points, reason: body.reason, adjustmentId: body.adjustmentId },
      }),
    ]);
    if (r.ok) return { done: true, value: { body: response, replayed: false } };
    const first = r.reasons[0];
    if (first?.code === 'ConditionalCheckFailed' && first.item) {
      if (first.item.requestHash !== hash) {
        throw new IdempotencyConflictError('adjustmentId: was already used with a different body', 'adjustmentId');
      }
      return { done: true, value: { body: first.item.response as string, replayed: true } };
    }
    return { done: false };
  });
}

export async function setStaffTier(deps: Deps, p: Principal, customerId: string, body: TierBody) {
  const { program } = await requireProgram(deps, p.tenantId);
  if (body.tierId !== null && !isStaffTier(program, body.tierId)) {
    throw new RuleViolationError('unknown_tier', `tierId: "${body.tierId}" is not a staff-assigned tier of this program`, 'tierId');
  }
  return withOptimisticRetry(async () => {
    const c = await deps.customers.get(p.tenantId, customerId);
    if (!c) throw new NotFoundError('customer', 'customerId');
    const now = deps.clock();
    const next: CustomerRecord = {
      ...c,
      account: { ...c.account, staffTierId: body.tierId },
      staffTier: { tierId: body.tierId, by: p.actor, at: now.toISOString(), reason: body.reason },
    };
    const r = await transactWrite(deps.db, [
      ...deps.customers.updateItems(c, next, []),
      deps.audit.item(p.tenantId, {
        at: now.toISOString(),
        actor: p.actor,
        action: 'tier.assign',
        target: `customer:${customerId}`,
        before: { staffTierId: c.account.staffTierId },
        after: { staffTierId: body.tierId, reason: body.reason },
      }),
    ]);
    if (!r.ok) return { done: false };
    return { done: true, value: customerView(next, program, now) };
  });
}

/**
 * Records a product review (or survey answer) and grants the program's review bonus, once per
 * customer and product: the review item's conditional put makes a repeat return the first answer.
 */
export async function recordReview(deps: Deps, p: Principal, customerId: string, body: ReviewBody) {
  const { program } = await requireProgram(deps, p.tenantId);
  const key = keys.review(p.tenantId, customerId, body.sku);
  return withOptimisticRetry<Answer>(async () => {
    const loaded = await deps.customers.get(p.tenantId, customerId);
    if (!loaded) throw new NotFoundError('customer', 'customerId');
    const now = deps.clock();
    const settled = settle(program, loaded, now);
    const bonus = grantBonus(program, settled.record.account, program.bonuses.review ?? 0, now);
    const entries = numberEntries(loaded, [...settled.entries, ...bonus.entries], now.toISOString(), { reason: `${body.kind}: ${body.sku}`, actor: p.actor });
    const response = JSON.stringify({
      customerId,
      sku: body.sku,
      kind: body.kind,
      pointsGranted: program.bonuses.review ?? 0,
      at: now.toISOString(),
      balance: { before: loaded.account.available, after: bonus.accountAfter.available },
    });
    const next: CustomerRecord = { ...settled.record, account: bonus.accountAfter, ledgerSeq: loaded.ledgerSeq + entries.length };
    const r = await transactWrite(deps.db, [
      {
        Put: {
          TableName: deps.db.table,
          Item: { ...key, type: 'review', ...body, response, by: p.actor },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      ...deps.customers.updateItems(loaded, next, entries),
    ]);
    if (r.ok) return { done: true, value: { body: response, replayed: false } };
    const first = r.reasons[0];
    if (first?.code === 'ConditionalCheckFailed' && first.item) return { done: true, value: { body: first.item.response as string, replayed: true } };
    return { done: false };
  });
}

export async function setSegments(deps: Deps, p: Principal, customerId: string, segments: readonly string[]) {
  const { program } = await requireProgram(deps, p.tenantId);
  return withOptimisticRetry(async () => {
    const c = await deps.customers.get(p.tenantId, customerId);
    if (!c) throw new NotFoundError('customer', 'customerId');
    const next: CustomerRecord = { ...c, account: { ...c.account, segments: [...new Set(segments)].sort() } };
    const at = deps.clock().toISOString();
    const r = await transactWrite(deps.db, [
      ...deps.customers.updateItems(c, next, []),
      ...deps.customers.segmentItems(p.tenantId, customerId, c.account.segments, next.account.segments),
      deps.audit.item(p.tenantId, { at, actor: p.actor, action: 'segments.set', target: `customer:${customerId}`, before: c.account.segments, after: next.account.segments }),
    ]);
    if (!r.ok) return { done: false };
    return { done: true, value: customerView(next, program, deps.clock()) };
  });
}

/** Replaces the customer's push tokens (the app registers them); push goes to the first. */
export async function setDevices(deps: Deps, p: Principal, customerId: string, devices: ReadonlyArray<{ token: string; platform: 'GCM' | 'APNS' }>) {
  const { program } = await requireProgram(deps, p.tenantId);
  return withOptimisticRetry(async () => {
    const c = await deps.customers.get(p.tenantId, customerId);
    if (!c) throw new NotFoundError('customer', 'customerId');
    const next: CustomerRecord = { ...c, profile: { ...c.profile, devices: [...devices] } };
    const r = await transactWrite(deps.db, deps.customers.updateItems(c, next, []));
    if (!r.ok) return { done: false };
    return { done: true, value: customerView(next, program, deps.clock()) };
  });
}

/**
 * A key for the customer's own app: tied to this one customer, shown once, stored as a hash like
 * every key; the app reads and changes only that customer's data through /v1/me.
 */
export async function createAppKey(deps: Deps, p: Principal, customerId: string, rateLimit?: number) {
  await requireProgram(deps, p.tenantId);
  const c = await deps.customers.get(p.tenantId, customerId);
  if (!c || c.profile.erasedAt) throw new NotFoundError('customer', 'customerId');
  const at = deps.clock().toISOString();
  const created = await deps.apiKeys.create({ tenantId: p.tenantId, storeId: undefined, role: 'customer', actor: `customer:${customerId}`, customerId, rateLimit }, at, p.actor);
  await transactWrite(deps.db, [deps.audit.item(p.tenantId, { at, actor: p.actor, action: 'key.create', target: `key:${created.keyId}`, after: { role: 'customer', customerId } })]);
  return { key: created.key, keyId: created.keyId, customerId, createdAt: at };
}

/** The customer a customer's app key belongs to; any other principal has none here. */
export function ownCustomerId(p: Principal): string {
  if (p.role !== 'customer' || !p.customerId) throw new ForbiddenError('only a customer app key may use /v1/me');
  return p.customerId;
}
