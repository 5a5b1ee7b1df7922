/**
 * Background jobs. A job (run by the schedule, or by hand for a given day) reads a sparse index
 * and fans the customers out through a queue; the account worker then changes each customer in
 * its own conditional transaction, so a job or a message that runs twice changes nothing twice.
 */
import { grantBonus } from '#domain/adjustments.ts';
import { actingInstant, birthdayOf, birthdaysOn, dayOf, firstLiveLot, lotToRemindOn, type Day } from '#domain/calendar.ts';
import { catchUp } from '#domain/pending.ts';
import { takeDueRefills } from '#domain/refills.ts';
import { reviewTier, tierPeriodStarts } from '#domain/tiers.ts';
import { lotExpiryDate } from '#domain/time.ts';
import { chunk, CUSTOMERS_PER_MESSAGE, type AccountJob, type Queue } from '../messaging/queue.ts';
import { numberEntries, type CustomerRecord } from '../storage/customers.ts';
import type { ReadMeter, TenantEntry } from '../storage/jobs.ts';
import { keys } from '../storage/keys.ts';
import { transactWrite, withOptimisticRetry } from '../storage/transact.ts';
import { settlePendingReferrals } from './customers.ts';
import { evaluateCustomerSegments } from './segments.ts';
import type { Deps } from './deps.ts';
import { metricNames } from '../observability/metric-names.ts';
import { count } from '../observability/metrics.ts';

export type JobName = 'birthday' | 'expiry' | 'tiers' | 'refills' | 'segments';

export interface JobRequest {
  /** The program-time day to run for; without it, each tenant's today (and only once a day). */
  readonly day?: Day | undefined;
  readonly tenantId?: string | undefined;
}

export interface JobReport {
  readonly job: JobName;
  readonly tenants: Array<{ tenantId: string; day: Day; customers: number; messages: number; skipped?: string }>;
  readonly reads: ReadMeter;
}

/** Fans a job out for every tenant (or one), each on its own program-time day. */
export async function runJob(deps: Deps, queue: Queue<AccountJob>, job: JobName, req: JobRequest = {}): Promise<JobReport> {
  const reads: ReadMeter = { queries: 0, capacity: 0 };
  const all = await deps.jobs.tenants();
  const tenants = req.tenantId ? all.filter((t) => t.tenantId === req.tenantId) : all;
  const report: JobReport = { job, tenants: [], reads };
  for (const tenant of tenants) {
    const day = req.day ?? dayOf(deps.clock(), tenant.timeZone);
    // The schedule ticks hourly; a tick fans out a tenant's day until one fan-out has finished
    // (marked after, not before: a crash half way leaves the day to the next tick, and the
    // workers' once-only writes make the repeat harmless). A run by hand always fans out.
    if (!req.day && (await deps.jobs.ranOn(tenant.tenantId, job, day))) {
      report.tenants.push({ tenantId: tenant.tenantId, day, customers: 0, messages: 0, skipped: 'already ran today' });
      continue;
    }
    const fanned = await fanOut[job](deps, queue, tenant, day, reads, req.day !== undefined);
    if (!req.day) await deps.jobs.markRun(tenant.tenantId, job, day, deps.clock().toISOString());
    report.tenants.push({ tenantId: tenant.tenantId, day, ...fanned });
  }
  return report;
}

type FanOut = (
  deps: Deps,
  queue: Queue<AccountJob>,
  tenant: TenantEntry,
  day: Day,
  reads: ReadMeter,
  byHand: boolean,
) => Promise<{ customers: number; messages: number; skipped?: string }>;

