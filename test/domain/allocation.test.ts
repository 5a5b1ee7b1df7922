import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocate, allocateBig } from '#domain/allocation.ts';

describe('Function: allocate', () => {
  it('should split 20 points over 300/200/0/50 as 11/7/0/2 (scenario 5)', () => {
    expect(allocate(20, [30_000, 20_000, 0, 5_000])).toEqual([11, 7, 0, 2]);
  });

  it('should always sum exactly, never go negative and stay within one of the exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000_000 }), { minLength: 1, maxLength: 60 }).filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = allocate(total, weights);
          const sumW = weights.reduce((a, b) => a + b, 0);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          parts.forEach((p, i) => {
            expect(p).toBeGreaterThanOrEqual(0);
            const exact = (total * weights[i]!) / sumW;
            expect(Math.abs(p - exact)).toBeLessThan(1 + 1e-6);
            if (weights[i] === 0) expect(p).toBe(0);
          });
        },
      ),
    );
  });
});

describe('Function: allocate near 2^53', () => {
  it('should match the exact BigInt allocation wherever the products still fit in 2^53', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 20 }), fc.array(fc.integer({ min: 0, max: 2 ** 32 }), { minLength: 2, maxLength: 20 }), (total, weights) => {
        fc.pre(weights.some((w) => w > 0));
        const big = allocateBig(total, weights.map(BigInt));
        expect(allocate(total, weights)).toEqual(big);
      }),
      { numRuns: 500 },
    );
  });
});

describe('Function: allocate, the units left over', () => {
  it('should give them to the largest remainders, ties to the earlier line, whether few (picked) or many (sorted)', () => {
    expect(allocate(3, [1, 1, 1, 1, 1])).toEqual([1, 1, 1, 0, 0]);
    expect(allocate(2, [1, 2, 1, 2])).toEqual([0, 1, 0, 1]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }), (total, weights) => {
        fc.pre(weights.some((w) => w > 0));
        expect(allocate(total, weights)).toEqual(allocateBig(total, weights.map(BigInt)));
        expect(allocate(-total, weights)).toEqual(allocateBig(total, weights.map(BigInt)).map((p) => -p));
      }),
      { numRuns: 1000 },
    );
  });
});
