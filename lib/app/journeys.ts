/**
 * Journeys: marketers define, start and stop them through the API; the journeys worker enters
 * customers (from an event, a list or a segment) and walks each through the steps. Every step is
 * claimed by a conditional advance of the customer's run, and every message by the notification
 * claim, so a redelivered message or a rerun never sends twice. Waits become timers released by
 * the quarter-hourly job.
 */
import * as z from '#domain/zod-mini.ts';
import { actionAt, triggeredBy, underCap, type JourneyDefinition } from '#domain/journeys.ts';
import { JOURNEY_CLAIM_PREFIX } from '../storage/notifications.ts';
import { MAX_JOURNEYS } from '../storage/journeys.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { renderTemplates, sendAt } from '#domain/notifications.ts';
import { catchUp } from '#domain/pending.ts';
import type { DomainEvent } from '../events/catalog.ts';
import { ConflictError, LimitExceededError, NotFoundError } from './errors.ts';
import { chunk, type Queue } from '../messaging/queue.ts';
import type { CreateJourneyBody } from '../http/schemas/journeys.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { JourneyRecord } from '../storage/journeys.ts';
import type { Deps } from './deps.ts';
import { deliver, type Senders } from './notify.ts';

const id = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/));

/** Work for the journeys worker besides domain events: customers to enter, a step now due. */
export const journeyWorkSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('enter'), tenantId: id, journeyId: id, customerIds: z.array(id).check(z.minLength(1), z.maxLength(100)) }),
  z.strictObject({ kind: z.literal('step'), tenantId: id, journeyId: id, customerIds: z.array(id).check(z.minLength(1), z.maxLength(100)), step: z.int().check(z.gte(0), z.lte(50)) }),
]);
export type JourneyWork = z.infer<typeof journeyWorkSchema>;


/** What the journeys routes use: their function builds only these (README, "Cold start"). */
export type JourneyDeps = Pick<Deps, 'journeys' | 'audit' | 'customers' | 'clock'>;

export const journeyView = (j: JourneyRecord) => ({ journeyId: j.journeyId, status: j.status, ...j.definition, createdAt: j.createdAt, createdBy: j.createdBy, startedAt: j.startedAt ?? null, stoppedAt: j.stoppedAt ?? null });

export async function createJourney(deps: JourneyDeps, p: Principal, body: CreateJourneyBody) {
  const { journeyId, ...definition } = body;
  if ((await deps.journeys.all(p.tenantId)).length >= MAX_JOURNEYS) {
    throw new LimitExceededError('journeys.perTenant', `journeyId: a tenant may have at most ${MAX_JOURNEYS} journeys`, 'journeyId');
  }
  const at = deps.clock().toISOString();
  const record: JourneyRecord = { journeyId, definition, status: 'draft', createdAt: at, createdBy: p.actor };
  const audit = deps.audit.item(p, { at, action: 'journey.create', target: `journey:${journeyId}`, after: definition });
  if (!(await deps.journeys.create(p.tenantId, record, [audit]))) throw new ConflictError('journey_exists', `journeyId: "${journeyId}" already exists`, 'journeyId');
  return journeyView(record);
}

export async function getJourney(deps: JourneyDeps, p: Principal, journeyId: string) {
  const j = await deps.journeys.get(p.tenantId, journeyId);
  if (!j) throw new NotFoundError('journey', 'journeyId');
  return journeyView(j);
}

export async function listJourneys(deps: JourneyDeps, p: Principal, q: { limit: number; cursor?: string | undefined }) {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, (sk) => sk.startsWith('JOURNEY#'));
  const page = await deps.journeys.list(p.tenantId, q.limit, after);
  return { journeys: page.journeys.map(journeyView), nextCursor: page.nextSk ? encodeCursor(page.nextSk) : null };
}

