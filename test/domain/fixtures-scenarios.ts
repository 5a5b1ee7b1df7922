/** The programs of SCENARIOS.md as documents — configuration only, the engine has no code for them. */
export const scenario5Program = {
  name: 'Scenario 5: bonus mechanics',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: {
    base: { points: 1, per: 100 },
    rules: [
      { id: 'five-items', name: '≥ 5 eligible items: +20', type: 'itemCount', minItems: 5, points: 20 },
      { id: 'big-receipt', name: 'Eligible amount ≥ 1000.00: +100', type: 'receiptAmount', minAmount: 100_000, points: 100 },
      { id: 'vitc-x3', name: 'VITC-500 earns ×3', type: 'multiplier', multiplier: 3, products: { skus: ['VITC-500'] } },
      { id: 'every-5th', name: 'Every 5th receipt: +50', type: 'nthReceipt', every: 5, points: 50 },
      { id: 'spend-10000', name: 'Lifetime spend crossing 10000.00: +500 once', type: 'lifetimeSpend', threshold: 1_000_000, points: 500 },
      {
        id: 'morning-x2',
        name: 'Mon–Fri 08:00–11:00: ×2',
        type: 'multiplier',
        multiplier: 2,
        when: { daysOfWeek: [1, 2, 3, 4, 5], hours: { from: '08:00', to: '11:00' } },
      },
      { id: 's07-plus-10', name: 'Store S-07: +10 %', type: 'multiplier', multiplier: 1.1, when: { stores: ['S-07'] } },
    ],
  },
  exclusions: { categories: ['rx'], skus: [] },
  redemption: { pointValue: 100, excludedCategories: ['rx'] },
  bonuses: { registration: 100 },
};

/** Scenario 5's example receipt: a Saturday at another store. */
export const scenario5Lines = [
  { lineId: '1', sku: 'VITC-500', category: 'vitamins', quantity: 2, unitPrice: 15_000, amount: 30_000 },
  { lineId: '2', sku: 'SHAMPOO', category: 'care', quantity: 1, unitPrice: 20_000, amount: 20_000 },
  { lineId: '3', sku: 'RX-AMOX', category: 'rx', quantity: 1, unitPrice: 50_000, amount: 50_000 },
  { lineId: '4', sku: 'GUM', category: 'food', quantity: 2, unitPrice: 2_500, amount: 5_000 },
];

/** Scenario 6: pharmacy club, tiers by spend in the last 12 months. */
export const scenario6Program = {
  name: 'Scenario 6: pharmacy club',
  currency: 'UAH',
  timeZone: 'Europe/Kyiv',
  earning: { base: { points: 1, per: 1_000 } },
  tiers: {
    basis: 'cumulativePaid',
    window: { kind: 'rollingMonths', months: 12 },
    levels: [
      { id: 'bronze', name: 'Bronze', threshold: 0, discountBps: 0, earnMultiplier: 1 },
      { id: 'silver', name: 'Silver', threshold: 2_000_000, discountBps: 0, earnMultiplier: 1.5 },
      { id: 'gold', name: 'Gold', threshold: 5_000_000, discountBps: 300, earnMultiplier: 2 },
    ],
  },
  bonuses: { registration: 0 },
};

/** Scenario 2: the eleventh item. */
export const scenario2Program = {
  name: 'Scenario 2: the eleventh item',
  currency: 'HUF',
  timeZone: 'Europe/Budapest',
  earning: { base: { points: 0, per: 100 } },
  rewards: [{ id: 'eleventh', name: '10 % of your last ten items', type: 'itemMilestone', items: 10, period: 'calendarYear', rewardShareBps: 1_000 }],
};

/** Scenario 4: stamp card. */
export const scenario4Program = {
  name: 'Scenario 4: stamp card',
  currency: 'UAH',
  timeZone: 'Europe/Kyiv',
  earning: { base: { points: 0, per: 100 } },
  rewards: [
    {
      id: 'household-card',
      name: 'Household stamp card',
      type: 'stampCard',
      skus: ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9', 'P10'],
      steps: [
        { stamps: 5, discountBps: 300, gift: 'kitchen towel' },
        { stamps: 7, discountBps: 500, gift: 'frying pan' },
      ],
    },
  ],
};

/** Scenario 3: referral at an optics salon. */
export const scenario3Program = {
  name: 'Scenario 3: referral',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: { base: { points: 0, per: 100 } },
  referral: {
    newcomer: { guaranteedDiscountBps: 800 },
    referrer: { discountBpsPerFriend: 500 },
    maxDiscountBps: 1_500,
  },
};

/** Scenario 6's family referral, on top of its tiers. */
export const scenario6FamilyProgram = {
  ...scenario6Program,
  referral: { newcomer: { bonusPoints: 100 }, referrer: { bonusPoints: 200 } },
};
