import { readdirSync, readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { fakeLambdaContext } from '../../local/api-event.ts';
import { deps } from '#lib/app/deps.ts';
import { runImport } from '#lib/app/imports.ts';
import { routeSpec } from '#lib/http/routes.ts';
import { assertMatchesOpenApi } from '../support/openapi.ts';
import { handlers, newTenant, type TestTenant } from './harness.ts';

const dir = new URL('../../events/http/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('Sample events in events/http', () => {
  let t: TestTenant;
  let card: string;
  let customerId: string;
  const importId = 'imp_sample';
  const simulationId = 'sim_sample';

  beforeAll(async () => {
    t = await newTenant();
    const c = (await t.pos('POST', '/v1/customers', { name: 'Sample' })).body;
    card = c.card;
    customerId = c.customerId;
    const csv = 'card,name\n80000001,Migrated\n';
    await runImport(deps(), { tenantId: t.tenantId, importId, format: 'csv', source: 'sample.csv', bytesTotal: csv.length, open: () => Readable.from([csv]), writeReport: async () => 'none', actor: 'test' });
    // A simulation as POST /v1/simulations stores it (the sample reads it back).
    const at = new Date().toISOString();
    const { simulationRepository } = await import('#lib/storage/simulations.ts');
    await simulationRepository(deps().db).create(
      { tenantId: t.tenantId, simulationId, status: 'queued', draftHash: 'h', currentVersion: 1, from: at, to: at, topN: 20, shards: 16, shardsDone: 0, receipts: 0, returns: 0, unreplayable: 0, readUnits: 0, createdAt: at, createdBy: 'staff:anna', updatedAt: at },
      {},
      deps().audit.item({ tenantId: t.tenantId, actor: 'staff:anna', keyId: 'k', role: 'admin' }, { at, action: 'simulation.start', target: `simulation:${simulationId}` }),
    );
  });

  it('should have one sample for every function', () => {
    const groups = new Set(files.map((f) => f.split('.')[0]));
    expect([...groups].sort()).toEqual(Object.keys(handlers).sort());
  });

  for (const file of files) {
    it(`should run ${file} through its handler with a 2xx answer that matches openapi.json`, async () => {
      const text = readFileSync(new URL(file, dir), 'utf8')
        .replaceAll('${POS_KEY}', t.posKey)
        .replaceAll('${STAFF_KEY}', t.staffKey)
        .replaceAll('${CARD}', card)
        .replaceAll('${CUSTOMER}', customerId)
        .replaceAll('${TENANT}', t.tenantId)
        .replaceAll('${IMPORT}', importId)
        .replaceAll('${SIMULATION}', simulationId);
      const event = JSON.parse(text) as APIGatewayProxyEventV2;
      expect(routeSpec(event.routeKey)).toBeDefined();
      const group = file.split('.')[0] as keyof typeof handlers;
      const result = (await handlers[group](event, fakeLambdaContext(group))) as APIGatewayProxyStructuredResultV2;
      expect(result.statusCode).toBeGreaterThanOrEqual(200);
      expect(result.statusCode).toBeLessThan(300);
      assertMatchesOpenApi(event.routeKey, result.statusCode!, JSON.parse(result.body!));
    });
  }
});

describe('Sample event for the authorizer', () => {
  it('should resolve a real key from events/authorizer.request.json into the context routes read', async () => {
    const t = await newTenant();
    const { handler } = await import('../../functions/http/authorizer.ts');
    const text = readFileSync(new URL('../../events/authorizer.request.json', import.meta.url), 'utf8').replaceAll('${POS_KEY}', t.posKey);
    const event = JSON.parse(text);
    expect(await handler(event)).toMatchObject({ isAuthorized: true, context: { tenantId: t.tenantId, storeId: 'S-01', role: 'pos', actor: 'pos:S-01' } });
    expect(await handler({ ...event, headers: { ...event.headers, authorization: 'Bearer nope' }, identitySource: ['Bearer nope'] })).toEqual({
      isAuthorized: true,
      context: { error: 'invalid' },
    });
  });
});
