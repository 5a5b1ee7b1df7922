/** Stores: the chain's stores (a page at a time), register one, deactivate or reactivate. */
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client.ts';
import { Field, fieldError, Form, Notice, useAction } from '../../ui/kit.tsx';
import { may, type PageProps } from '../pages.ts';

type Store = Awaited<ReturnType<typeof list>>['stores'][number];
const list = (api: PageProps['api'], cursor?: string) => call(api.GET('/v1/stores', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } }));

export function StoresPage({ api, session }: PageProps) {
  const [stores, setStores] = useState<Store[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const load = () => run(async () => {
    const r = await list(api);
    setStores(r.stores);
    setCursor(r.nextCursor);
  });
  useEffect(() => void load(), []);
  const canWrite = may(session.role, 'POST /v1/stores');
  const setActive = (s: Store, active: boolean) => run(async () => {
    await call(api.PATCH('/v1/stores/{storeId}', { params: { path: { storeId: s.storeId } }, body: { active } }));
    await load();
  });
  return (
    <>
      <h1>Stores</h1>
      <Notice error={error} />
      <table data-testid="stores">
        <caption>Stores</caption>
        <thead><tr><th scope="col">Store</th><th scope="col">Address</th><th scope="col">Time zone</th><th scope="col">Tags</th><th scope="col">State</th>{canWrite && <th scope="col">Action</th>}</tr></thead>
        <tbody>
          {stores.map((s) => (
            <tr key={s.storeId}>
              <td>{s.name} <small>({s.storeId})</small></td>
              <td>{s.address ?? ''}</td>
              <td>{s.timeZone ?? 'program’s'}</td>
              <td>{Object.entries(s.tags ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')}</td>
              <td>{s.active ? 'active' : 'inactive'}</td>
              {canWrite && <td><button type="button" class="secondary" disabled={busy} onClick={() => void setActive(s, !s.active)}>{s.active ? `Deactivate ${s.storeId}` : `Reactivate ${s.storeId}`}</button></td>}
            </tr>
          ))}
        </tbody>
      </table>
      {cursor && <button type="button" class="secondary" onClick={() => void run(async () => { const r = await list(api, cursor); setStores((x) => [...x, ...r.stores]); setCursor(r.nextCursor); })}>More stores</button>}
      {canWrite && <AddStore api={api} onDone={load} />}
    </>
  );
}

function AddStore({ api, onDone }: { api: PageProps['api']; onDone: () => void }) {
  const [v, setV] = useState({ storeId: '', name: '', address: '', timeZone: '', tags: '' });
  const { busy, error, run } = useAction();
  const set = (k: keyof typeof v) => (e: { currentTarget: HTMLInputElement }) => setV({ ...v, [k]: e.currentTarget.value });
  const submit = () => run(async () => {
    const tags = Object.fromEntries(v.tags.split(/[;,]/).map((t) => t.trim()).filter(Boolean).map((t) => t.split('=').map((x) => x.trim()) as [string, string]));
    await call(api.POST('/v1/stores', { body: { storeId: v.storeId, name: v.name, ...(v.address ? { address: v.address } : {}), ...(v.timeZone ? { timeZone: v.timeZone } : {}), tags } }));
    setV({ storeId: '', name: '', address: '', timeZone: '', tags: '' });
    onDone();
  });
  return (
    <Form label="Register a store" onSubmit={submit} class="card stack">
      <h2>Register a store</h2>
      <Field label="Store id" error={fieldError(error, 'storeId')}>{(id, d) => <input id={id} aria-describedby={d} required value={v.storeId} onInput={set('storeId')} />}</Field>
      <Field label="Name" error={fieldError(error, 'name')}>{(id, d) => <input id={id} aria-describedby={d} required value={v.name} onInput={set('name')} />}</Field>
      <Field label="Address" error={fieldError(error, 'address')}>{(id, d) => <input id={id} aria-describedby={d} value={v.address} onInput={set('address')} />}</Field>
      <Field label="Time zone (IANA)" hint="empty: the program’s" error={fieldError(error, 'timeZone')}>{(id, d) => <input id={id} aria-describedby={d} value={v.timeZone} onInput={set('timeZone')} />}</Field>
      <Field label="Tags" hint="region=north; format=pharmacy" error={fieldError(error, 'tags')}>{(id, d) => <input id={id} aria-describedby={d} value={v.tags} onInput={set('tags')} />}</Field>
      <button type="submit" disabled={busy}>Register</button>
      <Notice error={error} />
    </Form>
  );
}
