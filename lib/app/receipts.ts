/**
 * Quote and commit a receipt. Both run the same pricing; commit then writes the receipt (the
 * idempotency record), the customer's new account and its ledger entries in one transaction.
 * Reads: identifier (if by card/phone) + customer. Writes: one TransactWriteItems.
 */
import { DomainError, RuleViolationError } from '#domain/errors.ts';
import type { Program } from '#domain/program.ts';
import { drawsByKey, priceReceipt, toMilli, type Pricing, type ReceiptDraft } from '#domain/pricing.ts';
import { rewardText, usedEntries } from '#domain/rewards.ts';
import { countersFor } from '#domain/budgeted-earning.ts';
import { hasGlobalLimit, seedOf, shardFor, type Counters } from '#domain/budgets.ts';
import { chooseChannel } from '#domain/notifications.ts';
import { tierMeasureReadsEarlierMonths } from '#domain/tiers.ts';
import { monthOf } from '#domain/time.ts';
import { AppError, ConflictError, IdempotencyConflictError, InvalidRequestError } from './errors.ts';
import type { ReceiptBody } from '../http/schemas/pos.ts';
import type { Principal } from '../storage/api-keys.ts';
import { numberEntries, reachabilityOf, type CustomerRecord } from '../storage/customers.ts';
import type { ReceiptRecord, StoredAnswer } from '../storage/receipts.ts';
import { transactWrite, withOptimisticRetry } from '../storage/transact.ts';
import { metricNames } from '../observability/metric-names.ts';
import { count } from '../observability/metrics.ts';
import { requestHash, type Answer } from './idempotency.ts';
import type { Deps } from './deps.ts';
import { liveCustomer, pendingReferralCount, resolveCustomer, settlePendingReferrals, withReferralsSettled } from './customers.ts';
import { requireProgram } from './program-in-force.ts';
import { rewardView, tierView } from './views.ts';
import { fillFromCatalog } from './catalog-fill.ts';

/** What quote and commit read and write: the till's function builds only these (README, "Cold start"). */
export type ReceiptDeps = Pick<Deps, 'db' | 'programs' | 'customers' | 'receipts' | 'coupons' | 'budgets' | 'clock'>;

/** How far ahead of the server's clock a till's clock may be. */
const CLOCK_SKEW_MS = 10 * 60_000;

const DAY_MS = 86_400_000;

/** A receipt line once the catalog filled what the till left out. */
type FilledLine = Awaited<ReturnType<typeof fillFromCatalog<ReceiptBody['lines'][number]>>>[number];

/** Immediate re-prices after lost budget draws before a commit falls back to the usual backoff. */
const MAX_BUDGET_REPRICES = 5;

function draftOf(
  body: ReceiptBody,
  lines: readonly FilledLine[],
  program: Program,
  now: Date,
  storeId: string | undefined,
  storeTags?: Readonly<Record<string, string>>,
  budgets?: Counters,
): ReceiptDraft {
  if (body.currency !== program.currency) {
    throw new RuleViolationError('currency_mismatch', `currency: the program runs in ${program.currency}, not ${body.currency}`, 'currency');
  }
  const occurredAt = new Date(body.occurredAt);
  if (occurredAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new RuleViolationError('occurred_in_future', 'occurredAt: is in the future', 'occurredAt');
  }
  const maxAgeDays = program.receipts.maxAgeDays;
  if (occurredAt.getTime() < now.getTime() - maxAgeDays * DAY_MS - CLOCK_SKEW_MS) {
    throw new RuleViolationError('receipt_too_old', `occurredAt: is more than ${maxAgeDays} days ago (the program's receipts.maxAgeDays)`, 'occurredAt');
  }
  return {
    occurredAt,
    storeId,
    storeTags,
    burnPoints: body.burn?.points ?? 0,
    rewards: body.rewards,
    coupons: body.coupons,
    budgets,
    lines: lines.map((l) => ({
      lineId: l.lineId,
      sku: l.sku,
      category: l.category,
      quantityMilli: toMilli(l.quantity),
      unitPrice: l.unitPrice,
      amount: l.amount,
      attributes: l.attributes,
    })),
  };
}

