import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { parseProgram, type Program } from '#domain/program.ts';
import { PROGRAM_SCHEMA_REVISION } from '#domain/program-revision.ts';
import { createDb } from '#lib/storage/client.ts';
import { itemSizeBytes } from '#lib/storage/item-size.ts';
import { keys } from '#lib/storage/keys.ts';
import { packProgram, programItemBytes, programRepository } from '#lib/storage/programs.ts';
import { scenario4Program, scenario5Program, scenario6Program } from '../domain/fixtures-scenarios.ts';
import { worstCaseProgram } from '../storage/worst-case.ts';
import { scenarioProgram } from './harness.ts';

describe('Program cache', () => {
  it('should serve the cached program within the TTL and the newly published one after it', async () => {
    const db = createDb();
    let now = 1_000_000;
    const tillSide = programRepository(db, { ttlMs: 30_000, clock: () => now });
    const adminSide = programRepository(db);
    const tenant = `cache-${Date.now()}`;

    await adminSide.publish(tenant, scenarioProgram, 'test', new Date().toISOString());
    expect((await tillSide.current(tenant))?.version).toBe(1);

    await adminSide.publish(tenant, { ...scenarioProgram, name: 'Second' }, 'test', new Date().toISOString());
    now += 29_000;
    expect((await tillSide.current(tenant))?.program.name).toBe('Integration');
    now += 2_000;
    expect((await tillSide.current(tenant))?.program.name).toBe('Second');
    expect((await tillSide.current(tenant))?.version).toBe(2);
  });
});

const parsed = (document: unknown): Program => {
  const r = parseProgram(document);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.program;
};

describe('Program stored parsed at publish', () => {
  const db = createDb();
  let seq = 0;
  const tenant = () => `parsed-${Date.now()}-${++seq}`;
  const item = async (tenantId: string) => (await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.currentProgram(tenantId), ConsistentRead: true }))).Item!;
  /** The current item as another writer (an older deploy, a changed schema) left it. */
  const rewrite = async (tenantId: string, change: (i: Record<string, unknown>) => Record<string, unknown>) =>
    db.doc.send(new PutCommand({ TableName: db.table, Item: change(await item(tenantId)) }));
  /** A program that differs from the document's: what `current()` answers says which one it read. */
  const marked = (document: unknown) => packProgram({ ...parsed(document), name: 'from the stored form' });

  it('should keep the document as written beside its parsed form, and read the program from that form, equal to parsing the document', async () => {
    for (const document of [scenarioProgram, scenario4Program, scenario5Program, scenario6Program, worstCaseProgram()]) {
      const t = tenant();
      await programRepository(db).publish(t, document, 'test', new Date().toISOString());
      const stored = await item(t);
      expect(stored.document).toStrictEqual(document);
      expect(stored.parsedRevision).toBe(PROGRAM_SCHEMA_REVISION);
      expect(stored.parsed).toBeInstanceOf(Uint8Array);
      // The bound the API checks before publishing covers the whole stored item, parsed form included.
      expect(itemSizeBytes(stored)).toBeLessThanOrEqual(programItemBytes(t, document, parsed(document), 'test'));
      expect((await programRepository(db).current(t))!.program).toStrictEqual(parsed(document));
      expect((await programRepository(db).currentStored(t))!.document).toStrictEqual(document);
    }
  });

  it('should take the program from the stored form when its revision is this schema’s', async () => {
    const t = tenant();
    await programRepository(db).publish(t, scenarioProgram, 'test', new Date().toISOString());
    await rewrite(t, (i) => ({ ...i, parsed: marked(scenarioProgram) }));
    expect((await programRepository(db).current(t))!.program.name).toBe('from the stored form');
  });

  it('should parse the document again for an item stored without a parsed form or under another schema revision', async () => {
    const t = tenant();
    await programRepository(db).publish(t, scenario6Program, 'test', new Date().toISOString());
    await rewrite(t, (i) => ({ ...i, parsed: marked(scenario6Program), parsedRevision: 'an-older-schema' }));
    expect((await programRepository(db).current(t))!.program).toStrictEqual(parsed(scenario6Program));

    await rewrite(t, ({ parsed: _p, parsedRevision: _r, ...older }) => older);
    expect(Object.keys(await item(t))).not.toContain('parsed');
    expect((await programRepository(db).current(t))!.program).toStrictEqual(parsed(scenario6Program));

    await db.doc.send(new DeleteCommand({ TableName: db.table, Key: keys.currentProgram(t) }));
    expect(await programRepository(db).current(t)).toBeNull();
  });
});
