/**
 * The program simulator on 1,000,000 receipts: generated deterministically (a seeded PRNG, the
 * same file every run) into a JSON Lines file, then replayed by the same code `npm run simulate`
 * runs (read, parse, group by customer, each customer in till order under the program in force
 * and a draft, one worker thread per core). Baseline in the same run: reading the file and a plain
 * JSON.parse of every line. `npm run bench:simulator [-- --receipts 1000000 --parts 2 --no-warmup]`;
 * the replay must take under 60 s.
 *
 * With a warm-up (the default): the same period again, after as many receipts of the same
 * customers in the 90 days before it, counted from the period's start (`countFrom`), as a
 * simulation through the API replays a period with its `warmupDays`. Its counted figures differ
 * from the period alone's: customers start the period with balances, tiers and counters.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { parseProgram, type Program } from '../lib/domain/program.ts';
import { defaultParts, simulateFileInParts } from '../local/simulate-parts.ts';
import { seeded } from '../test/reliability/faults.ts';

const base = {
  name: 'Bench club',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: {
    base: { points: 1, per: 100 },
    rules: [
      { id: 'otc-x2', name: 'OTC ×2 on weekends', type: 'multiplier', multiplier: 2, products: { categories: ['otc'] }, when: { daysOfWeek: [6, 7] } },
      { id: 'every-5th', name: 'Every 5th receipt +50', type: 'nthReceipt', every: 5, points: 50 },
      { id: 'big-basket', name: '+100 over 20,000', type: 'receiptAmount', minAmount: 20_000, points: 100 },
    ],
    caps: { perDay: 2_000 },
  },
  exclusions: { categories: ['rx'], skus: [] },
  redemption: { pointValue: 1, maxShareBps: 5000, excludedCategories: ['rx'] },
  expiry: { afterMonths: 12 },
  receipts: { maxAgeDays: 3650, crossStoreReturns: true },
  tiers: {
    levels: [
      { id: 'standard', name: 'Standard', threshold: 0, discountBps: 0 },
      { id: 'silver', name: 'Silver', threshold: 50_000, discountBps: 100 },
      { id: 'gold', name: 'Gold', threshold: 150_000, discountBps: 200, earnMultiplier: 1.5 },
    ],
  },
};

const draftDoc = {
  ...base,
  name: 'Bench club, draft',
  earning: {
    ...base.earning,
    rules: [...base.earning.rules, { id: 'vitamins-x3', name: 'Vitamins ×3', type: 'multiplier', multiplier: 3, products: { categories: ['vitamins'] } }],
  },
  tiers: {
    levels: [
      { id: 'standard', name: 'Standard', threshold: 0, discountBps: 0 },
      { id: 'silver', name: 'Silver', threshold: 40_000, discountBps: 150 },
      { id: 'gold', name: 'Gold', threshold: 120_000, discountBps: 300, earnMultiplier: 1.5 },
    ],
  },
};

export function benchPrograms(): { documents: { current: unknown; draft: unknown }; programs: { current: Program; draft: Program } } {
  const p = (doc: unknown) => {
    const r = parseProgram(doc);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.program;
  };
  return { documents: { current: base, draft: draftDoc }, programs: { current: p(base), draft: p(draftDoc) } };
}

const categories = ['otc', 'vitamins', 'cosmetics', 'baby', 'rx', 'hygiene'];

/**
 * `receipts` receipts of `customers` customers over 90 days from 2026-08-01 (Yerevan time), 1–8
 * lines each; one in 8 burns points, one in 50 is followed by a return of its first line.
 */
export const PERIOD_START = '2026-08-01T00:00:00+04:00';
/** 90 days before PERIOD_START: where the warm-up's receipts start. */
const WARMUP_START = '2026-05-03T00:00:00+04:00';

