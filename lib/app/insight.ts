/**
 * Keeps the report counters current from the table's changes (the reports stream consumer).
 * Each change is counted once however often it is delivered (storage/insight.ts); a tenant's
 * days are its program's days, from the program in force (cached in memory).
 */
import { changeId, incrementsFromChange, markerKeyOf, tenantOf, type ChangeRecord } from '#domain/insight.ts';
import { receiptAnswerOf } from '../storage/receipt-codec.ts';
import type { Deps } from './deps.ts';

/** A receipt's image with its answer readable: the item keeps it packed (storage/receipt-codec.ts). */
const readable = (c: ChangeRecord): ChangeRecord =>
  c.newImage?.type === 'receipt' && c.newImage.response === undefined ? { ...c, newImage: { ...c.newImage, response: receiptAnswerOf(c.newImage) } } : c;

export interface CountResult {
  /** Changes counted now, and changes counted before (a redelivery). */
  readonly counted: number;
  readonly seen: number;
}

/**
 * Counts `changes` (in stream order). On a failure it throws a `CountError` naming the first
 * change not known to be counted, so the stream can resume there.
 */
export async function countChanges(deps: Pick<Deps, 'programs' | 'insight' | 'clock'>, changes: readonly ChangeRecord[]): Promise<CountResult> {
  const byTenant = new Map<string, number[]>();
  changes.forEach((c, i) => {
    const t = tenantOf(c);
    if (t) byTenant.set(t, [...(byTenant.get(t) ?? []), i]);
  });
  let counted = 0;
  let seen = 0;
  const done = new Set<string>();
  for (const [tenantId, indexes] of byTenant) {
    try {
      const zone = (await deps.programs.current(tenantId))?.program.timeZone ?? 'UTC';
      const source = indexes.flatMap((i) => {
        const id = changeId(changes[i]!);
        return id ? [{ id, markerKey: markerKeyOf(changes[i]!), increments: incrementsFromChange(readable(changes[i]!), zone) }] : [];
      });
      const r = await deps.insight.apply(tenantId, source, deps.clock());
      counted += r.counted;
      seen += r.seen;
      done.add(tenantId);
    } catch (e) {
      const first = changes.findIndex((c) => !done.has(tenantOf(c) ?? ''));
      throw new CountError(first, e as Error);
    }
  }
  return { counted, seen };
}

export class CountError extends Error {
  /** Index of the first change that may not be counted yet. */
  readonly firstUncounted: number;
  constructor(firstUncounted: number, cause: Error) {
    super(`report counters: ${cause.message}`, { cause });
    this.name = 'CountError';
    this.firstUncounted = firstUncounted;
  }
}
