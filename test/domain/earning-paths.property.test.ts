/** The engine's two ways of computing base points must agree: plain numbers (fast) and BigInt (any size). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { baseAddSmall, baseExact, type EarnLine } from '#domain/earning.ts';
import { ONE } from '#domain/rules.ts';

const factorArb = (n: number) =>
  fc.oneof(
    fc.integer({ min: 0, max: 100 * ONE }),
    fc.array(fc.constantFrom(0, ONE / 2, ONE, 12_500, 2 * ONE, 3 * ONE), { minLength: n, maxLength: n }),
  );

describe('Property: base points by numbers and by BigInt', () => {
  it('should give the same points per line and tell the same parts per source', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.record({ basis: fc.integer({ min: 0, max: 2_000_000 }), eligible: fc.boolean() }), { minLength: 1, maxLength: 8 })
          .chain((raw) => fc.tuple(fc.constant(raw), fc.array(factorArb(raw.length), { maxLength: 4 }))),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.constantFrom('receipt' as const, 'line' as const),
        ([raw, fs], pts, per, rounding) => {
          const lines: EarnLine[] = raw.map((r) => ({ sku: 'S', category: 'c', quantityMilli: 1000, ...r }));
          const factors = fs.map((f, k) => ({ f, source: k + 1 }));
          const zeroedBy = lines.map((_, i) => factors.find((f) => typeof f.f !== 'number' && f.f[i] === 0)?.source ?? -1);
          const record = () => {
            const parts: string[] = [];
            return { parts, give: (line: number, source: number, points: number) => points !== 0 && parts.push(`${line}:${source}:${points}`) };
          };
          const a = record();
          const b = record();
          const small = baseAddSmall(lines, factors, zeroedBy, pts, per, rounding, 0, a.give);
          const exact = baseExact(lines, factors, zeroedBy, pts, BigInt(per) * BigInt(ONE), false, rounding, 0, b.give);
          expect(small).toEqual(exact);
          expect(a.parts.sort()).toEqual(b.parts.sort());
        },
      ),
      { numRuns: 500 },
    );
  });
});
