/**
 * POS paths — commit (5 and 50 lines, with and without a burn), identify, quote, return —
 * each timed interleaved with the raw DynamoDB calls it makes (same items, same DynamoDB Local,
 * same run), plus the calls, items and capacity units each one uses.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { benchReceipt, type BenchEnv } from './lib/env.ts';
import { latencyTable, timeInterleaved, type Timed } from './lib/stats.ts';

export interface PosBenchResult {
  markdown: string;
  /** Per 5-line commit without burn, for the cost model. */
  commit: { readUnits: number; writeUnits: number; p50: number; p99: number };
}

interface Usage {
  calls: Record<string, number>;
  items: number;
  readUnits: number;
  writeUnits: number;
}

const usageOf = async (env: BenchEnv, run: () => Promise<void>): Promise<Usage> => {
  env.meter.reset();
  await run();
  return { calls: { ...env.meter.calls }, items: env.meter.itemsWritten, readUnits: env.meter.readUnits, writeUnits: env.meter.writeUnits };
};

const fmtCalls = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${v} × ${k}`)
    .join(' + ');

/** The same items as a transaction the code wrote, on fresh keys and without conditions. */
function rawCopy(env: BenchEnv, items: unknown[], tag: string) {
  return items.map((raw) => {
    const put = (raw as { Put?: { Item: Record<string, unknown> } }).Put;
    if (!put) throw new Error('raw baseline expects Put items only');
    return { Put: { TableName: env.table, Item: { ...put.Item, pk: `RAW#${tag}#${String(put.Item.pk)}` } } };
  });
}

