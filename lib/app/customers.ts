/**
 * Customer use cases: enrol, identify, read, ledger, staff adjustments and staff tiers.
 * Primary adapter (functions/http) → these → secondary adapters (lib/storage).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { adjustPoints, grantBonus } from '#domain/adjustments.ts';
import { discountRate, mayHaveFriendsWaiting, settleReferrals } from '#domain/referral.ts';
import { emptyAccount } from '#domain/account.ts';
import { CARD_RULE, PHONE_RULE, cardNumber, normalizeCard } from '#domain/identifiers.ts';
import { normalizePhone } from './phones.ts';
import type { Program } from '#domain/program.ts';
import { currentTier, isStaffTier } from '#domain/tiers.ts';
import { BusyError, ForbiddenError, IdempotencyConflictError, InvalidRequestError, LimitExceededError, NotFoundError } from './errors.ts';
import { RuleViolationError } from '#domain/errors.ts';
import type { CustomerRef } from '../http/schemas/pos.ts';
import type { AdjustmentBody, EnrolBody, ReviewBody, TierBody } from '../http/schemas/customers.ts';
import type { Principal } from '../storage/api-keys.ts';
import { CreateRaceError, EnrolmentExistsError, IdentifierTakenError, MAX_APP_KEYS, numberEntries, type CustomerRecord, type NameIndexPosition } from '../storage/customers.ts';
import { keys } from '../storage/keys.ts';
import { transactWrite, withOptimisticRetry } from '../storage/transact.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { requestHash, type Answer } from './idempotency.ts';
import type { Deps } from './deps.ts';
import { customerView, pendingReferralPoints, pointsView, rewardsView, tierView } from './views.ts';
import { handSetSegments } from './segments.ts';
import { NAME_SEARCH_RULE, normalizeName } from '#domain/names.ts';
import { receiptsByKey } from '../storage/receipts-by-key.ts';
import { requireProgram } from './program-in-force.ts';

/** Finds the customer a POS names by card, phone or id: one or two reads. */
/** A customer as every route sees them: one that was erased is missing, exactly like one that never was. */
/**
 * What the customer routes (and the POS calls that share these use cases) read and write: the
 * customers function builds only these repositories (README, "Cold start").
 */
export type CustomerDeps = Pick<Deps, 'db' | 'customers' | 'programs' | 'audit' | 'apiKeys' | 'budgets' | 'customEvents' | 'stores' | 'segments' | 'clock'>;

export async function liveCustomer(deps: Pick<Deps, 'customers'>, tenantId: string, customerId: string): Promise<CustomerRecord> {
  const c = await deps.customers.get(tenantId, customerId);
  if (!c || c.profile.erasedAt) throw new NotFoundError('customer', 'customerId');
  return c;
}

/**
 * `accountOnly`: the customer item alone (the till's read; CustomerReadAs in storage/customers.ts),
 * not the profile item beside it.
 */
export async function resolveCustomer(deps: Pick<Deps, 'customers'>, tenantId: string, ref: CustomerRef, prefix = 'customer', read: 'whole' | 'accountOnly' = 'whole'): Promise<CustomerRecord> {
  let customerId = ref.customerId;
  if (ref.card !== undefined) {
    const card = normalizeCard(ref.card);
    if (!card) throw new InvalidRequestError(`${prefix}.card: ${CARD_RULE}`, `${prefix}.card`);
    customerId = (await deps.customers.findId(tenantId, 'card', card)) ?? undefined;
    if (!customerId) throw new NotFoundError('customer with this card', `${prefix}.card`);
  } else if (ref.phone !== undefined) {
    const phone = await normalizePhone(ref.phone);
    if (!phone) throw new InvalidRequestError(`${prefix}.phone: ${PHONE_RULE}`, `${prefix}.phone`);
    customerId = (await deps.customers.findId(tenantId, 'phone', phone)) ?? undefined;
    if (!customerId) throw new NotFoundError('customer with this phone', `${prefix}.phone`);
  }
  const customer = customerId ? await (read === 'accountOnly' ? deps.customers.getAccount(tenantId, customerId) : deps.customers.get(tenantId, customerId)) : null;
  // An erased customer cannot be identified again, not even by id.
  if (!customer || customer.profile.erasedAt) throw new NotFoundError('customer', `${prefix}.customerId`);
  return customer;
}

