/**
 * Segments: the tenant's definitions (at most 20), a new one from conditions written as JSON
 * (the API's error is shown at the field it names, a condition's path included), and a
 * definition's members a page at a time with the CSV export (ids only) saved as a file; a
 * definition changed or deleted from its page.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, call, type paths } from '../../api/client.ts';
import { Field, fieldError, Form, formatDate, Notice, useAction } from '../../ui/kit.tsx';
import { may, type PageProps } from '../pages.ts';

type Api = PageProps['api'];
type Segment = Awaited<ReturnType<typeof listSegments>>['segments'][number];
type NewSegment = paths['/v1/segments']['post']['requestBody']['content']['application/json'];
const listSegments = (api: Api) => call(api.GET('/v1/segments'));
const membersPage = (api: Api, segmentId: string, cursor?: string) =>
  call(api.GET('/v1/segments/{segmentId}/members', { params: { path: { segmentId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));

const describe = (c: Segment['conditions'][number]) => {
  const { kind, not, ...rest } = c as { kind: string; not?: boolean } & Record<string, unknown>;
  return `${not ? 'not ' : ''}${kind} ${JSON.stringify(rest)}`;
};

export function SegmentsPage(props: PageProps) {
  return props.params[0] ? <SegmentMembers {...props} segmentId={decodeURIComponent(props.params[0])} /> : <SegmentList {...props} />;
}

function SegmentList({ api, session }: PageProps) {
  const [segments, setSegments] = useState<Segment[] | null>(null);
  const { error, run } = useAction();
  const load = () => run(async () => setSegments((await listSegments(api)).segments));
  useEffect(() => void load(), []);
  return (
    <>
      <h1>Segments</h1>
      <Notice error={error} />
      {segments && (segments.length === 0 ? <p>No segments are defined yet.</p> : (
        <table data-testid="segments">
          <caption>Defined segments</caption>
          <thead><tr><th scope="col">Segment</th><th scope="col">Match</th><th scope="col">Conditions</th><th scope="col">Version</th><th scope="col">Changed</th></tr></thead>
          <tbody>
            {segments.map((s) => (
              <tr key={s.segmentId}>
                <td><a href={`#/segments/${encodeURIComponent(s.segmentId)}`}>{s.name}</a> <small>({s.segmentId})</small></td>
                <td>{s.match}</td>
                <td><ul class="list">{s.conditions.map((c, i) => <li key={i}><code>{describe(c)}</code></li>)}</ul></td>
                <td class="num">{s.version}</td>
                <td>{formatDate(s.updatedAt)} by {s.createdBy}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      {may(session.role, 'POST /v1/segments') && <DefineSegment api={api} onDone={load} />}
    </>
  );
}

const EXAMPLE = JSON.stringify([{ kind: 'balance', min: 100 }, { kind: 'consent', channel: 'sms' }], null, 2);

function DefineSegment({ api, onDone }: { api: Api; onDone: () => void }) {
  const [v, setV] = useState({ segmentId: '', name: '', description: '', match: 'all' as 'all' | 'any', conditions: EXAMPLE });
  const [created, setCreated] = useState<string | null>(null);
  const { busy, error, run, setError } = useAction();
  const set = (k: 'segmentId' | 'name' | 'description') => (e: { currentTarget: HTMLInputElement }) => setV({ ...v, [k]: e.currentTarget.value });
  const submit = () =>
    run(async () => {
      setCreated(null);
      let conditions: unknown;
      try {
        conditions = JSON.parse(v.conditions);
      } catch (e) {
        throw new ApiFailure(400, 'invalid_json', `The conditions are not JSON: ${(e as Error).message}`, 'conditions');
      }
      const body: NewSegment = { segmentId: v.segmentId, name: v.name, ...(v.description ? { description: v.description } : {}), match: v.match, conditions: conditions as NewSegment['conditions'] };
      const s = await call(api.POST('/v1/segments', { body }));
      setCreated(`Segment ${s.segmentId} (version ${s.version}) is defined; it fills as events arrive and at the latest tonight.`);
      setV({ segmentId: '', name: '', description: '', match: 'all', conditions: EXAMPLE });
      onDone();
    });
  // A condition's issue names its path (conditions.1.classes.0): shown at the conditions field with that path.
  const conditionsError = error instanceof ApiFailure && error.field?.startsWith('conditions') ? (error.message.startsWith(error.field) ? error.message : `${error.field}: ${error.message}`) : undefined;
  const placed = ['segmentId', 'name', 'description', 'match'].some((f) => fieldError(error, f)) || conditionsError;
  return (
    <Form label="Define a segment" onSubmit={submit} class="card stack">
      <h2>Define a segment</h2>
      <Field label="Segment id" error={fieldError(error, 'segmentId')}>{(id, d) => <input id={id} aria-describedby={d} aria-invalid={!!fieldError(error, 'segmentId')} required value={v.segmentId} onInput={set('segmentId')} />}</Field>
      <Field label="Name" error={fieldError(error, 'name')}>{(id, d) => <input id={id} aria-describedby={d} aria-invalid={!!fieldError(error, 'name')} required value={v.name} onInput={set('name')} />}</Field>
      <Field label="Description" error={fieldError(error, 'description')}>{(id, d) => <input id={id} aria-describedby={d} value={v.description} onInput={set('description')} />}</Field>
      <Field label="Match" error={fieldError(error, 'match')}>
        {(id, d) => <select id={id} aria-describedby={d} value={v.match} onChange={(e) => setV({ ...v, match: e.currentTarget.value as 'all' | 'any' })}><option value="all">all conditions</option><option value="any">any condition</option></select>}
      </Field>
      <Field label="Conditions (JSON)" hint="kinds: tier, rfm, lastPurchase, enrolled, birthdayMonth, consent, balance, bought, store; each may carry &quot;not&quot;: true" error={conditionsError}>
        {(id, d) => <textarea id={id} class="code" rows={8} aria-describedby={d} aria-invalid={!!conditionsError} value={v.conditions} onInput={(e) => (setV({ ...v, conditions: e.currentTarget.value }), conditionsError && setError(null))} />}
      </Field>
      <button type="submit" disabled={busy}>Define</button>
      {placed ? <p class="notice error" role="alert">The segment was not saved; the problem is shown at its field.</p> : <Notice error={error} ok={created} />}
    </Form>
  );
}

type SegmentChange = paths['/v1/segments/{segmentId}']['put']['requestBody']['content']['application/json'];

/** Change a definition (PUT, audited) or delete it (DELETE): its members follow as each is next evaluated. */
function EditSegment({ api, segment, onSaved }: { api: Api; segment: Segment; onSaved: (s: Segment) => void }) {
  const [v, setV] = useState({ name: segment.name, description: segment.description ?? '', match: segment.match, conditions: JSON.stringify(segment.conditions, null, 2) });
  const [ok, setOk] = useState<string | null>(null);
  const { busy, error, run, setError } = useAction();
  const save = () =>
    run(async () => {
      setOk(null);
      let conditions: unknown;
      try {
        conditions = JSON.parse(v.conditions);
      } catch (e) {
        throw new ApiFailure(400, 'invalid_json', `The conditions are not JSON: ${(e as Error).message}`, 'conditions');
      }
      const body: SegmentChange = { name: v.name, ...(v.description ? { description: v.description } : {}), match: v.match, conditions: conditions as SegmentChange['conditions'] };
      const s = await call(api.PUT('/v1/segments/{segmentId}', { params: { path: { segmentId: segment.segmentId } }, body }));
      setOk(`Saved as version ${s.version}; members follow as events arrive and at the latest tonight.`);
      onSaved(s);
    });
  const remove = () =>
    run(async () => {
      if (!confirm(`Delete the segment ${segment.segmentId}? Rules and coupons that target it stop matching as its members leave.`)) return;
      await call(api.DELETE('/v1/segments/{segmentId}', { params: { path: { segmentId: segment.segmentId } } }));
      location.hash = '#/segments';
    });
  const conditionsError = error instanceof ApiFailure && error.field?.startsWith('conditions') ? (error.message.startsWith(error.field) ? error.message : `${error.field}: ${error.message}`) : undefined;
  return (
    <Form label="Edit segment" onSubmit={save} class="card stack">
      <h2>Edit or delete</h2>
      <Field label="Name" error={fieldError(error, 'name')}>{(id, d) => <input id={id} aria-describedby={d} required value={v.name} onInput={(e) => setV({ ...v, name: e.currentTarget.value })} />}</Field>
      <Field label="Description" error={fieldError(error, 'description')}>{(id, d) => <input id={id} aria-describedby={d} value={v.description} onInput={(e) => setV({ ...v, description: e.currentTarget.value })} />}</Field>
      <Field label="Match" error={fieldError(error, 'match')}>
        {(id, d) => <select id={id} aria-describedby={d} value={v.match} onChange={(e) => setV({ ...v, match: e.currentTarget.value as 'all' | 'any' })}><option value="all">all conditions</option><option value="any">any condition</option></select>}
      </Field>
      <Field label="Conditions (JSON)" error={conditionsError}>
        {(id, d) => <textarea id={id} class="code" rows={8} aria-describedby={d} aria-invalid={!!conditionsError} value={v.conditions} onInput={(e) => (setV({ ...v, conditions: e.currentTarget.value }), conditionsError && setError(null))} />}
      </Field>
      <div class="row">
        <button type="submit" disabled={busy}>Save changes</button>
        <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>Delete segment</button>
      </div>
      <Notice error={conditionsError ? null : error} ok={ok} />
    </Form>
  );
}

