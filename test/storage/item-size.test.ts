/**
 * itemSizeBytes counts an item the way DynamoDB does, so a use case can refuse before writing
 * what DynamoDB would refuse: checked rule by rule, and against DynamoDB Local at the limit.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { db } from '#lib/storage/client.ts';
import { itemSizeBytes, MAX_ITEM_BYTES, valueSizeBytes } from '#lib/storage/item-size.ts';

describe('itemSizeBytes', () => {
  it('should count names and string values by their UTF-8 length', () => {
    expect(itemSizeBytes({ pk: 'abc' })).toBe(2 + 3);
    expect(itemSizeBytes({ ім: 'Ա' })).toBe(4 + 2);
  });

  it('should count a number as one byte per pair of digits (aligned on the decimal point) plus one', () => {
    expect(valueSizeBytes(0)).toBe(1);
    expect(valueSizeBytes(110)).toBe(3);
    expect(valueSizeBytes(100)).toBe(2);
    expect(valueSizeBytes(9_770)).toBe(3);
    expect(valueSizeBytes(0.5)).toBe(2);
    expect(valueSizeBytes(1e21)).toBe(2);
    expect(valueSizeBytes(Number.MAX_SAFE_INTEGER)).toBe(9);
    expect(valueSizeBytes(7)).toBe(2);
    expect(valueSizeBytes(12_345)).toBe(4);
    expect(valueSizeBytes(1_000_000)).toBe(2);
    expect(valueSizeBytes(-12)).toBe(3);
    expect(valueSizeBytes(0.0012)).toBe(2);
  });

  it('should count lists and maps as 3 bytes, plus 1 per element, plus the elements and keys', () => {
    expect(valueSizeBytes([])).toBe(3);
    expect(valueSizeBytes({})).toBe(3);
    expect(valueSizeBytes(['ab', 1])).toBe(3 + (1 + 2) + (1 + 2));
    expect(valueSizeBytes({ k: 'v', n: null, t: true })).toBe(3 + (1 + 1 + 1) + (1 + 1 + 1) + (1 + 1 + 1));
    expect(valueSizeBytes({ skip: undefined })).toBe(3);
  });

  it('should agree with DynamoDB at the 400 KB limit: an item of exactly 409,600 bytes is stored, one byte more is refused', async () => {
    const d = db();
    const base = { pk: 'T#item-size', sk: 'limit', blob: '' };
    const fill = MAX_ITEM_BYTES - itemSizeBytes(base);
    const exact = { ...base, blob: 'x'.repeat(fill) };
    expect(itemSizeBytes(exact)).toBe(MAX_ITEM_BYTES);
    await d.doc.send(new PutCommand({ TableName: d.table, Item: exact }));
    const over = { ...base, sk: 'limiT', blob: 'x'.repeat(fill + 1) };
    await expect(d.doc.send(new PutCommand({ TableName: d.table, Item: over }))).rejects.toThrow(/size/i);
  });

  it('should agree with DynamoDB at the limit for an item of maps, lists and numbers', async () => {
    const d = db();
    const nested = {
      account: { lots: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`2026-${i}`, i * 977])) },
      list: Array.from({ length: 500 }, (_, i) => ({ a: (i * 7919) % 100_003, b: -(i * 31) / 8, c: i % 3 === 0, d: null, e: ['ü', { f: 1e-7 * i, g: 'Ա'.repeat(i % 5) }], h: 123_456_789_012 * i })),
    };
    const base = { pk: 'T#item-size', sk: 'nested', ...nested, blob: '' };
    const fill = MAX_ITEM_BYTES - itemSizeBytes(base);
    await d.doc.send(new PutCommand({ TableName: d.table, Item: { ...base, blob: 'x'.repeat(fill) } }));
    await expect(d.doc.send(new PutCommand({ TableName: d.table, Item: { ...base, sk: 'nesteD', blob: 'x'.repeat(fill + 1) } }))).rejects.toThrow(/size/i);
  });
});
