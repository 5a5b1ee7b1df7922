/**
 * Migration import through the use case on DynamoDB Local, with the members it brings checked
 * through the real HTTP handlers: idempotent rows, all-or-nothing members, the error report,
 * resume after a crash, ledgers that sum to balances, bounded lots.
 */
import { createReadStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deps as sharedDeps, makeDeps, type Deps } from '#lib/app/deps.ts';
import { runImport, type ImportRun } from '#lib/app/imports.ts';
import { newImportId } from '#lib/app/import-requests.ts';
import type { ImportFormat } from '#domain/import-kinds.ts';
import { newTenant, type TestTenant } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'tally-import-'));
let clockNow = new Date('2026-11-20T10:00:00Z');
const clock = () => clockNow;

const header = 'card,phone,name,email,birthDate,locale,consentSms,consentEmail,consentPush,tier,staffTier,referralCode,paidTotal,lots';

function fileOf(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function importFile(d: Deps, tenantId: string, path: string, format: ImportFormat, extra: Partial<ImportRun> = {}) {
  const importId = extra.importId ?? newImportId(clock());
  const outcome = await runImport(d, {
    tenantId,
    importId,
    format,
    source: path,
    bytesTotal: readFileSync(path).length,
    open: () => createReadStream(path),
    writeReport: async (lines) => {
      let text = '';
      for await (const l of lines) text += l;
      writeFileSync(`${path}.${importId}.errors.csv`, text);
      return `${path}.${importId}.errors.csv`;
    },
    actor: 'test',
    chunkSize: 7,
    concurrency: 4,
    ...extra,
  });
  return { importId, outcome };
}

/** The tenant's member data (customers, identifiers, ledgers, idempotency records), without import bookkeeping. */
async function memberItems(t: TestTenant) {
  const items = await t.items();
  return items
    .filter((i) => !String(i.pk).includes('#IMPORT#'))
    .map((i) => JSON.stringify(i))
    .sort();
}

describe('Migration import of members', () => {
  let t: TestTenant;
  let d: Deps;

  beforeAll(async () => {
    t = await newTenant();
    d = makeDeps(sharedDeps().db, clock);
  });

  const good = [
    header,
    '1000-0001,+374 91 000001,Anna,ANNA@example.com,1990-02-28,hy,yes,no,1,silver,,,60000,500@2027-03-31;200@2027-03-15;100@2027-06-30',
    '10000002,,Boris,,,uk-UA,,,,,vip,,,',
    '10000003,+37491000003,Carmen,,,,true,true,false,gold,,,,1000@2027-11-30',
  ].join('\n');

  it('should bring members in with their cards, phones, consents, levels and lots, one migrated ledger entry each', async () => {
    const path = fileOf('good.csv', good);
    const { importId, outcome } = await importFile(d, t.tenantId, path, 'csv');
    expect(outcome.state).toBe('finished');
    expect(outcome.progress).toMatchObject({ status: 'done', rowsDone: 3, rowsTotal: 3, imported: 3, alreadyImported: 0, refused: 0 });

    const anna = await t.pos('POST', '/v1/identify', { customer: { phone: '+37491000001' } });
    expect(anna.status).toBe(200);
    expect(anna.body).toMatchObject({ card: '10000001', name: 'Anna', tier: { id: 'silver' }, points: { available: 800 } });
    const profile = await t.staff('GET', `/v1/customers/${anna.body.customerId}`);
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ email: 'anna@example.com', birthDate: '1990-02-28', locale: 'hy', consents: { sms: true, email: false, push: true } });
    const ledger = await t.staff('GET', `/v1/customers/${anna.body.customerId}/ledger`);
    expect(ledger.status).toBe(200);
    expect(ledger.body.entries).toEqual([{ seq: 1, at: clockNow.toISOString(), kind: 'migrated', points: 800, balanceAfter: 800, source: { importId, actor: 'test', reason: 'migrated' } }]);
    // The lots are kept the program's way: by the month at whose end they expire.
    const stored = await d.customers.get(t.tenantId, anna.body.customerId);
    expect(stored!.account.lots).toEqual({ '2027-03': 700, '2027-06': 100 });
    expect(stored!.account.paidTotal).toBe(60_000);

    const boris = await t.pos('POST', '/v1/identify', { customer: { card: '10000002' } });
    expect(boris.body).toMatchObject({ tier: { id: 'vip' }, points: { available: 0 } });
    const borisLedger = await t.staff('GET', `/v1/customers/${boris.body.customerId}/ledger`);
    expect(borisLedger.body.entries).toHaveLength(1);
    expect(borisLedger.body.entries[0]).toMatchObject({ kind: 'migrated', points: 0, balanceAfter: 0 });
  });

  it('should change nothing when the same file is imported again, and count every row as already imported', async () => {
    const path = fileOf('good.csv', good);
    const before = await memberItems(t);
    const { outcome } = await importFile(d, t.tenantId, path, 'csv');
    expect(outcome.progress).toMatchObject({ status: 'done', rowsTotal: 3, imported: 0, alreadyImported: 3, refused: 0 });
    expect(await memberItems(t)).toEqual(before);
    // Re-running a finished import is a no-op too.
    const again = await importFile(d, t.tenantId, path, 'csv', { importId: outcome.progress.importId });
    expect(again.outcome.progress).toMatchObject({ imported: 0, alreadyImported: 3 });
    expect(await memberItems(t)).toEqual(before);
  });

  it('should refuse a row whose phone belongs to an existing member and leave nothing of it behind', async () => {
    const enrolled = await t.pos('POST', '/v1/customers', { phone: '+37491555555', consents: { sms: true } });
    expect(enrolled.status).toBe(201);
    const path = fileOf('collide.csv', [header, '20000001,,Ok,,,,,,,,,,,10@2027-05-31', '20000002,+37491555555,Clash,,,,,,,,,,,50@2027-05-31', '20000003,,Ok too,,,,,,,,,,,'].join('\n'));
    const before = await t.items();
    const { outcome } = await importFile(d, t.tenantId, path, 'csv');
    expect(outcome.progress).toMatchObject({ imported: 2, refused: 1 });
    expect(readFileSync(outcome.progress.report!, 'utf8')).toBe('row,field,rule\n3,phone,already belongs to another member (identifiers are never merged)\n');
    // Nothing of row 3: no card, no customer, no ledger entry, no idempotency record.
    const after = await t.items();
    const added = after.filter((i) => !before.some((b) => b.pk === i.pk && b.sk === i.sk) && !String(i.pk).includes('#IMPORT#'));
    expect(added.some((i) => String(i.pk).includes('20000002') || i.card === '20000002')).toBe(false);
    // The card is on the customer's profile item (storage/customers.ts).
    expect(added.filter((i) => i.type === 'customerProfile').map((i) => i.card).sort()).toEqual(['20000001', '20000003']);
    expect(added.filter((i) => i.type === 'customer')).toHaveLength(2);
    expect((await t.pos('POST', '/v1/identify', { customer: { card: '20000002' } })).status).toBe(404);
    // The existing member is untouched.
    expect((await t.pos('POST', '/v1/identify', { customer: { phone: '+37491555555' } })).body.customerId).toBe(enrolled.body.customerId);
  });

  it('should write every refused row to the report with its row, field and rule, and import the rest', async () => {
    const lots61 = Array.from({ length: 61 }, () => '1@2027-05-31').join(';');
    const rows = [
      header,
      '30000001,,Fine,,,,,,,,,,,', // 2
      'x,,Bad card,,,,,,,,,,,', // 3
      '30000003,12345,Bad phone,,,,,,,,,,,', // 4
      '30000004,,Bad tier,,,,,,,platinum,,,,', // 5
      '30000005,,No date,,,,,,,,,,,10', // 6
      '30000006,,Past,,,,,,,,,,,10@2026-10-31', // 7
      '30000007,,Too far,,,,,,,,,,,10@2028-01-31', // 8
      `30000008,,Many lots,,,,,,,,,,,${lots61}`, // 9
      '30000009,,Bad consent,,,,maybe,,,,,,,', // 10
      '30000010,,"Short row"', // 11
      '30000001,,Fine but changed,,,,,,,,,,,', // 12: same card as row 2, other data
      '30000011,,Bad email,not-an-email,1990-13-01,,,,,,,,,', // 13
    ].join('\n');
    const { outcome } = await importFile(d, t.tenantId, fileOf('bad.csv', rows), 'csv');
    expect(outcome.progress).toMatchObject({ rowsTotal: 12, imported: 1, refused: 11 });
    const report = readFileSync(outcome.progress.report!, 'utf8').trim().split('\n');
    expect(report).toEqual([
      'row,field,rule',
      '3,card,must be 4–32 letters or digits',
      '4,phone,must be an international number such as +37491234567',
      '5,tier,"is not a level of this program (standard, silver, gold)"',
      '6,lots.0.expiresOn,is required: this program\'s points expire (expiry.afterMonths = 12)',
      '7,lots.0.expiresOn,is in the past (2026-11 in the program\'s time zone): expired points are not migrated',
      '8,lots.0.expiresOn,"is later than points earned today would expire (end of 2027-11, expiry.afterMonths = 12)"',
      '9,lots,at most 60 lots per member (import.maxLotsPerMember)',
      '10,consentSms,"must be true or false (also yes/no, 1/0)"',
      '11,row,has 3 cells; the header has 14',
      '12,card,appears earlier in this file with different data (row 2)',
      '13,email,Invalid email address',
      '13,birthDate,Invalid ISO date',
    ]);
    // The API shows the same, a page at a time.
    const first = await t.staff('GET', `/v1/imports/${outcome.progress.importId}?limit=3`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'done', rows: { done: 12, imported: 1, refused: 11, total: 12 } });
    expect(first.body.errors.map((e: { row: number }) => e.row)).toEqual([3, 4, 5]);
    const second = await t.staff('GET', `/v1/imports/${outcome.progress.importId}?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.errors.map((e: { row: number }) => e.row)).toEqual([6, 7, 8]);
  });

  it('should read JSON Lines with nested consents and lots, refusing unknown fields', async () => {
    const lines = [
      JSON.stringify({ card: '40000001', phone: '+37491400001', consents: { email: true }, lots: [{ points: 250, expiresOn: '2027-02-14' }] }),
      '',
      JSON.stringify({ card: '40000002', colour: 'blue' }),
      '{not json',
    ].join('\n');
    const { outcome } = await importFile(d, t.tenantId, fileOf('members.jsonl', lines), 'jsonl');
    expect(outcome.progress).toMatchObject({ rowsTotal: 3, imported: 1, refused: 2 });
    expect(readFileSync(outcome.progress.report!, 'utf8')).toBe('row,field,rule\n3,row,colour: is not a known column\n4,row,is not valid JSON\n');
    const m = await t.pos('POST', '/v1/identify', { customer: { card: '40000001' } });
    expect(m.body.points.available).toBe(250);
  });

  it('should refuse a file whose header has an unknown column, importing nothing', async () => {
    const before = await memberItems(t);
    const { outcome } = await importFile(d, t.tenantId, fileOf('typo.csv', 'card,fone\n50000001,+37491000009\n'), 'csv');
    expect(outcome.progress).toMatchObject({ status: 'failed', rowsDone: 0, failure: { code: 'invalid_file' } });
    expect(outcome.progress.failure!.message).toContain('fone: is not a known column');
    expect(await memberItems(t)).toEqual(before);
  });

  it('should resume an interrupted import after its checkpoint, with exact counts and nothing twice', async () => {
    const n = 40;
    const rows = [header];
    for (let i = 0; i < n; i++) rows.push(`6${String(i).padStart(7, '0')},+3749160${String(i).padStart(4, '0')},M${i},,,,,,,,,,,${i + 1}@2027-0${(i % 9) + 1}-28`);
    rows.splice(10, 0, 'bad,,,,,,,,,,,,,'); // one refused row, at row 11
    const path = fileOf('crash.csv', rows.join('\n'));
    const importId = newImportId(clock());
    // The run dies at its second checkpoint: the rows since the first are written but not counted.
    let checkpoints = 0;
    const crashing: Deps = {
      ...d,
      imports: {
        ...d.imports,
        checkpoint: async (...args) => {
          if (++checkpoints === 2) throw new Error('injected crash');
          return d.imports.checkpoint(...args);
        },
      },
    };
    await expect(importFile(crashing, t.tenantId, path, 'csv', { importId, leaseMs: 30_000 })).rejects.toThrow('injected crash');
    const stopped = (await d.imports.get(t.tenantId, importId))!;
    expect(stopped.status).toBe('running');
    expect(stopped.rowsDone).toBeGreaterThanOrEqual(7);
    const written = (await t.items()).filter((i) => i.type === 'customer' && i.importId === importId);
    expect(written.length).toBeGreaterThan(stopped.imported);
    expect(written.length).toBeLessThan(n);

    // Until the dead run's lease runs out nobody else takes the import.
    const busy = await importFile(d, t.tenantId, path, 'csv', { importId });
    expect(busy.outcome.state).toBe('busy');
    clockNow = new Date(clockNow.getTime() + 31_000);
    const resumed = await importFile(d, t.tenantId, path, 'csv', { importId });
    expect(resumed.outcome.progress).toMatchObject({ status: 'done', rowsTotal: n + 1, imported: n, alreadyImported: 0, refused: 1 });
    expect(readFileSync(resumed.outcome.progress.report!, 'utf8')).toBe('row,field,rule\n11,card,must be 4–32 letters or digits\n');
    const members = (await t.items()).filter((i) => i.type === 'customer' && i.importId === importId);
    expect(members).toHaveLength(n);
    const profiles = (await t.items()).filter((i) => i.type === 'customerProfile' && members.some((m) => m.pk === i.pk));
    expect(new Set(profiles.map((m) => m.card)).size).toBe(n);
  });

  it('should leave an import to the runner that took it over, once its own checkpoint is refused', async () => {
    const rows = [header, ...Array.from({ length: 30 }, (_, i) => `8${String(i).padStart(7, '0')},,T${i},,,,,,,,,,,`)];
    const taken: Deps = { ...d, imports: { ...d.imports, checkpoint: async () => false } };
    const { outcome } = await importFile(taken, t.tenantId, fileOf('taken.csv', rows.join('\n')), 'csv');
    expect(outcome.state).toBe('busy');
    expect(outcome.progress).toMatchObject({ status: 'running', rowsDone: 0 });
  });

  it('should keep every migrated balance equal to the sum of its ledger and of its lots', async () => {
    const items = await t.items();
    const customers = items.filter((i) => i.type === 'customer' && i.importId);
    expect(customers.length).toBeGreaterThan(40);
    for (const c of customers) {
      const ledger = items.filter((i) => i.type === 'ledger' && i.pk === c.pk);
      expect(ledger.map((e) => e.kind)).toEqual(['migrated']);
      // Fields at their empty value (0 points, no lots) are left out of the stored account.
      const { available = 0, lots = {} } = c.account as { available?: number; lots?: Record<string, number> };
      expect(ledger.reduce((s, e) => s + (e.points as number), 0)).toBe(available);
      expect(Object.values(lots).reduce((s, x) => s + x, 0)).toBe(available);
    }
  });

  it('should forget the card in the import record when a migrated member is erased', async () => {
    const anna = (await t.pos('POST', '/v1/identify', { customer: { card: '10000001' } })).body;
    expect((await t.staff('POST', `/v1/customers/${anna.customerId}/erase`, { reason: 'asked to be forgotten' })).status).toBe(200);
    const left = (await t.items()).filter((i) => JSON.stringify(i).includes('10000001'));
    expect(left).toEqual([]);
  });
});
