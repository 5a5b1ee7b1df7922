/**
 * The program simulator: replay a period of the chain's receipts under a draft and under the
 * version in force (POST /v1/simulations), follow its progress (GET, polled while it runs) and
 * show both sides next to each other. The Program page hands its draft over through
 * sessionStorage ("Simulate before publishing"), so a reload keeps it.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, call } from '../../api/client.ts';
import { Field, fieldError, Form, formatDate, Notice, useAction } from '../../ui/kit.tsx';
import { may, type PageProps } from '../pages.ts';

type Api = PageProps['api'];
type Simulation = Awaited<ReturnType<typeof getSimulation>>;
type Side = NonNullable<Simulation['report']>['current'];
const getSimulation = (api: Api, simulationId: string) => call(api.GET('/v1/simulations/{simulationId}', { params: { path: { simulationId } } }));

export const DRAFT_KEY = 'tally.simulator.draft';
/** Opens the simulator with `draft` in its form (the Program page's button). */
export function simulateDraft(draft: unknown) {
  sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft, null, 2));
  location.hash = '#/simulator';
}

export function SimulatorPage(props: PageProps) {
  return props.params[0] ? <SimulationView {...props} simulationId={decodeURIComponent(props.params[0])} /> : <StartSimulation {...props} />;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

function StartSimulation({ api, session }: PageProps) {
  const today = new Date();
  const [v, setV] = useState({ draft: sessionStorage.getItem(DRAFT_KEY) ?? '', from: day(new Date(today.getTime() - 90 * 86_400_000)), to: day(new Date(today.getTime() + 86_400_000)), topN: '20', warmupDays: '366', draftWarmup: 'draft' as 'draft' | 'inForce' });
  const [open, setOpen] = useState('');
  const { busy, error, run } = useAction();
  const canStart = may(session.role, 'POST /v1/simulations');
  useEffect(() => {
    if (v.draft || !canStart) return;
    void run(async () => {
      const p = await call(api.GET('/v1/program'));
      setV((x) => ({ ...x, draft: x.draft || JSON.stringify(p.document, null, 2) }));
    });
  }, []);
  const start = () =>
    run(async () => {
      let draft: Record<string, unknown>;
      try {
        draft = JSON.parse(v.draft) as Record<string, unknown>;
      } catch (e) {
        throw new ApiFailure(400, 'invalid_json', `The draft is not JSON: ${(e as Error).message}`, 'draft');
      }
      // The period is by commit time: from the start of `from` to the start of `to`, in the browser's time zone.
      const s = await call(api.POST('/v1/simulations', { body: { draft, from: new Date(`${v.from}T00:00:00`).toISOString(), to: new Date(`${v.to}T00:00:00`).toISOString(), topN: Number(v.topN), warmupDays: Number(v.warmupDays), draftWarmup: v.draftWarmup } }));
      sessionStorage.removeItem(DRAFT_KEY);
      location.hash = `#/simulator/${encodeURIComponent(s.simulationId)}`;
    });
  const draftError = error instanceof ApiFailure && error.field?.startsWith('draft') ? (error.message.startsWith(error.field) ? error.message : `${error.field}: ${error.message}`) : undefined;
  return (
    <>
      <h1>Program simulator</h1>
      <p>Replays the chain’s receipts and returns of a period under the draft and under the version in force, by the till’s own engine, and shows both side by side.</p>
      {canStart && (
        <Form label="Start a simulation" onSubmit={start} class="card stack">
          <h2>Start a simulation</h2>
          <Field label="Draft program (JSON)" error={draftError}>
            {(id, d) => <textarea id={id} class="code" rows={14} aria-describedby={d} aria-invalid={!!draftError} value={v.draft} onInput={(e) => setV({ ...v, draft: e.currentTarget.value })} />}
          </Field>
          <div class="row">
            <Field label="From (inclusive)" error={fieldError(error, 'from')}>{(id, d) => <input id={id} type="date" required aria-describedby={d} value={v.from} onInput={(e) => setV({ ...v, from: e.currentTarget.value })} />}</Field>
            <Field label="To (exclusive)" error={fieldError(error, 'to')}>{(id, d) => <input id={id} type="date" required aria-describedby={d} value={v.to} onInput={(e) => setV({ ...v, to: e.currentTarget.value })} />}</Field>
            <Field label="Top gainers and losers" error={fieldError(error, 'topN')}>{(id, d) => <input id={id} type="number" min={1} max={100} aria-describedby={d} value={v.topN} onInput={(e) => setV({ ...v, topN: e.currentTarget.value })} />}</Field>
            <Field label="Warm-up days before the period (0: empty accounts)" error={fieldError(error, 'warmupDays')}>{(id, d) => <input id={id} type="number" min={0} max={366} aria-describedby={d} value={v.warmupDays} onInput={(e) => setV({ ...v, warmupDays: e.currentTarget.value })} />}</Field>
            <Field label="The draft's customers start from">
              {(id) => (
                <select id={id} value={v.draftWarmup} onChange={(e) => setV({ ...v, draftWarmup: e.currentTarget.value as typeof v.draftWarmup })}>
                  <option value="draft">what the draft would have given them (as if always in force)</option>
                  <option value="inForce">what they have under the version in force (as if published at “From”)</option>
                </select>
              )}
            </Field>
          </div>
          <button type="submit" disabled={busy}>Start simulation</button>
          <Notice error={draftError || ['from', 'to', 'topN', 'warmupDays'].some((f) => fieldError(error, f)) ? undefined : error} />
        </Form>
      )}
      <Form label="Open a simulation" class="row" onSubmit={() => { if (open) location.hash = `#/simulator/${encodeURIComponent(open)}`; }}>
        <Field label="Simulation id">{(id) => <input id={id} value={open} onInput={(e) => setOpen(e.currentTarget.value)} />}</Field>
        <button type="submit" class="secondary">Open</button>
      </Form>
    </>
  );
}

const FIGURES: Array<[keyof Side['totals'] | 'cost' | 'costBps', string]> = [
  ['receipts', 'Receipts'], ['returns', 'Returns'], ['revenue', 'Revenue'], ['paid', 'Paid'], ['refunds', 'Refunds'],
  ['tierDiscount', 'Tier discounts'], ['rewardDiscount', 'Reward discounts'], ['couponDiscount', 'Coupon discounts'], ['pointsDiscount', 'Points discounts'],
  ['pointsIssued', 'Points issued'], ['pointsBurned', 'Points burned'], ['pointsReversed', 'Points reversed'], ['pointsRefunded', 'Points refunded'],
  ['burnsCut', 'Burns cut'], ['refused', 'Refused'], ['cost', 'Cost'], ['costBps', 'Cost, basis points of revenue'],
];
const figure = (s: Side, k: (typeof FIGURES)[number][0]) => (k === 'cost' || k === 'costBps' ? s[k] : s.totals[k]);
const fmt = (n: number) => n.toLocaleString();
const signed = (n: number) => (n > 0 ? `+${fmt(n)}` : fmt(n));

function SimulationView({ api, simulationId }: PageProps & { simulationId: string }) {
  const [sim, setSim] = useState<Simulation | null>(null);
  const { error, run } = useAction();
  // Polled while it runs: the worker reports each shard as it finishes.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const poll = async () => {
      const s = await run(() => getSimulation(api, simulationId));
      if (stopped || !s) return;
      setSim(s);
      if (s.status === 'queued' || s.status === 'running') timer = setTimeout(() => void poll(), 1000);
    };
    void poll();
    return () => { stopped = true; clearTimeout(timer); };
  }, [simulationId]);
  const r = sim?.report;
  return (
    <>
      <p><a href="#/simulator">New simulation</a></p>
      <h1>Simulation {simulationId}</h1>
      <Notice error={error} />
      {sim && (
        <>
          <p data-testid="sim-status" role="status">
            {sim.status} · receipts {formatDate(sim.from)} to {formatDate(sim.to)} against version {sim.currentVersion} · started by {sim.createdBy}
            {sim.finishedAt ? ` · finished ${formatDate(sim.finishedAt)}` : ''}
          </p>
          {sim.error && <p class="notice error">{sim.error}</p>}
          <div class="field">
            <label for="sim-progress">Shards replayed: {sim.progress.shardsDone} of {sim.progress.shards} ({fmt(sim.progress.receipts)} receipts, {fmt(sim.progress.returns)} returns, {fmt(sim.progress.unreplayable)} not replayable)</label>
            <progress id="sim-progress" max={sim.progress.shards} value={sim.progress.shardsDone} />
          </div>
          <p>
            {sim.warmup.days > 0
              ? `Accounts warmed up on the ${sim.warmup.days} days before the period, from ${formatDate(sim.warmup.from)}: ${fmt(sim.warmup.receipts)} receipts and ${fmt(sim.warmup.returns)} returns replayed, not counted; the draft's accounts built by ${sim.warmup.draft === 'inForce' ? 'the version in force' : 'the draft'}.`
              : 'No warm-up: every customer starts the period with an empty account.'}
          </p>
        </>
      )}
      {r && sim && (
        <>
          <table data-testid="side-by-side">
            <caption>Side by side ({fmt(r.customers)} customers; money in minor units)</caption>
            <thead><tr><th scope="col">Figure</th><th scope="col">Version {sim.currentVersion} (in force)</th><th scope="col">Draft</th><th scope="col">Difference</th></tr></thead>
            <tbody>
              {FIGURES.map(([k, label]) => {
                const a = figure(r.current, k);
                const b = figure(r.draft, k);
                return <tr key={k}><th scope="row">{label}</th><td class="num">{fmt(a)}</td><td class="num">{fmt(b)}</td><td class="num">{signed(b - a)}</td></tr>;
              })}
            </tbody>
          </table>
          <h2>Who changes tier</h2>
          {r.tierChanges.length === 0 ? <p>No customer would end on another tier.</p> : (
            <table>
              <caption>Tier at the end of the period: in force → draft</caption>
              <thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Customers</th></tr></thead>
              <tbody>{r.tierChanges.map((c) => <tr key={`${c.from}-${c.to}`}><td>{c.from}</td><td>{c.to}</td><td class="num">{fmt(c.customers)}</td></tr>)}</tbody>
            </table>
          )}
          <div class="cards">
            {([['Gain most', r.topGainers], ['Lose most', r.topLosers]] as const).map(([title, rows]) => (
              <table key={title}>
                <caption>{title} (value: discounts + points × point value)</caption>
                <thead><tr><th scope="col">Customer</th><th scope="col">In force</th><th scope="col">Draft</th><th scope="col">Change</th></tr></thead>
                <tbody>{rows.map((g) => <tr key={g.customerId}><td>{g.customerId}</td><td class="num">{fmt(g.current)}</td><td class="num">{fmt(g.draft)}</td><td class="num">{signed(g.gain)}</td></tr>)}</tbody>
              </table>
            ))}
          </div>
        </>
      )}
    </>
  );
}
