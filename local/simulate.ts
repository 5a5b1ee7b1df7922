/**
 * `npm run simulate -- --draft draft.json --current current.json --receipts receipts.jsonl`:
 * replays a file of receipts and returns (JSON Lines, see lib/domain/simulation-input.ts) under
 * the program in force and a draft, with the till's own engine, and prints them side by side.
 * `--json report.json` also writes the full report; `--top N` sizes the gainers and losers lists;
 * `--parts N` replays N parts of the customers in N worker threads (default: one per core, at most 8);
 * `--from ISO` counts only what was committed from then on, the lines before it warming the accounts up.
 */
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseProgram, type Program } from '../lib/domain/program.ts';
import { MAX_TOP } from '../lib/domain/simulation.ts';
import { simulateFile } from '../lib/app/simulate-file.ts';
import { simulationText } from '../lib/app/simulation-text.ts';
import { defaultParts, simulateFileInParts } from './simulate-parts.ts';

const usage = 'usage: npm run simulate -- --draft draft.json --current current.json --receipts receipts.jsonl [--top 20] [--json report.json] [--parts N] [--from ISO]';
const { values: flags } = parseArgs({
  options: {
    draft: { type: 'string' },
    current: { type: 'string' },
    receipts: { type: 'string' },
    top: { type: 'string', default: '20' },
    json: { type: 'string' },
    parts: { type: 'string' },
    from: { type: 'string' },
  },
});
if (!flags.draft || !flags.current || !flags.receipts) {
  console.error(usage);
  process.exit(2);
}

function program(path: string, what: string): { program: Program; document: unknown } {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    console.error(`--${what} ${path}: ${(e as Error).message}`);
    process.exit(2);
  }
  // A published version's JSON (GET /v1/program) holds the document under `document`.
  const document = doc && typeof doc === 'object' && 'document' in doc ? (doc as { document: unknown }).document : doc;
  const r = parseProgram(document);
  if (!r.ok) {
    for (const i of r.issues.slice(0, 20)) console.error(`--${what} ${path}: ${i.path || '(document)'}: ${i.message}`);
    process.exit(2);
  }
  return { program: r.program, document };
}

const top = Number(flags.top);
if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) {
  console.error(`--top: must be an integer from 1 to ${MAX_TOP}`);
  process.exit(2);
}
const parts = Number(flags.parts ?? defaultParts());
if (!Number.isInteger(parts) || parts < 1 || parts > 64) {
  console.error('--parts: must be an integer from 1 to 64');
  process.exit(2);
}
const countFrom = flags.from === undefined ? undefined : new Date(flags.from);
if (countFrom && Number.isNaN(countFrom.getTime())) {
  console.error('--from: must be a date and time (ISO 8601)');
  process.exit(2);
}
const current = program(flags.current, 'current');
const draft = program(flags.draft, 'draft');
const programs = { current: current.program, draft: draft.program };
const t0 = performance.now();
const result =
  parts === 1
    ? await simulateFile(createInterface({ input: createReadStream(flags.receipts), crlfDelay: Infinity }), programs, {
        topN: top,
        countFrom,
        onProgress: (p) => process.stderr.write(`\r${p.phase} ${p.count.toLocaleString('en-US')}${p.of ? ` of ${p.of.toLocaleString('en-US')} customers` : ' lines'}   `),
      })
    : await simulateFileInParts(flags.receipts, { current: current.document, draft: draft.document }, programs, { parts, topN: top, countFrom });
const seconds = (performance.now() - t0) / 1000;
process.stderr.write('\r\x1b[K');
console.log(simulationText(result.report));
console.log('');
console.log(`${result.lines.toLocaleString('en-US')} lines in ${seconds.toFixed(1)} s (${parts} part${parts > 1 ? 's' : ''}); ${result.refusedLines} refused`);
for (const r of result.refused.slice(0, 20)) console.log(`  line ${r.line}: ${r.field || '(line)'}: ${r.message}`);
if (flags.json) writeFileSync(flags.json, JSON.stringify({ lines: result.lines, refusedLines: result.refusedLines, refused: result.refused, report: result.report }, null, 2));
if (result.refusedLines > 0) process.exitCode = 1;