function receiptView(
  body: ReceiptBody,
  customer: CustomerRecord,
  programVersion: number,
  program: Program,
  p: Pricing,
) {
  const currency = program.currency;
  return {
    receiptId: body.receiptId,
    customerId: customer.profile.customerId,
    currency,
    programVersion,
    tier: tierView(p.tier),
    discount: p.discount,
    lines: p.lines.map((l, i) => ({
      lineId: l.lineId,
      amount: l.amount,
      tierDiscount: l.tierDiscount,
      rewardDiscount: l.rewardDiscount,
      couponDiscount: l.couponDiscount,
      pointsDiscount: l.pointsDiscount,
      paid: l.paid,
      pointsEarned: l.pointsEarned,
      pointsBurned: l.pointsBurned,
      pointsUsable: p.lineCaps[i]!,
      earnedBy: p.earn.lineSources[i]!,
    })),
    totals: p.totals,
    burn: p.burn,
    earn: { points: p.earn.points, expiresOn: p.earn.expiresOn, rules: p.earn.rules, sources: p.earn.sources },
    balance: { before: p.accountBefore.available, after: p.accountAfter.available },
    tierAfter: tierView(p.tierAfter),
    tierUpgrade: p.tierUpgrade,
    coupons: p.coupons.map((c) => ({ code: c.code, campaignId: c.campaignId, discount: c.discount, points: c.points })),
    ...budgetSkipped(p),
    rewards: {
      used: p.rewards.used.map((u) => ({ rewardId: u.reward.rewardId, name: rewardText(program.rewards, u.reward).name, discount: u.discount, asGift: u.asGift })),
      unlocked: p.rewards.unlocked.map((r) => rewardView(program, r)),
    },
  };
}

/** Absent unless a budget kept a rule or coupon out, so answers without budgets stay as they were. */
function budgetSkipped(p: Pricing) {
  const skipped = [
    ...p.budgets.skipped.map((s) => ({ kind: 'rule' as const, id: s.ruleId, scope: s.scope })),
    ...p.budgets.couponsSkipped.map((s) => ({ kind: 'coupon' as const, id: s.campaignId, code: s.code, scope: s.scope })),
  ];
  return skipped.length ? { budgetSkipped: skipped } : {};
}

/**
 * The customer a receipt is priced for: the customer item alone (one read unit; a receipt rewrites
 * only it), unless the receipt needs the months of activity before the latest stored one. Levels
 * measured over a window of months need them on every receipt, and so does a late receipt of a
 * month before the latest stored one: both items. (The first receipt of a new month does not: the
 * month it moves onto the profile item is on the customer item; see customers.moveMonths.)
 * `whole`: both items whatever the receipt (a retry after the profile item refused a move).
 */
async function tillCustomer(deps: ReceiptDeps, tenantId: string, program: Program, body: ReceiptBody, whole = false): Promise<CustomerRecord> {
  if (whole || tierMeasureReadsEarlierMonths(program)) return resolveCustomer(deps, tenantId, body.customer);
  const found = await resolveCustomer(deps, tenantId, body.customer, 'customer', 'accountOnly');
  if (found.readAs !== 'accountOnly') return found;
  const latest = Object.keys(found.account.activity).sort().at(-1);
  return latest === undefined || latest <= monthOf(new Date(body.occurredAt), program.timeZone) ? found : liveCustomer(deps, tenantId, found.profile.customerId);
}

/** The budget counters this receipt may draw on, read alongside the customer (none for most programs). */
async function readCounters(deps: ReceiptDeps, tenantId: string, program: Program, body: ReceiptBody): Promise<Counters['used']> {
  const wanted = countersFor(program, new Date(body.occurredAt), body.coupons ?? []);
  return wanted.length ? deps.budgets.used(tenantId, wanted) : {};
}

export async function quote(deps: ReceiptDeps, principal: Principal, body: ReceiptBody) {
  const { version, program } = await requireProgram(deps, principal.tenantId);
  const now = deps.clock();
  const [found, used] = await Promise.all([tillCustomer(deps, principal.tenantId, program, body), readCounters(deps, principal.tenantId, program, body)]);
  const counters: Counters = { used, seed: seedOf(found.profile.customerId) };
  // Priced as the commit will price it: after friends' waiting rewards are settled.
  const customer = withReferralsSettled(program, found, await pendingReferralCount(deps, found), now);
  const lines = await fillFromCatalog(deps, principal.tenantId, body.lines);
  const pricing = priceReceipt(program, customer.account, draftOf(body, lines, program, now, principal.storeId, principal.storeTags, counters), now);
  // A quote reads the coupons to say now what the commit's conditional write would say.
  const coupons = await Promise.all(pricing.coupons.map((c) => deps.coupons.get(principal.tenantId, c.code)));
  coupons.forEach((c, i) => {
    if (!c || c.status !== 'issued' || (c.customerId && c.customerId !== customer.profile.customerId)) throw couponUnavailable(i);
  });
  const view = receiptView(body, customer, version, program, pricing);
  // Only a quote explains; what it says is never stored.
  return body.explain ? { ...view, explain: { notApplied: pricing.earn.misses } } : view;
}

