/**
 * Items built at every validated maximum, for the size test: each text at its longest in the
 * widest UTF-8 a field accepts (3 bytes a character where any character is allowed, ASCII where
 * the schema allows only ASCII), each list and map at its most entries, each number at its longest.
 */
import { MAX_GRANT_YEARS, MAX_ONCE_RULES, MAX_SEGMENTS, MAX_STAMP_CARD_SKUS } from '#domain/account-bounds.ts';
import { emptyAccount, NEVER_EXPIRES, type Account } from '#domain/account.ts';
import { ACTIVITY_MONTHS } from '#domain/pricing.ts';
import { MAX_SUMMARY } from '#domain/purchases.ts';
import { MAX_REFILLS, type RefillState } from '#domain/refills.ts';
import { MAX_SEGMENT_DEFINITIONS } from '#domain/segments.ts';
import { MAX_HELD_REWARDS, type Reward } from '#domain/rewards.ts';
import { addMonths } from '#domain/time.ts';
import { MAX_CUSTOMER_BUDGETS, MAX_GLOBAL_BUDGETS } from '#domain/budgets.ts';
import type { CustomerRecord } from '#lib/storage/customers.ts';

/** A character of 3 UTF-8 bytes (any Basic Multilingual Plane character above U+07FF). */
const WIDE = '中';
/** A text of `n` characters in the widest UTF-8 (where a schema allows any character). */
export const wide = (n: number, seed = ''): string => (seed + WIDE.repeat(n)).slice(0, n);
/** An ASCII text of `n` characters (ids: letters, digits and . _ : -). */
export const ascii = (n: number, seed = ''): string => (seed + 'x'.repeat(n)).slice(0, n);
/** The largest number a field may hold: all significant digits. */
export const BIG = Number.MAX_SAFE_INTEGER;

const months = (from: string, n: number) => Array.from({ length: n }, (_, i) => addMonths(from as never, i));
const days = (n: number) => Array.from({ length: n }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10));

/** Program limits the worst case is built at (each one validated by the program schema). */
export const programMaxima = {
  rewardRules: 50,
  campaigns: 200,
  expiryMonths: 240,
  pendingDays: 365,
  codeChars: 64,
  refillNameChars: 100,
} as const;

/** A customer at every maximum the account may reach. */
export function worstCaseAccount(): Account {
  const m = programMaxima;
  const code = (i: number) => wide(m.codeChars, String(i));
  const lots = Object.fromEntries([...months('2026-01', m.expiryMonths + 1), NEVER_EXPIRES].map((k) => [k, BIG]));
  const pendingLots = Object.fromEntries(days(m.pendingDays + 2).map((d) => [`${d}#2026-12`, BIG]));
  const activity = Object.fromEntries(months('2021-01', ACTIVITY_MONTHS + 2).map((k) => [k, { paid: BIG, points: BIG, receipts: BIG }]));
  // Entries keep values, not texts; every reward held in an entry of its own.
  const rewards: Reward[] = Array.from({ length: MAX_HELD_REWARDS }, (_, i) => ({
    rewardId: `${code(i)}:${BIG}`,
    ruleId: code(i),
    discountBps: 10_000,
    amountOff: BIG,
    step: 9,
    unlockedAt: '2026-11-20T12:00:00.000Z',
    count: 1,
  }));
  const progress = Object.fromEntries(Array.from({ length: m.rewardRules }, (_, i) => [code(i), { period: '2026', itemsMilli: BIG, amount: BIG }]));
  // Stamped SKUs are bounded across the program's stamp cards together.
  const perCard = Math.ceil(MAX_STAMP_CARD_SKUS / m.rewardRules);
  const stampCards = Object.fromEntries(
    Array.from({ length: m.rewardRules }, (_, i) => [code(i), { round: BIG, skus: Array.from({ length: perCard }, (_, k) => code(i * 1000 + k)), stepsGiven: 10 }]),
  );
  const refills: Record<string, RefillState> = Object.fromEntries(
    Array.from({ length: MAX_REFILLS }, (_, i) => [code(i), { ruleId: code(i), name: wide(m.refillNameChars), runsOutOn: '2036-01-01', remindOn: '2035-12-01', boughtOn: '2026-01-01' }]),
  );
  const couponUses = Object.fromEntries(Array.from({ length: m.campaigns }, (_, i) => [code(i), 1000]));
  const definedSegments = Array.from({ length: MAX_SEGMENT_DEFINITIONS }, (_, i) => ascii(64, `d${i}`));
  const grantedOnce = Array.from({ length: MAX_ONCE_RULES * MAX_GRANT_YEARS }, (_, i) => `${code(i)}@${2025 + (i % MAX_GRANT_YEARS)}`);
  // The program's per-customer limits (worstCaseProgram's keys, so a commit keeps them), each at its longest period name.
  const budgetUses = Object.fromEntries(worstBudgetKeys().map((k) => [k, { period: '2026-11-20', grants: 1, points: BIG }]));
  return {
    ...emptyAccount(),
    available: BIG,
    lots,
    debt: BIG,
    paidTotal: BIG,
    receiptCount: BIG,
    staffTierId: code(1),
    eligibleSpend: BIG,
    eligibleSpendYear: { year: '2026', amount: BIG },
    grantedOnce,
    earnedDay: { day: '2026-11-20', points: BIG },
    tierId: code(2),
    tierRank: 49,
    activity,
    firstPurchaseOn: '2021-01-01',
    lastPurchaseOn: '2026-11-20',
    rewards: { rewards, progress, stampCards, rewardSeq: BIG },
    referral: { referredBy: ascii(64), referrerRewarded: true, friendsRewarded: BIG, friendsEnrolled: BIG },
    couponUses,
    pendingLots,
    // Customers from before the limit of 40 may still be in 50 set by hand, and in every defined segment besides.
    segments: [...Array.from({ length: Math.max(MAX_SEGMENTS, 50) }, (_, i) => ascii(64, String(i))), ...definedSegments],
    definedSegments,
    purchases: {
      categories: Object.fromEntries(Array.from({ length: MAX_SUMMARY.categories }, (_, i) => [wide(64, `c${i}`), '2026-11'])),
      skus: Object.fromEntries(Array.from({ length: MAX_SUMMARY.skus }, (_, i) => [wide(64, `s${i}`), '2026-11'])),
      stores: Object.fromEntries(Array.from({ length: MAX_SUMMARY.stores }, (_, i) => [ascii(64, `st${i}`), '2026-11'])),
      attributes: Object.fromEntries(Array.from({ length: MAX_SUMMARY.attributes }, (_, i) => [`${ascii(64, `a${i}`)}=${wide(64)}`, '2026-11'])),
    },
    refills,
    budgetUses,
  };
}

