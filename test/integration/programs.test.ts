import { beforeAll, describe, expect, it } from 'vitest';
import { scenario5Lines, scenario5Program } from '../domain/fixtures-scenarios.ts';
import { newTenant, receiptId, type TestTenant } from './harness.ts';

describe('Program documents through the staff API', () => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await newTenant();
  });

  it('should list every problem of a draft with its JSON path, and publish nothing', async () => {
    const bad = { ...scenario5Program, currency: 'XXQ', earning: { ...scenario5Program.earning, rules: [{ id: 'x', name: 'x', type: 'multiplier', multiplier: -1 }] } };
    const v = await t.staff('POST', '/v1/program/validate', { document: bad });
    expect(v.status).toBe(200);
    expect(v.body.valid).toBe(false);
    expect(v.body.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['currency', 'earning.rules.0.multiplier']));
    const p = await t.staff('POST', '/v1/program', { document: bad });
    expect(p.status).toBe(400);
    expect(p.body.error.field).toMatch(/^document\./);
    expect((await t.staff('GET', '/v1/program')).body.version).toBe(1);
  });

  it('should publish versions, refuse a stale basedOnVersion, and list versions newest first', async () => {
    const a = await t.staff('POST', '/v1/program', { document: scenario5Program, basedOnVersion: 1 });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ version: 2, publishedBy: 'staff:anna' });
    const stale = await t.staff('POST', '/v1/program', { document: scenario5Program, basedOnVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.field).toBe('basedOnVersion');
    const list = await t.staff('GET', '/v1/program/versions');
    expect(list.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const v1 = await t.staff('GET', '/v1/program/versions/1');
    expect(v1.body.document.name).toBe('Integration');
    expect((await t.pos('POST', '/v1/program', { document: scenario5Program })).status).toBe(403);
    const schema = await t.pos('GET', '/v1/program/schema');
    expect(schema.body.properties.earning).toBeDefined();
  });
});

describe('Scenario 5 as configuration alone, through the HTTP API', () => {
  let t: TestTenant;
  let card: string;

  beforeAll(async () => {
    t = await newTenant();
    const r = await t.staff('POST', '/v1/program', { document: scenario5Program });
    expect(r.status).toBe(201);
  });

  it('should grant +100 for registration', async () => {
    const c = await t.pos('POST', '/v1/customers', { name: 'Scenario five' });
    card = c.body.card;
    expect(c.body.points.available).toBe(100);
  });

  it('should earn 1170 on the Saturday receipt (the customer’s 2nd), and take back 207 for SHAMPOO', async () => {
    const first = await t.pos('POST', '/v1/receipts', {
      receiptId: receiptId(),
      occurredAt: '2026-11-20T18:00:00+04:00',
      currency: 'AMD',
      customer: { card },
      lines: [{ lineId: '1', sku: 'WATER', category: 'food', quantity: 1, unitPrice: 300, amount: 300 }],
    });
    expect(first.body.totals.pointsEarned).toBe(3);

    const body = { receiptId: receiptId(), occurredAt: '2026-11-21T12:00:00+04:00', currency: 'AMD', customer: { card }, lines: scenario5Lines };
    const quote = await t.pos('POST', '/v1/receipts/quote', body);
    expect(quote.body.lines.map((l: { pointsEarned: number }) => l.pointsEarned)).toEqual([911, 207, 0, 52]);
    const c = await t.pos('POST', '/v1/receipts', body);
    expect(c.body.totals.pointsEarned).toBe(1170);
    expect(c.body.programVersion).toBe(2);
    expect(c.body.balance).toEqual({ before: 103, after: 1273 });

    const ret = await t.pos('POST', '/v1/returns', { returnId: receiptId('RET'), receiptId: body.receiptId, lines: [{ lineId: '2', quantity: 1 }] });
    expect(ret.body.totals.pointsReversed).toBe(207);
    expect(ret.body.balance.after).toBe(1066);
  });
});