function SegmentMembers({ api, session, segmentId }: PageProps & { segmentId: string }) {
  const [segment, setSegment] = useState<Segment | null>(null);
  const [members, setMembers] = useState<Array<{ customerId: string; since?: string }>>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const load = () =>
    run(async () => {
      const [s, p] = await Promise.all([call(api.GET('/v1/segments/{segmentId}', { params: { path: { segmentId } } })), membersPage(api, segmentId)]);
      setSegment(s);
      setMembers(p.members);
      setCursor(p.nextCursor);
    });
  useEffect(() => void load(), [segmentId]);
  const more = () => run(async () => {
    const p = await membersPage(api, segmentId, cursor!);
    setMembers((m) => [...m, ...p.members]);
    setCursor(p.nextCursor);
  });
  /** Every page of the CSV (the cursor travels in `next-cursor`), joined under one header row. */
  const exportCsv = () =>
    run(async () => {
      const parts: string[] = [];
      let next: string | undefined;
      do {
        const r = await api.GET('/v1/segments/{segmentId}/export', { params: { path: { segmentId }, query: { limit: 1000, ...(next ? { cursor: next } : {}) } }, parseAs: 'text' });
        const csv = await call(Promise.resolve(r));
        parts.push(parts.length ? (csv as string).replace(/^[^\n]*\n/, '') : (csv as string));
        next = r.response.headers.get('next-cursor') ?? undefined;
      } while (next);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob(parts, { type: 'text/csv' }));
      a.download = `segment-${segmentId}.csv`;
      a.click();
      URL.revokeObjectURL(a.href);
      setSaved(`segment-${segmentId}.csv saved.`);
    });
  return (
    <>
      <p><a href="#/segments">All segments</a></p>
      <h1>{segment ? segment.name : segmentId}</h1>
      <Notice error={error} ok={saved} />
      {segment && <p>Customers matching {segment.match} of: {segment.conditions.map(describe).join('; ')}.</p>}
      <div class="toolbar">
        <button type="button" class="secondary" disabled={busy} onClick={() => void load()}>Refresh</button>
        <button type="button" class="secondary" disabled={busy} onClick={() => void exportCsv()}>Export members (CSV)</button>
      </div>
      <table data-testid="members">
        <caption>Members ({members.length}{cursor ? '+' : ''})</caption>
        <thead><tr><th scope="col">Customer</th><th scope="col">Member since</th></tr></thead>
        <tbody>{members.map((m) => <tr key={m.customerId}><td>{m.customerId}</td><td>{m.since ? formatDate(m.since) : ''}</td></tr>)}</tbody>
      </table>
      {cursor && <button type="button" class="secondary" disabled={busy} onClick={() => void more()}>More members</button>}
      {segment && may(session.role, 'PUT /v1/segments/{segmentId}') && <EditSegment key={segment.version} api={api} segment={segment} onSaved={setSegment} />}
    </>
  );
}
