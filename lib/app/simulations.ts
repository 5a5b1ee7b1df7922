/**
 * The program simulator on the chain's own history: a staff member starts a simulation of a
 * draft over a period; a worker replays the period's receipts and returns (found through the
 * history bucket's day files, lib/storage/history.ts) shard by shard of customers, under the version in force
 * when it started and the draft, checkpointing after each shard; the report is read back by id.
 *
 * Customers bring their accounts into the period: each shard also reads the `warmupDays` before
 * it (default and most MAX_WARMUP_DAYS) and replays them first, counting only from `from`
 * (lib/domain/simulation.ts, `countFrom`). So the side in force starts the period with the
 * balances, tiers and counters the till had (as far as the warm-up reaches and receipts made
 * them), and the draft with those it would have built itself (or, `draftWarmup: 'inForce'`, with
 * the in-force side's, as if published at `from`).
 */
import { randomBytes } from 'node:crypto';
import type { Program } from '#domain/program.ts';
import { loadProgramParser } from '#domain/program-parser.ts';
import {
  emptySimulation,
  mergeSimulation,
  MAX_TOP,
  simulateCustomer,
  simulationReport,
  tillOrder,
  type DraftWarmup,
  type ReplayEvent,
} from '#domain/simulation.ts';
import { InvalidRequestError, LimitExceededError, NotFoundError } from './errors.ts';
import { draftHash } from './idempotency.ts';
import type { Deps } from './deps.ts';

/** What POST /v1/simulations uses besides the simulations: its function builds only these (README, "Cold start"). */
export type SimulationDeps = Pick<Deps, 'programs' | 'audit' | 'clock'>;
import type { Principal } from '../storage/api-keys.ts';
import type { HistoryReader } from '../storage/history.ts';
import { HISTORY_SHARDS } from '../storage/history.ts';
import { SimulationTooLargeError, type SimulationRepository, type SimulationRun } from '../storage/simulations.ts';
import type { Queue } from '../messaging/queue.ts';

/** The longest period one simulation replays. */
export const MAX_SIMULATION_DAYS = 366;

/**
 * The longest warm-up before a period, and the default: a program's state reaches back without
 * end in general (lifetime tiers and spend, the nth receipt, once-per-customer rules, stamp
 * cards), so the default is as far back as a simulation may read; 366 days cover every windowed
 * tier (calendar year, rolling months up to a year) and a year's expiry.
 */
export const MAX_WARMUP_DAYS = 366;

export interface SimulationWork {
  readonly kind: 'simulate';
  readonly tenantId: string;
  readonly simulationId: string;
}

export interface StartSimulationBody {
  readonly draft: unknown;
  readonly from: string;
  readonly to: string;
  readonly topN?: number | undefined;
  readonly warmupDays?: number | undefined;
  readonly draftWarmup?: DraftWarmup | undefined;
}


async function parseDraft(document: unknown, field: string): Promise<Program> {
  const { parseProgram } = await loadProgramParser();
  const r = parseProgram(document);
  if (r.ok) return r.program;
  const first = r.issues[0]!;
  const at = first.path ? `${field}.${first.path}` : field;
  throw new InvalidRequestError(`${at}: ${first.message} (${r.issues.length} problem(s); POST /v1/program/validate lists all)`, at, 'invalid_program');
}

const view = (run: SimulationRun) => ({
  simulationId: run.simulationId,
  status: run.status,
  draftHash: run.draftHash,
  currentVersion: run.currentVersion,
  from: run.from,
  to: run.to,
  topN: run.topN,
  // Runs from before warm-ups started from empty accounts.
  warmup: { days: run.warmupDays ?? 0, draft: run.draftWarmup ?? 'draft', from: run.warmupFrom ?? run.from, to: run.from, receipts: run.warmupReceipts ?? 0, returns: run.warmupReturns ?? 0 },
  progress: { shards: run.shards, shardsDone: run.shardsDone, receipts: run.receipts, returns: run.returns, unreplayable: run.unreplayable, readUnits: run.readUnits, historyRequests: run.historyRequests ?? 0 },
  createdAt: run.createdAt,
  createdBy: run.createdBy,
  updatedAt: run.updatedAt,
  ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
  ...(run.error ? { error: run.error } : {}),
});

