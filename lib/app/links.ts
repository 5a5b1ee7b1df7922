/**
 * One-time links to the customer page. Staff (or the customer, by phone) ask; Tally sends the link
 * by SMS or e-mail on the live channels; the page exchanges the token, once and within
 * LINK_TTL_MINUTES, for the customer's page session: an app key of that customer that lasts
 * LINK_SESSION_DAYS (what the console's "Customer page link" hands over by hand). Only the
 * token's SHA-256 is stored, and the token is in no log, audit record or notification record.
 */
import { LINK_REQUESTS_PER_HOUR, LINK_SESSION_DAYS, LINK_TTL_MINUTES, linkLocale, linkMessage, maskDestination } from '#domain/links.ts';
import { PHONE_RULE } from '#domain/identifiers.ts';
import { normalizePhone } from './phones.ts';
import type { Channel } from '#domain/notifications.ts';
import type { Principal } from '../storage/api-keys.ts';
import { MAX_APP_KEYS, type CustomerRecord } from '../storage/customers.ts';
import { linkRepository, newLinkToken } from '../storage/links.ts';
import { lookupHash } from '../storage/lookup-key.ts';
import { transactWrite } from '../storage/transact.ts';
import { liveCustomer } from './customers.ts';
import { requireProgram } from './program-in-force.ts';
import type { Deps } from './deps.ts';
import { ChannelFailedError, ConflictError, GoneError, InvalidRequestError, NotFoundError, TooManyRequestsError } from './errors.ts';
import type { Senders } from './notify.ts';

type LinkChannel = Extract<Channel, 'sms' | 'email'>;

/** Where the customer page is served; the link is `{pageUrl}?link={token}`. */
export interface LinkSending {
  readonly senders: Senders;
  readonly pageUrl: string;
}

const destinationOf = (c: CustomerRecord, channel: LinkChannel) => (channel === 'sms' ? c.profile.phone : c.profile.email);

/** Makes the link, stores its hash (with `audit` in the same write), and sends it. */
async function issue(deps: Deps, sending: LinkSending, c: CustomerRecord, channel: LinkChannel, requestedBy: string, audit: (at: string) => ReturnType<Deps['audit']['item']>[]) {
  const to = destinationOf(c, channel)!;
  const now = deps.clock();
  const at = now.toISOString();
  const expiresAt = new Date(now.getTime() + LINK_TTL_MINUTES * 60_000).toISOString();
  const token = newLinkToken();
  const r = await transactWrite(deps.db, [
    linkRepository(deps.db).createItem(token, { tenantId: c.tenantId, customerId: c.profile.customerId, createdAt: at, expiresAt, requestedBy }),
    ...audit(at),
  ]);
  if (!r.ok) throw new Error('link collision');
  const settings = await deps.tenants.cachedSettings(c.tenantId);
  const message = linkMessage(linkLocale(c.profile.locale, settings?.defaultLocale), settings?.name ?? c.tenantId, `${sending.pageUrl}?link=${token}`);
  try {
    await sending.senders[channel]!.send({ channel, to, ...message });
  } catch (e) {
    // The link item stays unusable to anyone (its token was never shown) and expires with its TTL.
    throw new ChannelFailedError(`channel: the ${channel} channel did not take the message (${(e as Error).name}); no link reached the customer, ask again or use the other channel`, 'channel');
  }
  return { customerId: c.profile.customerId, channel, to: maskDestination(to), expiresAt };
}

/** Staff send a customer their link (the console's "Send a sign-in link"). */
export async function sendLinkByStaff(deps: Deps, sending: LinkSending, p: Principal, customerId: string, body: { channel?: LinkChannel | undefined }) {
  await requireProgram(deps, p.tenantId);
  const c = await liveCustomer(deps, p.tenantId, customerId);
  const reachable = (['sms', 'email'] as const).filter((ch) => destinationOf(c, ch) && sending.senders[ch]);
  const channel = body.channel ?? reachable[0];
  if (!channel || !reachable.includes(channel)) {
    const why = body.channel
      ? `channel: ${body.channel} cannot reach this customer (${body.channel === 'sms' ? 'no phone number' : 'no e-mail address'} on the profile, or the channel is not live here)`
      : 'channel: the customer has no phone number or e-mail address that a live channel reaches';
    throw new ConflictError('no_channel', why, 'channel');
  }
  return issue(deps, sending, c, channel, p.actor, (at) => [
    deps.audit.item(p, { at, action: 'customer.link', target: `customer:${customerId}`, after: { channel } }),
  ]);
}

