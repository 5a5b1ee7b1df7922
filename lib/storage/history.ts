/**
 * A period's receipts and returns for the simulator, from the history bucket's day files
 * (./history-bucket.ts), and the one line format those files hold.
 *
 * A line is the replay event the simulator replays (what `replayEventOf` in ./receipts.ts makes
 * of a receipt or return item), times as ISO strings, with `customerId` first and `kind` and
 * `tenantId` added:
 *
 *   {"customerId":"c_…","kind":"receipt","tenantId":"t1","type":"receipt","storeId":"S-01","receiptId":"R-1",
 *    "occurredAt":"…Z","at":"…Z","lines":[{"lineId":"1","sku":"A","category":"otc","quantityMilli":1000,"unitPrice":0,"amount":1000}],
 *    "burnPoints":0,"coupons":[]}
 *   {"customerId":"c_…","kind":"return","tenantId":"t1","type":"return","storeId":"S-01","returnId":"RET-1","receiptId":"R-1",
 *    "receiptStoreId":"S-01","at":"…Z","receiptOccurredAt":"…Z",
 *    "lines":[{"lineId":"1","quantityMilli":1000,"sku":"A","category":"otc","amountBack":1000}]}
 *
 * `at` is when the till committed it (its UTC day names the file's folder); `unitPrice` is 0 (the
 * receipt item keeps line amounts, which is what the engine prices). Receipts committed before
 * lines kept SKU and category are written as `{"customerId","kind","tenantId","storeId","receiptId","at","unreplayable":true}`.
A return's `receiptOccurredAt` and its lines' `sku`, `category` and `amountBack` (the share of the
line's amount given back) are there for the nightly insight job; a refund by amount has
`"quantityMilli":0,"amount":N`. Returns committed before they were kept have neither.
 *
 * One shard of a period = every day file of the period read (List a page of 1,000 keys at a
 * time, Get each file, a bounded number at once), keeping the lines of one sixteenth of the
 * customers (HISTORY_SHARDS) committed in [from, to), each receipt or return once.
 * Adapter: lib/app/simulations → this → S3.
 */
import type { ReplayEvent } from '#domain/simulation.ts';
import type { HistoryFileReader } from './history-bucket.ts';
import { shardOf } from './keys.ts';

/** The simulator replays a period a sixteenth of the customers at a time (one checkpoint each). */
export const HISTORY_SHARDS = 16;

/**
 * Files read at once by one shard's reader: a shard reads every file of the period (a year at
 * 10 receipts/s is about two million), so the Gets' latency, not S3 (thousands of GETs a second
 * per prefix) or memory (a file is tens of kB), sets the pace.
 */
const READS_AT_ONCE = 64;

/**
 * Days listed at once: a simulation's warm-up puts up to a year of days before its period, most
 * of them holding few files (or none, before a tenant's history began), so a List's latency per
 * day, not its price, is what a day costs.
 */
const DAYS_LISTED_AT_ONCE = 16;

/** The UTC days a period [from, to) touches. */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  const last = new Date(Date.parse(to) - 1).toISOString().slice(0, 10);
  for (let d = new Date(`${new Date(from).toISOString().slice(0, 10)}T00:00:00Z`); d.toISOString().slice(0, 10) <= last; d.setUTCDate(d.getUTCDate() + 1)) out.push(d.toISOString().slice(0, 10));
  return out;
}

/** What a receipt that cannot be replayed leaves in the history: who, where, when. */
export interface UnreplayableReceipt {
  readonly customerId: string;
  readonly storeId: string;
  readonly receiptId: string;
  readonly at: Date;
}

/** A replay event (or an unreplayable receipt) as one history line. */
export function historyLineOf(tenantId: string, e: ReplayEvent | (UnreplayableReceipt & { readonly unreplayable: true })): string {
  if ('unreplayable' in e) return JSON.stringify({ customerId: e.customerId, kind: 'receipt', tenantId, storeId: e.storeId, receiptId: e.receiptId, at: e.at, unreplayable: true });
  const { customerId, ...rest } = e;
  return JSON.stringify({ customerId, kind: e.type, tenantId, ...rest });
}

/** `event` null: an unreplayable receipt. */
type Parsed = { readonly event: ReplayEvent | null; readonly key: string; readonly at: Date } | null;

const date = (v: unknown): Date | null => {
  const d = typeof v === 'string' ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
};

