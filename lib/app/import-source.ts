/**
 * Reading an import file: CSV (csv-parse, streamed) or JSON Lines, record by record, in file
 * order, with the line each came from. A record that cannot be read becomes a refusal of that
 * row; only a file that cannot be an import at all (a bad header, an empty file) is refused whole.
 */
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { checkCsvHeader, fromCsvRecord } from '#domain/imports.ts';
import { IMPORT_LIMITS, type ImportFormat, type ImportKind, type RowIssue } from '#domain/import-kinds.ts';
import { checkProductCsvHeader, productFromCsvRecord } from '#domain/catalog.ts';
import { InvalidRequestError } from './errors.ts';

/** One member record as read from the file, or what made it unreadable. */
export interface SourceRecord {
  /** Position among the file's member records, 1-based: the checkpoint counts these. */
  readonly seq: number;
  /** The line in the file where it ends (the header is line 1 of a CSV file). */
  readonly row: number;
  /** Bytes of the file read up to the end of this record, for progress. */
  readonly bytes: number;
  readonly value?: Record<string, unknown>;
  readonly issues?: readonly RowIssue[];
}

/** The file as a whole cannot be read as an import (a bad header, a broken encoding): nothing is imported. */
export class ImportFileError extends InvalidRequestError {
  constructor(message: string, field = 'file') {
    super(message, field, 'invalid_file');
  }
}

/** How a kind of file's CSV header is checked and its cells read into the JSON Lines shape. */
interface CsvShape {
  readonly checkHeader: (header: readonly string[]) => RowIssue[];
  readonly fromRecord: (record: Readonly<Record<string, string>>) => { value: Record<string, unknown>; issues: RowIssue[] };
}
const csvShapes: Record<ImportKind, CsvShape> = {
  members: { checkHeader: checkCsvHeader, fromRecord: fromCsvRecord },
  products: { checkHeader: checkProductCsvHeader, fromRecord: productFromCsvRecord },
};

/** Records of a CSV file, in file order; a record the parser cannot read becomes an issue, not an end. */
export async function* csvRecords(input: Readable, shape: CsvShape = csvShapes.members): AsyncGenerator<SourceRecord> {
  // Records the parser skipped (a broken quote) surface with their line, in order with the rest.
  const skipped: Array<{ line: number; message: string }> = [];
  const parser = input.pipe(
    parse({
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      max_record_size: IMPORT_LIMITS.maxRecordChars,
      on_skip: (err) => {
        skipped.push({ line: Number((err as { lines?: number } | undefined)?.lines ?? 0), message: err?.message.replace(/ at line \d+/, '') ?? 'cannot be read as CSV' });
        return undefined;
      },
    }),
  );
  input.on('error', (e) => parser.destroy(e));
  let header: string[] | undefined;
  let seq = 0;
  let bytes = 0;
  const pending = function* (upTo: number): Generator<SourceRecord> {
    while (skipped.length && skipped[0]!.line <= upTo) {
      const s = skipped.shift()!;
      yield { seq: ++seq, row: s.line, bytes, issues: [{ field: 'row', rule: `cannot be read as CSV: ${s.message}` }] };
    }
  };
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; bytes: number } }>) {
    bytes = info.bytes;
    if (!header) {
      header = record.map((h) => h.trim());
      const issues = shape.checkHeader(header);
      if (issues.length) throw new ImportFileError(`header: ${issues.map((i) => `${i.field}: ${i.rule}`).join('; ')}`, 'header');
      continue;
    }
    yield* pending(info.lines);
    if (record.length !== header.length) {
      yield { seq: ++seq, row: info.lines, bytes, issues: [{ field: 'row', rule: `has ${record.length} cells; the header has ${header.length}` }] };
      continue;
    }
    const cells = Object.fromEntries(header.map((h, i) => [h, record[i] ?? '']));
    const { value, issues } = shape.fromRecord(cells);
    yield issues.length ? { seq: ++seq, row: info.lines, bytes, issues } : { seq: ++seq, row: info.lines, bytes, value };
  }
  if (!header) throw new ImportFileError('header: the file is empty; the first line must name the columns', 'header');
  yield* pending(Number.POSITIVE_INFINITY);
}

/** Member records of a JSON Lines file: one object per line, blank lines ignored. */
export async function* jsonlRecords(input: Readable): AsyncGenerator<SourceRecord> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  let seq = 0;
  let bytes = 0;
  for await (const text of lines) {
    line += 1;
    bytes += Buffer.byteLength(text) + 1;
    const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
    if (!trimmed) continue;
    if (trimmed.length > IMPORT_LIMITS.maxRecordChars) {
      yield { seq: ++seq, row: line, bytes, issues: [{ field: 'row', rule: `is longer than ${IMPORT_LIMITS.maxRecordChars} characters (import.maxRecordChars)` }] };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      yield { seq: ++seq, row: line, bytes, issues: [{ field: 'row', rule: 'is not valid JSON' }] };
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      yield { seq: ++seq, row: line, bytes, issues: [{ field: 'row', rule: 'must be a JSON object' }] };
      continue;
    }
    yield { seq: ++seq, row: line, bytes, value: value as Record<string, unknown> };
  }
}

export const recordsOf = (format: ImportFormat, input: Readable, kind: ImportKind = 'members') => (format === 'csv' ? csvRecords(input, csvShapes[kind]) : jsonlRecords(input));

/** The format a file name says, or null. */
export function formatOf(name: string): ImportFormat | null {
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  return null;
}
