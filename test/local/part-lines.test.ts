import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { partLines } from '../../local/part-lines.ts';
import { benchPrograms, generateReceipts } from '../../bench/simulator.ts';
import { customerShard } from '../../lib/domain/simulation.ts';
import { simulateFile } from '../../lib/app/simulate-file.ts';
import { simulateFileInParts } from '../../local/simulate-parts.ts';

const dir = mkdtempSync(join(tmpdir(), 'tally-part-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Receipts of the benchmark's kind, with every line ending and every way of naming (or not naming) the customer mixed in. */
const odd = [
  '',
  '   ',
  '{"customerId" :  "c-3", "storeId":"S-01"}',
  '{"customerId":"' + 'x'.repeat(65) + '","storeId":"S-01"}',
  '{"customerId":"' + 'y'.repeat(64) + '","storeId":"S-01"}',
  '{"lines":[{"customerId":"c-1"}],"customerId":"c-2"}',
  '{"note":"é ü 漢字","customerId":"c-4"}',
  '{"customerId":"cé"}',
  '{"customerId"\u00a0:"c-5"}',
  '{"customerId":"c-6"',
  '{"storeId":"S-01"}',
  'not json at all',
  '{"customerId":""}',
  '{"customerId":"c-7" }',
];
function fileText(): string {
  const receipts = [...generateReceipts(300, 25)];
  const endings = ['\n', '\r\n', '\r'];
  let text = '';
  receipts.forEach((r, i) => {
    text += r + endings[i % 3]!;
    if (i % 20 === 0) text += odd[(i / 20) % odd.length]! + endings[(i / 20) % 3]!;
  });
  return text + odd[2]; // and a last line with no line break
}

async function readlineLines(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const l of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) out.push(l);
  return out;
}

const CUSTOMER = /"customerId"\s*:\s*"([A-Za-z0-9._:-]{1,64})"/;

describe('a part of a simulation reads its own lines of the file', () => {
  it('hands on every line readline would give, as text where it may be the part\'s and as \'\' only where it is plainly another\'s, at any read size', async () => {
    const path = join(dir, 'receipts.jsonl');
    writeFileSync(path, fileText());
    const reference = await readlineLines(path);
    for (const chunkBytes of [7, 64, 1000, 1 << 20]) {
      for (let index = 0; index < 3; index++) {
        const got: string[] = [];
        for await (const l of partLines(path, { index, of: 3 }, chunkBytes)) got.push(l);
        expect(got.length).toBe(reference.length);
        let blanked = 0;
        reference.forEach((text, i) => {
          const id = CUSTOMER.exec(text)?.[1];
          const mine = id === undefined || customerShard(id, 3) === index;
          if (mine) expect(got[i]).toBe(text);
          else if (got[i] !== text) {
            expect(got[i]).toBe('');
            blanked++;
          }
        });
        // Nearly two thirds of the lines are other parts' and were never decoded.
        expect(blanked).toBeGreaterThan(reference.length / 2);
      }
    }
  });

  it('gives each part the same simulation as reading every line as text', async () => {
    const path = join(dir, 'good.jsonl');
    writeFileSync(path, [...generateReceipts(400, 40)].map((l, i) => l + (i % 2 ? '\r\n' : '\n')).join(''));
    const { programs } = benchPrograms();
    for (let index = 0; index < 2; index++) {
      const shard = { index, of: 2 };
      const byText = await simulateFile(createInterface({ input: createReadStream(path), crlfDelay: Infinity }), programs, { topN: 5, shard });
      const byPart = await simulateFile(partLines(path, shard, 4096), programs, { topN: 5, shard });
      expect(byPart).toEqual(byText);
      expect(byPart.state.customers).toBeGreaterThan(10);
    }
  });

  it('counts from the period in the worker threads as in one thread, the lines before it a warm-up', async () => {
    const path = join(dir, 'warm.jsonl');
    writeFileSync(path, [...generateReceipts(300, 30, 7, { start: '2026-05-03T00:00:00+04:00', idPrefix: 'W' }), ...generateReceipts(300, 30)].join('\n'));
    const { documents, programs } = benchPrograms();
    const countFrom = new Date('2026-08-01T00:00:00+04:00');
    const one = await simulateFile(createInterface({ input: createReadStream(path), crlfDelay: Infinity }), programs, { topN: 5, countFrom });
    const parts = await simulateFileInParts(path, documents, programs, { parts: 2, topN: 5, countFrom });
    expect(parts.report).toEqual(one.report);
    // Only the period's receipts are counted, and the warm-up changed what they earned.
    expect(parts.report.current.totals.receipts).toBe(300);
    const cold = await simulateFile([...generateReceipts(300, 30)], programs, { topN: 5 });
    expect(parts.report.current.totals.pointsIssued).not.toBe(cold.report.current.totals.pointsIssued);
  });
});
