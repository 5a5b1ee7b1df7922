/**
 * Telling customers: a domain event in, at most one message out, on the channel the program
 * prefers and the customer consented to, in their language, outside quiet hours. The claim
 * before sending makes a redelivered event a no-op; a crash between claim and send loses that
 * one message rather than risking a second copy (the record stays "sending" for an operator).
 */
import type { Channel, NotifiableEvent, Variables } from '#domain/notifications.ts';
import { chooseChannel, notifiableEvents, renderMessage, sendAt } from '#domain/notifications.ts';
import type { Program } from '#domain/program.ts';
import { catchUp } from '#domain/pending.ts';
import type { DomainEvent } from '../events/catalog.ts';
import { PermanentSendError, type ChannelSender } from '../notify/channels.ts';
import type { CustomerRecord } from '../storage/customers.ts';
import type { Deps } from './deps.ts';

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

  const devices = c.profile.devices ?? [];
  const channel = chooseChannel(settings, type, {
    consents: { sms: c.profile.consents.sms && !!senders.sms, email: c.profile.consents.email && !!senders.email, push: c.profile.consents.push && !!senders.push },
    hasPhone: !!c.profile.phone,
    hasEmail: !!c.profile.email,
    devices: devices.length,
  });
  if (!channel) return 'no-channel';

  const now = deps.clock();
  const when = sendAt(settings, now, program.timeZone);
  if (when > now) {
    await deps.notifications.defer(event, when.toISOString());
    return 'deferred';
  }

  const message = renderMessage(settings, type, c.profile.locale, await variables(deps, program, c, event, now));
  const claimed = await deps.notifications.claim({
    tenantId: event.tenantId,
    customerId: event.customerId,
    eventId: event.id,
    eventType: event.type,
    channel,
    locale: message.locale,
    text: message.text,
    at: now.toISOString(),
  });
  if (!claimed) return 'duplicate';
  const to = channel === 'sms' ? c.profile.phone! : channel === 'email' ? c.profile.email! : devices[0]!.token;
  try {
    const { providerMessageId } = await senders[channel]!.send({ channel, to, platform: channel === 'push' ? devices[0]!.platform : undefined, ...message });
    await deps.notifications.markSent(event.tenantId, event.customerId, event.id, providerMessageId, deps.clock().toISOString());
    return 'sent';
  } catch (e) {
    if (e instanceof PermanentSendError) {
      await deps.notifications.markFailed(event.tenantId, event.customerId, event.id, e.message);
      return 'failed';
    }
    await deps.notifications.release(event.tenantId, event.customerId, event.id);
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
