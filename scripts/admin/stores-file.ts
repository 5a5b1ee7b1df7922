/**
 * A stores file for the operator's command: CSV with a header row (storeId, name, address,
 * timeZone, tags — tags as `region=north;format=pharmacy`) or JSON (an array of stores as
 * `POST /v1/stores` takes them, or `{ "stores": [...] }`). Rows come out unchecked; the use case
 * checks them with the API's own schema, and `where(i)` says where row i is in the file.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';

/** Larger than any chain's store list; a file above it is a mistake, refused before it is read. */
export const MAX_STORES_FILE_BYTES = 10 * 1024 * 1024;

export const csvColumns = ['storeId', 'name', 'address', 'timeZone', 'tags'] as const;

export interface StoresFile {
  readonly stores: unknown[];
  /** "stores.csv line 4", "stores.json item 3". */
  where(index: number): string;
}

export class StoresFileError extends Error {
  override readonly name = 'StoresFileError';
}

export function readStoresFile(path: string): StoresFile {
  const name = basename(path);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new StoresFileError(`--stores: ${path} cannot be read`);
  }
  if (size > MAX_STORES_FILE_BYTES) throw new StoresFileError(`--stores: ${name} is larger than ${MAX_STORES_FILE_BYTES / 1024 / 1024} MB`);
  const text = readFileSync(path, 'utf8');
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return fromJson(name, text);
  if (ext === '.csv') return fromCsv(name, text);
  throw new StoresFileError(`--stores: ${name} must be a .csv or .json file`);
}

function fromJson(name: string, text: string): StoresFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new StoresFileError(`${name}: is not valid JSON (${(e as Error).message})`);
  }
  const stores = Array.isArray(doc) ? doc : doc && typeof doc === 'object' && Array.isArray((doc as { stores?: unknown }).stores) ? (doc as { stores: unknown[] }).stores : null;
  if (!stores) throw new StoresFileError(`${name}: must be an array of stores or { "stores": [...] }`);
  return { stores, where: (i) => `${name} item ${i + 1}` };
}

function fromCsv(name: string, text: string): StoresFile {
  let rows: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    rows = parse(text, { columns: true, bom: true, trim: true, skip_empty_lines: true, info: true }) as typeof rows;
  } catch (e) {
    throw new StoresFileError(`${name}: ${(e as Error).message}`);
  }
  const header = rows[0] ? Object.keys(rows[0].record) : [];
  const unknown = header.find((c) => !(csvColumns as readonly string[]).includes(c));
  if (unknown !== undefined) throw new StoresFileError(`${name} line 1: unknown column "${unknown}" (the columns are ${csvColumns.join(', ')})`);
  const lines = rows.map((r) => r.info.lines);
  const stores = rows.map(({ record }, i) => {
    const store: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(record)) {
      if (value === '') continue; // an empty cell is a field left out
      store[column] = column === 'tags' ? tagsCell(value, `${name} line ${lines[i]}`) : value;
    }
    return store;
  });
  return { stores, where: (i) => `${name} line ${lines[i]}` };
}

/** `region=north;format=pharmacy` → `{ region: "north", format: "pharmacy" }`. */
function tagsCell(cell: string, where: string): Record<string, string> {
  const tags = new Map<string, string>();
  for (const part of cell.split(';').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new StoresFileError(`${where}: tags: "${part}" must be name=value (tags are separated by ;)`);
    const key = part.slice(0, eq).trim();
    if (tags.has(key)) throw new StoresFileError(`${where}: tags: "${key}" is given twice`);
    tags.set(key, part.slice(eq + 1).trim());
  }
  // fromEntries makes own properties, so a name like __proto__ is just a (refused) tag name.
  return Object.fromEntries(tags);
}