/** Packs ids into full messages across index pages and shards, ten messages to a send. */
async function send(queue: Queue<AccountJob>, pages: AsyncIterable<string[]>, make: (ids: string[]) => AccountJob) {
  let customers = 0;
  let messages = 0;
  let buffer: string[] = [];
  const flush = async (all: boolean) => {
    const size = all ? buffer.length : buffer.length - (buffer.length % CUSTOMERS_PER_MESSAGE);
    if (size === 0) return;
    const batch = chunk(buffer.slice(0, size), CUSTOMERS_PER_MESSAGE).map(make);
    await queue.send(batch);
    buffer = buffer.slice(size);
    messages += batch.length;
  };
  for await (const ids of pages) {
    buffer.push(...ids);
    customers += ids.length;
    if (buffer.length >= CUSTOMERS_PER_MESSAGE * 10) await flush(false);
  }
  await flush(true);
  return { customers, messages };
}

const fanOut: Record<JobName, FanOut> = {
  async birthday(deps, queue, { tenantId }, day, reads) {
    const program = await deps.programs.current(tenantId);
    if (!program?.program.bonuses.birthday) return { customers: 0, messages: 0, skipped: 'no birthday bonus in the program' };
    async function* pages() {
      for (const monthDay of birthdaysOn(day)) yield* deps.jobs.birthdays(tenantId, monthDay, reads);
    }
    return send(queue, pages(), (customerIds) => ({ kind: 'birthday', tenantId, day, customerIds }));
  },

  /** Lots that ended and pending points whose day came: both are "bring the account up to date". */
  async expiry(deps, queue, { tenantId }, day, reads) {
    const program = await deps.programs.current(tenantId);
    if (!program?.program.expiry && !program?.program.pending) return { customers: 0, messages: 0, skipped: 'points neither expire nor wait in the program' };
    const expiry = program.program.expiry;
    const expire = (customerIds: string[]): AccountJob => ({ kind: 'expire', tenantId, day, customerIds });
    const expired = expiry ? await send(queue, deps.jobs.expiring(tenantId, { before: firstLiveLot(day) }, reads), expire) : { customers: 0, messages: 0 };
    const released = program.program.pending ? await send(queue, deps.jobs.releasing(tenantId, day, reads), expire) : { customers: 0, messages: 0 };
    const lot = expiry?.remindDaysBefore ? lotToRemindOn(day, expiry.remindDaysBefore) : null;
    const reminded = lot
      ? await send(queue, deps.jobs.expiring(tenantId, { month: lot }, reads), (customerIds) => ({ kind: 'remindExpiry', tenantId, day, lot, customerIds }))
      : { customers: 0, messages: 0 };
    return { customers: expired.customers + released.customers + reminded.customers, messages: expired.messages + released.messages + reminded.messages };
  },

  async refills(deps, queue, { tenantId }, day, reads) {
    const program = await deps.programs.current(tenantId);
    if (!program?.program.refills.length) return { customers: 0, messages: 0, skipped: 'the program has no refill periods' };
    return send(queue, deps.jobs.refillsDue(tenantId, day, reads), (customerIds) => ({ kind: 'remindRefill', tenantId, day, customerIds }));
  },

  /**
   * Every night, every customer's defined segments and RFM class are evaluated again: recency,
   * windows and birthdays move with the calendar, not with events. A tenant without definitions
   * is still evaluated: the members report counts customers per RFM class (written on the
   * account only when it moves).
   */
  async segments(deps, queue, { tenantId }, day, reads) {
    return send(queue, deps.jobs.everyone(tenantId, reads), (customerIds) => ({ kind: 'segments', tenantId, day, customerIds }));
  },

  /** At the start of a tier period, everyone above the first level is measured again, up or down. */
  async tiers(deps, queue, { tenantId }, day, reads, byHand) {
    const program = await deps.programs.current(tenantId);
    if (!program?.program.tiers) return { customers: 0, messages: 0, skipped: 'the program has no tiers' };
    if (!byHand && !tierPeriodStarts(program.program, day)) return { customers: 0, messages: 0, skipped: 'no tier period starts today' };
    return send(queue, deps.jobs.aboveFirstLevel(tenantId, reads), (customerIds) => ({ kind: 'reviewTier', tenantId, day, customerIds }));
  },
};

export type CustomerOutcome = 'done' | 'already' | 'nothing' | 'gone';