/** Budgets of worstCaseProgram: 20 rules with a global budget, and per-customer limits on 50 rules and 50 custom-event rules. */
export const WORST_GLOBAL_BUDGETS = MAX_GLOBAL_BUDGETS;
const worstBudgetKeys = () => [
  ...Array.from({ length: MAX_CUSTOMER_BUDGETS - 50 }, (_, i) => `rule:${programCode('r', i)}`),
  ...Array.from({ length: 50 }, (_, i) => `event:${programCode('e', i)}`),
];

export function worstCaseCustomer(tenantId = ascii(64)): CustomerRecord {
  return {
    tenantId,
    profile: {
      customerId: ascii(64),
      card: ascii(32),
      phone: `+${'9'.repeat(15)}`,
      name: wide(200),
      email: ascii(254),
      birthDate: '2000-02-29',
      locale: 'uk-UA',
      consents: { sms: true, email: true, push: true },
      createdAt: '2026-11-20T12:00:00.000Z',
      referralCode: ascii(16),
      devices: Array.from({ length: 10 }, () => ({ token: ascii(512), platform: 'APNS' as const })),
    },
    account: worstCaseAccount(),
    staffTier: { tierId: wide(64), by: wide(110), at: '2026-11-20T12:00:00.000Z', reason: wide(500) },
    ledgerSeq: BIG,
    version: BIG,
    pendingReferrals: [],
  };
}

/** A program id of 64 characters of 3 UTF-8 bytes each, distinct per `i` and `kind`. */
export const programCode = (kind: string, i: number): string => wide(64, `${kind}${i}`);

/**
 * A program that makes receipts as large as they can be: 500 earning rules that all apply (each
 * named in the answer), stamp cards whose steps carry gifts, milestones every item, 5 campaigns,
 * referral terms, pending points and expiry at their longest, every text at its widest. It must
 * itself pass validation (including the 400 KB a stored program may take).
 */
export function worstCaseProgram() {
  const cards = 5;
  const skusPerCard = MAX_STAMP_CARD_SKUS / cards;
  return {
    name: wide(200),
    currency: 'AMD',
    timeZone: 'Asia/Yerevan',
    earning: {
      base: { points: 1, per: 1 },
      rules: Array.from({ length: 500 }, (_, i) => ({
        id: programCode('r', i),
        name: 'r',
        type: 'receiptAmount',
        minAmount: 1,
        points: 1,
        // The most budgets a commit may draw on, and the most per-customer limits an account keeps.
        ...(i < MAX_CUSTOMER_BUDGETS - 50
          ? { budget: { ...(i < MAX_GLOBAL_BUDGETS ? { grants: 1_000_000_000 } : {}), perCustomer: { per: 'day', grants: 1_000_000_000 } } }
          : {}),
      })),
    },
    customEvents: Array.from({ length: 50 }, (_, i) => ({ id: programCode('e', i), name: 'e', event: 'worst.case', points: 1, limit: { times: 1000, per: 'day' } })),
    rewards: [
      ...Array.from({ length: cards }, (_, c) => ({
        id: programCode('card', c),
        name: wide(200),
        type: 'stampCard',
        skus: Array.from({ length: skusPerCard }, (_, k) => stampSku(c, k)),
        steps: Array.from({ length: 10 }, (_, k) => ({ stamps: k + 1, discountBps: 1, gift: wide(200) })),
      })),
      ...Array.from({ length: programMaxima.rewardRules - cards }, (_, i) => ({
        id: programCode('m', i),
        name: wide(200),
        type: 'itemMilestone',
        items: 1,
        period: 'lifetime',
        rewardShareBps: 1,
        maxPerReceipt: MAX_HELD_REWARDS,
      })),
    ],
    coupons: Array.from({ length: 5 }, (_, i) => ({ id: programCode('cpn', i), code: `WORST${i}`, name: 'c', reward: { type: 'amount', amount: 1 }, perCustomerLimit: 1000 })),
    referral: { newcomer: { guaranteedDiscountBps: 100 }, referrer: { bonusPoints: 1 } },
    bonuses: { tierUpgrade: 1 },
    redemption: { pointValue: 1, maxShareBps: 10_000 },
    pending: { days: programMaxima.pendingDays },
    expiry: { afterMonths: programMaxima.expiryMonths },
    tiers: {
      levels: [
        { id: programCode('t', 0), name: wide(100), threshold: 0, discountBps: 1 },
        { id: programCode('t', 1), name: wide(100), threshold: 1, discountBps: 2 },
      ],
    },
  };
}

export const stampSku = (card: number, k: number): string => wide(64, `s${card}-${k}-`);
