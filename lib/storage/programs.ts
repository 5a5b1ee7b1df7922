/**
 * Program documents. The current one is cached in the Lambda's memory with a short TTL, so a
 * warm function prices a receipt without reading it; a publish reaches every till within the TTL.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { parseProgram, type Program } from '#domain/program.ts';
import type { Db } from './client.ts';
import { keys } from './keys.ts';

export interface ProgramVersion {
  readonly version: number;
  readonly program: Program;
}

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
      if (r.Item) {
        // Stored documents were validated on save; parsing again fills defaults added since.
        const parsed = parseProgram(r.Item.document);
        if (!parsed.ok) throw new Error(`stored program for tenant is invalid: ${parsed.issues[0]?.path}`);
        value = { version: r.Item.version as number, program: parsed.program };
      }
      cache.set(tenantId, { value, until: clock() + ttlMs });
      return value;
    },

    /** Saves a validated document as the next version and makes it current. */
    async publish(tenantId: string, document: unknown, by: string, at: string): Promise<ProgramVersion> {
      const parsed = parseProgram(document);
      if (!parsed.ok) throw new Error(`invalid program: ${JSON.stringify(parsed.issues)}`);
      const cur = await db.doc.send(
        new GetCommand({ TableName: db.table, Key: keys.currentProgram(tenantId), ConsistentRead: true }),
      );
      const prev = (cur.Item?.version as number | undefined) ?? 0;
      const version = prev + 1;
      const body = { type: 'program', tenantId, version, document, publishedBy: by, publishedAt: at };
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
          ],
        }),
      );
      cache.delete(tenantId);
      return { version, program: parsed.program };
    },

    clearCache(): void {
      cache.clear();
    },
  };
}

export type ProgramRepository = ReturnType<typeof programRepository>;