/** The account worker: one message, each customer in turn (a failure throws and the message is retried). */
export async function handleAccountJob(deps: Deps, job: AccountJob): Promise<Record<CustomerOutcome, number>> {
  const counts: Record<CustomerOutcome, number> = { done: 0, already: 0, nothing: 0, gone: 0 };
  const current = await deps.programs.current(job.tenantId);
  // Expiry and tier reviews act as of the job's day (by hand, a past or future one), not today.
  const asOf = () => (current ? actingInstant(job.day, deps.clock(), current.program.timeZone) : deps.clock());
  for (const customerId of job.customerIds) {
    const outcome =
      job.kind === 'birthday'
        ? await grantBirthday(deps, job.tenantId, customerId, job.day)
        : job.kind === 'expire'
          ? await expireCustomer(deps, job.tenantId, customerId, asOf())
          : job.kind === 'reviewTier'
            ? await reviewCustomerTier(deps, job.tenantId, customerId, asOf())
            : job.kind === 'remindRefill'
              ? await remindRefills(deps, job.tenantId, customerId, job.day)
              : job.kind === 'segments'
                ? await evaluateCustomerSegments(deps, job.tenantId, customerId, { day: job.day, nightly: true })
                : await remindExpiry(deps, job.tenantId, customerId, job.lot);
    counts[outcome] += 1;
  }
  return counts;
}