/** A history line → its replay event, its commit time and the key that makes it unique; null if it is no history line. */
export function parseHistoryLine(text: string): Parsed {
  let o: Record<string, any>;
  try {
    o = JSON.parse(text) as Record<string, any>;
  } catch {
    return null;
  }
  const at = date(o.at);
  if (!at || typeof o.customerId !== 'string' || typeof o.storeId !== 'string' || !Array.isArray(o.lines ?? [])) return null;
  if (o.kind === 'return') {
    if (!Array.isArray(o.lines)) return null;
    const key = `X#${o.storeId}#${o.returnId}`;
    return {
      key,
      at,
      event: {
        type: 'return',
        customerId: o.customerId,
        storeId: o.storeId,
        returnId: String(o.returnId),
        receiptId: String(o.receiptId),
        receiptStoreId: String(o.receiptStoreId ?? o.storeId),
        at,
        ...(date(o.receiptOccurredAt) ? { receiptOccurredAt: date(o.receiptOccurredAt)! } : {}),
        lines: o.lines,
      },
    };
  }
  if (o.kind !== 'receipt') return null;
  const key = `R#${o.storeId}#${o.receiptId}`;
  const occurredAt = date(o.occurredAt);
  if (o.unreplayable === true || !occurredAt || !Array.isArray(o.lines)) return { key, at, event: null };
  return {
    key,
    at,
    event: {
      type: 'receipt',
      customerId: o.customerId,
      storeId: o.storeId,
      receiptId: String(o.receiptId),
      occurredAt,
      at,
      lines: o.lines,
      burnPoints: Number(o.burnPoints ?? 0),
      coupons: Array.isArray(o.coupons) ? o.coupons : [],
    },
  };
}

const CUSTOMER_FIRST = '{"customerId":"';

/** The customer of a line written by historyLineOf, without parsing the rest of it. */
function customerOfLine(line: string): string | null {
  if (line.startsWith(CUSTOMER_FIRST)) {
    const end = line.indexOf('"', CUSTOMER_FIRST.length);
    if (end > 0) return line.slice(CUSTOMER_FIRST.length, end);
  }
  try {
    const c = (JSON.parse(line) as { customerId?: unknown }).customerId;
    return typeof c === 'string' ? c : null;
  } catch {
    return null;
  }
}

export interface HistoryShard {
  readonly events: ReplayEvent[];
  /** Receipts committed before their lines kept SKU and category, and lines not understood: found, but not replayable. */
  readonly unreplayable: number;
  /** Read units of the table the replay consumed: none, the history is read from S3. */
  readonly readUnits: number;
  /** S3 requests the shard took (Lists and Gets). */
  readonly requests: number;
  /** Bytes read from S3 (compressed). */
  readonly bytes: number;
}

export function historyReader(files: HistoryFileReader) {
  return {
    /** Every receipt and return of one shard of customers committed in [from, to), each once. */
    async shard(tenantId: string, shard: number, from: string, to: string): Promise<HistoryShard> {
      const fromMs = Date.parse(from);
      const toMs = Date.parse(to);
      const seen = new Set<string>();
      const events: ReplayEvent[] = [];
      let unreplayable = 0;
      let requests = 0;
      let bytes = 0;
      const take = (lines: readonly string[]) => {
        for (const line of lines) {
          const customerId = customerOfLine(line);
          // A line without a customer is the first shard's, so it is counted once.
          if ((customerId === null ? 0 : shardOf(customerId, HISTORY_SHARDS)) !== shard) continue;
          const p = parseHistoryLine(line);
          if (!p) {
            unreplayable++;
            continue;
          }
          const at = p.at.getTime();
          if (!(at >= fromMs && at < toMs) || seen.has(p.key)) continue;
          seen.add(p.key);
          if (p.event) events.push(p.event);
          else unreplayable++;
        }
      };
      const keysOf = async (day: string) => {
        const keys: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await files.list(tenantId, day, cursor);
          requests++;
          keys.push(...page.keys);
          cursor = page.cursor;
        } while (cursor);
        return keys;
      };
      const days = daysOf(from, to);
      for (let d = 0; d < days.length; d += DAYS_LISTED_AT_ONCE) {
        const keys = (await Promise.all(days.slice(d, d + DAYS_LISTED_AT_ONCE).map(keysOf))).flat();
        for (let i = 0; i < keys.length; i += READS_AT_ONCE) {
          const read = await Promise.all(keys.slice(i, i + READS_AT_ONCE).map((k) => files.read(k)));
          requests += read.length;
          for (const r of read) {
            bytes += r.bytes;
            take(r.lines);
          }
        }
      }
      return { events, unreplayable, readUnits: 0, requests, bytes };
    },
  };
}

export type HistoryReader = ReturnType<typeof historyReader>;
