/** Staff find customers by the start of their name: GET /v1/customers/search, a Query of the names index. */
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { deps } from '#lib/app/deps.ts';
import { keys } from '#lib/storage/keys.ts';
import { invoke } from '../support/http.ts';
import { handlers, newTenant, receipt, type TestTenant } from './harness.ts';

const names = {
  zsofia: 'Zsófia Kovács',
  aram: 'Արամ Պետրոսյան',
  maryana: 'Мар’яна Йовенко',
  yosyp: 'Йосип Коваль',
  ivan: 'Иван Петров',
  zahra: 'زهرا احمدی',
  obrien: "Seán O'Brien",
};

describe('GET /v1/customers/search (by name)', () => {
  let t: TestTenant;
  const ids: Record<string, string> = {};
  const found = async (name: string) => {
    const r = await t.staff('GET', `/v1/customers/search?name=${encodeURIComponent(name)}`);
    expect(r.status, r.raw).toBe(200);
    return (r.body.customers as Array<{ customerId: string }>).map((c) => c.customerId).sort();
  };
  const idsOf = (...who: Array<keyof typeof names>) => who.map((w) => ids[w]!).sort();

  beforeAll(async () => {
    t = await newTenant();
    for (const [k, name] of Object.entries(names)) ids[k] = (await t.pos('POST', '/v1/customers', { name })).body.customerId;
  });

  it('matches the start of the name whatever the case and Latin diacritics', async () => {
    expect(await found('zso')).toEqual(idsOf('zsofia'));
    expect(await found('ZSOFIA KOV')).toEqual(idsOf('zsofia'));
    expect(await found('Zsófia  Kovács')).toEqual(idsOf('zsofia'));
    expect(await found('sean o')).toEqual(idsOf('obrien'));
    expect(await found('Seán OBrien')).toEqual(idsOf('obrien'));
    // The start of the name, not any word of it.
    expect(await found('kovacs')).toEqual([]);
  });

  it('keeps Armenian, Cyrillic and Persian letters, folding only case and Persian letter forms', async () => {
    expect(await found('ԱՐԱՄ')).toEqual(idsOf('aram'));
    expect(await found('արամ պետ')).toEqual(idsOf('aram'));
    expect(await found("мар'ян")).toEqual(idsOf('maryana'));
    expect(await found('МАРЯНА Й')).toEqual(idsOf('maryana'));
    // й is a letter of its own, not и with a mark.
    expect(await found('й')).toEqual(idsOf('yosyp'));
    expect(await found('и')).toEqual(idsOf('ivan'));
    // Arabic yeh (ي) as a keyboard may type it finds the Persian ی.
    expect(await found('زهرا احمدي')).toEqual(idsOf('zahra'));
    expect(await found('زهرا')).toEqual(idsOf('zahra'));
  });

  it('pages in name order with a cursor bound to its query', async () => {
    const page = [];
    for (let i = 0; i < 5; i++) page.push((await t.pos('POST', '/v1/customers', { name: `Pager ${i}` })).body.customerId);
    // Two customers may share a name; the cursor still moves past each exactly once.
    page.push((await t.pos('POST', '/v1/customers', { name: 'Pager 2' })).body.customerId);
    const seen: string[] = [];
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: Awaited<ReturnType<TestTenant['staff']>> = await t.staff('GET', `/v1/customers/search?name=pager&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status, r.raw).toBe(200);
      expect(r.body.customers.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.customers.map((c: { customerId: string }) => c.customerId));
      names.push(...r.body.customers.map((c: { name: string }) => c.name));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen.sort()).toEqual(page.sort());
    expect(names).toEqual([...names].sort());
    const first = await t.staff('GET', '/v1/customers/search?name=pager&limit=2');
    const other = await t.staff('GET', `/v1/customers/search?name=zso&cursor=${first.body.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.body.error.field).toBe('cursor');
  });

  it('refuses a query that is no name, a limit out of range, and callers who do not serve customers', async () => {
    for (const [query, field] of [['name=---', 'name'], ['', 'name'], ['name=%20', 'name'], ['name=ann&limit=51', 'limit'], ['name=ann&limit=0', 'limit'], ['name=ann&cursor=bogus', 'cursor'], [`name=${'a'.repeat(101)}`, 'name']] as const) {
      const r = await t.staff('GET', `/v1/customers/search?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error.field, query).toBe(field);
    }
    expect((await t.pos('GET', '/v1/customers/search?name=zso')).status).toBe(403);
    const auditor = (await t.staff('POST', '/v1/keys', { role: 'auditor', name: 'auditor' })).body.key as string;
    const asAuditor = await invoke(handlers, { method: 'GET', path: '/v1/customers/search?name=zso', headers: { authorization: `Bearer ${auditor}` } });
    expect(asAuditor.status).toBe(403);
    const support = (await t.staff('POST', '/v1/keys', { role: 'support', name: 'desk' })).body.key as string;
    const asSupport = await invoke(handlers, { method: 'GET', path: '/v1/customers/search?name=zso', headers: { authorization: `Bearer ${support}` } });
    expect(asSupport.body.customers.map((c: { customerId: string }) => c.customerId)).toEqual(idsOf('zsofia'));
  });

  it('costs a receipt nothing on the index: the index key is on the profile item, which a commit does not write', async () => {
    const c = (await t.pos('POST', '/v1/customers', { name: 'Till Shopper' })).body;
    const read = async (key: { pk: string; sk: string }) => (await deps().db.doc.send(new GetCommand({ TableName: deps().db.table, Key: key }))).Item!;
    const [customerBefore, before] = [await read(keys.customer(t.tenantId, c.customerId)), await read(keys.customerProfile(t.tenantId, c.customerId))];
    expect(before).toMatchObject({ namePk: `T#${t.tenantId}#NAME#t`, nameSk: 'till shopper' });
    expect(customerBefore.namePk).toBeUndefined();
    expect((await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 10_000 }]))).status).toBe(200);
    const [customerAfter, after] = [await read(keys.customer(t.tenantId, c.customerId)), await read(keys.customerProfile(t.tenantId, c.customerId))];
    expect(customerAfter.version).toBeGreaterThan(customerBefore.version);
    expect(after).toEqual(before);
    // DynamoDB bills an index write only when the item's index key or projected attributes change
    // (KEYS_ONLY: the key alone). Writing the same item again shows what the table reports.
    const put = await deps().db.doc.send(new PutCommand({ TableName: deps().db.table, Item: after, ReturnConsumedCapacity: 'INDEXES' }));
    const moved = await deps().db.doc.send(new PutCommand({ TableName: deps().db.table, Item: { ...after, nameSk: 'till shopperx' }, ReturnConsumedCapacity: 'INDEXES' }));
    expect(put.ConsumedCapacity?.GlobalSecondaryIndexes?.names).toBeUndefined();
    // The control: a changed name key is a delete and a put on the index (2 units).
    expect(moved.ConsumedCapacity?.GlobalSecondaryIndexes?.names?.CapacityUnits).toBe(2);
  });

  it('forgets an erased customer’s name: the index entry goes with it', async () => {
    const c = (await t.pos('POST', '/v1/customers', { name: 'Vergessen Werden' })).body;
    expect(await found('vergessen')).toEqual([c.customerId]);
    expect((await t.staff('POST', `/v1/customers/${c.customerId}/erase`, { reason: 'asked to be forgotten' })).status).toBe(200);
    expect(await found('vergessen')).toEqual([]);
    const index = await deps().customers.idsByNamePrefix(t.tenantId, 'vergessen', 10);
    expect(index.ids).toEqual([]);
    for (const sk of ['CUSTOMER', 'PROFILE']) {
      const item = (await t.items()).find((i) => i.pk === keys.customer(t.tenantId, c.customerId).pk && i.sk === sk)!;
      expect(item.namePk).toBeUndefined();
      expect(item.nameSk).toBeUndefined();
      expect(JSON.stringify(item)).not.toContain('Vergessen');
    }
  });
});