/** Grants the birthday bonus for `day`'s year, once: the BDAY#year item's conditional put says whether it was. */
export async function grantBirthday(deps: Deps, tenantId: string, customerId: string, day: Day): Promise<CustomerOutcome> {
  const current = await deps.programs.current(tenantId);
  const points = current?.program.bonuses.birthday ?? 0;
  if (!current || points === 0) return 'nothing';
  const { program } = current;
  const year = day.slice(0, 4);
  return withOptimisticRetry<CustomerOutcome>(async () => {
    const loaded = await deps.customers.get(tenantId, customerId);
    if (!loaded) return { done: true, value: 'gone' };
    // The index may lag a birthday the customer just corrected; the profile decides.
    const birthDate = loaded.profile.birthDate;
    if (!birthDate || !birthdaysOn(day).includes(birthdayOf(birthDate))) return { done: true, value: 'nothing' };
    const now = deps.clock();
    const settled = await settlePendingReferrals(deps, program, loaded, now);
    if (!settled) return { done: false };
    const bonus = grantBonus(program, settled.account, points, now);
    const entries = numberEntries(settled, bonus.entries, now.toISOString(), { reason: `birthday ${year}` });
    const next: CustomerRecord = { ...settled, account: bonus.accountAfter, ledgerSeq: settled.ledgerSeq + entries.length };
    const r = await transactWrite(deps.db, [
      {
        Put: {
          TableName: deps.db.table,
          Item: { ...keys.birthdayGrant(tenantId, customerId, year), type: 'birthdayGrant', tenantId, customerId, day, points, at: now.toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...deps.customers.updateItems(settled, next, entries),
    ]);
    if (r.ok) return { done: true, value: 'done' };
    if (r.reasons[0]?.code === 'ConditionalCheckFailed') return { done: true, value: 'already' };
    return { done: false };
  });
}

/** Brings the account up to now: due pending points released, ended lots expired, as ledger entries. */
export async function expireCustomer(deps: Deps, tenantId: string, customerId: string, asOf?: Date): Promise<CustomerOutcome> {
  const current = await deps.programs.current(tenantId);
  if (!current) return 'nothing';
  const { program } = current;
  return withOptimisticRetry<CustomerOutcome>(async () => {
    const loaded = await deps.customers.get(tenantId, customerId);
    if (!loaded) return { done: true, value: 'gone' };
    const now = asOf ?? deps.clock();
    const caught = catchUp(loaded.account, now, program.timeZone);
    if (caught.entries.length === 0) return { done: true, value: 'nothing' };
    const entries = numberEntries(loaded, caught.entries, deps.clock().toISOString(), { reason: 'expiry' });
    const next: CustomerRecord = { ...loaded, account: caught.account, ledgerSeq: loaded.ledgerSeq + entries.length };
    const r = await transactWrite(deps.db, deps.customers.updateItems(loaded, next, entries));
    if (!r.ok) return { done: false };
    count(metricNames.pointsExpired, -caught.entries.filter((e) => e.kind === 'expiry').reduce((s, e) => s + e.points, 0));
    return { done: true, value: 'done' };
  });
}

/** Sets the level to what the account measures now (a period review); the change is a `tier.changed` event. */
export async function reviewCustomerTier(deps: Deps, tenantId: string, customerId: string, asOf?: Date): Promise<CustomerOutcome> {
  const current = await deps.programs.current(tenantId);
  if (!current?.program.tiers) return 'nothing';
  const { program } = current;
  return withOptimisticRetry<CustomerOutcome>(async () => {
    const loaded = await deps.customers.get(tenantId, customerId);
    if (!loaded) return { done: true, value: 'gone' };
    const now = asOf ?? deps.clock();
    const caught = catchUp(loaded.account, now, program.timeZone);
    const reviewed = reviewTier(program, caught.account, now);
    if (!reviewed.changed && caught.entries.length === 0) return { done: true, value: 'nothing' };
    const entries = numberEntries(loaded, caught.entries, deps.clock().toISOString(), { reason: 'tier review' });
    const next: CustomerRecord = { ...loaded, account: reviewed.account, ledgerSeq: loaded.ledgerSeq + entries.length };
    const r = await transactWrite(deps.db, deps.customers.updateItems(loaded, next, entries));
    return r.ok ? { done: true, value: reviewed.changed ? 'done' : 'nothing' } : { done: false };
  });
}

/**
 * Records the refill reminders due by `day` and takes them off the account in one transaction,
 * so each purchase is reminded once; each reminder item becomes a `refill.due` event.
 */
export async function remindRefills(deps: Deps, tenantId: string, customerId: string, day: Day): Promise<CustomerOutcome> {
  return withOptimisticRetry<CustomerOutcome>(async () => {
    const loaded = await deps.customers.get(tenantId, customerId);
    if (!loaded) return { done: true, value: 'gone' };
    const { due, rest } = takeDueRefills(loaded.account.refills, day);
    if (due.length === 0) return { done: true, value: 'nothing' };
    const at = deps.clock().toISOString();
    const r = await transactWrite(deps.db, [
      ...deps.customers.updateItems(loaded, { ...loaded, account: { ...loaded.account, refills: rest } }, []),
      ...due.map((d) => ({
        Put: {
          TableName: deps.db.table,
          Item: { ...keys.reminder(tenantId, customerId, `REFILL#${d.sku}#${d.runsOutOn}`), type: 'refillReminder', tenantId, customerId, ...d, at },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })),
    ]);
    if (r.ok) return { done: true, value: 'done' };
    if (r.reasons.slice(1).some((x) => x.code === 'ConditionalCheckFailed')) return { done: true, value: 'already' };
    return { done: false };
  });
}

/**
 * Records the reminder that `lot` expires soon, once per customer and lot. The reminder item is
 * the outbox record: its insert on the table's stream becomes the `points.expiring` event.
 */
export async function remindExpiry(deps: Deps, tenantId: string, customerId: string, lot: string): Promise<CustomerOutcome> {
  const c = await deps.customers.get(tenantId, customerId);
  if (!c) return 'gone';
  const points = c.account.lots[lot] ?? 0;
  if (points <= 0) return 'nothing';
  const written = await deps.jobs.putOnce({
    ...keys.reminder(tenantId, customerId, `EXPIRY#${lot}`),
    type: 'expiryReminder',
    tenantId,
    customerId,
    lot,
    points,
    expiresOn: lotExpiryDate(lot),
    balance: c.account.available,
    at: deps.clock().toISOString(),
  });
  return written ? 'done' : 'already';
}
