/**
 * Which channels a deployment offers. The stack lists them from what it was given (an SES sender,
 * SMS switched on, APNs or FCM credentials); a channel it does not list is never offered, so a
 * missing prerequisite means no message on that channel instead of a send that fails. When the
 * variable is unset (the local runtime, tests) every channel that has a sender is live.
 */
import { channels, type Channel } from '#domain/notifications.ts';

export const CHANNEL_ENV = {
  /** The live channels, comma-separated (`sms,email,push`); empty when none is. */
  live: 'TALLY_CHANNELS',
  /** The push platforms that have credentials, comma-separated (`APNS,GCM`), as SendMessages names them. */
  pushPlatforms: 'TALLY_PUSH_PLATFORMS',
} as const;

export const pushPlatforms = ['APNS', 'GCM'] as const;
export type PushPlatform = (typeof pushPlatforms)[number];

function listed<T extends string>(name: string, allowed: readonly T[], env: NodeJS.ProcessEnv): ReadonlySet<T> | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new Error(`${name}: "${item}" is not one of ${allowed.join(', ')}`);
  }
  return new Set(items as T[]);
}

/** The live channels, or undefined when the environment does not say (then: every channel with a sender). */
export const liveChannels = (env: NodeJS.ProcessEnv = process.env): ReadonlySet<Channel> | undefined => listed(CHANNEL_ENV.live, channels, env);

/** The push platforms with credentials, or undefined when the environment does not say (then: both). */
export const livePushPlatforms = (env: NodeJS.ProcessEnv = process.env): ReadonlySet<PushPlatform> | undefined =>
  listed(CHANNEL_ENV.pushPlatforms, pushPlatforms, env);
