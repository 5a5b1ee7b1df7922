/**
 * Integer allocation by largest remainder: split `total` across `weights` in proportion, so the
 * parts are integers that add up to `total` exactly. Used for points and money alike, so a return
 * of any subset of lines reverses exactly what those lines were given.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  assertInt(total, 'total');
  const sum = weights.reduce((s, w) => {
    assertInt(w, 'weight');
    if (w < 0) throw new RangeError('weights must be non-negative');
    return s + w;
  }, 0);
  if (weights.length === 0 || total === 0) return weights.map(() => 0);
  if (sum === 0) throw new RangeError('cannot allocate a non-zero total over zero weights');
  const maxWeight = Math.max(...weights);
  if (Math.abs(total) * maxWeight <= Number.MAX_SAFE_INTEGER) return allocateSmall(total, weights, sum);

  const sign = total < 0 ? -1n : 1n;
  const t = BigInt(Math.abs(total));
  const s = BigInt(sum);
  const parts: bigint[] = [];
  const remainders: Array<{ index: number; rem: bigint }> = [];
  let given = 0n;
  weights.forEach((w, index) => {
    const exact = t * BigInt(w);
    const part = exact / s;
    parts.push(part);
    remainders.push({ index, rem: exact % s });
    given += part;
  });
  // Ties go to the earlier line so the result is deterministic for a given line order.
  remainders.sort((a, b) => (a.rem === b.rem ? a.index - b.index : a.rem > b.rem ? -1 : 1));
  for (let i = 0; given < t; i++, given++) {
    const r = remainders[i]!;
    parts[r.index] = parts[r.index]! + 1n;
  }
  return parts.map((p) => Number(p * sign));
}

/** The same algorithm in plain numbers, when every product fits in 2^53 exactly (the usual case). */
function allocateSmall(total: number, weights: readonly number[], sumW: number): number[] {
  const t = Math.abs(total);
  const sign = total < 0 ? -1 : 1;
  const parts = new Array<number>(weights.length);
  const rems = new Array<number>(weights.length);
  let given = 0;
  for (let i = 0; i < weights.length; i++) {
    const exact = t * weights[i]!;
    let part = Math.floor(exact / sumW);
    let rem = exact - part * sumW;
    // The float quotient can round across an integer near 2^53; the exact remainder corrects it.
    if (rem < 0) {
      part -= 1;
      rem += sumW;
    } else if (rem >= sumW) {
      part += 1;
      rem -= sumW;
    }
    parts[i] = part;
    rems[i] = rem;
    given += part;
  }
  const left = t - given;
  if (left <= SELECT_AT_MOST) {
    // The few largest remainders picked in place (the usual case: fewer units left than lines), as the sort below would order them.
    for (let k = 0; k < left; k++) {
      let best = -1;
      for (let i = 0; i < rems.length; i++) if (rems[i]! >= 0 && (best < 0 || rems[i]! > rems[best]!)) best = i;
      parts[best]! += 1;
      rems[best] = -1;
    }
  } else {
    const order = Array.from(rems, (_, i) => i).sort((a, b) => rems[b]! - rems[a]! || a - b);
    for (let i = 0; given < t; i++, given++) parts[order[i]!]! += 1;
  }
  return sign < 0 ? parts.map((p) => -p) : parts;
}

/** Up to this many units left over, they are placed by picking (k passes over the lines) rather than by sorting the lines. */
const SELECT_AT_MOST = 8;

/** floor(a * b / c) for non-negative integers, exact beyond 2^53 intermediates. */
export function mulDivFloor(a: number, b: number, c: number): number {
  assertInt(a, 'a');
  assertInt(b, 'b');
  assertInt(c, 'c');
  if (c <= 0) throw new RangeError('divisor must be positive');
  const product = a * b;
  // Plain numbers while the product is exact (every price times a rate in practice); BigInt beyond.
  if (product >= 0 && product <= Number.MAX_SAFE_INTEGER) return floorDivSafe(product, c);
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** floor(a / b) for safe integers a ≥ 0 or < 0 and b > 0, corrected where the float quotient rounds across an integer. */
export function floorDivSafe(a: number, b: number): number {
  let q = Math.floor(a / b);
  const r = a - q * b;
  if (r < 0) q -= 1;
  else if (r >= b) q += 1;
  return q;
}

export const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

function assertInt(n: number, name: string): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${name} must be a safe integer, got ${n}`);
}

/** Largest remainder over BigInt weights, for weights that are products of several factors. */
export function allocateBig(total: number, weights: readonly bigint[]): number[] {
  if (total < 0 || !Number.isSafeInteger(total)) throw new RangeError('total must be a non-negative safe integer');
  const s = weights.reduce((a, w) => a + w, 0n);
  if (weights.length === 0 || total === 0) return weights.map(() => 0);
  if (s === 0n) throw new RangeError('cannot allocate a non-zero total over zero weights');
  const t = BigInt(total);
  const parts = weights.map((w) => (t * w) / s);
  const rems = weights.map((w, index) => ({ index, rem: (t * w) % s }));
  rems.sort((a, b) => (a.rem === b.rem ? a.index - b.index : a.rem > b.rem ? -1 : 1));
  let given = parts.reduce((a, p) => a + p, 0n);
  for (let i = 0; given < t; i++, given++) {
    const k = rems[i]!.index;
    parts[k] = parts[k]! + 1n;
  }
  return parts.map(Number);
}
