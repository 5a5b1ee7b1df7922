/** Coupons: issue codes from one of the program's campaigns (to a customer, a segment or a batch), and look a code up. */
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client.ts';
import { Field, fieldError, Form, formatDate, newId, Notice, useAction } from '../../ui/kit.tsx';
import { may, type PageProps } from '../pages.ts';

export function CouponsPage({ api, session }: PageProps) {
  return (
    <>
      <h1>Coupons</h1>
      <div class="cards">
        {may(session.role, 'POST /v1/coupons') && <Issue api={api} canReadProgram={may(session.role, 'GET /v1/program')} />}
        <Lookup api={api} />
      </div>
    </>
  );
}

function Issue({ api, canReadProgram }: { api: PageProps['api']; canReadProgram: boolean }) {
  const [campaigns, setCampaigns] = useState<Array<{ id: string; name?: string }>>([]);
  const [campaignId, setCampaignId] = useState('');
  const [to, setTo] = useState<'batch' | 'customer' | 'segment'>('batch');
  const [target, setTarget] = useState('');
  const [count, setCount] = useState('1');
  const [codes, setCodes] = useState<string[]>([]);
  const { busy, error, run } = useAction();
  useEffect(() => {
    if (!canReadProgram) return;
    void run(async () => {
      const p = await call(api.GET('/v1/program'));
      const list = ((p.document as { coupons?: Array<{ id: string; name?: string }> }).coupons ?? []).map((c) => ({ id: c.id, ...(c.name ? { name: c.name } : {}) }));
      setCampaigns(list);
      if (list[0]) setCampaignId(list[0].id);
    });
  }, []);
  const submit = () =>
    run(async () => {
      const body = { campaignId, issueId: newId('web'), ...(to === 'customer' ? { customerId: target } : to === 'segment' ? { segment: target } : { count: Number(count) }) };
      const r = await call(api.POST('/v1/coupons', { body }));
      setCodes(r.codes);
    });
  return (
    <Form label="Issue coupons" onSubmit={submit} class="card stack">
      <h2>Issue codes</h2>
      <Field label="Campaign" error={fieldError(error, 'campaignId')}>
        {(id, d) =>
          campaigns.length ? (
            <select id={id} aria-describedby={d} value={campaignId} onChange={(e) => setCampaignId(e.currentTarget.value)}>
              {campaigns.map((c) => <option key={c.id} value={c.id}>{c.name ? `${c.name} (${c.id})` : c.id}</option>)}
            </select>
          ) : (
            <input id={id} aria-describedby={d} required value={campaignId} onInput={(e) => setCampaignId(e.currentTarget.value)} />
          )
        }
      </Field>
      <Field label="Issue to">
        {(id) => (
          <select id={id} value={to} onChange={(e) => setTo(e.currentTarget.value as typeof to)}>
            <option value="batch">A batch of codes</option>
            <option value="customer">One customer</option>
            <option value="segment">Everyone in a segment</option>
          </select>
        )}
      </Field>
      {to === 'batch' ? (
        <Field label="How many codes" error={fieldError(error, 'count')}>
          {(id, d) => <input id={id} aria-describedby={d} type="number" min={1} max={1000} value={count} onInput={(e) => setCount(e.currentTarget.value)} />}
        </Field>
      ) : (
        <Field label={to === 'customer' ? 'Customer id' : 'Segment'} error={fieldError(error, to === 'customer' ? 'customerId' : 'segment')}>
          {(id, d) => <input id={id} aria-describedby={d} required value={target} onInput={(e) => setTarget(e.currentTarget.value)} />}
        </Field>
      )}
      <button type="submit" disabled={busy}>Issue</button>
      <Notice error={error} ok={codes.length ? `${codes.length} code(s) issued.` : null} />
      {codes.length > 0 && <ul class="codes" data-testid="codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>}
    </Form>
  );
}

function Lookup({ api }: Pick<PageProps, 'api'>) {
  const [code, setCode] = useState('');
  const [found, setFound] = useState<Awaited<ReturnType<typeof get>> | null>(null);
  const get = (c: string) => call(api.GET('/v1/coupons/{code}', { params: { path: { code: c } } }));
  const { busy, error, run } = useAction();
  return (
    <Form label="Look up a code" onSubmit={() => void run(async () => setFound(await get(code.trim())))} class="card stack">
      <h2>Look up a code</h2>
      <Field label="Code" error={fieldError(error, 'code')}>
        {(id, d) => <input id={id} aria-describedby={d} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />}
      </Field>
      <button type="submit" disabled={busy}>Look up</button>
      <Notice error={error} />
      {found && (
        <dl>
          <dt>Campaign</dt><dd>{found.campaignId}</dd>
          <dt>State</dt><dd>{found.status}</dd>
          {found.customerId && (<><dt>Customer</dt><dd><a href={`#/customers/${encodeURIComponent(found.customerId)}`}>{found.customerId}</a></dd></>)}
          <dt>Issued</dt><dd>{formatDate(found.issuedAt)}</dd>
        </dl>
      )}
    </Form>
  );
}