export async function identify(deps: Pick<Deps, 'programs' | 'customers' | 'clock'>, p: Principal, ref: CustomerRef) {
  const { program } = await requireProgram(deps, p.tenantId);
  const c = await resolveCustomer(deps, p.tenantId, ref);
  const now = deps.clock();
  // The discount the next receipt gets counts friends' rewards that receipt will settle.
  const friends = await pendingReferralCount(deps, c);
  const settledAccount = withReferralsSettled(program, c, friends, now).account;
  const tier = currentTier(program, c.account);
  return {
    customerId: c.profile.customerId,
    card: c.profile.card,
    name: c.profile.name,
    referralCode: c.profile.referralCode,
    tier: tierView(tier),
    points: pointsView(program, c.account, now, pendingReferralPoints(program, friends)),
    discount: discountRate(program, settledAccount, tier?.discountBps ?? 0),
    ...rewardsView(program, c.account),
    coupons: [] as unknown[],
  };
}

/** Referral codes are short enough to read out at a till, without look-alike characters. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const newReferralCode = () => Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');

export async function enrol(deps: CustomerDeps, p: Principal, body: EnrolBody): Promise<Answer> {
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
  const phone = body.phone === undefined ? undefined : await normalizePhone(body.phone);
  if (phone === null) throw new InvalidRequestError(`phone: ${PHONE_RULE}`, 'phone');
  const givenCard = body.card === undefined ? undefined : normalizeCard(body.card);
  if (givenCard === null) throw new InvalidRequestError(`card: ${CARD_RULE}`, 'card');
  let referredBy: string | null = null;
  if (body.referralCode !== undefined) {
    if (!program.referral) throw new RuleViolationError('referral_not_offered', 'referralCode: this program has no referral terms', 'referralCode');
    referredBy = await deps.customers.findId(p.tenantId, 'referral', body.referralCode.toUpperCase());
    if (!referredBy) throw new RuleViolationError('unknown_referral_code', 'referralCode: no customer has this code', 'referralCode');
    // Before the friend exists, so the member's count never misses a friend whose reward may wait.
    await deps.customers.countFriendEnrolling(p.tenantId, referredBy);
  }
  const now = deps.clock();
  const at = now.toISOString();

  // Issued card numbers and referral codes can collide; the conditional write catches it and we draw again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const card = givenCard ?? cardNumber(Array.from({ length: 15 }, () => randomInt(10)).join(''));
    const start = { ...emptyAccount(), referral: { ...emptyAccount().referral, referredBy } };
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
        enrolmentStoreId: p.role === 'pos' ? p.storeId : undefined,
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
      // A till's enrolment is the customer's own act; staff enrolling someone is a staff action.
      const audit = p.role === 'pos' ? [] : [deps.audit.item(p, { at, action: 'customer.enrol', target: `customer:${record.profile.customerId}`, after: { fields: Object.keys(body).filter((k) => k !== 'enrolmentId').sort() } })];
      await deps.customers.create(record, { entries, ...(idempotencyKey ? { idempotency: { key: idempotencyKey, requestHash: hash, response } } : {}), others: audit });
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

/** Friends' rewards settled in one transaction: with the customer item and its ledger entries, well under DynamoDB's 100. */
export const REFERRALS_PER_TRANSACTION = 90;
/** Most friends' rewards one write settles (and a quote or a view counts); the rest wait for the next write. */
export const REFERRALS_PER_WRITE = 10 * REFERRALS_PER_TRANSACTION;

/**
 * Whether friends' rewards may be waiting for this customer. The item says so (friends enrolled
 * beyond those rewarded), so a customer nobody is waiting on costs no extra read.
 */
export const mayHavePendingReferrals = (c: CustomerRecord): boolean =>
  c.pendingReferrals.length > 0 || (Boolean(c.profile.referralCode) && mayHaveFriendsWaiting(c.account.referral));

/** How many friends' rewards wait for this customer (up to what one write settles). */
export async function pendingReferralCount(deps: Pick<Deps, 'customers'>, c: CustomerRecord): Promise<number> {
  if (!mayHavePendingReferrals(c)) return 0;
  const waiting = await deps.customers.pendingReferralCount(c.tenantId, c.profile.customerId, REFERRALS_PER_WRITE);
  return c.pendingReferrals.length + waiting;
}

/** The customer as its next write will have it, `friends` waiting rewards settled (quotes and views; writes nothing). */
export function withReferralsSettled(program: Program, c: CustomerRecord, friends: number, now: Date): CustomerRecord {
  return friends === 0 ? c : { ...c, account: settleReferrals(program, c.account, friends, now).account };
}

/**
 * Settles the friends' rewards waiting for this customer before one of its writes: a page per
 * transaction (the customer item, one ledger entry, the page's deletes), up to
 * REFERRALS_PER_WRITE. Returns the customer as now stored, or null if another write got in
 * between (the caller re-reads and tries again).
 */
