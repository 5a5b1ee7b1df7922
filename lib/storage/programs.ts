/**
 * Program documents. The current one is cached in the Lambda's memory with a short TTL, so a
 * warm function prices a receipt without reading it; a publish reaches every till within the TTL.
 *
 * Beside the document as written, an item keeps the program as parsed at publish (defaults
 * filled, gzipped JSON) with the schema revision it was parsed under: reading the program then
 * needs no parser, so a function that only reads it never builds the schema (README, "Cold
 * start"). An item without that form, or of another revision (published before a deploy that
 * changed the schema), is parsed again as it is read, with the parser loaded then.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { Program } from '#domain/program.ts';
import { loadProgramParser } from '#domain/program-parser.ts';
import { PROGRAM_SCHEMA_REVISION } from '#domain/program-revision.ts';
import type { Db } from './client.ts';
import { perProcess } from './per-process.ts';
import { itemSizeBytes } from './item-size.ts';
import { keys } from './keys.ts';
import type { TransactItem } from './transact.ts';

export interface ProgramVersion {
  readonly version: number;
  readonly program: Program;
}

export interface StoredProgram {
  readonly version: number;
  /** The document as published (defaults not filled in). */
  readonly document: unknown;
  readonly publishedBy: string;
  readonly publishedAt: string;
}

/** Someone published another version since the one the editor started from. */
export class ProgramVersionConflictError extends Error {
  readonly current: number;
  constructor(current: number) {
    super(`the program is at version ${current} now`);
    this.name = 'ProgramVersionConflictError';
    this.current = current;
  }
}

/** The parsed program as an item stores it: gzipped JSON (it repeats the document, defaults filled in). */
export const packProgram = (program: Program): Uint8Array => gzipSync(JSON.stringify(program));

/** What a published version stores (the current item and the version item carry the same). */
const programBody = (tenantId: string, version: number, document: unknown, parsed: Uint8Array, by: string, at: string) => ({
  type: 'program',
  tenantId,
  version,
  document,
  parsed,
  parsedRevision: PROGRAM_SCHEMA_REVISION,
  publishedBy: by,
  publishedAt: at,
});

/** The highest version number an item is measured with: sort keys pad versions to 8 digits. */
const LAST_VERSION = 99_999_999;

/**
 * The size, as DynamoDB counts it, of the item that publishing `document` (parsed: `program`) would
 * write (the larger of the current and the version item), measured before anything is written.
 */
export function programItemBytes(tenantId: string, document: unknown, program: Program, by: string): number {
  const body = programBody(tenantId, LAST_VERSION, document, packProgram(program), by, new Date(0).toISOString());
  return Math.max(itemSizeBytes({ ...keys.currentProgram(tenantId), ...body }), itemSizeBytes({ ...keys.programVersion(tenantId, LAST_VERSION), ...body }));
}

/**
 * The program an item holds: its stored parsed form when made under this schema revision, else
 * its document parsed now (stored documents were validated on save; parsing again fills defaults
 * added since).
 */
async function programOf(item: Record<string, unknown>): Promise<Program> {
  if (item.parsedRevision === PROGRAM_SCHEMA_REVISION && item.parsed instanceof Uint8Array) {
    return JSON.parse(gunzipSync(item.parsed).toString('utf8')) as Program;
  }
  const { parseProgram } = await loadProgramParser();
  const parsed = parseProgram(item.document);
  if (!parsed.ok) throw new Error(`stored program for tenant is invalid: ${parsed.issues[0]?.path}`);
  return parsed.program;
}

const stored = (item: Record<string, unknown>): StoredProgram => ({
  version: item.version as number,
  document: item.document,
  publishedBy: item.publishedBy as string,
  publishedAt: item.publishedAt as string,
});

export function programRepository(db: Db, opts: { ttlMs?: number; clock?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? 30_000;
  const clock = opts.clock ?? Date.now;
  const cache = new Map<string, { value: ProgramVersion | null; until: number }>();

  return {
    async current(tenantId: string): Promise<ProgramVersion | null> {
      const hit = cache.get(tenantId);
      if (hit && hit.until > clock()) return hit.value;
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.currentProgram(tenantId) }));
      let value: ProgramVersion | null = null;
      if (r.Item) value = { version: r.Item.version as number, program: await programOf(r.Item) };
      cache.set(tenantId, { value, until: clock() + ttlMs });
      return value;
    },

    /**
     * Saves a validated document as the next version and makes it current. With `basedOn`, refuses
     * if another version was published since (two editors never overwrite each other silently).
     */
    async publish(
      tenantId: string,
      document: unknown,
      by: string,
      at: string,
      basedOn?: number,
      /** Written in the same transaction (the audit record). */
      extra: (version: number) => TransactItem[] = () => [],
    ): Promise<ProgramVersion> {
      const { parseProgram } = await loadProgramParser();
      const parsed = parseProgram(document);
      if (!parsed.ok) throw new Error(`invalid program: ${JSON.stringify(parsed.issues)}`);
      const cur = await db.doc.send(
        new GetCommand({ TableName: db.table, Key: keys.currentProgram(tenantId), ConsistentRead: true }),
      );
      const prev = (cur.Item?.version as number | undefined) ?? 0;
      if (basedOn !== undefined && basedOn !== prev) throw new ProgramVersionConflictError(prev);
      const version = prev + 1;
      const body = programBody(tenantId, version, document, packProgram(parsed.program), by, at);
      try {
        await db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: db.table,
                Item: { ...keys.currentProgram(tenantId), ...body },
                ConditionExpression: prev === 0 ? 'attribute_not_exists(pk)' : 'version = :prev',
                ...(prev === 0 ? {} : { ExpressionAttributeValues: { ':prev': prev } }),
              },
            },
            { Put: { TableName: db.table, Item: { ...keys.programVersion(tenantId, version), ...body } } },
            // The jobs' list of tenants, with the zone that decides their days.
            { Put: { TableName: db.table, Item: { ...keys.tenant(tenantId), type: 'tenant', tenantId, timeZone: parsed.program.timeZone } } },
            ...extra(version),
          ],
        }),
        );
      } catch (e) {
        if (e instanceof TransactionCanceledException) throw new ProgramVersionConflictError(prev + 1);
        throw e;
      }
      cache.delete(tenantId);
      return { version, program: parsed.program };
    },

    async currentStored(tenantId: string): Promise<StoredProgram | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.currentProgram(tenantId), ConsistentRead: true }));
      return r.Item ? stored(r.Item) : null;
    },

    async version(tenantId: string, version: number): Promise<StoredProgram | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.programVersion(tenantId, version) }));
      return r.Item ? stored(r.Item) : null;
    },

    /** Versions newest first (Query on the tenant partition, `PROGRAM#V#` prefix). */
    async versions(tenantId: string, limit: number): Promise<Array<Omit<StoredProgram, 'document'> & { name: string }>> {
      const k = keys.currentProgram(tenantId);
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
          ExpressionAttributeValues: { ':pk': k.pk, ':v': 'PROGRAM#V#' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (r.Items ?? []).map((i) => {
        const { document, ...rest } = stored(i);
        return { ...rest, name: String((document as { name?: unknown })?.name ?? '') };
      });
    },

    clearCache(): void {
      cache.clear();
    },
  };
}

export type ProgramRepository = ReturnType<typeof programRepository>;

/** The program repository deps() and every route function share: a program published here clears the cached program the till's commit reads in this process (other processes: within the cache's ttl). */
export const sharedProgramRepository = perProcess(programRepository);
