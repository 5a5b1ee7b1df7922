/** The audit trail: staff actions of a month, newest first, with actor, before and after. */
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client.ts';
import { Field, Form, formatDate, Notice, useAction } from '../../ui/kit.tsx';
import type { PageProps } from '../pages.ts';

type Record_ = Awaited<ReturnType<typeof page>>['records'][number];
const page = (api: PageProps['api'], month: string, cursor?: string) => call(api.GET('/v1/audit', { params: { query: { month, limit: 50, ...(cursor ? { cursor } : {}) } } }));

export function AuditPage({ api }: PageProps) {
  const [month, setMonth] = useState(new Date().toISOString().slice(0, 7));
  const [records, setRecords] = useState<Record_[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const load = () => run(async () => {
    const r = await page(api, month);
    setRecords(r.records);
    setCursor(r.nextCursor);
  });
  useEffect(() => void load(), []);
  return (
    <>
      <h1>Audit trail</h1>
      <Form label="Month" onSubmit={() => void load()} class="row">
        <Field label="Month (YYYY-MM)">{(id) => <input id={id} pattern="\d{4}-\d{2}" value={month} onInput={(e) => setMonth(e.currentTarget.value)} />}</Field>
        <button type="submit" disabled={busy}>Show</button>
      </Form>
      <Notice error={error} />
      <table>
        <caption>Staff actions in {month}</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Before → after</th></tr></thead>
        <tbody>
          {records.map((r, i) => (
            <tr key={i}>
              <td>{formatDate(r.at)}</td><td>{r.actor} ({r.role})</td><td>{r.action}</td><td>{r.target}</td>
              <td><code>{r.before === undefined ? '' : JSON.stringify(r.before)}</code> → <code>{r.after === undefined ? '' : JSON.stringify(r.after)}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor && <button type="button" class="secondary" onClick={() => void run(async () => { const r = await page(api, month, cursor); setRecords((x) => [...x, ...r.records]); setCursor(r.nextCursor); })}>Older</button>}
    </>
  );
}