/**
 * The customer asks for their link by phone number. The answer is the same whether or not a
 * member has the number (it tells nobody who is a member); the number may ask
 * LINK_REQUESTS_PER_HOUR times an hour, then 429.
 */
export async function requestLinkByCustomer(deps: Deps, sending: LinkSending, body: { tenantId: string; phone: string }) {
  const phone = await normalizePhone(body.phone);
  if (!phone) throw new InvalidRequestError(`phone: ${PHONE_RULE}`, 'phone');
  const now = deps.clock();
  const allowed = await linkRepository(deps.db).countRequest(body.tenantId, await lookupHash(body.tenantId, 'link-request', phone), now, LINK_REQUESTS_PER_HOUR);
  if (!allowed) {
    const retryAfter = 3600 - (Math.floor(now.getTime() / 1000) % 3600);
    throw new TooManyRequestsError(`phone: at most ${LINK_REQUESTS_PER_HOUR} links an hour may be sent to one number; ask again in ${Math.ceil(retryAfter / 60)} minutes`, 'phone', retryAfter);
  }
  const answer = { accepted: true, message: 'If a member has this number, a link is on its way by SMS.' };
  if (!sending.senders.sms || !(await deps.programs.current(body.tenantId))) return answer;
  const customerId = await deps.customers.findId(body.tenantId, 'phone', phone);
  const c = customerId ? await deps.customers.get(body.tenantId, customerId) : null;
  if (!c || c.profile.erasedAt) return answer;
  await issue(deps, sending, c, 'sms', 'customer', () => []);
  return answer;
}

/**
 * Exchanges a link for the customer's page session, once: the link is marked used in the
 * transaction that creates the app key, so two pages racing with one link get one session. At
 * MAX_APP_KEYS live keys the oldest is revoked in that transaction (a new device replaces it).
 */
export async function exchangeLink(deps: Deps, token: string) {
  const links = linkRepository(deps.db);
  const why = async () => {
    const link = await links.get(token);
    const now = deps.clock().toISOString();
    if (!link) throw new NotFoundError('link', 'token');
    if (link.usedAt) throw new GoneError('link_used', `token: this link was already used (at ${link.usedAt}); ask for a new one`, 'token');
    if (link.expiresAt <= now) throw new GoneError('link_expired', `token: this link expired at ${link.expiresAt} (links work for ${LINK_TTL_MINUTES} minutes); ask for a new one`, 'token');
    return link;
  };
  const link = await why();
  const c = await liveCustomer(deps, link.tenantId, link.customerId);
  const now = deps.clock();
  const at = now.toISOString();
  const live = (await deps.customers.appKeys(link.tenantId, link.customerId)).filter((k) => !k.revokedAt && !(k.expiresAt && k.expiresAt <= at));
  const oldest = [...live].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '')).slice(0, Math.max(0, live.length - MAX_APP_KEYS + 1));
  const expiresAt = new Date(now.getTime() + LINK_SESSION_DAYS * 86_400_000).toISOString();
  try {
    const created = await deps.apiKeys.create(
      { tenantId: link.tenantId, storeId: undefined, role: 'customer', actor: `customer:${link.customerId}`, customerId: link.customerId },
      at,
      'link',
      () => [links.useItem(token, at), ...oldest.flatMap((k) => deps.apiKeys.revokeItems(link.tenantId, link.customerId, k, at))],
      expiresAt,
    );
    return { key: created.key, keyId: created.keyId, customerId: c.profile.customerId, expiresAt };
  } catch (e) {
    // Used or expired since the read above: say which.
    await why();
    throw e;
  }
}