export async function runPosBench(env: BenchEnv, n: number): Promise<PosBenchResult> {
  const auth = { authorization: `Bearer ${env.posKey}` };
  const call = async (method: string, path: string, body: unknown) => {
    const r = await env.invoke(env.handlers, { method, path, body, headers: auth });
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${r.raw}`);
    return r;
  };
  const staffAuth = { authorization: `Bearer ${env.staffKey}` };
  for (const [i, id] of env.customerIds.entries()) {
    await env.invoke(env.handlers, { method: 'POST', path: `/v1/customers/${id}/adjustments`, body: { adjustmentId: `seed-${i}`, points: 1_000_000, reason: 'bench balance' }, headers: staffAuth });
  }
  const card = (i: number) => env.cards[Math.abs(i) % env.cards.length]!;
  const sections: string[] = [];
  const usageRows: string[] = ['| operation | DynamoDB calls | items written | read units | write units |', '|---|---|---:|---:|---:|'];
  let mainCommit: PosBenchResult['commit'] | undefined;

  for (const [lines, burn] of [[5, 0], [5, 10], [50, 0], [50, 10]] as const) {
    const label = `commit, ${lines} lines${burn ? `, burn ${burn}` : ''}`;
    const usage = await usageOf(env, async () => void (await call('POST', '/v1/receipts', benchReceipt(env, card(0), lines, burn))));
    const template = env.meter.lastTransaction!;
    usageRows.push(`| ${label} | ${fmtCalls(usage.calls)} | ${usage.items} | ${usage.readUnits} | ${usage.writeUnits} |`);
    let k = 0;
    const paths = [
      { label: `raw TransactWriteItems (same ${template.length} items)`, run: async () => void (await env.deps.db.doc.send(new TransactWriteCommand({ TransactItems: rawCopy(env, template, `${lines}-${burn}-${++k}`) as never }))) },
      {
        label: 'raw 2 × GetItem + TransactWriteItems',
        run: async () => {
          await env.deps.db.doc.send(new GetCommand({ TableName: env.table, Key: { pk: `T#x#ID#card#${card(0)}`, sk: 'ID' }, ConsistentRead: true }));
          await env.deps.db.doc.send(new GetCommand({ TableName: env.table, Key: { pk: `RAW#none`, sk: 'CUSTOMER' }, ConsistentRead: true }));
          await env.deps.db.doc.send(new TransactWriteCommand({ TransactItems: rawCopy(env, template, `g-${lines}-${burn}-${++k}`) as never }));
        },
      },
      { label: 'commit through the handler', run: async (i: number) => void (await call('POST', '/v1/receipts', benchReceipt(env, card(i), lines, burn))) },
    ];
    const rows = await timeInterleaved(paths, n);
    sections.push(`#### ${label}\n\n${latencyTable(rows, rows[0]!)}`);
    if (lines === 5 && burn === 0) mainCommit = { readUnits: usage.readUnits, writeUnits: usage.writeUnits, p50: rows[2]!.p50, p99: rows[2]!.p99 };
  }

  // Identify and quote: two reads each; return: two reads and one transaction.
  const rawReads = async (i: number) => {
    await env.deps.db.doc.send(new GetCommand({ TableName: env.table, Key: { pk: `RAW#id#${i}`, sk: 'ID' }, ConsistentRead: true }));
    await env.deps.db.doc.send(new GetCommand({ TableName: env.table, Key: { pk: `RAW#c#${i}`, sk: 'CUSTOMER' }, ConsistentRead: true }));
  };
  const identify = await usageOf(env, async () => void (await call('POST', '/v1/identify', { customer: { card: card(0) } })));
  usageRows.push(`| identify | ${fmtCalls(identify.calls)} | 0 | ${identify.readUnits} | 0 |`);
  const quote = await usageOf(env, async () => void (await call('POST', '/v1/receipts/quote', benchReceipt(env, card(0), 5))));
  usageRows.push(`| quote, 5 lines | ${fmtCalls(quote.calls)} | 0 | ${quote.readUnits} | 0 |`);
  const readRows = await timeInterleaved(
    [
      { label: 'raw 2 × GetItem', run: rawReads },
      { label: 'identify through the handler', run: async (i) => void (await call('POST', '/v1/identify', { customer: { card: card(i) } })) },
      { label: 'quote (5 lines) through the handler', run: async (i) => void (await call('POST', '/v1/receipts/quote', benchReceipt(env, card(i), 5))) },
    ],
    n,
  );
  sections.push(`#### identify and quote\n\n${latencyTable(readRows, readRows[0]!)}`);

  const toReturn: string[] = [];
  for (let i = 0; i < n + Math.min(100, n) + 1; i++) toReturn.push((await call('POST', '/v1/receipts', benchReceipt(env, card(i), 5, 0, 'RT'))).body.receiptId);
  let r = 0;
  const ret = await usageOf(env, async () => void (await call('POST', '/v1/returns', { returnId: `RET-${r}`, receiptId: toReturn[r++], lines: [{ lineId: '2', quantity: 1 }] })));
  const retTemplate = env.meter.lastTransaction!;
  usageRows.push(`| return, 1 line | ${fmtCalls(ret.calls)} | ${ret.items} | ${ret.readUnits} | ${ret.writeUnits} |`);
  let k = 0;
  const returnRows = await timeInterleaved(
    [
      {
        label: `raw 2 × GetItem + TransactWriteItems (same ${retTemplate.length} items)`,
        run: async (i) => {
          await rawReads(i);
          await env.deps.db.doc.send(new TransactWriteCommand({ TransactItems: rawCopy(env, retTemplate, `ret-${++k}`) as never }));
        },
      },
      { label: 'return through the handler', run: async () => void (await call('POST', '/v1/returns', { returnId: `RET-${r}`, receiptId: toReturn[r++], lines: [{ lineId: '2', quantity: 1 }] })) },
    ],
    n,
  );
  sections.push(`#### return\n\n${latencyTable(returnRows, returnRows[0]!)}`);

  return {
    markdown: [`### POS paths (${n} samples each, after warm-up; paths interleaved)`, usageRows.join('\n'), ...sections].join('\n\n'),
    commit: mainCommit!,
  };
}

export type { Timed };
