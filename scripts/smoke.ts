/**
 * `npm run smoke -- --url URL --key ADMIN_KEY`: one customer's life against any deployment, over
 * HTTP(S) with nothing but the public API — enrol → identify → quote → commit → replay → return →
 * ledger → erase — each step checked and timed. It makes what it needs and removes it again: a
 * temporary store and a POS key for it (the key is revoked and the store deactivated at the end,
 * whatever happened), and the customer is erased. What stays is what the books must keep: the
 * receipt, the return and the ledger's amounts under the customer's random id.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

export interface SmokeStep {
  readonly name: string;
  readonly ms: number;
  readonly ok: boolean;
  readonly detail: string;
}

export interface SmokeResult {
  readonly ok: boolean;
  readonly steps: SmokeStep[];
}

class StepFailed extends Error {}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field below
  body: any;
}

/** Each request may take this long; a deployment slower than that has failed the smoke test. */
const REQUEST_TIMEOUT_MS = 10_000;

export async function runSmoke(opts: { url: string; key: string; log?: (line: string) => void }): Promise<SmokeResult> {
  const base = opts.url.replace(/\/+$/, '');
  const log = opts.log ?? (() => undefined);
  const steps: SmokeStep[] = [];
  const run = `${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;

  const call = async (key: string, method: string, path: string, body?: unknown): Promise<Answer> => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await r.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: r.status, headers: r.headers, text, body: parsed };
  };
  const expectStatus = (a: Answer, status: number, what: string) => {
    if (a.status !== status) throw new StepFailed(`${what}: expected ${status}, got ${a.status} ${a.text.slice(0, 300)}`);
  };
  const check = (cond: boolean, message: string) => {
    if (!cond) throw new StepFailed(message);
  };
  const step = async (name: string, fn: () => Promise<string>): Promise<void> => {
    const started = performance.now();
    try {
      const detail = await fn();
      const s = { name, ms: Math.round(performance.now() - started), ok: true, detail };
      steps.push(s);
      log(`  ✓ ${name.padEnd(9)} ${String(s.ms).padStart(5)} ms  ${detail}`);
    } catch (e) {
      const s = { name, ms: Math.round(performance.now() - started), ok: false, detail: e instanceof StepFailed ? e.message : `${(e as Error).name}: ${(e as Error).message}` };
      steps.push(s);
      log(`  ✗ ${name.padEnd(9)} ${String(s.ms).padStart(5)} ms  ${s.detail}`);
      throw e;
    }
  };

  const storeId = `SMOKE-${run}`;
  let posKey: { key: string; keyId: string } | undefined;
  let storeMade = false;
  let customerId: string | undefined;
  let erased = false;
  log(`smoke test against ${base}`);
  try {
    let currency = '';
    await step('setup', async () => {
      const program = await call(opts.key, 'GET', '/v1/program');
      expectStatus(program, 200, 'GET /v1/program (the key must be an admin key of a tenant with a program)');
      currency = program.body.document.currency;
      const store = await call(opts.key, 'POST', '/v1/stores', { storeId, name: `Smoke test ${run} (temporary)`, tags: { purpose: 'smoke-test' } });
      expectStatus(store, 201, 'POST /v1/stores');
      storeMade = true;
      const key = await call(opts.key, 'POST', '/v1/keys', { role: 'pos', storeId, name: `smoke till ${run}` });
      expectStatus(key, 201, 'POST /v1/keys');
      posKey = { key: key.body.key, keyId: key.body.keyId };
      return `store ${storeId}, POS key ${posKey.keyId}, program v${program.body.version} in ${currency}`;
    });
    const pos = posKey!.key;

    let card = '';
    await step('enrol', async () => {
      const r = await call(pos, 'POST', '/v1/customers', { enrolmentId: `smoke-${run}`, name: 'Smoke Test' });
      expectStatus(r, 201, 'POST /v1/customers');
      customerId = r.body.customerId;
      card = r.body.card;
      return `${customerId}, card ${card}`;
    });
    await step('identify', async () => {
      const r = await call(pos, 'POST', '/v1/identify', { customer: { card } });
      expectStatus(r, 200, 'POST /v1/identify');
      check(r.body.customerId === customerId, `identify found ${r.body.customerId}, not ${customerId}`);
      return `balance ${r.body.points.available}`;
    });
    const receipt = {
      receiptId: `SMOKE-R-${run}`,
      occurredAt: new Date().toISOString(),
      currency,
      customer: { card },
      lines: [
        { lineId: '1', sku: 'SMOKE-A', category: 'smoke-test', quantity: 2, unitPrice: 15_000, amount: 30_000 },
        { lineId: '2', sku: 'SMOKE-B', category: 'smoke-test', quantity: 1, unitPrice: 20_000, amount: 20_000 },
      ],
    };
    let quoted = 0;
    await step('quote', async () => {
      const r = await call(pos, 'POST', '/v1/receipts/quote', receipt);
      expectStatus(r, 200, 'POST /v1/receipts/quote');
      quoted = r.body.earn.points;
      return `${quoted} points to earn on ${r.body.totals.paid} paid`;
    });
    let committed: Answer | undefined;
    await step('commit', async () => {
      const r = await call(pos, 'POST', '/v1/receipts', receipt);
      expectStatus(r, 200, 'POST /v1/receipts');
      check(r.body.earn.points === quoted, `commit earned ${r.body.earn.points} points, the quote said ${quoted}`);
      check(r.body.balance.after - r.body.balance.before === r.body.totals.pointsEarned - r.body.totals.pointsBurned, 'the balance moved by something else than earned − burned');
      committed = r;
      return `earned ${r.body.earn.points}, balance ${r.body.balance.before} → ${r.body.balance.after}`;
    });
    await step('replay', async () => {
      const r = await call(pos, 'POST', '/v1/receipts', receipt);
      expectStatus(r, 200, 'POST /v1/receipts again');
      check(r.headers.get('idempotent-replayed') === 'true', 'the retry was not marked idempotent-replayed: true');
      check(r.text === committed!.text, 'the retry did not get the first answer byte for byte');
      return 'same answer byte for byte, idempotent-replayed: true';
    });
    let afterReturn = 0;
    await step('return', async () => {
      const r = await call(pos, 'POST', '/v1/returns', { returnId: `SMOKE-RET-${run}`, receiptId: receipt.receiptId, lines: [{ lineId: '1', quantity: 1 }] });
      expectStatus(r, 200, 'POST /v1/returns');
      check(r.body.balance.after === r.body.balance.before - r.body.totals.pointsReversed + r.body.totals.pointsRefunded, 'the return moved the balance by something else than reversed − refunded');
      afterReturn = r.body.balance.after;
      return `reversed ${r.body.totals.pointsReversed}, refund ${r.body.totals.refund}, balance ${r.body.balance.after}`;
    });
    await step('ledger', async () => {
      const r = await call(opts.key, 'GET', `/v1/customers/${customerId}/ledger?limit=50`);
      expectStatus(r, 200, 'GET /v1/customers/{id}/ledger');
      check(r.body.balance === afterReturn, `the ledger says ${r.body.balance}, the return said ${afterReturn}`);
      const sum = (r.body.entries as Array<{ points: number }>).reduce((s, e) => s + e.points, 0);
      check(sum === r.body.balance, `the ledger's entries add up to ${sum}, not the balance ${r.body.balance}`);
      return `${r.body.entries.length} entries add up to the balance ${r.body.balance}`;
    });
    await step('erase', async () => {
      const r = await call(opts.key, 'POST', `/v1/customers/${customerId}/erase`, { reason: `smoke test ${run}` });
      expectStatus(r, 200, 'POST /v1/customers/{id}/erase');
      erased = true;
      const gone = await call(pos, 'POST', '/v1/identify', { customer: { card } });
      expectStatus(gone, 404, 'identify after erasure');
      return 'personal data removed, card freed';
    });
  } catch (e) {
    if (!(e instanceof StepFailed) && !steps.some((s) => !s.ok)) log(`  ✗ ${(e as Error).message}`);
  } finally {
    // Whatever happened: no customer, no working key, no active store left behind.
    await step('cleanup', async () => {
      const done: string[] = [];
      if (customerId && !erased) {
        expectStatus(await call(opts.key, 'POST', `/v1/customers/${customerId}/erase`, { reason: `smoke test ${run} (cleanup)` }), 200, 'erase');
        done.push('customer erased');
      }
      if (posKey) {
        expectStatus(await call(opts.key, 'DELETE', `/v1/keys/${posKey.keyId}`), 200, 'DELETE /v1/keys/{id}');
        done.push(`key ${posKey.keyId} revoked`);
      }
      if (storeMade) {
        expectStatus(await call(opts.key, 'PATCH', `/v1/stores/${storeId}`, { active: false }), 200, 'PATCH /v1/stores/{id}');
        done.push(`store ${storeId} deactivated`);
      }
      return done.join(', ') || 'nothing to clean up';
    }).catch(() => undefined);
  }
  const ok = steps.length > 0 && steps.every((s) => s.ok) && steps.some((s) => s.name === 'erase');
  log(ok ? `all ${steps.length} steps passed in ${steps.reduce((s, x) => s + x.ms, 0)} ms` : 'smoke test FAILED');
  return { ok, steps };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { url: { type: 'string' }, key: { type: 'string' } } });
  const key = values.key ?? process.env.TALLY_ADMIN_KEY;
  if (!values.url || !key) {
    console.error('usage: npm run smoke -- --url https://… --key ADMIN_KEY   (or the key in TALLY_ADMIN_KEY)');
    process.exit(2);
  }
  const result = await runSmoke({ url: values.url, key, log: console.log });
  process.exitCode = result.ok ? 0 : 1;
}