export async function startSimulation(
  deps: SimulationDeps,
  simulations: SimulationRepository,
  queue: Queue<SimulationWork>,
  p: Principal,
  body: StartSimulationBody,
) {
  await parseDraft(body.draft, 'draft');
  const from = new Date(body.from);
  const to = new Date(body.to);
  if (!(from.getTime() < to.getTime())) throw new InvalidRequestError('to: must be after from', 'to');
  if (to.getTime() - from.getTime() > MAX_SIMULATION_DAYS * 86_400_000) {
    throw new LimitExceededError('simulation.maxDays', `to: a simulation replays at most ${MAX_SIMULATION_DAYS} days (simulation.maxDays); split the period`, 'to');
  }
  const warmupDays = body.warmupDays ?? MAX_WARMUP_DAYS;
  if (warmupDays > MAX_WARMUP_DAYS) {
    throw new LimitExceededError('simulation.maxWarmupDays', `warmupDays: a simulation warms up on at most ${MAX_WARMUP_DAYS} days before its period (simulation.maxWarmupDays)`, 'warmupDays');
  }
  const current = await deps.programs.currentStored(p.tenantId);
  if (!current) throw new NotFoundError('program');
  const at = deps.clock().toISOString();
  const run: SimulationRun = {
    tenantId: p.tenantId,
    simulationId: `sim_${randomBytes(12).toString('base64url')}`,
    status: 'queued',
    draftHash: draftHash(body.draft),
    currentVersion: current.version,
    from: from.toISOString(),
    to: to.toISOString(),
    topN: Math.min(body.topN ?? 20, MAX_TOP),
    warmupDays,
    draftWarmup: body.draftWarmup ?? 'draft',
    warmupFrom: new Date(from.getTime() - warmupDays * 86_400_000).toISOString(),
    warmupReceipts: 0,
    warmupReturns: 0,
    shards: HISTORY_SHARDS,
    shardsDone: 0,
    receipts: 0,
    returns: 0,
    unreplayable: 0,
    readUnits: 0,
    historyRequests: 0,
    createdAt: at,
    createdBy: p.actor,
    updatedAt: at,
  };
  await simulations.create(
    run,
    body.draft,
    deps.audit.item(p, { at, action: 'simulation.start', target: `simulation:${run.simulationId}`, after: { draftHash: run.draftHash, from: run.from, to: run.to, against: current.version, warmupDays, draftWarmup: run.draftWarmup } }),
  );
  await queue.send([{ kind: 'simulate', tenantId: p.tenantId, simulationId: run.simulationId }]);
  return view(run);
}

export async function simulationStatus(simulations: SimulationRepository, p: Principal, simulationId: string) {
  const run = await simulations.get(p.tenantId, simulationId);
  if (!run) throw new NotFoundError(`simulation ${simulationId}`, 'simulationId');
  const report = run.status === 'done' ? await simulations.report(p.tenantId, simulationId) : null;
  return { ...view(run), report };
}

/** How long before its timeout a worker stops after the shard in hand and queues its own continuation. */
export const STOP_BEFORE_TIMEOUT_MS = 3 * 60_000;

/**
 * The worker's step: replays shards until the simulation is done or time runs short, saving
 * after each shard. Safe to run twice at once (a redelivered message): a shard is saved only by
 * the run that saved the shard before it, and the other one stops.
 */
