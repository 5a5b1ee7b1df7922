/**
 * `npm run admin -- tenant create / store add / store list` against the local runtime's table:
 * the tenant it makes works through the HTTP API with the printed admin key; bad files are
 * refused naming the line and the rule, and nothing is written.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { deps } from '#lib/app/deps.ts';
import { handlers } from '../../local/handlers.ts';
import { runtimeFile } from '../../local/runtime-file.ts';
import { invoke } from '../support/http.ts';
import { assertMatchesOpenApi } from '../support/openapi.ts';
import { scenarioProgram } from '../integration/harness.ts';
import { admin } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'tally-admin-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const program = file('program.json', JSON.stringify(scenarioProgram));
const storesCsv = file(
  'stores.csv',
  'storeId,name,address,timeZone,tags\n' +
    'N-1,"Pharmacy 1, Kentron","1 Republic Square, Yerevan",Asia/Yerevan,region=north;format=pharmacy\n' +
    'N-2,Pharmacy 2,,,region=north\n' +
    'S-1,Beauty corner,"5 Tumanyan St, Vanadzor",Asia/Yerevan,\n',
);
const asKey = (key: string) => async (method: string, path: string, body?: unknown) => {
  const r = await invoke(handlers, { method, path, body, headers: { authorization: `Bearer ${key}` } });
  assertMatchesOpenApi(r.routeKey, r.status, r.body);
  return r;
};
const itemsOf = async (tenantId: string) => {
  const d = deps();
  const r = await d.db.doc.send(new ScanCommand({ TableName: d.db.table, FilterExpression: 'begins_with(pk, :t) OR tenantId = :id', ExpressionAttributeValues: { ':t': `T#${tenantId}`, ':id': tenantId } }));
  return r.Items ?? [];
};

describe('npm run admin, locally', () => {
  const stateDir = join(dir, 'state');
  beforeAll(() => {
    // A running runtime, as npm start describes itself: this process, on the suite's table.
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(runtimeFile(stateDir), JSON.stringify({ url: 'http://127.0.0.1:3000', pid: process.pid, dynamodb: { endpoint: process.env.DYNAMODB_ENDPOINT, table: process.env.TABLE_NAME } }));
  });
  const create = (tenantId: string, ...more: string[]) =>
    admin('tenant', 'create', '--tenant', tenantId, '--program', program, '--stores', storesCsv, '--admin-email', 'it@chain.example', '--state-dir', stateDir, ...more);

  it('should create a tenant whose printed admin key runs it through the API, and finish it when run again', async () => {
    const tenantId = `acme${randomUUID().slice(0, 6)}`;
    const r = await create(tenantId, '--name', 'Acme Pharmacy', '--locale', 'hy', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const created = r.json();
    expect(created).toMatchObject({ tenantId, programVersion: 1, programPublished: true, stores: { registered: 3, alreadyThere: 0 }, admin: { kind: 'key', actor: 'staff:it@chain.example' } });
    const staff = asKey(created.admin.key);
    expect((await staff('GET', '/v1/tenant')).body).toMatchObject({ tenantId, name: 'Acme Pharmacy', defaultLocale: 'hy' });
    const stores = (await staff('GET', '/v1/stores')).body.stores;
    expect(stores.map((s: { storeId: string }) => s.storeId)).toEqual(['N-1', 'N-2', 'S-1']);
    expect(stores[0]).toMatchObject({ name: 'Pharmacy 1, Kentron', address: '1 Republic Square, Yerevan', timeZone: 'Asia/Yerevan', tags: { region: 'north', format: 'pharmacy' } });
    expect(stores[1]).toEqual(expect.not.objectContaining({ address: expect.anything() }));
    expect((await staff('GET', '/v1/health')).body.program.version).toBe(1);
    const till = await staff('POST', '/v1/keys', { role: 'pos', storeId: 'N-1', name: 'till 1' });
    expect(till.status).toBe(201);
    const enrolled = await asKey(till.body.key)('POST', '/v1/customers', { name: 'First member' });
    expect(enrolled.status).toBe(201);
    const audit = (await staff('GET', '/v1/audit')).body.records;
    expect(audit.filter((a: { actor: string }) => a.actor.startsWith('operator:')).map((a: { action: string }) => a.action).sort()).toEqual(['key.create', 'program.publish', 'store.create', 'store.create', 'store.create', 'tenant.create']);

    // Run again (as after an interruption): nothing doubles, the program stays at version 1.
    const again = await create(tenantId, '--name', 'Acme Pharmacy', '--locale', 'hy', '--json');
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ programVersion: 1, programPublished: false, stores: { registered: 0, alreadyThere: 3 } });
    const list = await admin('store', 'list', '--tenant', tenantId, '--limit', '2', '--state-dir', stateDir);
    expect(list.out).toMatch(/^N-1\tactive\tPharmacy 1, Kentron\tregion=north;format=pharmacy\nN-2\tactive\tPharmacy 2\tregion=north\nmore: --cursor \S+$/);
    const added = await admin('store', 'add', '--tenant', tenantId, '--store-id', 'E-1', '--name', 'East 1', '--tag', 'region=east', '--time-zone', 'Asia/Yerevan', '--state-dir', stateDir);
    expect(added.out).toContain('1 store(s) registered');
    expect((await staff('GET', '/v1/stores/E-1')).body).toMatchObject({ tags: { region: 'east' }, active: true });
  });

  it('should refuse what differs from the tenant in place, and bad files, naming the flag or the line, writing nothing', async () => {
    const tenantId = `bad${randomUUID().slice(0, 6)}`;
    const refusals: Array<[string[], RegExp]> = [
      [['--locale', 'de'], /--locale .*defaultLocale/],
      [['--stores', file('cols.csv', 'storeId,name,colour\nX,Y,red\n')], /cols\.csv line 1: unknown column "colour"/],
      [['--stores', file('zone.csv', 'storeId,name,timeZone\nX-1,Y,Asia/Yerevan\nX-2,Z,Mars/Base\n')], /zone\.csv line 3: timeZone: must be an IANA time zone/],
      [['--stores', file('tags.csv', 'storeId,name,tags\nX-1,Y,region\n')], /tags\.csv line 2: tags: "region" must be name=value/],
      [['--stores', file('dup.json', JSON.stringify([{ storeId: 'D', name: 'a' }, { storeId: 'D', name: 'b' }]))], /dup\.json item 2: storeId: "D" is also stores\.0/],
      [['--stores', file('many.json', JSON.stringify({ stores: [{ storeId: 'T', name: 'a', tags: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`t${i}`, 'x'])) }] }))], /many\.json item 1: tags: may have at most 20 tags/],
      [['--program', file('bad-program.json', JSON.stringify({ ...scenarioProgram, timeZone: 'Nowhere' }))], /bad-program\.json: program\.timeZone/],
      [['--admin-email', 'not-an-email'], /--admin-email: must be an e-mail address/],
    ];
    for (const [flags, message] of refusals) {
      const r = await create(tenantId, ...flags);
      expect(r.code, flags.join(' ')).not.toBe(0);
      expect(r.err).toMatch(message);
    }
    expect(await itemsOf(tenantId)).toEqual([]);

    // In place with other details: refused before anything is written, naming the row.
    expect((await create(tenantId, '--json')).code).toBe(0);
    const before = await itemsOf(tenantId);
    const changed = file('changed.csv', 'storeId,name\nN-1,Pharmacy 1 renamed\n');
    const r = await create(tenantId, '--stores', changed);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/changed\.csv line 2: storeId: "N-1" is already registered with other details; change it with PATCH/);
    const other = await create(tenantId, '--program', file('p2.json', JSON.stringify({ ...scenarioProgram, name: 'Other' })));
    expect(other.err).toMatch(/p2\.json: program: tenant .* already has another program \(version 1\)/);
    expect(await itemsOf(tenantId)).toEqual(before);
    expect((await admin('tenant', 'create', '--tenant', tenantId)).code).toBe(2);
    expect((await admin('store', 'add', '--tenant', `nobody${tenantId}`, '--store-id', 'A', '--name', 'A', '--state-dir', stateDir)).err).toMatch(/does not exist/);
  });

  it('should start DynamoDB Local on the state directory when npm start is not running', async () => {
    const cold = mkdtempSync(join(tmpdir(), 'tally-admin-cold-'));
    const r = await admin('tenant', 'create', '--tenant', 'cold', '--program', program, '--stores', storesCsv, '--admin-email', 'it@chain.example', '--state-dir', cold);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/Tenant cold \("cold", default language en\) in the local table in .*dynamodb \(npm start was not running\)/);
    expect(r.out).toMatch(/admin key tly_admin_\S+/);
    // The data outlives the command: the next run finds the tenant in place.
    const again = await admin('store', 'list', '--tenant', 'cold', '--state-dir', cold);
    expect(again.out.split('\n')).toHaveLength(3);
  }, 60_000);
});
