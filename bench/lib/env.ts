/**
 * A benchmark environment: DynamoDB Local in memory, the table, a provisioned tenant, customers,
 * and a meter on the SDK client the handlers use (calls, transaction items, consumed capacity).
 */
import { startDynamoLocal, useLocalTable, type DynamoLocal } from '../../local/dynamo-local.ts';

export interface Meter {
  calls: Record<string, number>;
  itemsWritten: number;
  readUnits: number;
  writeUnits: number;
  /** The TransactItems of the last transaction, for raw baselines of the same items. */
  lastTransaction: unknown[] | undefined;
  reset(): void;
}

export interface BenchEnv {
  readonly ddb: DynamoLocal;
  readonly table: string;
  readonly tenantId: string;
  readonly deps: import('../../lib/app/deps.ts').Deps;
  readonly handlers: typeof import('../../local/handlers.ts').handlers;
  readonly invoke: typeof import('../../test/support/http.ts').invoke;
  readonly posKey: string;
  readonly staffKey: string;
  readonly cards: string[];
  readonly customerIds: string[];
  readonly currency: string;
  readonly meter: Meter;
  stop(): Promise<void>;
}

export async function startBenchEnv(opts: { customers: number; program?: unknown }): Promise<BenchEnv> {
  const ddb = await startDynamoLocal();
  const table = 'tally-bench';
  await useLocalTable(ddb, table, 'ERROR');
  const { deps } = await import('../../lib/app/deps.ts');
  const { provisionTenant } = await import('../../lib/app/tenants.ts');
  const { handlers } = await import('../../local/handlers.ts');
  const { invoke } = await import('../../test/support/http.ts');
  const program = opts.program ?? (await import('../../local/demo-program.json', { with: { type: 'json' } })).default;
  const d = deps();

  const meter: Meter = {
    calls: {},
    itemsWritten: 0,
    readUnits: 0,
    writeUnits: 0,
    lastTransaction: undefined,
    reset() {
      this.calls = {};
      this.itemsWritten = 0;
      this.readUnits = 0;
      this.writeUnits = 0;
    },
  };
  d.db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
      meter.calls[name] = (meter.calls[name] ?? 0) + 1;
      const input = args.input as { TransactItems?: unknown[]; ReturnConsumedCapacity?: string };
      if (input.TransactItems) {
        meter.itemsWritten += input.TransactItems.length;
        meter.lastTransaction = input.TransactItems;
      }
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const out = result.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> };
      const units = [out.ConsumedCapacity ?? []].flat().reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
      if (name === 'GetItem' || name === 'Query' || name === 'BatchGetItem') meter.readUnits += units;
      else meter.writeUnits += units;
      return result;
    },
    { step: 'initialize', name: 'benchMeter' },
  );

  const tenantId = `bench${Date.now().toString(36)}`;
  const t = await provisionTenant(d, { tenantId, program, stores: [{ storeId: 'S-01', name: 'Bench' }], staff: [{ name: 'bench' }], rateLimit: 1000 });
  const posKey = t.posKeys['S-01']!;
  const staffKey = t.staffKeys.bench!;
  const cards: string[] = [];
  const customerIds: string[] = [];
  for (let i = 0; i < opts.customers; i++) {
    const r = await invoke(handlers, { method: 'POST', path: '/v1/customers', body: { name: `Bench ${i}` }, headers: { authorization: `Bearer ${posKey}` } });
    cards.push(r.body.card);
    customerIds.push(r.body.customerId);
  }
  return {
    ddb,
    table,
    tenantId,
    deps: d,
    handlers,
    invoke,
    posKey,
    staffKey,
    cards,
    customerIds,
    currency: (program as { currency: string }).currency,
    meter,
    stop: () => ddb.stop(),
  };
}

let seq = 0;
/** A receipt of `n` lines for `card`, with unique ids. */
export function benchReceipt(env: BenchEnv, card: string, n: number, burn = 0, prefix = 'R') {
  return {
    receiptId: `${prefix}-${Date.now().toString(36)}-${++seq}`,
    occurredAt: new Date().toISOString(),
    currency: env.currency,
    customer: { card },
    lines: Array.from({ length: n }, (_, i) => ({
      lineId: String(i + 1),
      sku: i === 0 ? 'VITC-500' : `SKU-${i}`,
      category: i % 10 === 3 ? 'rx' : `cat-${i % 5}`,
      quantity: 1 + (i % 3),
      unitPrice: 1_000 + i * 37,
      amount: (1_000 + i * 37) * (1 + (i % 3)),
    })),
    ...(burn ? { burn: { points: burn } } : {}),
  };
}