/** Starts a draft (or restarts a stopped) journey; an audience without a date enters now, with one at its date. */
export async function startJourney(deps: JourneyDeps, queue: Queue<JourneyWork>, p: Principal, journeyId: string) {
  const j = await deps.journeys.get(p.tenantId, journeyId);
  if (!j) throw new NotFoundError('journey', 'journeyId');
  const at = deps.clock().toISOString();
  const audit = deps.audit.item(p, { at, action: 'journey.start', target: `journey:${journeyId}`, before: { status: j.status }, after: { status: 'active' } });
  if (!(await deps.journeys.setStatus(p.tenantId, journeyId, ['draft', 'stopped'], 'active', at, [audit]))) {
    throw new ConflictError('journey_active', 'journeyId: the journey is already running', 'journeyId');
  }
  const t = j.definition.trigger;
  if (t.kind === 'audience') {
    const ids = t.customerIds ?? (await deps.customers.segmentMembers(p.tenantId, t.segment!, 100_000)).ids;
    if (t.at && Date.parse(t.at) > Date.parse(at)) {
      for (const batch of chunk(ids, 100)) await deps.journeys.addTimer(p.tenantId, new Date(t.at).toISOString(), journeyId, batch, -1);
    } else {
      await queue.send(chunk(ids, 25).map((customerIds) => ({ kind: 'enter', tenantId: p.tenantId, journeyId, customerIds })));
    }
  }
  return journeyView((await deps.journeys.get(p.tenantId, journeyId))!);
}

/** Stops a journey: nobody enters any more, and customers on the way go no further. */
export async function stopJourney(deps: JourneyDeps, p: Principal, journeyId: string) {
  const j = await deps.journeys.get(p.tenantId, journeyId);
  if (!j) throw new NotFoundError('journey', 'journeyId');
  const at = deps.clock().toISOString();
  const audit = deps.audit.item(p, { at, action: 'journey.stop', target: `journey:${journeyId}`, before: { status: 'active' }, after: { status: 'stopped' } });
  if (!(await deps.journeys.setStatus(p.tenantId, journeyId, ['active'], 'stopped', at, [audit]))) {
    throw new ConflictError('journey_not_active', 'journeyId: the journey is not running', 'journeyId');
  }
  return journeyView((await deps.journeys.get(p.tenantId, journeyId))!);
}

export type StepOutcome = 'entered' | 'already-in' | 'waiting' | 'sent' | 'capped' | 'no-channel' | 'ended' | 'stale' | 'inactive' | 'gone';

/** A domain event enters its customer into every active journey it triggers. */
export async function onEvent(deps: Deps, senders: Senders, event: DomainEvent): Promise<StepOutcome[]> {
  if (!event.customerId) return [];
  const journeys = (await deps.journeys.active(event.tenantId)).filter((j) => {
    if (!triggeredBy(j.definition, event.type)) return false;
    // A journey on custom events may listen to one type of them.
    const t = j.definition.trigger;
    return t.kind !== 'event' || !t.customEventType || (event.data as { eventType?: string }).eventType === t.customEventType;
  });
  const out: StepOutcome[] = [];
  for (const j of journeys) out.push(await enterAndRun(deps, senders, event.tenantId, j.journeyId, event.customerId));
  return out;
}

export async function handleJourneyWork(deps: Deps, senders: Senders, work: JourneyWork): Promise<StepOutcome[]> {
  const out: StepOutcome[] = [];
  for (const customerId of work.customerIds) {
    out.push(work.kind === 'enter' ? await enterAndRun(deps, senders, work.tenantId, work.journeyId, customerId) : await runFrom(deps, senders, work.tenantId, work.journeyId, customerId, work.step));
  }
  return out;
}

async function enterAndRun(deps: Deps, senders: Senders, tenantId: string, journeyId: string, customerId: string): Promise<StepOutcome> {
  const j = await deps.journeys.get(tenantId, journeyId);
  if (j?.status !== 'active') return 'inactive';
  if (!(await deps.customers.get(tenantId, customerId))) return 'gone';
  // Entering is claimed once; a redelivery of the entry resumes wherever the run is.
  const entered = await deps.journeys.enter(tenantId, journeyId, customerId, deps.clock().toISOString());
  const run = entered ? { step: 0 } : await deps.journeys.run(tenantId, journeyId, customerId);
  if (!run || run.step !== 0) return 'already-in';
  const r = await runFrom(deps, senders, tenantId, journeyId, customerId, 0);
  return entered && r === 'stale' ? 'entered' : r;
}

