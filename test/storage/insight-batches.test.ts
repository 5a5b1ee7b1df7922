/**
 * The report counters' batch writes on DynamoDB Local (storage/insight.ts): a batch's changes are
 * added up per counter item and written once per item, and each change is counted once however
 * the stream delivers it again — the same batch, a batch cut shorter (bisected), a batch that
 * failed half way resumed at the failed change or from its start, two copies at once.
 */
import { describe, expect, it } from 'vitest';
import { deferStores, UNFOLDED, type Increment } from '#domain/insight.ts';
import { foldStoreFigures } from '#lib/app/store-fold.ts';
import { createDb } from '#lib/storage/client.ts';
import { ApplyError, insightRepository, type SourceChange } from '#lib/storage/insight.ts';
import { programRepository } from '#lib/storage/programs.ts';
import { CountError, countChanges } from '#lib/app/insight.ts';
import type { ChangeRecord } from '#domain/insight.ts';

const DAY = '2026-11-20';
let seq = 0;
const tenant = () => `ib${process.pid}x${Date.now().toString(36)}${seq++}`;

/** A ledger-like change: points at a store, and the store's liability (a cumulative series: its day and its month). */
const change = (t: string, i: number, stores: number): SourceChange => ({
  id: `T#${t}#C#c${i}|LEDGER#${i}`,
  tenantId: t,
  increments: [
    { series: 'store', period: DAY, key: `S-${i % stores}`, add: { receipts: 1, paid: 100 + i } },
    { series: 'liabStore', period: DAY, key: `S-${i % stores}`, add: { points: i + 1 } },
  ],
});

/** What the counters must hold: every change's increments added up, by series and key. */
function expected(changes: readonly SourceChange[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const inc of changes.flatMap((c) => c.increments)) {
    const cell = (out[`${inc.series}|${inc.key}`] ??= {});
    for (const [m, v] of Object.entries(inc.add)) cell[m] = (cell[m] ?? 0) + v;
  }
  return out;
}

/** What they do hold: the day's store and liability items, and the liability's month items. */
async function held(repo: ReturnType<typeof insightRepository>, t: string, series: Array<Increment['series']>) {
  const stats = { queries: 0, items: 0 };
  const out: Record<string, Record<string, number>> = {};
  for (const s of series) {
    for (const [key, f] of await repo.days(t, s, DAY, DAY, stats)) out[`${s}|${key}`] = f;
    if (s === 'liabStore' || s === 'liabExpiry') {
      // The whole month reads the month items: they must say the same.
      const month = await repo.days(t, s, '2026-11-01', '2026-11-30', stats);
      for (const [key, f] of month) expect(f, `${s} month item ${key}`).toEqual(out[`${s}|${key}`]);
    }
  }
  return out;
}

/** A client whose `failOn`-th TransactWriteItems (from now) fails, as a throttled or timed-out call would. */
function faulty(failOn: number) {
  const db = createDb();
  let n = 0;
  db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (/TransactWrite/.test(context.commandName ?? '') && ++n === failOn) throw Object.assign(new Error('injected: request timed out'), { name: 'TimeoutError' });
      return next(args);
    },
    { step: 'initialize', name: 'fault' },
  );
  return insightRepository(db);
}

const repo = insightRepository(createDb());

