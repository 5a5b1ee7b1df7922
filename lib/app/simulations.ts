/**
 * The program simulator on the chain's own history: a staff member starts a simulation of a
 * draft over a period; a worker replays the period's receipts and returns (found through the
 * history bucket's day files, lib/storage/history.ts) shard by shard of customers, under the version in force
 * when it started and the draft, checkpointing after each shard; the report is read back by id.
 * Customers start the period as new accounts (what they brought into it is not replayed).
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
  type ReplayEvent,
} from '#domain/simulation.ts';
import { InvalidRequestError, LimitExceededError, NotFoundError } from './errors.ts';
import { draftHash } from './idempotency.ts';
import type { Deps } from './deps.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { HistoryReader } from '../storage/history.ts';
import { HISTORY_SHARDS } from '../storage/history.ts';
import { SimulationTooLargeError, type SimulationRepository, type SimulationRun } from '../storage/simulations.ts';
import type { Queue } from '../messaging/queue.ts';

/** The longest period one simulation replays. */
export const MAX_SIMULATION_DAYS = 366;

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
  progress: { shards: run.shards, shardsDone: run.shardsDone, receipts: run.receipts, returns: run.returns, unreplayable: run.unreplayable, readUnits: run.readUnits, historyRequests: run.historyRequests ?? 0 },
  createdAt: run.createdAt,
  createdBy: run.createdBy,
  updatedAt: run.updatedAt,
  ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
  ...(run.error ? { error: run.error } : {}),
});

export async function startSimulation(
  deps: Deps,
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
    deps.audit.item(p, { at, action: 'simulation.start', target: `simulation:${run.simulationId}`, after: { draftHash: run.draftHash, from: run.from, to: run.to, against: current.version } }),
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

  while (run.shardsDone < run.shards) {
    const shard = await history.shard(run.tenantId, run.shardsDone, run.from, run.to);
    const part = emptySimulation();
    const byCustomer = new Map<string, ReplayEvent[]>();
    for (const e of shard.events) {
      const list = byCustomer.get(e.customerId);
      if (list) list.push(e);
      else byCustomer.set(e.customerId, [e]);
    }
    for (const [customerId, events] of byCustomer) {
      simulateCustomer(part, { ...programs, topN: run.topN, storeTags: (id) => stores.get(id) }, customerId, tillOrder(events));
    }
    mergeSimulation(state, part, run.topN);
    const at = deps.clock().toISOString();
    const done = run.shardsDone + 1 === run.shards;
    const next: SimulationRun = {
      ...run,
      status: done ? 'done' : 'running',
      shardsDone: run.shardsDone + 1,
      receipts: run.receipts + shard.events.filter((e) => e.type === 'receipt').length,
      returns: run.returns + shard.events.filter((e) => e.type === 'return').length,
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