export function* generateReceipts(receipts: number, customers: number, seed = 20261201, opts: { start?: string; idPrefix?: string } = {}): Generator<string> {
  const rnd = seeded(seed);
  const start = Date.parse(opts.start ?? PERIOD_START);
  const id = opts.idPrefix ?? '';
  const span = 90 * 86_400_000;
  // Each customer's receipts are spread over the period in increasing time.
  for (let i = 0; i < receipts; i++) {
    const c = Math.floor(rnd() * customers);
    const customerId = `c-${c}`;
    const at = new Date(start + Math.floor(rnd() * span)).toISOString();
    const n = 1 + Math.floor(rnd() * 8);
    const lines = [];
    for (let l = 0; l < n; l++) {
      const q = 1 + Math.floor(rnd() * 3);
      const unitPrice = 100 * (5 + Math.floor(rnd() * 60));
      lines.push({ lineId: String(l + 1), sku: `SKU-${Math.floor(rnd() * 5000)}`, category: categories[Math.floor(rnd() * categories.length)]!, quantity: q, unitPrice, amount: unitPrice * q });
    }
    const storeId = `S-${String(1 + Math.floor(rnd() * 40)).padStart(2, '0')}`;
    const receiptId = `${id}R-${i}`;
    const burn = rnd() < 0.125 ? { burn: { points: 500 + Math.floor(rnd() * 2000) } } : {};
    yield JSON.stringify({ customerId, storeId, receiptId, occurredAt: at, lines, ...burn });
    if (rnd() < 0.02) {
      const later = new Date(Date.parse(at) + 86_400_000).toISOString();
      yield JSON.stringify({ type: 'return', customerId, storeId, returnId: `${id}RET-${i}`, receiptId, at: later, lines: [{ lineId: '1', quantity: lines[0]!.quantity }] });
    }
  }
}

