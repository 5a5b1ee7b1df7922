/**
 * Custom events: the chain's own events for a customer, posted by staff (admin, support) — not by
 * tills or the customer's app, which could then mint points for events nobody can check. One
 * transaction writes the event item (the idempotency record, and what the outbox turns into a
 * `customer.event` catalog event), the customer with its ledger entry of kind `event`, the audit
 * record and the draws on global budgets. Reads: customer, store (if named), budget counters.
 */
import { RuleViolationError } from '#domain/errors.ts';
import { boundAccount } from '#domain/account-bounds.ts';
import { budgetKey, hasGlobalLimit, seedOf, shardFor, type Counters } from '#domain/budgets.ts';
import { priceEvent } from '#domain/custom-events.ts';
import { currentTier } from '#domain/tiers.ts';
import type { CustomEventBody } from '../http/schemas/customers.ts';
import type { Principal } from '../storage/api-keys.ts';
import { numberEntries, type CustomerRecord } from '../storage/customers.ts';
import { transactWrite, withOptimisticRetry } from '../storage/transact.ts';
import { IdempotencyConflictError, NotFoundError } from './errors.ts';
import { requestHash, type Answer } from './idempotency.ts';
import { liveCustomer, settlePendingReferrals, type CustomerDeps } from './customers.ts';
import { requireProgram } from './program-in-force.ts';

/** How far ahead of the server's clock a sender's clock may be (as for receipts). */
const CLOCK_SKEW_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

export async function postCustomEvent(deps: CustomerDeps, p: Principal, customerId: string, body: CustomEventBody): Promise<Answer> {
  const { program } = await requireProgram(deps, p.tenantId);
  const hash = requestHash({ customerId, ...body });
  const store = body.storeId ? await deps.stores.get(p.tenantId, body.storeId) : null;
  if (body.storeId && !store) throw new NotFoundError(`store ${body.storeId}`, 'storeId');
  const rules = program.customEvents.filter((r) => r.event === body.type);
  const globalKeys = rules.filter((r) => hasGlobalLimit(r.budget)).map((r) => budgetKey('event', r.id));
  const occurredAt = body.occurredAt ? new Date(body.occurredAt) : deps.clock();
  try {
    checkAge(occurredAt, deps.clock(), program.receipts.maxAgeDays);
  } catch (e) {
    // A retry of an event that did count gets its first answer, however late it comes.
    const stored = await deps.customEvents.get(p.tenantId, customerId, body.eventId);
    if (stored) return replay(stored, hash);
    throw e;
  }

  return withOptimisticRetry<Answer>(async () => {
    const [read, counters] = await Promise.all([
      liveCustomer(deps, p.tenantId, customerId),
      globalKeys.length ? deps.budgets.used(p.tenantId, globalKeys) : Promise.resolve<Counters['used']>({}),
    ]);
    const now = deps.clock();
    const loaded = await settlePendingReferrals(deps, program, read, now);
    if (!loaded) return { done: false };
    const outcome = priceEvent(
      program,
      loaded.account,
      { type: body.type, attributes: body.attributes, at: occurredAt, storeId: body.storeId, storeTags: store?.tags },
      { used: counters, seed: seedOf(customerId) },
      now,
      currentTier(program, loaded.account)?.id,
    );
    const at = now.toISOString();
    const entries = numberEntries(loaded, outcome.entries, at, { eventId: body.eventId, eventType: body.type, ...(body.storeId ? { storeId: body.storeId } : {}), actor: p.actor });
    const response = JSON.stringify({
      eventId: body.eventId,
      customerId,
      type: body.type,
      occurredAt: occurredAt.toISOString(),
      points: outcome.points,
      rules: outcome.rules,
      notApplied: outcome.notApplied,
      balance: { before: loaded.account.available, after: outcome.accountAfter.available },
      at,
    });
    const next: CustomerRecord = { ...loaded, account: boundAccount(program, outcome.accountAfter, now), ledgerSeq: loaded.ledgerSeq + entries.length };
    const budgetItems = outcome.draws.filter((d) => hasGlobalLimit(d.budget)).map((d) => deps.budgets.drawItem(p.tenantId, d.key, d.budget, d.draw, shardFor(d.budget, counters[d.key], d.draw, seedOf(customerId))));
    const items = [
      deps.customEvents.createItem({
        tenantId: p.tenantId,
        customerId,
        eventId: body.eventId,
        eventType: body.type,
        attributes: body.attributes,
        ...(body.storeId ? { storeId: body.storeId } : {}),
        occurredAt: occurredAt.toISOString(),
        points: outcome.points,
        at,
        by: p.actor,
        requestHash: hash,
        response,
      }),
      ...deps.customers.updateItems(loaded, next, entries),
      deps.audit.item(p, { at, action: 'event.record', target: `customer:${customerId}`, after: { eventId: body.eventId, type: body.type, points: outcome.points } }),
    ];
    const r = await transactWrite(deps.db, [...items, ...budgetItems]);
    if (r.ok) return { done: true, value: { body: response, replayed: false } };
    const first = r.reasons[0];
    if (first?.code === 'ConditionalCheckFailed' && first.item) return { done: true, value: replay(first.item, hash) };
    // A lost budget draw (another request took the rest) or a moved customer: re-read, re-price.
    return { done: false };
  });
}

function replay(item: { requestHash?: unknown; response?: unknown }, hash: string): Answer {
  if (item.requestHash !== hash) throw new IdempotencyConflictError('eventId: was already used with a different body', 'eventId');
  return { body: item.response as string, replayed: true };
}

function checkAge(occurredAt: Date, now: Date, maxAgeDays: number): void {
  if (occurredAt.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new RuleViolationError('occurred_in_future', 'occurredAt: is in the future', 'occurredAt');
  if (occurredAt.getTime() < now.getTime() - maxAgeDays * DAY_MS - CLOCK_SKEW_MS) {
    throw new RuleViolationError('event_too_old', `occurredAt: is more than ${maxAgeDays} days ago (the program's receipts.maxAgeDays)`, 'occurredAt');
  }
}
