/** Keys: POS keys (per store) and staff keys; create (the key is shown once), rotate with an overlap, revoke. */
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client.ts';
import { Field, fieldError, Form, formatDate, Notice, useAction } from '../../ui/kit.tsx';
import { may, type PageProps } from '../pages.ts';

type Key = Awaited<ReturnType<typeof list>>['keys'][number];
const list = (api: PageProps['api'], cursor?: string) => call(api.GET('/v1/keys', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } }));
const roles = ['pos', 'admin', 'marketer', 'support', 'auditor'] as const;

export function KeysPage({ api, session }: PageProps) {
  const [keys, setKeys] = useState<Key[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const load = () => run(async () => {
    const r = await list(api);
    setKeys(r.keys);
    setCursor(r.nextCursor);
  });
  useEffect(() => void load(), []);
  const canWrite = may(session.role, 'POST /v1/keys');
  const rotate = (k: Key) => run(async () => {
    const r = await call(api.POST('/v1/keys/{keyId}/rotate', { params: { path: { keyId: k.keyId } }, body: {} }));
    setShown((r as { key?: string }).key ?? null);
    await load();
  });
  const revoke = (k: Key) => run(async () => {
    if (!confirm(`Revoke key ${k.keyId}? It stops working within seconds.`)) return;
    await call(api.DELETE('/v1/keys/{keyId}', { params: { path: { keyId: k.keyId } } }));
    await load();
  });
  return (
    <>
      <h1>Keys</h1>
      <Notice error={error} />
      {shown && <p class="notice ok" role="status">New key — copy it now, it is not shown again: <code data-testid="new-key">{shown}</code></p>}
      <table data-testid="keys">
        <caption>Keys (never the keys themselves)</caption>
        <thead><tr><th scope="col">Key id</th><th scope="col">Role</th><th scope="col">For</th><th scope="col">Created</th><th scope="col">State</th>{canWrite && <th scope="col">Actions</th>}</tr></thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.keyId}>
              <td><code>{k.keyId}</code></td>
              <td>{k.role}</td>
              <td>{k.storeId ?? k.customerId ?? k.actor ?? ''}</td>
              <td>{formatDate(k.createdAt)}{k.createdBy ? ` by ${k.createdBy}` : ''}</td>
              <td>{k.revokedAt ? `revoked ${formatDate(k.revokedAt)}` : k.expiresAt ? `ends ${formatDate(k.expiresAt)}` : 'active'}</td>
              {canWrite && (
                <td>{!k.revokedAt && (<>
                  <button type="button" class="secondary" disabled={busy} onClick={() => void rotate(k)} aria-label={`Rotate ${k.keyId}`}>Rotate</button>{' '}
                  <button type="button" class="danger" disabled={busy} onClick={() => void revoke(k)} aria-label={`Revoke ${k.keyId}`}>Revoke</button>
                </>)}</td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {cursor && <button type="button" class="secondary" onClick={() => void run(async () => { const r = await list(api, cursor); setKeys((x) => [...x, ...r.keys]); setCursor(r.nextCursor); })}>More keys</button>}
      {canWrite && <CreateKey api={api} onCreated={(key) => (setShown(key), void load())} />}
    </>
  );
}

function CreateKey({ api, onCreated }: { api: PageProps['api']; onCreated: (key: string) => void }) {
  const [role, setRole] = useState<(typeof roles)[number]>('pos');
  const [storeId, setStoreId] = useState('');
  const [name, setName] = useState('');
  const { busy, error, run } = useAction();
  const submit = () => run(async () => {
    const r = await call(api.POST('/v1/keys', { body: { role, name, ...(role === 'pos' ? { storeId } : {}) } }));
    onCreated((r as { key?: string }).key ?? '');
    setName('');
  });
  return (
    <Form label="Create a key" onSubmit={submit} class="card stack">
      <h2>Create a key</h2>
      <Field label="Role">{(id) => <select id={id} value={role} onChange={(e) => setRole(e.currentTarget.value as typeof role)}>{roles.map((r) => <option key={r} value={r}>{r}</option>)}</select>}</Field>
      {role === 'pos' && <Field label="Store id" error={fieldError(error, 'storeId')}>{(id, d) => <input id={id} aria-describedby={d} required value={storeId} onInput={(e) => setStoreId(e.currentTarget.value)} />}</Field>}
      <Field label="Name (till or person)" error={fieldError(error, 'name')}>{(id, d) => <input id={id} aria-describedby={d} required value={name} onInput={(e) => setName(e.currentTarget.value)} />}</Field>
      <button type="submit" disabled={busy}>Create</button>
      <Notice error={error} />
    </Form>
  );
}