/** Runs a customer's journey from step `index` until it waits, is capped, or ends. */
async function runFrom(deps: Deps, senders: Senders, tenantId: string, journeyId: string, customerId: string, index: number): Promise<StepOutcome> {
  const j = await deps.journeys.get(tenantId, journeyId);
  if (j?.status !== 'active') return 'inactive';
  const current = await deps.programs.current(tenantId);
  if (!current) return 'inactive';
  const { program } = current;
  const c = await deps.customers.get(tenantId, customerId);
  if (!c) return 'gone';
  const run = await deps.journeys.run(tenantId, journeyId, customerId);
  if (!run || run.step !== index) return 'stale';
  const now = deps.clock();
  const at = now.toISOString();
  const balance = catchUp(c.account, now, program.timeZone).account.available;
  const action = actionAt(j.definition, index, { balance, tierId: c.account.tierId, segments: c.account.segments }, now);

  if (action.kind === 'end') {
    await deps.journeys.advance(tenantId, journeyId, customerId, index, -1, at);
    return 'ended';
  }
  if (action.kind === 'wait') {
    // The timer first, then the advance: a crash between them leaves a timer the stale check ignores, never a lost customer.
    await deps.journeys.addTimer(tenantId, action.until.toISOString(), journeyId, [customerId], action.next);
    await deps.journeys.advance(tenantId, journeyId, customerId, index, action.next, at);
    return 'waiting';
  }
  const settings = program.notifications;
  const quietUntil = settings ? sendAt(settings, now, program.timeZone) : now;
  if (quietUntil > now) {
    // The message step waits for the quiet hours to end; the run stays on it.
    const messageIndex = action.next - 1;
    if (messageIndex !== index) await deps.journeys.advance(tenantId, journeyId, customerId, index, messageIndex, at);
    await deps.journeys.addTimer(tenantId, quietUntil.toISOString(), journeyId, [customerId], messageIndex);
    return 'waiting';
  }
  const cap = j.definition.frequencyCap;
  const since = new Date(now.getTime() - cap.days * 86_400_000).toISOString();
  const capped = !underCap(cap, await deps.journeys.journeyMessageTimes(tenantId, customerId, since, cap.messages), now);
  const defaultLocale = settings?.defaultLocale ?? (await deps.tenants.cachedSettings(tenantId))?.defaultLocale ?? 'en';
  const outcome = capped
    ? 'capped'
    : await deliver(deps, senders, c, {
        channels: action.step.channels,
        claimId: `${JOURNEY_CLAIM_PREFIX}${journeyId}#${action.next - 1}`,
        eventType: `journey:${journeyId}`,
        message: () => renderTemplates(action.step.templates, j.definition.name, c.profile.locale, defaultLocale, { name: c.profile.name ?? '', balance }),
      });
  if (!(await deps.journeys.advance(tenantId, journeyId, customerId, index, action.next, at))) return 'stale';
  // The message is done (sent, or skipped by the cap or for want of a channel); the rest of the journey goes on.
  await runFrom(deps, senders, tenantId, journeyId, customerId, action.next);
  return outcome === 'duplicate' ? 'sent' : outcome === 'failed' ? 'no-channel' : (outcome as StepOutcome);
}

/** The quarter-hourly job: journey waits that are over go back to the journeys queue. */
export async function releaseTimers(deps: Deps, queue: Queue<JourneyWork>, tenantId?: string): Promise<number> {
  const tenants = (await deps.jobs.tenants()).filter((t) => !tenantId || t.tenantId === tenantId);
  let released = 0;
  for (const t of tenants) {
    for (;;) {
      const due = await deps.journeys.dueTimers(t.tenantId, deps.clock().toISOString());
      if (due.length === 0) break;
      await queue.send(
        due.flatMap((d) =>
          chunk(d.customerIds, 25).map((customerIds): JourneyWork =>
            d.step < 0 ? { kind: 'enter', tenantId: t.tenantId, journeyId: d.journeyId, customerIds } : { kind: 'step', tenantId: t.tenantId, journeyId: d.journeyId, customerIds, step: d.step },
          ),
        ),
      );
      for (const d of due) await deps.journeys.dropTimer(d.key);
      released += due.length;
    }
  }
  return released;
}

export type { JourneyDefinition };
