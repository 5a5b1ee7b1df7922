/** Small statistics and table helpers shared by the benchmarks. */
export const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};

export interface Timed {
  readonly label: string;
  readonly p50: number;
  readonly p99: number;
  readonly samples: number;
}

/**
 * Runs paths round-robin — one of each per iteration — so JIT warm-up and machine noise fall on
 * all of them alike instead of on whichever ran first.
 */
export async function timeInterleaved(
  paths: ReadonlyArray<{ label: string; run: (i: number) => Promise<void> }>,
  iterations: number,
  warmup = Math.min(100, iterations),
): Promise<Timed[]> {
  for (let w = 0; w < warmup; w++) for (const p of paths) await p.run(-1 - w);
  const samples = paths.map(() => [] as number[]);
  for (let i = 0; i < iterations; i++) {
    for (const [k, p] of paths.entries()) {
      const t0 = performance.now();
      await p.run(i);
      samples[k]!.push(performance.now() - t0);
    }
  }
  return paths.map((p, k) => ({ label: p.label, p50: percentile(samples[k]!, 50), p99: percentile(samples[k]!, 99), samples: iterations }));
}

export function latencyTable(rows: readonly Timed[], baseline: Timed): string {
  const out = ['| path | p50 ms | p99 ms | p50 ÷ baseline | p99 ÷ baseline |', '|---|---:|---:|---:|---:|'];
  for (const r of rows) {
    out.push(`| ${r.label} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(r.p50 / baseline.p50).toFixed(2)} | ${(r.p99 / baseline.p99).toFixed(2)} |`);
  }
  return out.join('\n');
}
