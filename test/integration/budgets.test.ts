import { afterEach, describe, expect, it, vi } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { newTenant, receipt, scenarioProgram, type TestTenant } from './harness.ts';

type Entry = { kind: string; points: number; budgets?: Record<string, { grants: number; points: number; amount: number }> };

const withRules = (rules: unknown[], extra: Record<string, unknown> = {}) => ({
  ...scenarioProgram,
  earning: { ...scenarioProgram.earning, rules },
  ...extra,
});

async function enrol(t: TestTenant, name: string) {
  const c = await t.pos('POST', '/v1/customers', { name });
  expect(c.status).toBe(201);
  return { card: c.body.card as string, customerId: c.body.customerId as string };
}

async function ledger(t: TestTenant, customerId: string): Promise<Entry[]> {
  const l = await t.staff('GET', `/v1/customers/${customerId}/ledger?limit=200`);
  expect(l.status).toBe(200);
  return l.body.entries;
}

async function budget(t: TestTenant, key: string) {
  const b = await t.staff('GET', '/v1/budgets');
  expect(b.status).toBe(200);
  return b.body.budgets.find((x: { key: string }) => x.key === key);
}

afterEach(() => vi.restoreAllMocks());

/**
 * 50 tills at once, each a different customer, and what it took: wall time, transactions sent
 * beyond one per receipt (lost budget draws re-priced, conflicts retried), and 5xx answers. A
 * till retries a 5xx with the same body, as the README tells it to (it is safe: idempotent).
 */
async function race(t: TestTenant, cards: readonly string[]) {
  const send = vi.spyOn(deps().db.doc, 'send');
  const fivexx: string[] = [];
  const till = async (body: unknown) => {
    for (;;) {
      const r = await t.pos('POST', '/v1/receipts', body);
      if (r.status < 500) return r;
      fivexx.push(`${r.status} ${r.body.error?.code}`);
    }
  };
  const started = performance.now();
  const results = await Promise.all(cards.map((card) => till(receipt(card, [{ amount: 5_000 }]))));
  const ms = Math.round(performance.now() - started);
  const transactions = send.mock.calls.filter(([command]) => command.constructor.name === 'TransactWriteCommand').length;
  send.mockRestore();
  return { results, ms, extraTransactions: transactions - cards.length, fivexx };
}

describe('Campaign budgets: 50 tills against a budget of 10 grants', () => {
  it('should grant exactly 10, keep the counter equal to the ledger, and never refuse a till for the budget', async () => {
    const launch = { id: 'launch', name: 'Launch +100', type: 'receiptAmount', minAmount: 1_000, points: 100 };
    // The same 50 receipts without a budget, in the same run: what this machine's load costs by itself.
    const plain = await newTenant(withRules([launch]));
    const t = await newTenant(withRules([{ ...launch, budget: { grants: 10 } }]));
    const plainCards: string[] = [];
    const customers: Array<{ card: string; customerId: string }> = [];
    for (let i = 0; i < 50; i += 10) {
      plainCards.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => enrol(plain, `Baseline ${i + k}`)))).map((c) => c.card));
      customers.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => enrol(t, `Till customer ${i + k}`)))));
    }
    const baseline = await race(plain, plainCards);
    const run = await race(t, customers.map((c) => c.card));
    console.log(
      `budget race, 50 concurrent receipts: with a budget of 10 grants ${run.ms} ms, ${run.extraTransactions} extra transactions, ${run.fivexx.length} 5xx [${run.fivexx.join(', ')}]; ` +
        `the same without a budget ${baseline.ms} ms, ${baseline.extraTransactions} extra, ${baseline.fivexx.length} 5xx [${baseline.fivexx.join(', ')}]`,
    );
    // A spent budget is re-priced, never "busy"; an overloaded machine can still time a request out
    // (`unavailable`, with or without budgets — the baseline shows how often), which the till retries.
    expect(run.fivexx.filter((f) => f !== '503 unavailable')).toEqual([]);
    expect(baseline.results.every((r) => r.body.earn.rules.includes('launch'))).toBe(true);
    const results = run.results;
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const granted = results.filter((r) => r.body.earn.rules.includes('launch'));
    expect(granted).toHaveLength(10);
    for (const r of granted) expect(r.body.totals.pointsEarned).toBe(50 + 100);
    for (const r of results.filter((x) => !x.body.earn.rules.includes('launch'))) {
      expect(r.body.totals.pointsEarned).toBe(50);
      expect(r.body.budgetSkipped).toEqual([{ kind: 'rule', id: 'launch', scope: 'global' }]);
    }

    const b = await budget(t, 'rule:launch');
    expect(b).toMatchObject({ kind: 'rule', id: 'launch', used: { grants: 10, points: 1_000, amount: 0 }, total: { grants: 10 }, left: { grants: 0 }, spent: true });
    // The counter is the sum of what the ledger entries say they drew.
    const drawn = { grants: 0, points: 0 };
    for (const c of customers) {
      for (const e of await ledger(t, c.customerId)) {
        const d = e.budgets?.['rule:launch'];
        if (d) {
          drawn.grants += d.grants;
          drawn.points += d.points;
        }
      }
    }
    expect(drawn).toEqual({ grants: 10, points: 1_000 });

    // Spent: the quote already shows it not applying.
    const q = await t.pos('POST', '/v1/receipts/quote', receipt(customers[0]!.card, [{ amount: 5_000 }]));
    expect(q.body.earn.rules).toEqual([]);
    expect(q.body.budgetSkipped).toEqual([{ kind: 'rule', id: 'launch', scope: 'global' }]);
    // 100 receipts on a machine that may be busy with other work: the bound is generous on purpose.
  }, 120_000);
});

