/**
 * How long one part of the nightly insight job takes (lib/app/insight-job.ts): a day of
 * `BUYERS` buyers (one 5-line receipt each, 2 % of them also a return), as gzip day files of
 * 5,000 lines served from memory through the real history reader; a part reads every file and
 * keeps its sixteenth of the customers. Sends come from a stub that answers after `SEND_MS` per
 * customer (two Queries on DynamoDB, single-digit ms each in AWS, 16 customers at once).
 *
 *   npx tsx bench/insight-parts.ts [buyers=500000] [sendMs=8]
 */
import { createHash } from 'node:crypto';
import { gzipSync, gunzipSync } from 'node:zlib';
import { historyLineOf, historyReader } from '#lib/storage/history.ts';
import type { HistoryFileReader } from '#lib/storage/history-bucket.ts';
import { INSIGHT_PARTS, summarizeDay } from '#lib/app/insight-job.ts';

const BUYERS = Number(process.argv[2] ?? 500_000);
const SEND_MS = Number(process.argv[3] ?? 8);
const day = '2026-11-20';
const at = new Date(`${day}T12:00:00Z`);
const lines: string[] = [];
for (let i = 0; i < BUYERS; i++) {
  // Ids like the customers' own (random), so the sixteenths are even.
  const customerId = `c_${createHash('sha1').update(String(i)).digest('hex').slice(0, 20)}`;
  const receiptId = `R-${i}`;
  lines.push(
    historyLineOf('t1', {
      type: 'receipt',
      customerId,
      storeId: `S-${i % 200}`,
      receiptId,
      occurredAt: at,
      at,
      lines: Array.from({ length: 5 }, (_, j) => ({ lineId: String(j + 1), sku: `SKU-${(i * 7 + j * 131) % 20_000}`, category: `cat-${(i + j) % 300}`, quantityMilli: 1000, unitPrice: 0, amount: 1_000 + ((i + j) % 9_000) })),
      burnPoints: 0,
      coupons: [],
    }),
  );
  if (i % 50 === 0) {
    lines.push(historyLineOf('t1', { type: 'return', customerId, storeId: `S-${i % 200}`, returnId: `X-${i}`, receiptId, receiptStoreId: `S-${i % 200}`, at, receiptOccurredAt: at, lines: [{ lineId: '1', quantityMilli: 1000, sku: `SKU-${(i * 7) % 20_000}`, category: `cat-${i % 300}`, amountBack: 1_000 + (i % 9_000) }] }));
  }
}
const files = new Map<string, Buffer>();
for (let i = 0; i < lines.length; i += 5_000) files.set(`history/tenant=t1/day=${day}/${String(i).padStart(9, '0')}.jsonl.gz`, gzipSync(lines.slice(i, i + 5_000).join('\n') + '\n'));
const reader: HistoryFileReader = {
  async list() {
    return { keys: [...files.keys()] };
  },
  async read(key) {
    const z = files.get(key)!;
    return { lines: gunzipSync(z).toString('utf8').split('\n').filter(Boolean), bytes: z.length };
  },
};
const deps = {
  clock: () => new Date(),
  dayInsight: {
    sendsOf: async () => {
      await new Promise((r) => setTimeout(r, SEND_MS));
      return [];
    },
    run: async () => null,
    checkpoint: async () => true,
    finish: async () => true,
  },
} as never;

// No time left after the first part: one part is summed, what a part needs is its time.
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const s = await summarizeDay(deps, historyReader(reader), 't1', 'UTC', day, 'bench', { remainingMs: () => 0 });
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(`${BUYERS} buyers, ${files.size} files (${[...files.values()].reduce((n, b) => n + b.length, 0) >> 20} MB gzip), sends ${SEND_MS} ms a customer`);
console.log(`one part (1/${INSIGHT_PARTS}): ${s.customers} customers, ${s.receipts} receipts, ${s.returns} returns; wall ${(wall / 1000).toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (outcome ${s.outcome})`);
