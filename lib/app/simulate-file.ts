/**
 * The simulator on a supplied file of receipts (JSON Lines, `lib/domain/simulation-input.ts`):
 * every line parsed and grouped by customer, then each customer's events replayed in till order
 * under the program in force and the draft. Used by `npm run simulate` and the benchmark.
 */
import type { Program } from '#domain/program.ts';
import { parseReplayLine, type ReplayLineResult } from '#domain/simulation-input.ts';
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

/** A line's top-level customer id, read without parsing the line (a line it misses is parsed to find it). */
const CUSTOMER = /"customerId"\s*:\s*"([A-Za-z0-9._:-]{1,64})"/;

export async function simulateFile(
  lines: AsyncIterable<string> | Iterable<string>,
  programs: { current: Program; draft: Program },
  opts: FileSimulationOptions = {},
): Promise<FileSimulation> {
  // Lines are kept as text until their customer is replayed: a string costs the garbage collector
  // nothing to trace, where a million parsed receipts would be traced on every full collection.
  const byCustomer = new Map<string, { texts: string[]; lines: number[] }>();
  let refused: FileSimulation['refused'][number][] = [];
  let refusedLines = 0;
  const refuse = (line: number, r: { field: string; message: string }) => {
    refusedLines++;
    refused.push({ line, field: r.field, message: r.message });
    if (refused.length > 10 * MAX_REFUSED_LINES_KEPT) refused = refused.sort((a, b) => a.line - b.line).slice(0, MAX_REFUSED_LINES_KEPT);
  };
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    let customerId = CUSTOMER.exec(text)?.[1];
    let parsed: ReplayLineResult | undefined;
    if (customerId === undefined) {
      parsed = parseReplayLine(text);
      if (parsed.ok) customerId = parsed.event.customerId;
    }
    // Every part reads every line and keeps its own customers; a line without a customer is part 0's to refuse.
    if (opts.shard && (customerId === undefined ? opts.shard.index !== 0 : customerShard(customerId, opts.shard.of) !== opts.shard.index)) continue;
    if (customerId === undefined) {
      refuse(n, parsed && !parsed.ok ? parsed : { field: 'customerId', message: 'is required' });
      continue;
    }
    const group = byCustomer.get(customerId);
    if (group) {
      group.texts.push(text);
      group.lines.push(n);
    } else byCustomer.set(customerId, { texts: [text], lines: [n] });
    if (n % 100_000 === 0) opts.onProgress?.({ phase: 'read', count: n });
  }
  const state = emptySimulation();
  const sim: SimulationOptions = { ...opts, ...programs };
  let done = 0;
  for (const [customerId, group] of byCustomer) {
    const events: ReplayEvent[] = [];
    group.texts.forEach((text, i) => {
      const r = parseReplayLine(text);
      if (!r.ok) refuse(group.lines[i]!, r);
      else if (r.event.customerId !== customerId) refuse(group.lines[i]!, { field: 'customerId', message: 'appears twice in the line' });
      else events.push(r.event);
    });
    if (events.length) simulateCustomer(state, sim, customerId, tillOrder(events));
    // Let the customer's lines go as soon as they are replayed.
    byCustomer.delete(customerId);
    if (++done % 10_000 === 0) opts.onProgress?.({ phase: 'replay', count: done, of: done + byCustomer.size });
  }
  refused = refused.sort((a, b) => a.line - b.line).slice(0, MAX_REFUSED_LINES_KEPT);
  return { lines: n, refusedLines, refused, state, report: simulationReport(state, programs) };
}
