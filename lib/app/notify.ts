/**
 * Telling customers: a domain event in, at most one message out, on the channel the program
 * prefers and the customer consented to, in their language, outside quiet hours. The claim
 * before sending makes a redelivered event a no-op; a crash between claim and send loses that
 * one message rather than risking a second copy (the record stays "sending" for an operator).
 */
import type { Channel, NotifiableEvent, RenderedMessage, Variables } from '#domain/notifications.ts';
import { chooseChannel, notifiableEvents, renderMessage, sendAt } from '#domain/notifications.ts';
import type { Program } from '#domain/program.ts';
import { catchUp } from '#domain/pending.ts';
import type { DomainEvent } from '../events/catalog.ts';
import { PermanentSendError, type ChannelSender } from '../notify/channels.ts';
import type { CustomerRecord } from '../storage/customers.ts';
import type { Deps } from './deps.ts';
import { metricNames } from '../observability/metric-names.ts';
import { count } from '../observability/metrics.ts';

export type NotifyOutcome = 'sent' | 'duplicate' | 'deferred' | 'not-notifiable' | 'off' | 'no-channel' | 'gone' | 'failed';

export type Senders = Partial<Record<Channel, ChannelSender>>;

export async function notifyCustomer(deps: Deps, senders: Senders, event: DomainEvent): Promise<NotifyOutcome> {
  if (!(event.type in notifiableEvents) || !event.customerId) return 'not-notifiable';
  // A level set for the first time (a new customer's first receipt) is not news.
  if (event.type === 'tier.changed' && (event.data as { from: string | null }).from === null) return 'not-notifiable';
  const type = event.type as NotifiableEvent;
  const current = await deps.programs.current(event.tenantId);
  const settings = current?.program.notifications;
  if (!current || !settings?.events[type]) return 'off';
  const { program } = current;
  const c = await deps.customers.get(event.tenantId, event.customerId);
  if (!c) return 'gone';

  const now = deps.clock();
  const when = sendAt(settings, now, program.timeZone);
  if (when > now && chooseChannel(settings.events[type]!, reachability(c, senders))) {
    await deps.notifications.defer(event, when.toISOString());
    return 'deferred';
  }
  const vars = await variables(deps, program, c, event, now);
  const tenantLocale = settings.defaultLocale ? undefined : (await deps.tenants.cachedSettings(event.tenantId))?.defaultLocale;
  return deliver(deps, senders, c, {
    channels: settings.events[type]!,
    claimId: event.id,
    eventType: event.type,
    message: () => renderMessage(settings, type, c.profile.locale, vars, tenantLocale),
  });
}

const reachability = (c: CustomerRecord, senders: Senders) => ({
  consents: { sms: c.profile.consents.sms && !!senders.sms, email: c.profile.consents.email && !!senders.email, push: c.profile.consents.push && !!senders.push },
  hasPhone: !!c.profile.phone,
  hasEmail: !!c.profile.email,
  devices: (c.profile.devices ?? []).length,
});

/**
 * Sends one message to a customer on the first reachable channel of `channels`, at most once per
 * `claimId`: claimed before sending, marked sent after, released if the provider refused.
 */
export async function deliver(
  deps: Deps,
  senders: Senders,
  c: CustomerRecord,
  opts: { channels: readonly Channel[]; claimId: string; eventType: string; message: () => RenderedMessage },
): Promise<NotifyOutcome> {
  const channel = chooseChannel(opts.channels, reachability(c, senders));
  if (!channel) return 'no-channel';
  const { tenantId } = c;
  const { customerId } = c.profile;
  const message = opts.message();
  const claimed = await deps.notifications.claim({
    tenantId,
    customerId,
    eventId: opts.claimId,
    eventType: opts.eventType,
    channel,
    locale: message.locale,
    text: message.text,
    at: deps.clock().toISOString(),
  });
  if (!claimed) return 'duplicate';
  const devices = c.profile.devices ?? [];
  const to = channel === 'sms' ? c.profile.phone! : channel === 'email' ? c.profile.email! : devices[0]!.token;
  try {
    const { providerMessageId } = await senders[channel]!.send({ channel, to, platform: channel === 'push' ? devices[0]!.platform : undefined, ...message });
    await deps.notifications.markSent(tenantId, customerId, opts.claimId, providerMessageId, deps.clock().toISOString());
    count(metricNames.messagesSent, 1, { name: 'channel', value: channel });
    return 'sent';
  } catch (e) {
    if (e instanceof PermanentSendError) {
      await deps.notifications.markFailed(tenantId, customerId, opts.claimId, e.message);
      return 'failed';
    }
    await deps.notifications.release(tenantId, customerId, opts.claimId);
    throw e;
  }
}

async function variables(deps: Deps, program: Program, c: CustomerRecord, event: DomainEvent, now: Date): Promise<Variables> {
  const d = event.data as Record<string, unknown>;
  const storeId = typeof d.storeId === 'string' ? d.storeId : undefined;
  const store = storeId ? ((await deps.stores.get(event.tenantId, storeId))?.name ?? storeId) : undefined;
  const levels = [...(program.tiers?.levels ?? []), ...(program.tiers?.staffLevels ?? [])];
  const balance = typeof d.balanceAfter === 'number' ? d.balanceAfter : typeof d.balance === 'number' ? d.balance : catchUp(c.account, now, program.timeZone).account.available;
  const vars: Variables = { name: c.profile.name ?? '', balance };
  if (store) vars.store = store;
  if (event.type === 'receipt.committed') vars.points = d.pointsEarned as number;
  if (event.type === 'birthday.granted' || event.type === 'points.expiring') vars.points = d.points as number;
  if (event.type === 'points.expiring') vars.expiresOn = d.expiresOn as string;
  if (event.type === 'points.expired') vars.points = Math.abs(d.points as number);
  if (event.type === 'tier.changed') vars.tier = levels.find((l) => l.id === d.to)?.name ?? String(d.to ?? '');
  if (event.type === 'reward.unlocked') vars.reward = d.name as string;
  if (event.type === 'coupon.issued') vars.code = d.code as string;
  if (event.type === 'refill.due') {
    vars.product = d.name as string;
    vars.runsOutOn = d.runsOutOn as string;
  }
  return vars;
}

/** The notifications job: messages held back by quiet hours that may go now, back onto the notify queue. */
export async function releaseDeferred(deps: Deps, enqueue: (events: DomainEvent[]) => Promise<void>, tenantId?: string): Promise<number> {
  const tenants = (await deps.jobs.tenants()).filter((t) => !tenantId || t.tenantId === tenantId);
  let released = 0;
  for (const t of tenants) {
    for (;;) {
      const due = await deps.notifications.due(t.tenantId, deps.clock().toISOString());
      if (due.length === 0) break;
      await enqueue(due.map((d) => d.event));
      for (const d of due) await deps.notifications.dropDeferred(d.key);
      released += due.length;
    }
  }
  return released;
}
