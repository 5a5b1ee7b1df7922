/** Configuration comes from the environment, read once and failing fast with the variable's name. */
import { channels, type Channel } from '#domain/notifications.ts';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} must be set`);
  return value;
}

/**
 * The notification channels this deployment can actually send on (comma list of sms, email,
 * push in `TALLY_LIVE_CHANNELS`); a channel left out is not offered. Unset: every channel, as
 * the local runtime's in-process outbox takes them all.
 */
export const LIVE_CHANNELS_ENV = 'TALLY_LIVE_CHANNELS';

export function liveChannels(env: NodeJS.ProcessEnv = process.env): Channel[] {
  const raw = env[LIVE_CHANNELS_ENV];
  if (raw === undefined) return [...channels];
  const named = new Set(raw.split(',').map((c) => c.trim()).filter(Boolean));
  return channels.filter((c) => named.has(c));
}
