/**
 * Simulations: one partition per simulation — the run (status, progress, checkpoint), the draft
 * it replays, the figures so far (gzip: a chain's stores and rules make them large) and, at the
 * end, the report — plus a marker per finished draft on the tenant, which `POST /v1/program` reads
 * when the program in force requires a simulation first. Run and figures move together in one
 * transaction, conditional on the shards done so far, so a second worker on the same simulation
 * (a redelivered message) can never add a shard twice.
 * Adapter: use cases → this → DynamoDB.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DraftWarmup, SimulationReport, SimulationState } from '#domain/simulation.ts';
import type { Db } from './client.ts';
import { MAX_ITEM_BYTES } from './item-size.ts';
import { transactWrite, type TransactItem } from './transact.ts';

export type SimulationStatus = 'queued' | 'running' | 'done' | 'failed';

export interface SimulationRun {
  readonly tenantId: string;
  readonly simulationId: string;
  readonly status: SimulationStatus;
  /** The draft's hash (canonical JSON, SHA-256): what publishing checks. */
  readonly draftHash: string;
  /** The version in force when the simulation started: the one it compares against. */
  readonly currentVersion: number;
  readonly from: string;
  readonly to: string;
  readonly topN: number;
  /** Days before `from` replayed first to build the accounts (absent on runs from before warm-ups: none). */
  readonly warmupDays?: number | undefined;
  /** `from` minus `warmupDays`: where the shards' reads start. */
  readonly warmupFrom?: string | undefined;
  /** Which program builds the draft side's accounts in the warm-up (absent: the draft). */
  readonly draftWarmup?: DraftWarmup | undefined;
  /** Receipts and returns replayed in the warm-up (not counted in the figures). */
  readonly warmupReceipts?: number | undefined;
  readonly warmupReturns?: number | undefined;
  readonly shards: number;
  readonly shardsDone: number;
  readonly receipts: number;
  readonly returns: number;
  /** Receipts from before SKU and category were kept: found but not replayable. */
  readonly unreplayable: number;
  readonly readUnits: number;
  /** S3 requests (Lists and Gets) reading the history's day files; absent on runs from before history moved to S3. */
  readonly historyRequests?: number | undefined;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly finishedAt?: string | undefined;
  readonly error?: string | undefined;
}

const pk = (tenantId: string, simulationId: string) => `T#${tenantId}#SIM#${simulationId}`;
const RUN = 'SIM';
const DRAFT = 'SIM#DRAFT';
const STATE = 'SIM#STATE';
const REPORT = 'SIM#REPORT';
const finishedKey = (tenantId: string, draftHash: string) => ({ pk: `T#${tenantId}`, sk: `SIMDONE#${draftHash}` });

/** Figures and reports are stored gzipped; past DynamoDB's item size they cannot be kept. */
export class SimulationTooLargeError extends Error {}

const pack = (value: unknown): Uint8Array => {
  const z = gzipSync(JSON.stringify(value));
  if (z.byteLength > MAX_ITEM_BYTES - 1024) throw new SimulationTooLargeError(`${z.byteLength} bytes compressed`);
  return z;
};
const unpack = <T>(b: unknown): T => JSON.parse(gunzipSync(b as Uint8Array).toString('utf8')) as T;

const strip = (item: Record<string, unknown>): SimulationRun => {
  const { pk: _pk, sk: _sk, type: _t, ...rest } = item;
  return rest as unknown as SimulationRun;
};

export function simulationRepository(db: Db) {
  return {
    /** A new simulation: its run and its draft (the draft may be as large as a program may be). */
    async create(run: SimulationRun, draft: unknown, audit: TransactItem): Promise<void> {
      const r = await transactWrite(db, [
        audit,
        { Put: { TableName: db.table, Item: { pk: pk(run.tenantId, run.simulationId), sk: RUN, type: 'simulation', ...run }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: db.table, Item: { pk: pk(run.tenantId, run.simulationId), sk: DRAFT, type: 'simulationDraft', document: draft } } },
      ]);
      if (!r.ok) throw new Error(`simulation ${run.simulationId} exists already`);
    },

    async get(tenantId: string, simulationId: string): Promise<SimulationRun | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: { pk: pk(tenantId, simulationId), sk: RUN }, ConsistentRead: true }));
      return r.Item ? strip(r.Item) : null;
    },

    async draft(tenantId: string, simulationId: string): Promise<unknown> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: { pk: pk(tenantId, simulationId), sk: DRAFT } }));
      return r.Item?.document;
    },

    /** The figures after `shardsDone` shards (none before the first). */
    async state(tenantId: string, simulationId: string): Promise<SimulationState | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: { pk: pk(tenantId, simulationId), sk: STATE }, ConsistentRead: true }));
      return r.Item ? unpack<SimulationState>(r.Item.state) : null;
    },

    async report(tenantId: string, simulationId: string): Promise<SimulationReport | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: { pk: pk(tenantId, simulationId), sk: REPORT } }));
      return r.Item ? unpack<SimulationReport>(r.Item.report) : null;
    },

    /**
     * Saves a shard's progress and the figures so far, if no one saved this shard before (false
     * then). With `report`, the simulation is done: the report and the draft's marker go too.
     */
    async checkpoint(prev: SimulationRun, next: SimulationRun, state: SimulationState, report?: SimulationReport): Promise<boolean> {
      const key = pk(prev.tenantId, prev.simulationId);
      const r = await transactWrite(db, [
        {
          Put: {
            TableName: db.table,
            Item: { pk: key, sk: RUN, type: 'simulation', ...next },
            ConditionExpression: 'shardsDone = :n AND #s <> :done',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':n': prev.shardsDone, ':done': 'done' },
          },
        },
        { Put: { TableName: db.table, Item: { pk: key, sk: STATE, type: 'simulationState', state: pack(state) } } },
        ...(report
          ? [
              { Put: { TableName: db.table, Item: { pk: key, sk: REPORT, type: 'simulationReport', report: pack(report) } } },
              {
                Put: {
                  TableName: db.table,
                  Item: { ...finishedKey(prev.tenantId, prev.draftHash), type: 'simulationDone', simulationId: prev.simulationId, finishedAt: next.finishedAt },
                },
              },
            ]
          : []),
      ]);
      return r.ok;
    },

    /** Marks a simulation failed (a draft that no longer parses, figures too large to keep). */
    async fail(prev: SimulationRun, error: string, at: string): Promise<void> {
      await db.doc.send(
        new PutCommand({
          TableName: db.table,
          Item: { pk: pk(prev.tenantId, prev.simulationId), sk: RUN, type: 'simulation', ...prev, status: 'failed', error, updatedAt: at },
          ConditionExpression: 'shardsDone = :n',
          ExpressionAttributeValues: { ':n': prev.shardsDone },
        }),
      );
    },

    /** The finished simulation of exactly this draft, if there is one. */
    async finishedFor(tenantId: string, draftHash: string): Promise<string | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: finishedKey(tenantId, draftHash), ConsistentRead: true }));
      return r.Item ? String(r.Item.simulationId) : null;
    },
  };
}

export type SimulationRepository = ReturnType<typeof simulationRepository>;
