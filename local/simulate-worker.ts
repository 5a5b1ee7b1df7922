/** One part of a file simulation (local/simulate-parts.ts), in a worker thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { parseProgram } from '../lib/domain/program.ts';
import { simulateFile } from '../lib/app/simulate-file.ts';
import type { PartInput, PartOutput } from './simulate-parts.ts';
import { partLines } from './part-lines.ts';

const input = workerData as PartInput;
const program = (doc: unknown) => {
  const r = parseProgram(doc);
  if (!r.ok) throw new Error(`invalid program: ${JSON.stringify(r.issues[0])}`);
  return r.program;
};
const programs = { current: program(input.documents.current), draft: program(input.documents.draft) };
// Other parts' lines arrive as '' (not decoded): each part decodes and parses only its own customers'.
const shard = { index: input.index, of: input.of };
const result = await simulateFile(partLines(input.path, shard), programs, { topN: input.topN, shard, countFrom: input.countFrom ? new Date(input.countFrom) : undefined });
const { report: _report, ...out } = result;
parentPort!.postMessage(out satisfies PartOutput);
