/**
 * Returns: reverse what the returned quantities earned and give back what was burned on them.
 * Reads: receipt + customer. Writes: one TransactWriteItems (return record, receipt, customer, ledger).
 */
import { DomainError } from '#domain/errors.ts';
import { priceReturn, type ReturnOutcome } from '#domain/returns.ts';
import { IdempotencyConflictError, NotFoundError } from './errors.ts';
import type { ReturnBody } from '../http/schemas/pos.ts';
import { toMilli } from '#domain/pricing.ts';
import type { Principal } from '../storage/api-keys.ts';
import { numberEntries, type CustomerRecord } from '../storage/customers.ts';
import type { ReturnRecord } from '../storage/receipts.ts';
import { transactWrite, withOptimisticRetry } from '../storage/transact.ts';
import { requestHash, type Answer } from './idempotency.ts';
import type { Deps } from './deps.ts';
import { settlePendingReferrals } from './customers.ts';
import { requireProgram } from './program-in-force.ts';

/** What a return reads and writes: the till's function builds only these (README, "Cold start"). */
export type ReturnDeps = Pick<Deps, 'db' | 'programs' | 'receipts' | 'customers' | 'coupons' | 'clock'>;

export async function processReturn(deps: ReturnDeps, principal: Principal, storeId: string, body: ReturnBody): Promise<Answer> {
  const { tenantId } = principal;
  const { program } = await requireProgram(deps, tenantId);
  const receiptStoreId = body.receiptStoreId ?? storeId;
  // Where the program keeps returns to the store of purchase, another store's receipt is not
  // found — the same answer as a receipt that never was, so a till learns nothing from it.
  const reachable = receiptStoreId === storeId || program.receipts.crossStoreReturns;
  const hash = requestHash({ ...body, receiptStoreId });

  const replay = (stored: ReturnRecord): Answer => {
    if (stored.requestHash !== hash) {
      throw new IdempotencyConflictError('returnId: was already used with a different body', 'returnId');
    }
    return { body: stored.response, replayed: true };
  };
  const storedReturn = async () => deps.receipts.getReturn(tenantId, storeId, body.returnId);

  return withOptimisticRetry<Answer>(async () => {
    const receipt = reachable ? await deps.receipts.get(tenantId, receiptStoreId, body.receiptId) : null;
    if (!receipt) throw new NotFoundError(`receipt ${body.receiptId} at store ${receiptStoreId}`, 'receiptId');
    const read = await deps.customers.get(tenantId, receipt.customerId);
    if (!read) throw new Error('receipt refers to a missing customer');
    const now = deps.clock();
    const loaded = await settlePendingReferrals(deps, program, read, now);
    if (!loaded) return { done: false };
    const customer = loaded;
    let outcome: ReturnOutcome;
    try {
      outcome = priceReturn(
        program,
        customer.account,
        receipt.receipt,
        body.lines.map((l) => (l.amount !== undefined ? { lineId: l.lineId, amount: l.amount } : { lineId: l.lineId, quantityMilli: toMilli(l.quantity!) })),
        now,
      );
    } catch (e) {
      // A retry of a return that went through must get its first answer, not "more than bought".
      if (e instanceof DomainError) {
        const stored = await storedReturn();
        if (stored) return { done: true, value: replay(stored) };
      }
      throw e;
    }
    const at = now.toISOString();
    const soldLines = new Map(receipt.receipt.lines.map((l) => [l.lineId, l]));
    const response = JSON.stringify({
      returnId: body.returnId,
      receiptId: body.receiptId,
      receiptStoreId,
      storeId,
      customerId: customer.profile.customerId,
      lines: outcome.lines.map((l) => ({
        lineId: l.lineId,
        ...(l.amount === null ? { quantity: l.quantityMilli / 1000 } : { amount: l.amount }),
        refund: l.refund,
        pointsReversed: l.pointsReversed,
        pointsRefunded: l.pointsRefunded,
      })),
      totals: outcome.totals,
      couponsRestored: outcome.restoreCoupons,
      balance: { before: customer.account.available, after: outcome.accountAfter.available },
      at,
    });
    const entries = numberEntries(loaded, outcome.entries, at, { returnId: body.returnId, receiptId: body.receiptId, storeId });
    const next: CustomerRecord = { ...customer, account: outcome.accountAfter, ledgerSeq: loaded.ledgerSeq + entries.length };
    const record: ReturnRecord = {
      tenantId,
      storeId,
      returnId: body.returnId,
      receiptStoreId,
      receiptId: body.receiptId,
      customerId: customer.profile.customerId,
      requestHash: hash,
      response,
      at,
      goods: {
        receiptOccurredAt: receipt.occurredAt,
        // In the answer's line order.
        lines: outcome.lines.map((l) => {
          const sold = soldLines.get(l.lineId);
          return { sku: sold?.sku, category: sold?.category, amountBack: l.amountBack };
        }),
      },
    };
    const r = await transactWrite(deps.db, [
      deps.receipts.createReturnItem(record),
      deps.receipts.updateItem(receipt, outcome.receiptAfter),
      ...deps.customers.updateItems(loaded, next, entries),
      ...outcome.restoreCoupons.map((code) => deps.coupons.restoreItem(tenantId, code, body.receiptId)),
    ]);
    if (r.ok) return { done: true, value: { body: response, replayed: false } };
    const first = r.reasons[0];
    if (first?.code === 'ConditionalCheckFailed') {
      const stored = first.item ? deps.receipts.fromItem<ReturnRecord>(first.item) : await storedReturn();
      if (stored) return { done: true, value: replay(stored) };
    }
    return { done: false };
  });
}
