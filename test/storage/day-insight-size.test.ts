/**
 * The nightly sales item stays one bounded item however long the day's SKUs and categories are:
 * kept by revenue up to MAX_DAY_SKUS and MAX_DAY_SKU_BYTES (and the categories' pair), measured by
 * DynamoDB's rules and stored in DynamoDB Local; a typical day keeps its 1,000 in a small item.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { emptyTally, MAX_CATEGORIES, MAX_DAY_SKUS, salesOf, type DayTally } from '#domain/day-insight.ts';
import { db } from '#lib/storage/client.ts';
import { dayInsightRepository } from '#lib/storage/day-insight.ts';
import { itemSizeBytes, MAX_ITEM_BYTES } from '#lib/storage/item-size.ts';

/** A tally of `n` SKUs and `c` categories named by `name`, every figure as wide as `wide` makes it. */
function tally(n: number, c: number, name: (kind: string, i: number) => string, wide: boolean): DayTally {
  const t = emptyTally();
  const f = (i: number) => (wide ? { revenue: -(Number.MAX_SAFE_INTEGER - i), quantityMilli: -(Number.MAX_SAFE_INTEGER - 1), receipts: Number.MAX_SAFE_INTEGER, returned: Number.MAX_SAFE_INTEGER } : { revenue: 1_000_000 - i * 37, quantityMilli: 12_000 + i, receipts: 40 + (i % 50), returned: i % 7 === 0 ? 1_500 : 0 });
  for (let i = 0; i < n; i++) t.skus.set(name('S', i), f(i));
  for (let i = 0; i < c; i++) t.categories.set(name('C', i), f(i));
  return t;
}

async function stored(tenantId: string, t: DayTally) {
  const repo = dayInsightRepository(db());
  const sales = salesOf(t);
  await repo.putDay(tenantId, 'sales', '2026-11-20', sales, '2026-11-21T00:50:00.000Z');
  const item = (await db().doc.send(new GetCommand({ TableName: db().table, Key: { pk: `T#${tenantId}#DAYSALES`, sk: '2026-11-20' } }))).Item!;
  const back = (await repo.days(tenantId, 'sales', '2026-11-20', '2026-11-20', { queries: 0, items: 0 }))[0]!.body;
  return { sales, bytes: itemSizeBytes(item), back };
}

describe('Day sales item size', () => {
  it('keeps a day of the longest SKU and category names (64 characters of 6-byte JSON escapes or 3-byte letters) under 400 KB, by bytes', async () => {
    for (const ch of ['\u0001', '€']) {
      const name = (kind: string, i: number) => `${kind}${String(i).padStart(5, '0')}`.padEnd(64, ch);
      const { sales, bytes, back } = await stored(`size-worst-${ch.charCodeAt(0)}`, tally(5_000, 2_000, name, true));
      expect(bytes).toBeLessThan(MAX_ITEM_BYTES);
      // The byte cap, not the count, decided: fewer than the most, the rest added up and their largest kept.
      expect(sales.skus.length).toBeLessThan(MAX_DAY_SKUS);
      expect(sales.categories.length).toBeLessThanOrEqual(MAX_CATEGORIES);
      expect(sales.skus.length + sales.otherSkus.count).toBe(5_000);
      expect(back).toEqual(sales);
      console.log(`worst case (${JSON.stringify(ch)}): ${sales.skus.length} SKUs and ${sales.categories.length} categories kept, item ${bytes} bytes`);
    }
  });

  it('keeps all 1,000 of a typical day’s top SKUs, with 200 categories, in a small item (read back as written)', async () => {
    const { sales, bytes, back } = await stored('size-typical', tally(3_000, 200, (kind, i) => (kind === 'S' ? `4600${String(100_000 + i * 7919)}` : `category-${i}`), false));
    expect(sales.skus.length).toBe(MAX_DAY_SKUS);
    expect(sales.otherSkus).toMatchObject({ count: 2_000, largest: 1_000_000 - MAX_DAY_SKUS * 37 });
    expect(back).toEqual(sales);
    expect(bytes).toBeLessThan(64 * 1024);
    console.log(`typical day: ${sales.skus.length} SKUs (of 3,000) and ${sales.categories.length} categories, item ${bytes} bytes (${Math.ceil(bytes / 1024)} write units; a year's products report reads ${Math.round((365 * bytes) / 1e6)} MB)`);
  });
});