describe('Campaign budgets', () => {
  it('should stop a points budget before it would overspend, and let the other rules apply when an exclusive rule is spent', async () => {
    const t = await newTenant(
      withRules([
        { id: 'big', name: 'Exclusive +300', type: 'receiptAmount', minAmount: 1, points: 300, stacking: 'exclusive', priority: 200, budget: { points: 500 } },
        { id: 'small', name: '+7', type: 'receiptAmount', minAmount: 1, points: 7 },
      ]),
    );
    const c = await enrol(t, 'Points budget');
    const first = await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 1_000 }]));
    expect(first.body.earn.rules).toEqual(['big']);
    expect(first.body.totals.pointsEarned).toBe(10 + 300);
    expect(first.body.budgetSkipped).toBeUndefined();
    // 200 points are left, the rule would give 300: it does not apply, and the exclusive no longer keeps `small` out.
    const second = await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 1_000 }]));
    expect(second.body.earn.rules).toEqual(['small']);
    expect(second.body.totals.pointsEarned).toBe(10 + 7);
    expect(second.body.budgetSkipped).toEqual([{ kind: 'rule', id: 'big', scope: 'global' }]);
    expect(await budget(t, 'rule:big')).toMatchObject({ used: { grants: 1, points: 300 }, total: { points: 500 }, left: { points: 200 }, spent: false });
  });

  it('should hold a per-customer limit per ISO week (program time), and show the customer’s use', async () => {
    const t = await newTenant(withRules([{ id: 'weekly', name: '+20 twice a week', type: 'receiptAmount', minAmount: 1_000, points: 20, budget: { perCustomer: { per: 'week', grants: 2 } } }]));
    const c = await enrol(t, 'Weekly');
    // Monday 2026-11-16 … Sunday 2026-11-22 is ISO week 47 in Yerevan.
    const at = (iso: string) => ({ occurredAt: iso });
    const r1 = await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 2_000 }], at('2026-11-16T10:00:00+04:00')));
    const r2 = await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 2_000 }], at('2026-11-18T10:00:00+04:00')));
    expect([r1, r2].map((r) => r.body.earn.rules)).toEqual([['weekly'], ['weekly']]);
    const third = receipt(c.card, [{ amount: 2_000 }], at('2026-11-22T23:30:00+04:00'));
    const q = await t.pos('POST', '/v1/receipts/quote', third);
    expect(q.body.earn.rules).toEqual([]);
    expect(q.body.budgetSkipped).toEqual([{ kind: 'rule', id: 'weekly', scope: 'customer' }]);
    const r3 = await t.pos('POST', '/v1/receipts', third);
    expect(r3.body.totals.pointsEarned).toBe(20);
    // Monday of the next week, program time (Sunday 22:30 UTC): the limit opens again.
    const r4 = await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 2_000 }], at('2026-11-22T20:30:00Z')));
    expect(r4.body.earn.rules).toEqual(['weekly']);

    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-24T12:00:00+04:00') });
    try {
      const mine = await t.staff('GET', `/v1/customers/${c.customerId}/budgets`);
      expect(mine.status).toBe(200);
      expect(mine.body.budgets).toEqual([
        { key: 'rule:weekly', kind: 'rule', id: 'weekly', name: '+20 twice a week', per: 'week', period: '2026-W48', used: { grants: 1, points: 20 }, left: { grants: 1 } },
      ]);
    } finally {
      vi.useRealTimers();
    }
    // No global limit: no counter, nothing left to show but the use.
    expect(await budget(t, 'rule:weekly')).toEqual({ key: 'rule:weekly', kind: 'rule', id: 'weekly', name: '+20 twice a week', used: { grants: 0, points: 0, amount: 0 }, perCustomer: { per: 'week', grants: 2 } });
  });

  it('should give nothing back to a budget on a return', async () => {
    const t = await newTenant(withRules([{ id: 'once', name: '+100 once per customer', type: 'receiptAmount', minAmount: 1_000, points: 100, budget: { grants: 5, perCustomer: { per: 'ever', grants: 1 } } }]));
    const c = await enrol(t, 'Returner');
    const body = receipt(c.card, [{ amount: 3_000 }]);
    const committed = await t.pos('POST', '/v1/receipts', body);
    expect(committed.body.totals.pointsEarned).toBe(130);
    const ret = await t.pos('POST', '/v1/returns', { returnId: `RET-${body.receiptId}`, receiptId: body.receiptId, lines: [{ lineId: '1', quantity: 1 }] });
    expect(ret.status).toBe(200);
    expect(ret.body.totals.pointsReversed).toBe(130);
    expect(await budget(t, 'rule:once')).toMatchObject({ used: { grants: 1, points: 100 }, left: { grants: 4 } });
    // The customer's once-ever grant stays used: buying and returning does not reopen it.
    const again = await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 3_000 }]));
    expect(again.body.earn.rules).toEqual([]);
    expect(again.body.budgetSkipped).toEqual([{ kind: 'rule', id: 'once', scope: 'customer' }]);
  });

  it('should leave a coupon out, unused, once its campaign’s money budget cannot cover it', async () => {
    const t = await newTenant({
      ...scenarioProgram,
      coupons: [...scenarioProgram.coupons, { id: 'tenoff', code: 'TENOFF', name: '1 000 off', reward: { type: 'amount', amount: 1_000 }, perCustomerLimit: 5, budget: { amount: 1_500 } }],
    });
    const c = await enrol(t, 'Coupon budget');
    const { codes } = (await t.staff('POST', '/v1/coupons', { campaignId: 'tenoff', count: 2 })).body;
    const first = await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 5_000 }], { coupons: [codes[0]] }));
    expect(first.body.totals.couponDiscount).toBe(1_000);
    const second = await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 5_000 }], { coupons: [codes[1]] }));
    expect(second.status).toBe(200);
    expect(second.body.totals.couponDiscount).toBe(0);
    expect(second.body.coupons).toEqual([]);
    expect(second.body.budgetSkipped).toEqual([{ kind: 'coupon', id: 'tenoff', code: codes[1], scope: 'global' }]);
    expect((await t.staff('GET', `/v1/coupons/${codes[1]}`)).body.status).toBe('issued');
    expect(await budget(t, 'coupon:tenoff')).toMatchObject({ kind: 'coupon', used: { grants: 1, amount: 1_000 }, total: { amount: 1_500 }, left: { amount: 500 } });
  });

  it('should refuse budgets that count what a rule or campaign cannot give, naming the path', async () => {
    const t = await newTenant();
    const r = await t.staff('POST', '/v1/program/validate', {
      document: {
        ...withRules([{ id: 'x3', name: '×3', type: 'multiplier', multiplier: 3, budget: { points: 1_000 } }]),
        coupons: [{ id: 'pct', code: 'PCT', name: '10 %', reward: { type: 'percent', bps: 1_000 }, budget: { points: 5 } }],
      },
    });
    expect(r.body.valid).toBe(false);
    expect(r.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['coupons.0.budget.points', 'earning.rules.0.budget.points']);
    const empty = await t.staff('POST', '/v1/program/validate', { document: withRules([{ id: 'e', name: 'e', type: 'firstReceipt', points: 5, budget: {} }]) });
    expect(empty.body.issues).toEqual([{ path: 'earning.rules.0.budget', message: 'must set grants, points, amount or perCustomer' }]);
  });
});