export async function commit(deps: ReceiptDeps, principal: Principal, storeId: string, body: ReceiptBody): Promise<Answer> {
  const { tenantId } = principal;
  if (body.explain) throw new InvalidRequestError('explain: only a quote explains (POST /v1/receipts/quote); commit without it', 'explain');
  const { version, program } = await requireProgram(deps, tenantId);
  const hash = requestHash(body);

  const replay = (stored: StoredAnswer): Answer => {
    if (stored.requestHash !== hash) {
      throw new IdempotencyConflictError('receiptId: was already committed with a different body', 'receiptId');
    }
    count(metricNames.receiptsReplayed);
    return { body: stored.response, replayed: true };
  };

  let referralWaiting = false;
  let readWhole = false;
  type Read = { readonly now: Date; readonly loaded: CustomerRecord; readonly used: Counters['used'] };
  /** One try; `known` re-prices what was read before with the counters a lost draw returned. */
  const attempt = async (known?: Read): Promise<{ done: true; value: Answer } | { done: false; budgetLost?: Read }> => {
    const now = known?.now ?? deps.clock();
    const [found, used] = known ? [known.loaded, known.used] : await Promise.all([tillCustomer(deps, tenantId, program, body, readWhole), readCounters(deps, tenantId, program, body)]);
    const loaded = known ? known.loaded : await settlePendingReferrals(deps, program, found, now);
    if (!loaded) return { done: false };
    const counters: Counters = { used, seed: seedOf(loaded.profile.customerId) };
    const customer = loaded;
    let pricing: Pricing;
    let lines: readonly FilledLine[];
    try {
      // Filled inside the try: a retry of a committed receipt whose SKU has since left the catalog still gets its answer.
      lines = await fillFromCatalog(deps, tenantId, body.lines);
      pricing = priceReceipt(program, customer.account, draftOf(body, lines, program, now, storeId, principal.storeTags, counters), now);
    } catch (e) {
      // A retry of a receipt that did commit must get its first answer, not a fresh refusal.
      if (e instanceof DomainError || e instanceof AppError) {
        const stored = await deps.receipts.get(tenantId, storeId, body.receiptId);
        if (stored) return { done: true, value: replay(stored) };
      }
      throw e;
    }
    const at = now.toISOString();
    const response = JSON.stringify({ ...receiptView(body, customer, version, program, pricing), storeId, committedAt: at });
    const entries = numberEntries(loaded, pricing.entries, at, { receiptId: body.receiptId, storeId });
    const next: CustomerRecord = { ...customer, account: pricing.accountAfter, ledgerSeq: loaded.ledgerSeq + entries.length };
    const record: ReceiptRecord = {
      tenantId,
      storeId,
      receiptId: body.receiptId,
      customerId: customer.profile.customerId,
      requestHash: hash,
      response,
      committedAt: at,
      occurredAt: body.occurredAt,
      programVersion: version,
      receipt: {
        // SKU and category too, so the simulator can price the receipt again under a draft.
        // As the catalog filled them: the simulator prices the receipt again from these. (Not the
        // line attributes: 500 lines × 20 of them could pass DynamoDB's 400 KB item size.)
        lines: pricing.lines.map((l, i) => ({ ...l, sku: lines[i]!.sku, category: lines[i]!.category, returnedMilli: 0 })),
        earnLot: pricing.earn.lot,
        pendingKey: pricing.earn.pendingKey,
        burnLotsRemaining: pricing.burnLots,
        month: pricing.month,
        rewardsUsed: usedEntries(pricing.rewards.used),
        coupons: pricing.coupons.map((c) => ({ code: c.code, campaignId: c.campaignId })),
        progressEffects: pricing.rewards.effects,
        ...(pricing.budgets.draws.length ? { budgetDraws: drawsByKey(pricing.budgets.draws) } : {}),
      },
      version: 1,
      ...(toldOfReceipt(program, customer) ? {} : { notifies: false }),
    };
    // Its conditional put fails only if this friend's reward already waits (it cannot, while the
    // friend's account says the referrer is not rewarded yet; if it ever does, it is not put twice).
    const referrerReward =
      pricing.referrer && !referralWaiting
        ? [deps.customers.referralRewardItem(tenantId, pricing.referrer, { friendId: customer.profile.customerId, receiptId: body.receiptId, at })]
        : [];
    const couponItems = pricing.coupons.map((c) =>
      deps.coupons.useItem(tenantId, c.code, { customerId: customer.profile.customerId, storeId, receiptId: body.receiptId, at }),
    );
    const items = [...deps.receipts.createItems(record), ...deps.customers.updateItems(loaded, next, entries), ...referrerReward];
    const firstCoupon = items.length;
    // Each global budget the receipt draws on: `used + n <= total`, or the transaction fails and the
    // next attempt re-reads the counter and prices the receipt without that rule or coupon.
    const drawn = pricing.budgets.draws.filter((d) => hasGlobalLimit(d.budget));
    const budgetItems = drawn.map((d) => deps.budgets.drawItem(tenantId, d.key, d.budget, d.draw, shardFor(d.budget, used[d.key], d.draw, counters.seed)));
    const firstBudget = firstCoupon + couponItems.length;
    // Before the commit: until it lands the customer item still holds the month moved.
    if (!(await deps.customers.moveMonths(loaded, next))) {
      readWhole = true;
      return { done: false };
    }
    const r = await transactWrite(deps.db, [...items, ...couponItems, ...budgetItems]);
    // Receipts committed and their points are counted by the outbox relay, per batch (functions/stream/outbox.ts).
    if (r.ok) return { done: true, value: { body: response, replayed: false } };
    const first = r.reasons[0];
    if (first?.code === 'ConditionalCheckFailed') {
      const stored = first.item ? deps.receipts.fromItem<StoredAnswer>(first.item) : await deps.receipts.get(tenantId, storeId, body.receiptId);
      if (stored) return { done: true, value: replay(stored) };
    }
    // Other tills drew what was left of a budget's shard: re-read that budget and re-price (on
    // another shard with room, or without the rule). The customer was not written, so it is not read again.
    const lost = r.reasons.flatMap((x, i) => (i >= firstBudget && x.code === 'ConditionalCheckFailed' ? [drawn[i - firstBudget]!.key] : []));
    if (lost.length) return { done: false, budgetLost: { now, loaded, used: { ...used, ...(await deps.budgets.used(tenantId, lost)) } } };
    const lostCoupon = r.reasons.findIndex((x, i) => i >= firstCoupon && i < firstBudget && x.code === 'ConditionalCheckFailed');
    if (lostCoupon >= 0) throw couponUnavailable(lostCoupon - firstCoupon);
    if (referrerReward.length > 0 && r.reasons[firstCoupon - 1]?.code === 'ConditionalCheckFailed') referralWaiting = true;
    return { done: false };
  };
  // A lost budget draw is no contention: the counter moved on, so the receipt is re-priced at once
  // (re-reading it), outside the backoff and its time budget — a few times at most.
  return withOptimisticRetry<Answer>(async () => {
    let r = await attempt();
    for (let i = 0; !r.done && r.budgetLost && i < MAX_BUDGET_REPRICES; i++) r = await attempt(r.budgetLost);
    return r.done ? r : { done: false };
  });
}

/**
 * Whether the program has a message for a committed receipt and the customer consented to a
 * channel they can be reached on: if not, the outbox sends the receipt's event to no notify queue
 * (lib/app/listeners.ts) instead of the notify worker reading the customer to find nothing to send.
 */
const toldOfReceipt = (program: Program, c: CustomerRecord): boolean =>
  chooseChannel(program.notifications?.events['receipt.committed'] ?? [], reachabilityOf(c)) !== null;

const couponUnavailable = (i: number) =>
  new ConflictError('coupon_unavailable', `coupons.${i}: this code does not exist, was used already, or was issued to another customer`, `coupons.${i}`);
