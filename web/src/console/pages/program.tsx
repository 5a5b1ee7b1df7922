/**
 * The program editor: a form drawn from the program's JSON Schema (GET /v1/program/schema) over
 * the document in force, or the same draft as JSON; "Check" asks POST /v1/program/validate and
 * shows each issue at its field; the changes against the version in force are listed before
 * publishing (POST /v1/program with basedOnVersion, so a concurrent publish is refused).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { call } from '../../api/client.ts';
import { Field, formatDate, Notice, useAction } from '../../ui/kit.tsx';
import { diffJson, SchemaField, type Issues, type JsonSchema } from '../../ui/schema-form.tsx';
import { may, type PageProps } from '../pages.ts';
import { simulateDraft } from './simulator.tsx';

type InForce = Awaited<ReturnType<typeof loadInForce>>;
const loadInForce = (api: PageProps['api']) => call(api.GET('/v1/program'));

const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v));

export function ProgramPage({ api, session }: PageProps) {
  const [inForce, setInForce] = useState<InForce | null>(null);
  const [schema, setSchema] = useState<JsonSchema | null>(null);
  const [draft, setDraft] = useState<Record<string, unknown>>({});
  const [asJson, setAsJson] = useState(false);
  const [jsonText, setJsonText] = useState('');
  const [issues, setIssues] = useState<Array<{ path: string; message: string }> | null>(null);
  const [published, setPublished] = useState<string | null>(null);
  const [versions, setVersions] = useState<Array<{ version: number; name?: string; publishedBy?: string; publishedAt?: string }>>([]);
  const { busy, error, run } = useAction();

  const load = () =>
    run(async () => {
      const [p, s, v] = await Promise.all([loadInForce(api), call(api.GET('/v1/program/schema')), call(api.GET('/v1/program/versions'))]);
      setInForce(p);
      setSchema(s as JsonSchema);
      setDraft(structuredClone(p.document));
      setVersions(v.versions);
      setIssues(null);
    });
  useEffect(() => void load(), []);

  const issueMap: Issues = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const i of issues ?? []) m.set(i.path, [...(m.get(i.path) ?? []), i.message]);
    return m;
  }, [issues]);
  const changes = useMemo(() => (inForce ? diffJson(inForce.document, draft) : []), [inForce, draft]);

  /** The draft as the JSON tab holds it, when that is where the edits are. */
  const current = (): Record<string, unknown> => {
    if (!asJson) return draft;
    const parsed = JSON.parse(jsonText) as Record<string, unknown>;
    setDraft(parsed);
    return parsed;
  };
  const check = () =>
    run(async () => {
      const r = await call(api.POST('/v1/program/validate', { body: { document: current() } }));
      setIssues(r.issues);
      return r.valid;
    });
  const publish = () =>
    run(async () => {
      const document = current();
      const r = await call(api.POST('/v1/program/validate', { body: { document } }));
      setIssues(r.issues);
      if (!r.valid) return;
      const p = await call(api.POST('/v1/program', { body: { document, basedOnVersion: inForce!.version } }));
      setPublished(`Version ${p.version} is in force.`);
      await load();
    });
  const toggleJson = () => {
    if (asJson) {
      try {
        setDraft(JSON.parse(jsonText) as Record<string, unknown>);
      } catch {
        return void setIssues([{ path: '', message: 'The JSON does not parse; fix it before going back to the form.' }]);
      }
    } else setJsonText(JSON.stringify(draft, null, 2));
    setAsJson(!asJson);
  };

  if (!inForce || !schema) return (<><h1>Program</h1><Notice error={error} /></>);
  const unplaced = (issues ?? []).filter((i) => !i.path || asJson);
  return (
    <>
      <h1>Program</h1>
      <p data-testid="in-force">
        Version {inForce.version} in force{inForce.publishedAt ? `, published ${formatDate(inForce.publishedAt)}` : ''}{inForce.publishedBy ? ` by ${inForce.publishedBy}` : ''}.
      </p>
      <Notice error={error} ok={published} />
      <div class="toolbar">
        <button type="button" class="secondary" onClick={toggleJson} aria-pressed={asJson}>{asJson ? 'Edit as form' : 'Edit as JSON'}</button>
        {may(session.role, 'POST /v1/program/validate') && <button type="button" class="secondary" disabled={busy} onClick={() => void check()}>Check</button>}
        <button type="button" class="secondary" disabled={busy} onClick={() => (setDraft(structuredClone(inForce.document)), setIssues(null), setJsonText(JSON.stringify(inForce.document, null, 2)))}>Discard changes</button>
        {may(session.role, 'POST /v1/simulations') && <button type="button" class="secondary" disabled={busy} onClick={() => { try { simulateDraft(current()); } catch { setIssues([{ path: '', message: 'The JSON does not parse; fix it before simulating.' }]); } }}>Simulate before publishing</button>}
        {may(session.role, 'POST /v1/program') && <button type="button" disabled={busy || (!asJson && changes.length === 0)} onClick={() => void publish()}>Publish version {inForce.version + 1}</button>}
      </div>
      {issues && (
        <p role="status" class={`notice ${issues.length ? 'error' : 'ok'}`} data-testid="validation">
          {issues.length ? `${issues.length} problem(s); each is shown at its field.` : 'The draft is valid.'}
        </p>
      )}
      {unplaced.length > 0 && <ul class="error">{unplaced.map((i) => <li key={i.path + i.message}>{i.path ? `${i.path}: ` : ''}{i.message}</li>)}</ul>}
      <div class="editor">
        <form class="stack" aria-label="Program draft" onSubmit={(e) => e.preventDefault()}>
          {asJson ? (
            <Field label="Program document (JSON)">
              {(id) => <textarea id={id} rows={30} class="code" value={jsonText} onInput={(e) => setJsonText(e.currentTarget.value)} />}
            </Field>
          ) : (
            <SchemaField schema={schema} value={draft} onChange={(v) => setDraft(v as Record<string, unknown>)} path="" name="program" issues={issueMap} />
          )}
        </form>
        <aside aria-labelledby="changes-title">
          <h2 id="changes-title">Changes against version {inForce.version}</h2>
          {asJson ? <p>Switch to the form to see the changes.</p> : changes.length === 0 ? <p>No changes.</p> : (
            <table data-testid="diff">
              <thead><tr><th scope="col">Field</th><th scope="col">In force</th><th scope="col">Draft</th></tr></thead>
              <tbody>{changes.map((c) => <tr key={c.path}><td><code>{c.path}</code></td><td class="before">{show(c.before)}</td><td class="after">{show(c.after)}</td></tr>)}</tbody>
            </table>
          )}
          <h2>Versions</h2>
          <ol class="versions" reversed>
            {versions.map((v) => <li key={v.version}>v{v.version} {v.name ?? ''} {v.publishedBy ? `· ${v.publishedBy}` : ''} {v.publishedAt ? `· ${formatDate(v.publishedAt)}` : ''}</li>)}
          </ol>
        </aside>
      </div>
    </>
  );
}