export async function settlePendingReferrals(deps: Pick<Deps, 'db' | 'customers'>, program: Program, c: CustomerRecord, now: Date): Promise<CustomerRecord | null> {
  let record = c;
  let settled = 0;
  while (settled < REFERRALS_PER_WRITE && mayHavePendingReferrals(record)) {
    const limit = Math.min(REFERRALS_PER_TRANSACTION, REFERRALS_PER_WRITE - settled);
    const page = await deps.customers.pendingReferrals(record.tenantId, record.profile.customerId, limit);
    const friends = record.pendingReferrals.length + page.length;
    if (friends === 0) break;
    const s = settleReferrals(program, record.account, friends, now);
    const entries = numberEntries(record, s.entries, now.toISOString(), { reason: 'referral: friends’ first purchases' });
    const next: CustomerRecord = { ...record, account: s.account, pendingReferrals: [], ledgerSeq: record.ledgerSeq + entries.length };
    const r = await transactWrite(deps.db, [
      ...deps.customers.updateItems(record, next, entries),
      ...deps.customers.settledReferralDeletes(record.tenantId, record.profile.customerId, page),
    ]);
    if (!r.ok) return null;
    record = { ...next, version: record.version + 1 };
    settled += page.length;
    if (page.length < limit) break;
  }
  return record;
}

/** What staff and the customer's app see of a customer, friends' waiting rewards counted. */
async function viewOf(deps: Pick<Deps, 'customers'>, program: Program, c: CustomerRecord, now: Date) {
  return customerView(c, program, now, await pendingReferralCount(deps, c));
}

export async function getCustomer(deps: Pick<Deps, 'programs' | 'customers' | 'clock'>, p: Principal, customerId: string) {
  const { program } = await requireProgram(deps, p.tenantId);
  const c = await liveCustomer(deps, p.tenantId, customerId);
  return viewOf(deps, program, c, deps.clock());
}

/** Staff lookup by exactly one identifier; no match is an empty list (erased customers included). */
export async function lookupCustomers(deps: CustomerDeps, p: Principal, q: { card?: string | undefined; phone?: string | undefined }) {
  const { program } = await requireProgram(deps, p.tenantId);
  const kind = q.card !== undefined ? 'card' : 'phone';
  const value = kind === 'card' ? normalizeCard(q.card!) : await normalizePhone(q.phone!);
  if (!value) throw new InvalidRequestError(`${kind}: ${kind === 'card' ? CARD_RULE : PHONE_RULE}`, kind);
  const customerId = await deps.customers.findId(p.tenantId, kind, value);
  const c = customerId ? await deps.customers.get(p.tenantId, customerId) : null;
  if (!c || c.profile.erasedAt) return { customers: [] };
  return { customers: [await viewOf(deps, program, c, deps.clock())] };
}

/** Most customers one page of a name search returns. */
export const NAME_SEARCH_MAX_LIMIT = 50;

/**
 * Staff find customers by the start of their name (normalised: case, Latin diacritics, Persian
 * letter forms; see domain/names.ts): one Query of the names index and one BatchGetItem of the
 * page's customers, never a scan. The cursor is bound to the normalised prefix it was made for.
 */
export async function searchCustomersByName(deps: CustomerDeps, p: Principal, q: { name: string; limit: number; cursor?: string | undefined }) {
  await requireProgram(deps, p.tenantId);
  const prefix = normalizeName(q.name);
  if (!prefix) throw new InvalidRequestError(`name: ${NAME_SEARCH_RULE}`, 'name');
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, (sk) => sk.startsWith(prefix) && sk.includes('#'), prefix);
  const page = await deps.customers.idsByNamePrefix(p.tenantId, prefix, q.limit, after ? namePosition(after) : undefined);
  // Both items of each (≤ 2 × NAME_SEARCH_MAX_LIMIT keys, one BatchGetItem): the name and contacts are on the profile item, card and erasure on the customer item.
  const found = await receiptsByKey(deps.db, page.ids.flatMap((id) => [keys.customer(p.tenantId, id), keys.customerProfile(p.tenantId, id)]));
  const byId = new Map<string, Record<string, unknown>>();
  for (const i of found) byId.set(i.customerId as string, { ...byId.get(i.customerId as string), ...i });
  // The index is eventually consistent: a customer erased a moment ago may still be listed there.
  const customers = page.ids.flatMap((id) => {
    const c = byId.get(id);
    if (!c || c.erasedAt || typeof c.name !== 'string') return [];
    return [{ customerId: id, name: c.name, card: c.card as string, ...(c.phone ? { phone: c.phone as string } : {}), ...(c.email ? { email: c.email as string } : {}), createdAt: c.createdAt as string }];
  });
  return { customers, nextCursor: page.next ? encodeCursor(`${page.next.nameSk}#${page.next.customerId}#${page.next.sk}`, prefix) : null };
}