export async function runSimulatorBench(
  receipts: number,
  opts: { parts?: number; warmup?: boolean; log?: (s: string) => void } = {},
): Promise<{ markdown: string; seconds: number }> {
  const log = opts.log ?? (() => {});
  const parts = opts.parts ?? defaultParts();
  const customers = Math.max(1, Math.round(receipts / 10));
  const dir = mkdtempSync(join(tmpdir(), 'tally-sim-'));
  const path = join(dir, 'receipts.jsonl');
  const warmPath = join(dir, 'warm.jsonl');
  const write = async (file: string, sources: Iterable<string>[]) => {
    const out = createWriteStream(file);
    for (const source of sources) for (const line of source) if (!out.write(`${line}\n`)) await once(out, 'drain');
    out.end();
    await finished(out);
  };
  try {
    log(`writing ${receipts.toLocaleString('en-US')} receipts of ${customers.toLocaleString('en-US')} customers to ${path}`);
    await write(path, [generateReceipts(receipts, customers)]);
    if (opts.warmup !== false) {
      log(`writing them after ${receipts.toLocaleString('en-US')} receipts of the same customers in the 90 days before, to ${warmPath}`);
      await write(warmPath, [generateReceipts(receipts, customers, 20260503, { start: WARMUP_START, idPrefix: 'W' }), generateReceipts(receipts, customers)]);
    }

    // Baseline: what any replay of the file must do at least, read it and parse every line.
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    };
    let c = cpu();
    let t = performance.now();
    let lines = 0;
    let events = 0;
    for await (const l of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      events++;
      lines += (JSON.parse(l) as { lines: unknown[] }).lines.length;
    }
    const parseSeconds = (performance.now() - t) / 1000;
    const parseCpu = cpu() - c;
    const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en-US');
    const { documents, programs } = benchPrograms();

    const replay = async (file: string, countFrom?: Date) => {
      c = cpu();
      t = performance.now();
      const result = await simulateFileInParts(file, documents, programs, { parts, topN: 20, countFrom });
      const seconds = (performance.now() - t) / 1000;
      // CPU of every thread of this process: what the work cost, whatever else the machine was doing.
      const cpuSeconds = cpu() - c;
      const r = result.report;
      if (result.refusedLines > 0) throw new Error(`refused lines: ${JSON.stringify(result.refused.slice(0, 3))}`);
      if (r.current.totals.receipts + r.current.totals.refused !== receipts) throw new Error('receipts went missing');
      return { r, seconds, cpuSeconds };
    };
    log(`replaying the period in ${parts} part(s)`);
    const period = await replay(path);
    const warmed = opts.warmup === false ? null : (log(`replaying it after its warm-up in ${parts} part(s)`), await replay(warmPath, new Date(PERIOD_START)));

    const row = (what: string, x: { seconds: number; cpuSeconds: number }) =>
      `| ${what} | ${x.seconds.toFixed(2)} | ${rate(receipts, x.seconds)} | ${(x.seconds / parseSeconds).toFixed(1)} | ${x.cpuSeconds.toFixed(1)} | ${(x.cpuSeconds / parseCpu).toFixed(1)} |`;
    const figures = (r: typeof period.r) =>
      `in force ${r.current.totals.pointsIssued.toLocaleString('en-US')} points issued, ${r.current.totals.pointsBurned.toLocaleString('en-US')} burned, cost ${(r.current.costBps / 100).toFixed(2)} % of revenue; draft ${r.draft.totals.pointsIssued.toLocaleString('en-US')} points, ${(r.draft.costBps / 100).toFixed(2)} %; ${r.tierChanges.reduce((s, x) => s + x.customers, 0).toLocaleString('en-US')} customers would change tier; ${r.draft.totals.burnsCut.toLocaleString('en-US')} burns cut under the draft, ${r.current.totals.burnsCut.toLocaleString('en-US')} in force`;
    const markdown = [
      `### Program simulator: ${receipts.toLocaleString('en-US')} receipts (${(events - receipts).toLocaleString('en-US')} returns, ${lines.toLocaleString('en-US')} lines, ${(statSync(path).size / 2 ** 20).toFixed(0)} MiB of JSON Lines) of ${customers.toLocaleString('en-US')} customers, in force vs draft`,
      '',
      '| work | seconds | period receipts/s | ÷ baseline | CPU seconds (all threads) | ÷ baseline |',
      '|---|---:|---:|---:|---:|---:|',
      `| read + JSON.parse every line of the period, one thread (baseline) | ${parseSeconds.toFixed(2)} | ${rate(receipts, parseSeconds)} | 1.00 | ${parseCpu.toFixed(1)} | 1.00 |`,
      row(`simulate the period from empty accounts: read + parse + validate + group + replay under both programs, ${parts} part(s)`, period),
      ...(warmed ? [row(`simulate the period warmed up on the ${receipts.toLocaleString('en-US')} receipts of the 90 days before it (${(statSync(warmPath).size / 2 ** 20).toFixed(0)} MiB), counted from its start, ${parts} part(s)`, warmed)] : []),
      '',
      `Each receipt is priced twice (once per program) by \`priceReceipt\`, the till's engine; parts are worker threads, each replaying the customers of its shard. From empty accounts: ${figures(period.r)}.`,
      ...(warmed ? ['', `Warmed up (the same period's receipts, counted): ${figures(warmed.r)}.`] : []),
    ].join('\n');
    // The issue's target (1,000,000 receipts under 60 s) is the period's replay; the warm-up replays as many again.
    return { markdown, seconds: period.seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { receipts: { type: 'string', default: '1000000' }, parts: { type: 'string' }, 'no-warmup': { type: 'boolean' } } });
  const n = Number(values.receipts);
  const { markdown, seconds } = await runSimulatorBench(n, { parts: values.parts ? Number(values.parts) : undefined, warmup: !values['no-warmup'], log: (s) => console.error(`[bench] ${s}`) });
  console.log(markdown);
  if (n >= 1_000_000 && seconds >= 60) {
    console.error(`FAIL: ${seconds.toFixed(1)} s is not under 60 s`);
    process.exitCode = 1;
  }
}
