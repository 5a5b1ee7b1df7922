/**
 * The simulator on a supplied file of receipts (JSON Lines, `lib/domain/simulation-input.ts`):
 * every line parsed and grouped by customer, then each customer's events replayed in till order
 * under the program in force and the draft. Used by `npm run simulate` and the benchmark.
 */
import type { Program } from '#domain/program.ts';
import { replayEventOf, type ReplayLineResult } from '#domain/simulation-input.ts';
import {
  customerShard,
  emptySimulation,
  simulateCustomer,
  simulationReport,
  tillOrder,
  type ReplayEvent,
  type SimulationOptions,
  type SimulationReport,
  type SimulationState,
} from '#domain/simulation.ts';

/** Refused lines kept for the report (all are counted). */
export const MAX_REFUSED_LINES_KEPT = 100;

export interface FileSimulation {
  readonly lines: number;
  /** The state before the report: parts of one file (shards) merge with mergeSimulation. */
  readonly state: SimulationState;
  readonly refusedLines: number;
  readonly refused: readonly { line: number; field: string; message: string }[];
  readonly report: SimulationReport;
}

export interface FileSimulationOptions extends Omit<SimulationOptions, 'current' | 'draft'> {
  /** Replay only the customers of this part (customerShard), to run parts side by side. */
  readonly shard?: { readonly index: number; readonly of: number } | undefined;
  readonly onProgress?: (done: { phase: 'read' | 'replay'; count: number; of?: number }) => void;
}

export async function simulateFile(
  lines: AsyncIterable<string> | Iterable<string>,
  programs: { current: Program; draft: Program },
  opts: FileSimulationOptions = {},
): Promise<FileSimulation> {
  const byCustomer = new Map<string, ReplayEvent[]>();
  const refused: FileSimulation['refused'][number][] = [];
  let n = 0;
  let refusedLines = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = undefined;
    }
    if (opts.shard) {
      // Every part reads every line and keeps its own customers; a line without a customer is part 0's to refuse.
      const c = (raw as { customerId?: unknown } | undefined)?.customerId;
      const mine = typeof c === 'string' ? customerShard(c, opts.shard.of) === opts.shard.index : opts.shard.index === 0;
      if (!mine) continue;
    }
    const r: ReplayLineResult = raw === undefined ? { ok: false, field: '', message: 'is not JSON' } : replayEventOf(raw);
    if (!r.ok) {
      refusedLines++;
      if (refused.length < MAX_REFUSED_LINES_KEPT) refused.push({ line: n, field: r.field, message: r.message });
      continue;
    }
    const list = byCustomer.get(r.event.customerId);
    if (list) list.push(r.event);
    else byCustomer.set(r.event.customerId, [r.event]);
    if (n % 100_000 === 0) opts.onProgress?.({ phase: 'read', count: n });
  }
  const state = emptySimulation();
  const sim: SimulationOptions = { ...opts, ...programs };
  let done = 0;
  for (const [customerId, events] of byCustomer) {
    simulateCustomer(state, sim, customerId, tillOrder(events));
    // Let the customer's events go as soon as they are replayed.
    byCustomer.delete(customerId);
    if (++done % 10_000 === 0) opts.onProgress?.({ phase: 'replay', count: done, of: done + byCustomer.size });
  }
  return { lines: n, refusedLines, refused, state, report: simulationReport(state, programs) };
}