/** A name search cursor's position: `nameSk#customerId#sk` (cursors made before the profile item had no sk: the customer item's). */
function namePosition(after: string): NameIndexPosition {
  const parts = after.split('#');
  const sk = parts.at(-1) === 'PROFILE' || parts.at(-1) === 'CUSTOMER' ? parts.pop()! : 'CUSTOMER';
  const customerId = parts.pop()!;
  return { nameSk: parts.join('#'), customerId, sk };
}

export async function ledgerPage(deps: Pick<Deps, 'customers'>, p: Principal, customerId: string, q: { limit: number; cursor?: string | undefined }) {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, (sk) => /^LEDGER#\d{12}$/.test(sk));
  const c = await liveCustomer(deps, p.tenantId, customerId);
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
      ...(r.budgets ? { budgets: r.budgets } : {}),
    })),
    nextCursor: page.nextSk ? encodeCursor(page.nextSk) : null,
  };
}

export async function adjust(deps: CustomerDeps, p: Principal, customerId: string, body: AdjustmentBody) {
  const { program } = await requireProgram(deps, p.tenantId);
  const limit = program.staff.supportAdjustmentLimit;
  if (p.role === 'support' && Math.abs(body.points) > limit) {
    throw new ForbiddenError(`points: a support key may adjust at most ${limit} points at a time; ask an admin`, 'points', 'over_limit');
  }
  const hash = requestHash({ customerId, ...body });
  const key = keys.adjustment(p.tenantId, customerId, body.adjustmentId);
  return withOptimisticRetry<Answer>(async () => {
    const read = await liveCustomer(deps, p.tenantId, customerId);
    const now = deps.clock();
    const loaded = await settlePendingReferrals(deps, program, read, now);
    if (!loaded) return { done: false };
    const c = loaded;
    const outcome = adjustPoints(program, c.account, body.points, now);
    const entries = numberEntries(loaded, outcome.entries, now.toISOString(), {
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
      deps.audit.item(p, {
        at: now.toISOString(),
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

export async function setStaffTier(deps: CustomerDeps, p: Principal, customerId: string, body: TierBody) {
  const { program } = await requireProgram(deps, p.tenantId);
  if (body.tierId !== null && !isStaffTier(program, body.tierId)) {
    throw new RuleViolationError('unknown_tier', `tierId: "${body.tierId}" is not a staff-assigned tier of this program`, 'tierId');
  }
  return withOptimisticRetry(async () => {
    const c = await liveCustomer(deps, p.tenantId, customerId);
    const now = deps.clock();
    const next: CustomerRecord = {
      ...c,
      account: { ...c.account, staffTierId: body.tierId },
      staffTier: { tierId: body.tierId, by: p.actor, at: now.toISOString(), reason: body.reason },
    };
    const r = await transactWrite(deps.db, [
      ...deps.customers.updateItems(c, next, []),
      deps.audit.item(p, {
        at: now.toISOString(),
        action: 'tier.assign',
        target: `customer:${customerId}`,
        before: { staffTierId: c.account.staffTierId },
        after: { staffTierId: body.tierId, reason: body.reason },
      }),
    ]);
    if (!r.ok) return { done: false };
    return { done: true, value: await viewOf(deps, program, next, now) };
  });
}

/**
 * Records a product review (or survey answer) and grants the program's review bonus, once per
 * customer and product: the review item's conditional put makes a repeat return the first answer.
 */
export async function recordReview(deps: CustomerDeps, p: Principal, customerId: string, body: ReviewBody) {
  const { program } = await requireProgram(deps, p.tenantId);
  const key = keys.review(p.tenantId, customerId, body.sku);
  return withOptimisticRetry<Answer>(async () => {
    const read = await liveCustomer(deps, p.tenantId, customerId);
    const now = deps.clock();
    const loaded = await settlePendingReferrals(deps, program, read, now);
    if (!loaded) return { done: false };
    const bonus = grantBonus(program, loaded.account, program.bonuses.review ?? 0, now);
    const entries = numberEntries(loaded, bonus.entries, now.toISOString(), { reason: `${body.kind}: ${body.sku}`, actor: p.actor });
    const response = JSON.stringify({
      customerId,
      sku: body.sku,
      kind: body.kind,
      pointsGranted: program.bonuses.review ?? 0,
      at: now.toISOString(),
      balance: { before: loaded.account.available, after: bonus.accountAfter.available },
    });
    const next: CustomerRecord = { ...loaded, account: bonus.accountAfter, ledgerSeq: loaded.ledgerSeq + entries.length };
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
      // The review's text is the customer's words: the audit names the product, not the text.
      deps.audit.item(p, { at: now.toISOString(), action: 'review.record', target: `customer:${customerId}`, after: { sku: body.sku, kind: body.kind, pointsGranted: program.bonuses.review ?? 0 } }),
    ]);
    if (r.ok) return { done: true, value: { body: response, replayed: false } };
    const first = r.reasons[0];
    if (first?.code === 'ConditionalCheckFailed' && first.item) return { done: true, value: { body: first.item.response as string, replayed: true } };
    return { done: false };
  });
}

export async function setSegments(deps: CustomerDeps, p: Principal, customerId: string, segments: readonly string[]) {
  const { program } = await requireProgram(deps, p.tenantId);
  return withOptimisticRetry(async () => {
    const c = await liveCustomer(deps, p.tenantId, customerId);
    // Segments by hand; the defined ones the customer is in stay as evaluated.
    const set = await handSetSegments(deps, p.tenantId, c, segments);
    const next: CustomerRecord = { ...c, account: { ...c.account, ...set } };
    const at = deps.clock().toISOString();
    const r = await transactWrite(deps.db, [
      ...deps.customers.updateItems(c, next, []),
      ...deps.customers.segmentItems(p.tenantId, customerId, c.account.segments, next.account.segments, at),
      deps.audit.item(p, { at, action: 'segments.set', target: `customer:${customerId}`, before: c.account.segments, after: next.account.segments }),
    ]);
    if (!r.ok) return { done: false };
    return { done: true, value: await viewOf(deps, program, next, deps.clock()) };
  });
}

/** Replaces the customer's push tokens (the app registers them); push goes to the first. */
export async function setDevices(deps: Pick<Deps, 'db' | 'programs' | 'customers' | 'audit' | 'clock'>, p: Principal, customerId: string, devices: ReadonlyArray<{ token: string; platform: 'GCM' | 'APNS' }>) {
  const { program } = await requireProgram(deps, p.tenantId);
  return withOptimisticRetry(async () => {
    const c = await liveCustomer(deps, p.tenantId, customerId);
    const next: CustomerRecord = { ...c, profile: { ...c.profile, devices: [...devices] } };
    // The customer's own app changing its tokens is not a staff action; staff doing it is.
    const audit =
      p.role === 'customer'
        ? []
        : [deps.audit.item(p, { at: deps.clock().toISOString(), action: 'devices.set', target: `customer:${customerId}`, before: { count: c.profile.devices?.length ?? 0 }, after: { count: devices.length, platforms: devices.map((d) => d.platform) } })];
    const r = await transactWrite(deps.db, [...deps.customers.updateItems(c, next, []), ...audit]);
    if (!r.ok) return { done: false };
    return { done: true, value: await viewOf(deps, program, next, deps.clock()) };
  });
}

/**
 * A key for the customer's own app: tied to this one customer, shown once, stored as a hash like
 * every key; the app reads and changes only that customer's data through /v1/me.
 */
export async function createAppKey(deps: CustomerDeps, p: Principal, customerId: string, rateLimit?: number) {
  await requireProgram(deps, p.tenantId);
  await liveCustomer(deps, p.tenantId, customerId);
  const at = deps.clock().toISOString();
  const live = (await deps.customers.appKeys(p.tenantId, customerId)).filter((k) => !k.revokedAt && !(k.expiresAt && k.expiresAt <= at));
  if (live.length >= MAX_APP_KEYS) {
    throw new LimitExceededError('customer.appKeys', `customerId: a customer may have at most ${MAX_APP_KEYS} app keys; revoke one (DELETE /v1/keys/{keyId}) first`, 'customerId');
  }
  const created = await deps.apiKeys.create({ tenantId: p.tenantId, storeId: undefined, role: 'customer', actor: `customer:${customerId}`, customerId, rateLimit }, at, p.actor, (info) => [
    deps.audit.item(p, { at, action: 'key.create', target: `key:${info.keyId}`, after: { role: 'customer', customerId } }),
  ]);
  return { key: created.key, keyId: created.keyId, customerId, createdAt: at };
}

/** The customer a customer's app key belongs to; any other principal has none here. */
export function ownCustomerId(p: Principal): string {
  if (p.role !== 'customer' || !p.customerId) throw new ForbiddenError('only a customer app key may use /v1/me');
  return p.customerId;
}
