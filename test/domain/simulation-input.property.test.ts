import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseReplayLine, passesHandCheck, replayEventBySchema, replayEventOf } from '#domain/simulation-input.ts';

/** Values that sit on or across every rule's edge: ids, codes, money, quantities, times, shapes. */
const edgy: unknown[] = [
  null, true, 0, -1, 1, 0.5, 0.0005, 1.0015, 1.001, 2.999, 1e6, 1e6 + 0.001, 1e9, 1e9 + 1, 1e12, 1e12 + 1, 2 ** 53, -0, 1e-7,
  '', 'A', 'ok-ID_1.2:3', 'bad id', 'a/b', 'x'.repeat(64), 'x'.repeat(65), 'é', 'a\nb', 'a\tb', '\u202Eevil', '\uD800', 'A\u0000',
  '2026-11-02T10:00:00+04:00', '2026-11-02T10:00:00Z', '2026-11-02T10:00:00.123456Z', '2026-11-02T10:00:00', '2026-11-02T10:00Z',
  '2026-11-02t10:00:00z', '2026-02-29T10:00:00Z', '2028-02-29T10:00:00Z', '2026-13-01T10:00:00Z', '2026-11-02T24:00:00Z', '2026-11-02T10:00:00+24:00',
  'receipt', 'return', [], [1], {}, { points: 5 }, { points: -1 }, { points: 5, extra: 1 }, ['SPRING-1'], ['a', 'b', 'c', 'd', 'e', 'f'], ['x'.repeat(65)], [7],
];
const value = fc.constantFrom(...edgy);

const receiptLine = fc.record({
  lineId: fc.constantFrom('1', '2', 'L-3'),
  sku: fc.constantFrom('VIT-C', 'SKU 1', 'Ա-1'),
  category: fc.constantFrom('otc', 'rx', 'vitamins'),
  quantity: fc.constantFrom(1, 2, 0.25, 1.5, 0.001),
  unitPrice: fc.integer({ min: 0, max: 100_000 }),
  amount: fc.integer({ min: 0, max: 300_000 }),
});
const receipt = fc.record(
  {
    type: fc.constant('receipt'),
    customerId: fc.constantFrom('c-1', 'C:2'),
    storeId: fc.constant('S-01'),
    receiptId: fc.constantFrom('R-1', 'R.2'),
    occurredAt: fc.constantFrom('2026-11-02T10:00:00+04:00', '2026-11-30T23:59:59.5Z'),
    committedAt: fc.constant('2026-11-02T10:05:00+04:00'),
    currency: fc.constant('AMD'),
    lines: fc.array(receiptLine, { minLength: 1, maxLength: 4 }),
    burn: fc.record({ points: fc.integer({ min: 0, max: 5000 }) }),
    coupons: fc.array(fc.constantFrom('spring-7kq2', ' X-1 '), { maxLength: 5 }),
  },
  { requiredKeys: ['customerId', 'storeId', 'receiptId', 'occurredAt', 'lines'] },
);
const ret = fc.record(
  {
    type: fc.constant('return'),
    customerId: fc.constant('c-1'),
    storeId: fc.constant('S-02'),
    returnId: fc.constant('RET-1'),
    receiptId: fc.constant('R-1'),
    receiptStoreId: fc.constant('S-01'),
    at: fc.constant('2026-11-03T10:00:00+04:00'),
    lines: fc.array(fc.record({ lineId: fc.constantFrom('1', '2'), quantity: fc.constantFrom(1, 0.5) }), { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: ['type', 'customerId', 'storeId', 'returnId', 'receiptId', 'at', 'lines'] },
);

type Obj = Record<string, unknown>;
/** One change somewhere in the line: a field set to an edge value, removed or added, at the top, in a line, in the burn. */
const mutation = fc.record({ where: fc.constantFrom('top', 'line', 'burn'), key: fc.constantFrom('type', 'customerId', 'storeId', 'receiptId', 'returnId', 'receiptStoreId', 'occurredAt', 'committedAt', 'at', 'currency', 'lines', 'burn', 'coupons', 'lineId', 'sku', 'category', 'quantity', 'unitPrice', 'amount', 'points', 'other', '__proto__'), op: fc.constantFrom('set', 'delete'), value, pick: fc.nat() });

function mutate(line: Obj, m: { where: string; key: string; op: string; value: unknown; pick: number }): Obj {
  const copy = structuredClone(line);
  const lines = copy.lines as Obj[] | undefined;
  const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null;
  const picked = Array.isArray(lines) && lines.length ? lines[m.pick % lines.length] : undefined;
  const target = m.where === 'line' && isObj(picked) ? picked : m.where === 'burn' && isObj(copy.burn) ? copy.burn : copy;
  if (m.op === 'delete') delete target[m.key];
  else Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  return copy;
}

describe('a receipts file line checked by hand, the schemas only for the message', () => {
  it('accepts exactly the lines the schemas accept, into the same events, and refuses the rest with their message', () => {
    let handChecked = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.oneof(receipt, ret), fc.array(mutation, { maxLength: 3 }), fc.boolean(), (base, mutations, viaJson) => {
        let line: Obj = base;
        for (const m of mutations) line = mutate(line, m);
        // As read from a file (JSON.parse makes "__proto__" an own key), or as handed over in memory.
        const raw: unknown = viaJson ? JSON.parse(JSON.stringify(line)) : line;
        const bySchema = replayEventBySchema(raw);
        if (passesHandCheck(raw)) {
          handChecked++;
          expect(bySchema.ok).toBe(true);
        }
        if (!bySchema.ok) refused++;
        expect(replayEventOf(raw)).toEqual(bySchema);
      }),
      { numRuns: 4000 },
    );
    // Both sides of the check were exercised.
    expect(handChecked).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });

  it('vouches for every well-formed line, so a file of good lines never reaches zod', () => {
    fc.assert(
      fc.property(fc.oneof(receipt, ret), (line) => {
        expect(passesHandCheck(JSON.parse(JSON.stringify(line)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('names the field of a bad line as before', () => {
    const good = { customerId: 'c-1', storeId: 'S-01', receiptId: 'R-1', occurredAt: '2026-11-02T10:00:00+04:00', lines: [{ lineId: '1', sku: 'A', category: 'otc', quantity: 1, unitPrice: 100, amount: 100 }] };
    expect(parseReplayLine(JSON.stringify({ ...good, lines: [{ ...good.lines[0], quantity: 0.0005 }] }))).toEqual({ ok: false, field: 'lines.0.quantity', message: 'may have at most 3 decimals' });
    expect(parseReplayLine(JSON.stringify({ ...good, occurredAt: '2026-11-02' }))).toMatchObject({ ok: false, field: 'occurredAt' });
    expect(parseReplayLine(JSON.stringify({ ...good, extra: 1 }))).toMatchObject({ ok: false, field: '' });
    expect(parseReplayLine('[1]')).toMatchObject({ ok: false });
    expect(parseReplayLine('{')).toEqual({ ok: false, field: '', message: 'is not a JSON object' });
  });
});
