/**
 * Integration harness: a fresh tenant per test file on the suite's DynamoDB Local, and calls that
 * go through the real Lambda handlers with API Gateway v2 events.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { deps } from '#lib/app/deps.ts';
import { provisionTenant } from '#lib/app/tenants.ts';
import { handlers } from '../../local/handlers.ts';
import { invoke, type InvokeResult } from '../support/http.ts';
import { assertMatchesOpenApi } from '../support/openapi.ts';

export { handlers };

export const scenarioProgram = {
  name: 'Integration',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: { base: { points: 1, per: 100 } },
  exclusions: { categories: ['rx'], skus: [] },
  redemption: { pointValue: 100, maxShareBps: 5000, excludedCategories: ['rx'] },
  expiry: { afterMonths: 12 },
  tiers: {
    levels: [
      { id: 'standard', name: 'Standard', threshold: 0, discountBps: 0 },
      { id: 'silver', name: '1 %', threshold: 50_000, discountBps: 100 },
      { id: 'gold', name: '2 %', threshold: 80_000, discountBps: 200 },
    ],
    staffLevels: [{ id: 'vip', name: 'VIP', discountBps: 500 }],
  },
  coupons: [
    { id: 'welcome', code: 'WELCOME', name: 'Welcome 10 %', reward: { type: 'percent', bps: 1_000 } },
    { id: 'bonus', code: 'BONUS', name: '+500 points', reward: { type: 'points', points: 500 }, perCustomerLimit: 2 },
  ],
};

export interface TestTenant {
  tenantId: string;
  pos: (method: string, path: string, body?: unknown) => Promise<InvokeResult>;
  staff: (method: string, path: string, body?: unknown) => Promise<InvokeResult>;
  /** The same calls with the key of store S-02. */
  pos2: (method: string, path: string, body?: unknown) => Promise<InvokeResult>;
  posKey: string;
  staffKey: string;
  /** Every item this tenant owns, for "nothing was written" checks (a test-only Scan). */
  items: () => Promise<Array<Record<string, unknown>>>;
}

/**
 * Tests post receipts with fixed dates (a Monday, a March birthday), so their programs accept
 * receipts of any age unless a test says otherwise; the default bound has its own test.
 */
const anyAge = (program: unknown) =>
  program && typeof program === 'object' && !('receipts' in program) ? { ...program, receipts: { maxAgeDays: 3650, crossStoreReturns: true } } : program;

export async function newTenant(program: unknown = scenarioProgram): Promise<TestTenant> {
  const tenantId = `t${randomUUID().slice(0, 8)}`;
  const p = await provisionTenant(deps(), {
    tenantId,
    program: anyAge(program),
    stores: [{ storeId: 'S-01', name: 'Store 1' }, { storeId: 'S-02', name: 'Store 2' }],
    staff: [{ name: 'anna' }],
    // One key here stands for many tills (the load tests drive it hard); throttling has its own test.
    rateLimit: 1000,
  });
  const posKey = p.posKeys['S-01']!;
  const staffKey = p.staffKeys.anna!;
  // Every answer a test sees is also checked against the OpenAPI document.
  const call = (key: string) => async (method: string, path: string, body?: unknown) => {
    // Programs published by a test take receipts of any age too, unless the test says otherwise.
    if (method === 'POST' && path === '/v1/program' && body && typeof body === 'object' && 'document' in body) {
      body = { ...body, document: anyAge((body as { document: unknown }).document) };
    }
    const r = await invoke(handlers, { method, path, body, headers: { authorization: `Bearer ${key}` } });
    assertMatchesOpenApi(r.routeKey, r.status, r.body);
    return r;
  };
  return {
    tenantId,
    posKey,
    staffKey,
    pos: call(posKey),
    pos2: call(p.posKeys['S-02']!),
    staff: call(staffKey),
    items: async () => {
      const d = deps();
      const out: Array<Record<string, unknown>> = [];
      let start: Record<string, unknown> | undefined;
      do {
        const r = await d.db.doc.send(
          new ScanCommand({
            TableName: d.db.table,
            FilterExpression: 'begins_with(pk, :t) OR tenantId = :id',
            ExpressionAttributeValues: { ':t': `T#${tenantId}`, ':id': tenantId },
            ExclusiveStartKey: start,
          }),
        );
        out.push(...(r.Items ?? []));
        start = r.LastEvaluatedKey;
      } while (start);
      return out;
    },
  };
}

let seq = 0;
export const receiptId = (prefix = 'R') => `${prefix}-${Date.now().toString(36)}-${++seq}`;

export const receipt = (
  card: string,
  lines: Array<{ amount: number; category?: string; quantity?: number; sku?: string; attributes?: Record<string, string> }>,
  extra: Record<string, unknown> = {},
) => ({
  receiptId: receiptId(),
  occurredAt: '2026-11-20T12:00:00+04:00',
  currency: 'AMD',
  customer: { card },
  lines: lines.map((l, i) => ({
    lineId: String(i + 1),
    sku: l.sku ?? `SKU-${i + 1}`,
    category: l.category ?? 'general',
    quantity: l.quantity ?? 1,
    unitPrice: Math.round(l.amount / (l.quantity ?? 1)),
    amount: l.amount,
    ...(l.attributes ? { attributes: l.attributes } : {}),
  })),
  ...extra,
});
