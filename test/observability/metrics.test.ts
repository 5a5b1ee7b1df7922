/**
 * The metrics an operator reads without querying logs (issue "Day one", Operate): a commit, a
 * replay and a refusal through the real handler leave CloudWatch embedded-metric lines with the
 * names the dashboard draws. Metrics are off in the other tests; this file turns them on before
 * anything that creates the Metrics instance is imported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

process.env.POWERTOOLS_METRICS_DISABLED = 'false';
const { newTenant, receipt } = await import('../integration/harness.ts');
const { METRICS_NAMESPACE, metricNames } = await import('#lib/observability/metric-names.ts');

interface Emf {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
  [key: string]: unknown;
}

const lines: string[] = [];
const write = process.stdout.write.bind(process.stdout);
beforeAll(() => {
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(String(chunk));
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
});
afterAll(() => {
  process.stdout.write = write;
});

/** Every EMF record printed so far, flattened to (name, value, dimensions). */
function emitted(): Array<{ name: string; value: number; dims: Record<string, unknown> }> {
  const out: Array<{ name: string; value: number; dims: Record<string, unknown> }> = [];
  for (const chunk of lines) {
    for (const line of chunk.split('\n')) {
      if (!line.includes('"_aws"')) continue;
      const emf = JSON.parse(line) as Emf;
      for (const d of emf._aws.CloudWatchMetrics) {
        expect(d.Namespace).toBe(METRICS_NAMESPACE);
        const dims = Object.fromEntries(d.Dimensions.flat().map((k) => [k, emf[k]]));
        for (const m of d.Metrics) out.push({ name: m.Name, value: Number(emf[m.Name]), dims });
      }
    }
  }
  return out;
}
const total = (name: string) => emitted().filter((m) => m.name === name).reduce((s, m) => s + m.value, 0);

describe('Metrics', () => {
  it('should count receipts committed, replayed and refused by code, and the points they earned and burned', async () => {
    const t = await newTenant();
    const c = (await t.pos('POST', '/v1/customers', { name: 'Counted' })).body;
    await t.staff('POST', `/v1/customers/${c.customerId}/adjustments`, { adjustmentId: 'seed', points: 30, reason: 'seed points' });
    const body = { ...receipt(c.card, [{ amount: 25_000 }]), burn: { points: 20 } };
    const first = await t.pos('POST', '/v1/receipts', body);
    expect(first.status).toBe(200);
    expect((await t.pos('POST', '/v1/receipts', body)).headers['idempotent-replayed']).toBe('true');
    const refused = await t.pos('POST', '/v1/receipts', { ...receipt(c.card, [{ amount: 100_000 }]), burn: { points: first.body.balance.after + 40 } });
    expect(refused.status).toBe(409);

    expect(total(metricNames.receiptsCommitted)).toBe(1);
    expect(total(metricNames.receiptsReplayed)).toBe(1);
    expect(total(metricNames.pointsEarned)).toBe(first.body.totals.pointsEarned);
    expect(total(metricNames.pointsBurned)).toBe(20);
    const refusals = emitted().filter((m) => m.name === metricNames.receiptsRefused);
    expect(refusals).toEqual([{ name: metricNames.receiptsRefused, value: 1, dims: expect.objectContaining({ code: 'insufficient_points', service: expect.any(String) }) }]);
  });
});
