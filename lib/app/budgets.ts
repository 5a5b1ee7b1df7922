/**
 * Campaign budgets as staff see them: for each budget of the program in force, what is used and
 * what is left (from the counters the commits draw on), and a customer's own use in the current
 * period of each per-customer limit. Reads: the counters (one GetItem each, at most
 * MAX_GLOBAL_BUDGETS), or the customer.
 */
import { customerUse, hasGlobalLimit, programBudgets, shardsOf, totalUsed, type Budget } from '#domain/budgets.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { Deps } from './deps.ts';
import { liveCustomer, type CustomerDeps } from './customers.ts';
import { requireProgram } from './program-in-force.ts';

const limitsOf = (b: Budget) => ({
  ...(b.grants !== undefined ? { grants: b.grants } : {}),
  ...(b.points !== undefined ? { points: b.points } : {}),
  ...(b.amount !== undefined ? { amount: b.amount } : {}),
});

export async function listBudgets(deps: Deps, p: Principal) {
  const { version, program } = await requireProgram(deps, p.tenantId);
  const all = programBudgets(program);
  const counters = await deps.budgets.used(p.tenantId, all.filter((b) => hasGlobalLimit(b.budget)).map((b) => b.key));
  return {
    programVersion: version,
    budgets: all.map((b) => {
      const used = totalUsed(counters[b.key]);
      const total = limitsOf(b.budget);
      const left = Object.fromEntries(Object.entries(total).map(([k, n]) => [k, Math.max(0, n - used[k as keyof typeof used])]));
      return {
        key: b.key,
        kind: b.kind,
        id: b.id,
        name: b.name,
        used,
        ...(hasGlobalLimit(b.budget) ? { total, left, spent: Object.values(left).some((n) => n === 0), shards: shardsOf(b.budget) } : {}),
        ...(b.budget.perCustomer ? { perCustomer: b.budget.perCustomer } : {}),
      };
    }),
  };
}

export async function customerBudgets(deps: CustomerDeps, p: Principal, customerId: string) {
  const { program } = await requireProgram(deps, p.tenantId);
  const c = await liveCustomer(deps, p.tenantId, customerId);
  const now = deps.clock();
  return {
    customerId,
    budgets: programBudgets(program).flatMap((b) => {
      const limit = b.budget.perCustomer;
      if (!limit) return [];
      const u = customerUse(c.account, b.key, b.budget, now, program.timeZone);
      return [
        {
          key: b.key,
          kind: b.kind,
          id: b.id,
          name: b.name,
          per: limit.per,
          period: u.period,
          used: { grants: u.grants, points: u.points },
          left: {
            ...(limit.grants !== undefined ? { grants: Math.max(0, limit.grants - u.grants) } : {}),
            ...(limit.points !== undefined ? { points: Math.max(0, limit.points - u.points) } : {}),
          },
        },
      ];
    }),
  };
}
