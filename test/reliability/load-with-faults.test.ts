/**
 * Load with faults: many receipts across many customers, a fifth of them posted twice at once,
 * partial returns and burns, while DynamoDB throttles, conflicts and times out after writing.
 * The tills retry what was not answered, as a real POS does. Afterwards nothing is counted twice
 * and every balance equals its ledger and its lots, and the stream yields every change's event once. `npm run test:reliability` runs it at full
 * scale (10,000 receipts, 1,000 customers); `npm test` runs a short version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import type { LedgerRow } from '#lib/storage/customers.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DomainEvent } from '#lib/events/catalog.ts';
import { eventsFromChange } from '#lib/events/outbox.ts';
import { changeFromStreamRecord } from '#lib/events/stream-record.ts';
import { startStreamReader } from '../../local/stream.ts';
import { newTenant, type TestTenant } from '../integration/harness.ts';
import { injectFaults, seeded, type FaultSwitch } from './faults.ts';

const full = process.env.RELIABILITY === 'full';
const RECEIPTS = full ? 10_000 : 600;
const CUSTOMERS = full ? 1_000 : 60;
const CONCURRENCY = 32;
const random = seeded(Number(process.env.RELIABILITY_SEED ?? 20261124));

describe('Reliability: load with faults', () => {
  let t: TestTenant;
  let faults: FaultSwitch;
  const cards: string[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    t = await newTenant();
    faults = injectFaults(deps().db.doc, random);
    await pool(CUSTOMERS, async (i) => {
      const c = await t.pos('POST', '/v1/customers', { name: `Load ${i}` });
      cards[i] = c.body.card;
      ids[i] = c.body.customerId;
      await t.staff('POST', `/v1/customers/${c.body.customerId}/adjustments`, { adjustmentId: `seed-${i}`, points: 300, reason: 'load seed' });
    });
  }, 600_000);

  afterAll(() => {
    faults.plan = null;
  });

  it('should count nothing twice and keep every balance equal to its ledger and lots', async () => {
    faults.plan = { throttleBefore: 0.03, conflictBefore: 0.03, timeoutAfter: 0.03 };
    const bodies = Array.from({ length: RECEIPTS }, (_, i) => {
      const lines = 1 + Math.floor(random() * 4);
      return {
        receiptId: `L-${i}`,
        occurredAt: '2026-11-20T12:00:00+04:00',
        currency: 'AMD',
        customer: { card: cards[Math.floor(random() * CUSTOMERS)]! },
        lines: Array.from({ length: lines }, (_, k) => ({
          lineId: String(k + 1),
          sku: `SKU-${k}`,
          category: k === 3 ? 'rx' : 'general',
          quantity: 1 + Math.floor(random() * 3),
          unitPrice: 1_000,
          amount: (1 + Math.floor(random() * 20)) * 1_000,
        })),
        ...(random() < 0.3 ? { burn: { points: 1 + Math.floor(random() * 5) } } : {}),
      };
    });
    const answers = new Map<string, { status: number; raw: string }[]>();
    const send = async (path: string, body: { receiptId?: string; returnId?: string; [k: string]: unknown }) => {
      // A till retries what got no answer or a 5xx, with the same body, until it gets one.
      for (let attempt = 0; attempt < 50; attempt++) {
        const r = await t.pos('POST', path, body);
        if (r.status < 500) return r;
        await new Promise((res) => setTimeout(res, 2 + random() * 20));
      }
      throw new Error(`no answer for ${body.receiptId ?? body.returnId}`);
    };
    const duplicated = new Set(bodies.filter(() => random() < 0.2).map((b) => b.receiptId));
    await pool(RECEIPTS, async (i) => {
      const b = bodies[i]!;
      const copies = duplicated.has(b.receiptId) ? 2 : 1;
      const rs = await Promise.all(Array.from({ length: copies }, () => send('/v1/receipts', b)));
      answers.set(b.receiptId, rs.map((r) => ({ status: r.status, raw: r.raw })));
    });

    const committed = bodies.filter((b) => answers.get(b.receiptId)![0]!.status === 200);
    const returns = committed.filter(() => random() < 0.1);
    const returnAnswers = new Map<string, number>();
    await pool(returns.length, async (i) => {
      const b = returns[i]!;
      const r = await send('/v1/returns', { returnId: `LR-${i}`, receiptId: b.receiptId, lines: [{ lineId: '1', quantity: 1 }] });
      returnAnswers.set(`LR-${i}`, r.status);
    });
    faults.plan = null;

    // Racing duplicates got the same answer, byte for byte.
    for (const [id, rs] of answers) {
      expect(new Set(rs.map((r) => r.raw)).size, id).toBe(1);
      // 409: the balance could not cover the burn; 422: the burn was more than this receipt allows.
      expect([200, 409, 422], id).toContain(rs[0]!.status);
    }
    expect(committed.length).toBeGreaterThan(RECEIPTS * 0.5);
    expect(Object.values(faults.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const d = deps();
    const byReceipt = new Map<string, LedgerRow[]>();
    const byReturn = new Map<string, LedgerRow[]>();
    for (const [i, id] of ids.entries()) {
      const c = (await d.customers.get(t.tenantId, id))!;
      const rows: LedgerRow[] = [];
      let after: string | undefined;
      do {
        const page = await d.customers.ledger(t.tenantId, id, 200, after);
        rows.push(...page.rows);
        after = page.nextSk;
      } while (after);
      const sum = rows.reduce((s, r) => s + r.points, 0);
      const lots = Object.values(c.account.lots).reduce((s, n) => s + n, 0);
      expect(sum, `ledger of customer ${i}`).toBe(c.account.available);
      expect(lots - c.account.debt, `lots of customer ${i}`).toBe(c.account.available);
      expect(c.account.available >= 0 || c.account.debt > 0).toBe(true);
      expect(new Set(rows.map((r) => r.seq)).size).toBe(rows.length);
      for (const r of rows) {
        if (r.source.returnId) byReturn.set(r.source.returnId, [...(byReturn.get(r.source.returnId) ?? []), r]);
        else if (r.source.receiptId) byReceipt.set(r.source.receiptId, [...(byReceipt.get(r.source.receiptId) ?? []), r]);
      }
    }
    for (const b of bodies) {
      const rows = byReceipt.get(b.receiptId) ?? [];
      const status = answers.get(b.receiptId)![0]!.status;
      const answer = JSON.parse(answers.get(b.receiptId)![0]!.raw);
      if (status === 200) {
        expect(rows.filter((r) => r.kind === 'earn').length, b.receiptId).toBe(answer.totals.pointsEarned > 0 ? 1 : 0);
        expect(rows.filter((r) => r.kind === 'burn').length, b.receiptId).toBe(answer.totals.pointsBurned > 0 ? 1 : 0);
        expect(rows.filter((r) => r.kind === 'earn').reduce((s, r) => s + r.points, 0)).toBe(answer.totals.pointsEarned);
      } else {
        expect(rows, `refused ${b.receiptId} left entries`).toEqual([]);
      }
    }
    for (const [returnId, status] of returnAnswers) {
      expect(status, returnId).toBe(200);
      expect((byReturn.get(returnId) ?? []).filter((r) => r.kind === 'earn_reversal').length).toBeLessThanOrEqual(1);
    }

    // Downstream: the table's stream, read twice (a redelivery), yields each change's event with
    // one id — one receipt.committed per committed receipt, one ledger event per ledger row.
    const passes: DomainEvent[][] = [];
    for (let pass = 0; pass < 2; pass++) {
      const events: DomainEvent[] = [];
      const reader = await startStreamReader({
        client: new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT!, region: 'us-east-1' }),
        endpoint: process.env.DYNAMODB_ENDPOINT!,
        table: process.env.TABLE_NAME!,
        handler: async (e) => {
          for (const r of e.Records) if (JSON.stringify(r.dynamodb?.Keys).includes(`T#${t.tenantId}#`)) events.push(...eventsFromChange(changeFromStreamRecord(r)));
        },
      });
      await reader.caughtUp(600_000);
      await reader.stop();
      passes.push(events);
    }
    const [first, again] = passes as [DomainEvent[], DomainEvent[]];
    expect(new Set(first.map((e) => e.id)).size, 'event ids are unique').toBe(first.length);
    expect(again.map((e) => e.id)).toEqual(first.map((e) => e.id));
    const receiptEvents = first.filter((e) => e.type === 'receipt.committed').map((e) => (e.data as { receiptId: string }).receiptId);
    expect(receiptEvents.sort()).toEqual(committed.map((b) => b.receiptId).sort());
    // A receipt's or a return's ledger entries publish nothing of their own: receipt.committed and
    // receipt.returned carry their points (one event per receipt, #14).
    const ledgerEvents = first.filter((e) => 'seq' in (e.data as object));
    expect([...byReceipt.values(), ...byReturn.values()].reduce((s, rows) => s + rows.length, 0)).toBeGreaterThan(0);
    expect(ledgerEvents.filter((e) => (e.data as { receiptId?: string; returnId?: string }).receiptId || (e.data as { returnId?: string }).returnId)).toEqual([]);
    expect(first.filter((e) => e.type === 'receipt.returned').length).toBe(returnAnswers.size);
    console.log(
      `reliability: ${RECEIPTS} receipts (${duplicated.size} posted twice), ${committed.length} committed, ${returns.length} returns; ${first.length} events, each once; faults injected ${JSON.stringify(faults.injected)}`,
    );
  }, 1_800_000);
});

async function pool(n: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, n) }, async () => {
      while (next < n) await work(next++);
    }),
  );
}
