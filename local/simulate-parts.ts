/**
 * A file simulation cut into parts by customer (`customerShard`), one worker thread per part,
 * merged at the end: customers are independent, so the parts' figures add up exactly to a
 * single run's. Each part reads the whole file and keeps its own customers' lines.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { mergeSimulation, emptySimulation, simulationReport, type SimulationState } from '../lib/domain/simulation.ts';
import type { Program } from '../lib/domain/program.ts';
import { MAX_REFUSED_LINES_KEPT, type FileSimulation } from '../lib/app/simulate-file.ts';

export interface PartInput {
  readonly path: string;
  readonly documents: { readonly current: unknown; readonly draft: unknown };
  readonly index: number;
  readonly of: number;
  readonly topN: number;
  /** Where the period starts (ISO): lines committed before it only warm the accounts up. */
  readonly countFrom?: string | undefined;
}

export type PartOutput = Omit<FileSimulation, 'report'>;

export const defaultParts = () => Math.max(1, Math.min(availableParallelism(), 8));

export async function simulateFileInParts(
  path: string,
  documents: PartInput['documents'],
  programs: { current: Program; draft: Program },
  opts: { parts: number; topN: number; countFrom?: Date | undefined },
): Promise<FileSimulation> {
  const outputs = await Promise.all(
    Array.from({ length: opts.parts }, (_, index) => {
      const input: PartInput = { path, documents, index, of: opts.parts, topN: opts.topN, countFrom: opts.countFrom?.toISOString() };
      return new Promise<PartOutput>((resolve, reject) => {
        const w = new Worker(new URL('./simulate-worker.ts', import.meta.url), { workerData: input });
        w.once('message', resolve);
        w.once('error', reject);
        w.once('exit', (code) => code !== 0 && reject(new Error(`simulation part ${index} exited with ${code}`)));
      });
    }),
  );
  const state: SimulationState = emptySimulation();
  for (const o of outputs) mergeSimulation(state, o.state, opts.topN);
  const refused = outputs.flatMap((o) => o.refused).sort((a, b) => a.line - b.line).slice(0, MAX_REFUSED_LINES_KEPT);
  return {
    lines: outputs[0]!.lines,
    refusedLines: outputs.reduce((s, o) => s + o.refusedLines, 0),
    refused,
    state,
    report: simulationReport(state, programs),
  };
}
