/**
 * The functions' request line at the level AWS runs them (INFO): a request that went well leaves
 * it to API Gateway's access log, which names the caller (infra/stacks/api-stack.ts); a refused
 * one is logged by the function too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '#lib/observability/logger.ts';
import { newTenant, receipt } from '../integration/harness.ts';

describe('request lines', () => {
  const captured: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  beforeAll(() => {
    logger.setLogLevel('INFO');
    process.stdout.write = ((chunk: string | Uint8Array) => (captured.push(String(chunk)), true)) as typeof process.stdout.write;
  });
  afterAll(() => {
    process.stdout.write = write;
    logger.setLogLevel('ERROR');
  });

  it('should leave a committed receipt to the access log and log a refused one', async () => {
    const t = await newTenant();
    const c = (await t.pos('POST', '/v1/customers', { name: 'Lines' })).body;
    captured.length = 0;
    expect((await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 1_000 }]))).status).toBe(200);
    const refused = await t.pos('POST', '/v1/receipts', { ...receipt(c.card, [{ amount: 1_000 }]), currency: 'XXX' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const requests = captured.flatMap((l) => l.split('\n')).filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'request');
    expect(requests).toEqual([expect.objectContaining({ routeKey: 'POST /v1/receipts', status: refused.status, tenantId: t.tenantId })]);
  });
});