describe('report counters: a batch at a time', () => {
  it('adds a batch up per counter item: one transaction, one ADD per item, however many changes', async () => {
    const [batched, single] = [tenant(), tenant()];
    const changes = (t: string) => Array.from({ length: 120 }, (_, i) => change(t, i, 3));
    const r = await repo.apply(changes(batched));
    // 3 stores × (store day, liability day, liability month) = 9 items.
    expect(r).toMatchObject({ counted: 120, seen: 0, transactions: 1, counterWrites: 9 });
    expect(r.markerBytes).toBe(120 * 8);
    // Changes one per batch: the same figures, a write per change and item.
    const some = changes(single).slice(0, 24);
    let writes = 0;
    for (const c of some) writes += (await repo.apply([c])).counterWrites;
    expect(writes).toBe(24 * 3);
    expect(await held(repo, batched, ['store', 'liabStore'])).toEqual(expected(changes(batched)));
    expect(await held(repo, single, ['store', 'liabStore'])).toEqual(expected(some));
  });

  it('the same batch again, and two copies at once, count nothing twice', async () => {
    const t = tenant();
    const batch = Array.from({ length: 60 }, (_, i) => change(t, i, 40));
    const first = await repo.apply(batch);
    expect(first.counted).toBe(60);
    expect(first.transactions).toBeGreaterThan(1);
    const [a, b] = await Promise.all([repo.apply(batch), repo.apply(batch)]);
    expect([a.counted, b.counted, a.seen, b.seen]).toEqual([0, 0, 60, 60]);
    expect(await held(repo, t, ['store', 'liabStore'])).toEqual(expected(batch));
  });

  it('a redelivery cut shorter than what was counted (a bisected batch), then the batch after it', async () => {
    const t = tenant();
    const all = Array.from({ length: 250 }, (_, i) => change(t, i, 3));
    expect((await repo.apply(all.slice(0, 200))).counted).toBe(200);
    // Lambda bisects: the first half, then the second with what came since.
    expect(await repo.apply(all.slice(0, 100))).toMatchObject({ counted: 0, seen: 100 });
    expect(await repo.apply(all.slice(100, 250))).toMatchObject({ counted: 50, seen: 100 });
    // And a quarter of it again, then the rest, cut elsewhere.
    expect(await repo.apply(all.slice(100, 150))).toMatchObject({ counted: 0, seen: 50 });
    expect(await repo.apply(all.slice(150))).toMatchObject({ counted: 0, seen: 100 });
    expect(await held(repo, t, ['store', 'liabStore'])).toEqual(expected(all));
  });

  it('a batch that failed half way loses nothing and doubles nothing, resumed at the failed change or from its start', async () => {
    // Every change its own store: 3 items each, 33 changes to a transaction, 5 transactions.
    for (const resume of ['at the failed change', 'from the start'] as const) {
      const t = tenant();
      const batch = Array.from({ length: 150 }, (_, i) => change(t, i, 1_000));
      const failed = await faulty(4)
        .apply(batch)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(failed, resume).toBeInstanceOf(ApplyError);
      const at = (failed as ApplyError).firstUncounted;
      expect(at).toBe(99);
      // What the first three transactions counted is there, and nothing else.
      expect(await held(repo, t, ['store'])).toEqual(expected(batch.slice(0, 99).map((c) => ({ ...c, increments: c.increments.filter((x) => x.series === 'store') }))));
      const again = await repo.apply(resume === 'from the start' ? batch : batch.slice(at));
      expect(again).toMatchObject(resume === 'from the start' ? { counted: 51, seen: 99 } : { counted: 51, seen: 0 });
      expect(await held(repo, t, ['store', 'liabStore'])).toEqual(expected(batch));
    }
  });

  it('a change too large for one transaction is counted in parts, each once, across a failure between them', async () => {
    const t = tenant();
    // 150 lots, each a day item and a month item: 300 counter items, four transactions.
    const lots: Increment[] = Array.from({ length: 150 }, (_, i) => ({ series: 'liabExpiry', period: DAY, key: `2027-${String(1 + (i % 12)).padStart(2, '0')}-${i}`, add: { points: i + 1 } }));
    const big: SourceChange = { id: `T#${t}#C#big|LEDGER#1`, tenantId: t, increments: lots };
    const batch = [change(t, 1, 2), big, change(t, 2, 2)];
    const failed = await faulty(3)
      .apply(batch)
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ApplyError);
    expect((failed as ApplyError).firstUncounted).toBe(1);
    const again = await repo.apply(batch.slice(1));
    expect(again.counted).toBe(2);
    expect(await held(repo, t, ['store', 'liabStore', 'liabExpiry'])).toEqual(expected(batch));
  });

  it('a change that cannot be read: the ones before it are counted and the stream resumes at it; a program that cannot be read: the whole batch again', async () => {
    const t = tenant();
    const at = `${DAY}T10:00:00.000Z`;
    const ledger = (i: number): ChangeRecord => ({ eventName: 'INSERT', at, newImage: { pk: `T#${t}#C#c${i}`, sk: `LEDGER#${i}`, type: 'ledger', kind: 'earn', points: 10 * i, at, source: { storeId: 'S-1' } } });
    const broken: ChangeRecord = { eventName: 'INSERT', at, newImage: { pk: `T#${t}#S#S-1#R#r9`, sk: 'RECEIPT', type: 'receipt', response: '{not json', occurredAt: at, storeId: 'S-1' } };
    const deps = { programs: programRepository(createDb()), insight: repo, clock: () => new Date() };
    const failed = await countChanges(deps, [ledger(1), ledger(2), broken, ledger(3)]).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(CountError);
    expect((failed as CountError).firstUncounted).toBe(2);
    // Counted under `*` (a store's figures are folded into it nightly: lib/app/store-fold.ts).
    expect((await repo.days(t, 'store', DAY, DAY, { queries: 0, items: 0 })).get(UNFOLDED)).toEqual({ pts_earn: 30 });
    const unreadable = { ...deps, programs: { current: async () => Promise.reject(new Error('throttled')) } } as unknown as typeof deps;
    const again = await countChanges(unreadable, [ledger(4), ledger(5)]).catch((e: unknown) => e);
    expect((again as CountError).firstUncounted).toBe(0);
  });

  describe('store figures: counted under `*` per batch, folded into their stores nightly', () => {
    /** As countChanges hands them over: store figures under `*`, their split by store logged. */
    const deferred = (c: SourceChange): SourceChange => {
      const { counted, logged } = deferStores(c.increments);
      return { ...c, increments: counted, logged };
    };
    const written = new Date(`${DAY}T10:00:00.000Z`);
    /** The night after: the day's logs are complete. */
    const night = { clock: () => new Date(`2026-11-21T01:00:00.000Z`) };
    const stats = () => ({ queries: 0, items: 0 });

    it('a batch of 40 stores writes a few counter items and one log, not an item per store; the fold moves each store’s part once, across a failure half way and a run again', async () => {
      const t = tenant();
      const batch = Array.from({ length: 200 }, (_, i) => change(t, i, 40));
      const r = await repo.apply(batch.map(deferred), written);
      // `*`'s store day, liability day and liability month: 3 items, and one log, in one transaction.
      expect(r).toMatchObject({ counted: 200, transactions: 1, counterWrites: 3, logWrites: 1 });
      const chain = expected(batch);
      const sumOf = (series: string) => Object.entries(chain).filter(([k]) => k.startsWith(`${series}|`)).reduce<Record<string, number>>((acc, [, f]) => {
        for (const [m, v] of Object.entries(f)) acc[m] = (acc[m] ?? 0) + v;
        return acc;
      }, {});
      expect(await held(repo, t, ['store', 'liabStore'])).toEqual({ 'store|*': sumOf('store'), 'liabStore|*': sumOf('liabStore') });
      // Delivered again (whole, and two copies at once): no second count, no second log.
      const [a, b] = await Promise.all([repo.apply(batch.map(deferred), written), repo.apply(batch.map(deferred), written)]);
      expect([a.counted, b.counted, a.logWrites, b.logWrites]).toEqual([0, 0, 0, 0]);
      expect((await repo.logs(t, DAY, stats())).length).toBe(80);

      // The fold stops after its first transaction, then runs again in full, then once more from the start.
      const failing = await foldStoreFigures({ insight: faulty(2), ...night }, t).catch((e: unknown) => e);
      expect(failing).toBeInstanceOf(ApplyError);
      // The days before it (empty) are done; this one is not.
      expect(await repo.foldedThrough(t)).toBe('2026-11-19');
      const folded = await foldStoreFigures({ insight: repo, ...night }, t);
      expect(folded).toMatchObject({ days: expect.arrayContaining([DAY]), stores: 40, logs: 1 });
      expect(await held(repo, t, ['store', 'liabStore'])).toEqual(chain);
      expect((await foldStoreFigures({ insight: repo, ...night }, t)).days).toEqual([]);
      await repo.setFoldedThrough(t, '2026-11-19', new Date());
      expect((await foldStoreFigures({ insight: repo, ...night }, t)).days).toEqual([DAY]);
      expect(await held(repo, t, ['store', 'liabStore'])).toEqual(chain);
    });

    it('a day is folded only once it is complete, and a later batch of the same receipts’ days waits under `*` for its own day', async () => {
      const t = tenant();
      const batch = Array.from({ length: 30 }, (_, i) => change(t, i, 5));
      await repo.apply(batch.slice(0, 20).map(deferred), written);
      // 10 minutes after midnight is not yet enough for the day: a consumer may still be writing it.
      expect((await foldStoreFigures({ insight: repo, clock: () => new Date('2026-11-21T00:10:00.000Z') }, t)).days).not.toContain(DAY);
      await foldStoreFigures({ insight: repo, ...night }, t);
      expect(await held(repo, t, ['store'])).toEqual(expected(batch.slice(0, 20).map((c) => ({ ...c, increments: c.increments.filter((x) => x.series === 'store') }))));
      // Counted the next day (a till that was offline): under `*` until that day is folded.
      await repo.apply(batch.slice(20).map(deferred), new Date('2026-11-21T09:00:00.000Z'));
      const late = await held(repo, t, ['store']);
      expect(Object.keys(late)).toContain('store|*');
      await foldStoreFigures({ insight: repo, clock: () => new Date('2026-11-22T01:00:00.000Z') }, t);
      expect(await held(repo, t, ['store', 'liabStore'])).toEqual(expected(batch));
    });
  });
});
