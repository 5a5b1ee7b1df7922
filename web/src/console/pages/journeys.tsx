/**
 * Journeys: the tenant's journeys with their trigger, steps and state; define one (a form drawn
 * from the request's own JSON Schema in openapi.json would need the document at run time, so the
 * steps are edited as JSON against the documented shape), start and stop; each journey's results
 * (messages sent in the last 30 days and members' revenue within 30 days of them) from the
 * campaigns report, for the roles that may read it.
 */
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client.ts';
import { Field, fieldError, Form, Notice, useAction } from '../../ui/kit.tsx';
import { may, type PageProps } from '../pages.ts';

type Journey = Awaited<ReturnType<typeof list>>['journeys'][number];
const list = (api: PageProps['api'], cursor?: string) => call(api.GET('/v1/journeys', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } }));

type Results = { sent: number; receipts: number; revenue: number };
const RESULT_DAYS = 30;
/** Sends of the last RESULT_DAYS days, each journey's steps added up. */
async function resultsByJourney(api: PageProps['api']): Promise<{ currency: string; complete: boolean; byJourney: Map<string, Results> }> {
  const to = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - (RESULT_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const r = await call(api.GET('/v1/reports/campaigns', { params: { query: { from, to, days: RESULT_DAYS } } }));
  const byJourney = new Map<string, Results>();
  for (const c of r.campaigns) {
    if (c.kind !== 'journey' || !c.journeyId) continue;
    const x = byJourney.get(c.journeyId) ?? { sent: 0, receipts: 0, revenue: 0 };
    byJourney.set(c.journeyId, { sent: x.sent + c.sent, receipts: x.receipts + c.receipts, revenue: x.revenue + c.revenue });
  }
  return { currency: r.currency, complete: r.complete, byJourney };
}
const money = (minor: number, currency: string) => {
  try {
    return (minor / 100).toLocaleString(undefined, { style: 'currency', currency });
  } catch {
    return `${minor} ${currency}`;
  }
};

const exampleSteps = JSON.stringify([{ kind: 'wait', hours: 24 }, { kind: 'message', channels: ['sms'], templates: { en: { text: 'Welcome to the club, {{name}}!' } } }], null, 2);

export function JourneysPage({ api, session }: PageProps) {
  const [journeys, setJourneys] = useState<Journey[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [results, setResults] = useState<Awaited<ReturnType<typeof resultsByJourney>> | null>(null);
  const seesResults = may(session.role, 'GET /v1/reports/campaigns');
  const { busy, error, run } = useAction();
  const load = () => run(async () => {
    const [r, res] = await Promise.all([list(api), seesResults ? resultsByJourney(api) : Promise.resolve(null)]);
    setJourneys(r.journeys);
    setCursor(r.nextCursor);
    setResults(res);
  });
  useEffect(() => void load(), []);
  const canWrite = may(session.role, 'POST /v1/journeys');
  const act = (j: Journey, what: 'start' | 'stop') =>
    run(async () => {
      await call(api.POST(what === 'start' ? '/v1/journeys/{journeyId}/start' : '/v1/journeys/{journeyId}/stop', { params: { path: { journeyId: j.journeyId } } }));
      await load();
    });
  return (
    <>
      <h1>Journeys</h1>
      <Notice error={error} />
      <table data-testid="journeys">
        <caption>Journeys</caption>
        <thead><tr><th scope="col">Journey</th><th scope="col">Trigger</th><th scope="col">Steps</th><th scope="col">State</th>{results && <th scope="col">Last {RESULT_DAYS} days{results.complete ? '' : ' (still coming in)'}</th>}{canWrite && <th scope="col">Action</th>}</tr></thead>
        <tbody>
          {journeys.map((j) => (
            <tr key={j.journeyId}>
              <td>{j.name} <small>({j.journeyId})</small></td>
              <td>{j.trigger.kind === 'event' ? `on ${j.trigger.eventType}` : `audience${j.trigger.segment ? ` in ${j.trigger.segment}` : ''}${j.trigger.customerIds ? ` of ${j.trigger.customerIds.length}` : ''}${j.trigger.at ? ` at ${j.trigger.at}` : ''}`}</td>
              <td>{j.steps.map((s) => s.kind === 'wait' ? `wait ${s.hours} h` : s.kind === 'message' ? `message by ${s.channels.join('/')}` : 'condition').join(' → ')}</td>
              <td data-testid={`state-${j.journeyId}`}>{j.status}</td>
              {results && (
                <td data-testid={`results-${j.journeyId}`}>
                  {(({ sent, receipts, revenue }) => `${sent} sent, ${receipts} receipts, ${money(revenue, results.currency)}`)(results.byJourney.get(j.journeyId) ?? { sent: 0, receipts: 0, revenue: 0 })}
                </td>
              )}
              {canWrite && (
                <td>
                  {j.status === 'active'
                    ? <button type="button" class="secondary" disabled={busy} onClick={() => void act(j, 'stop')}>Stop {j.name}</button>
                    : <button type="button" disabled={busy} onClick={() => void act(j, 'start')}>Start {j.name}</button>}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {cursor && <button type="button" class="secondary" onClick={() => void run(async () => { const r = await list(api, cursor); setJourneys((x) => [...x, ...r.journeys]); setCursor(r.nextCursor); })}>More</button>}
      {canWrite && <Define api={api} onDone={load} />}
    </>
  );
}

function Define({ api, onDone }: { api: PageProps['api']; onDone: () => void }) {
  const [journeyId, setJourneyId] = useState('');
  const [name, setName] = useState('');
  const [eventType, setEventType] = useState('customer.enrolled');
  const [steps, setSteps] = useState(exampleSteps);
  const { busy, error, run } = useAction();
  const submit = () =>
    run(async () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(steps);
      } catch {
        throw new Error('Steps: not valid JSON');
      }
      await call(api.POST('/v1/journeys', { body: { journeyId, name, trigger: { kind: 'event', eventType }, steps: parsed as never } }));
      setJourneyId('');
      setName('');
      onDone();
    });
  return (
    <Form label="Define a journey" onSubmit={submit} class="card stack">
      <h2>Define a journey</h2>
      <Field label="Journey id" error={fieldError(error, 'journeyId')}>{(id, d) => <input id={id} aria-describedby={d} required value={journeyId} onInput={(e) => setJourneyId(e.currentTarget.value)} />}</Field>
      <Field label="Name" error={fieldError(error, 'name')}>{(id, d) => <input id={id} aria-describedby={d} required value={name} onInput={(e) => setName(e.currentTarget.value)} />}</Field>
      <Field label="Trigger event" hint="a domain event type, e.g. customer.enrolled" error={fieldError(error, 'trigger.eventType')}>{(id, d) => <input id={id} aria-describedby={d} required value={eventType} onInput={(e) => setEventType(e.currentTarget.value)} />}</Field>
      <Field label="Steps (JSON)" hint="wait {hours}, condition {balanceAtLeast, tierIn, inSegment…}, message {channels, templates per language}" error={error && (error as { field?: string }).field?.startsWith('steps') ? (error as Error).message : undefined}>
        {(id, d) => <textarea id={id} aria-describedby={d} rows={10} class="code" value={steps} onInput={(e) => setSteps(e.currentTarget.value)} />}
      </Field>
      <button type="submit" disabled={busy}>Define</button>
      <Notice error={error} />
    </Form>
  );
}
