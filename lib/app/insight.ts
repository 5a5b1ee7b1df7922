/**
 * Keeps the report counters current from the table's changes (the reports stream consumer).
 * Each change is counted once however often it is delivered (storage/insight.ts); a tenant's
 * days are its program's days, from the program in force (cached in memory).
 */
import { changeId, deferStores, incrementsFromChange, tenantOf, type ChangeRecord } from '#domain/insight.ts';
import { ApplyError, type SourceChange } from '../storage/insight.ts';
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
 * Counts `changes` (in stream order): one batch, every tenant's changes together, so a counter
 * item many changes touch is written once (storage/insight.ts). On a failure it throws a
 * `CountError` naming the first change not known to be counted, so the stream can resume there.
 */
export async function countChanges(deps: Pick<Deps, 'programs' | 'insight' | 'clock'>, changes: readonly ChangeRecord[]): Promise<CountResult> {
  const zones = new Map<string, string>();
  const source: SourceChange[] = [];
  let poison: CountError | undefined;
  for (const [at, c] of changes.entries()) {
    const tenantId = tenantOf(c);
    const id = changeId(c);
    if (!tenantId || !id) continue;
    if (!zones.has(tenantId)) {
      try {
        zones.set(tenantId, (await deps.programs.current(tenantId))?.program.timeZone ?? 'UTC');
      } catch (e) {
        // Nothing of the batch is counted yet: it all comes again.
        throw new CountError(0, e as Error);
      }
    }
    try {
      // Store figures under UNFOLDED now, their split by store logged for the nightly fold (lib/app/store-fold.ts).
      const { counted, logged } = deferStores(incrementsFromChange(readable(c), zones.get(tenantId)!));
      source.push({ id, tenantId, at, increments: counted, ...(logged.length ? { logged } : {}) });
    } catch (e) {
      // A change that cannot be read: count the ones before it, and let the stream retry (and
      // in the end park) the batch from it.
      poison = new CountError(at, e as Error);
      break;
    }
  }
  try {
    const r = await deps.insight.apply(source, deps.clock());
    if (poison) throw poison;
    return { counted: r.counted, seen: r.seen };
  } catch (e) {
    if (e instanceof CountError) throw e;
    if (e instanceof ApplyError) throw new CountError(e.firstUncounted, e.cause as Error);
    throw new CountError(0, e as Error);
  }
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