export async function runSimulation(
  deps: Deps,
  repos: { simulations: SimulationRepository; history: HistoryReader },
  work: SimulationWork,
  opts: { remainingMs: () => number; continueLater: () => Promise<void> },
): Promise<'done' | 'continued' | 'superseded' | 'failed' | 'missing'> {
  const { simulations, history } = repos;
  let run = await simulations.get(work.tenantId, work.simulationId);
  if (!run) return 'missing';
  if (run.status === 'done' || run.status === 'failed') return run.status === 'done' ? 'done' : 'failed';
  const [stored, draftDoc] = await Promise.all([deps.programs.version(run.tenantId, run.currentVersion), simulations.draft(run.tenantId, run.simulationId)]);
  const { parseProgram } = await loadProgramParser();
  const current = stored ? parseProgram(stored.document) : null;
  const draft = parseProgram(draftDoc);
  if (!current?.ok || !draft.ok) {
    await simulations.fail(run, 'the program in force or the draft no longer parses', deps.clock().toISOString());
    return 'failed';
  }
  const programs = { current: current.program, draft: draft.program };
  const stores = new Map<string, Readonly<Record<string, string>> | undefined>();
  for (const s of await allStores(deps, run.tenantId)) stores.set(s.storeId, s.tags);
  let state = run.shardsDone > 0 ? ((await simulations.state(run.tenantId, run.simulationId)) ?? emptySimulation()) : emptySimulation();

  const countFrom = new Date(run.from);
  const countFromMs = countFrom.getTime();
  while (run.shardsDone < run.shards) {
    // The shard's customers' warm-up and period in one read: their events in till order, counted from `from`.
    const shard = await history.shard(run.tenantId, run.shardsDone, run.warmupFrom ?? run.from, run.to);
    const part = emptySimulation();
    const byCustomer = new Map<string, ReplayEvent[]>();
    for (const e of shard.events) {
      const list = byCustomer.get(e.customerId);
      if (list) list.push(e);
      else byCustomer.set(e.customerId, [e]);
    }
    for (const [customerId, events] of byCustomer) {
      simulateCustomer(part, { ...programs, topN: run.topN, storeTags: (id) => stores.get(id), countFrom, draftWarmup: run.draftWarmup }, customerId, tillOrder(events));
    }
    mergeSimulation(state, part, run.topN);
    const at = deps.clock().toISOString();
    const done = run.shardsDone + 1 === run.shards;
    const next: SimulationRun = {
      ...run,
      status: done ? 'done' : 'running',
      shardsDone: run.shardsDone + 1,
      ...countEvents(run, shard.events, countFromMs),
      unreplayable: run.unreplayable + shard.unreplayable,
      readUnits: run.readUnits + shard.readUnits,
      historyRequests: (run.historyRequests ?? 0) + shard.requests,
      updatedAt: at,
      ...(done ? { finishedAt: at } : {}),
    };
    let saved: boolean;
    try {
      saved = await simulations.checkpoint(run, next, state, done ? simulationReport(state, programs) : undefined);
    } catch (e) {
      if (!(e instanceof SimulationTooLargeError)) throw e;
      await simulations.fail(run, `the figures grew past what one item keeps (${e.message})`, at);
      return 'failed';
    }
    if (!saved) return 'superseded';
    run = next;
    if (done) return 'done';
    if (opts.remainingMs() < STOP_BEFORE_TIMEOUT_MS) {
      await opts.continueLater();
      return 'continued';
    }
  }
  return 'done';
}

/** The run's counts after a shard: its receipts and returns in the period, and in the warm-up. */
function countEvents(run: SimulationRun, events: readonly ReplayEvent[], countFromMs: number) {
  let receipts = 0;
  let returns = 0;
  let warmupReceipts = 0;
  let warmupReturns = 0;
  for (const e of events) {
    const inPeriod = e.at.getTime() >= countFromMs;
    if (e.type === 'receipt') inPeriod ? receipts++ : warmupReceipts++;
    else inPeriod ? returns++ : warmupReturns++;
  }
  return {
    receipts: run.receipts + receipts,
    returns: run.returns + returns,
    warmupReceipts: (run.warmupReceipts ?? 0) + warmupReceipts,
    warmupReturns: (run.warmupReturns ?? 0) + warmupReturns,
  };
}

async function allStores(deps: Deps, tenantId: string) {
  const out: Array<{ storeId: string; tags?: Record<string, string> }> = [];
  let cursor: string | undefined;
  do {
    const page = await deps.stores.list(tenantId, 200, cursor);
    out.push(...page.stores);
    cursor = page.last;
  } while (cursor);
  return out;
}
