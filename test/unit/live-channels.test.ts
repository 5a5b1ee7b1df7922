/** Which channels a deployment offers: the stack's TALLY_CHANNELS decides, each still needs its sender. */
import { describe, expect, it } from 'vitest';
import { channelsFromEnv } from '#lib/notify/channels.ts';
import { CHANNEL_ENV, liveChannels, livePushPlatforms } from '#lib/notify/live-channels.ts';

const offered = (env: NodeJS.ProcessEnv) => Object.keys(channelsFromEnv(env)).sort();

describe('live channels', () => {
  it('should offer only the channels the stack lists, and each only with what it sends from', () => {
    expect(offered({ [CHANNEL_ENV.live]: 'sms', EMAIL_FROM: 'club@pharmacy.example', PINPOINT_APP_ID: 'app' })).toEqual(['sms']);
    expect(offered({ [CHANNEL_ENV.live]: 'email,push', EMAIL_FROM: 'club@pharmacy.example', PINPOINT_APP_ID: 'app' })).toEqual(['email', 'push']);
    expect(offered({ [CHANNEL_ENV.live]: 'email,push' })).toEqual([]);
    expect(offered({ [CHANNEL_ENV.live]: '' , EMAIL_FROM: 'club@pharmacy.example' })).toEqual([]);
  });

  it('should offer every channel that has a sender when the variable is unset (local runtime)', () => {
    expect(offered({ EMAIL_FROM: 'club@tally.local', PINPOINT_APP_ID: 'local-push' })).toEqual(['email', 'push', 'sms']);
    expect(liveChannels({})).toBeUndefined();
  });

  it('should refuse a channel or platform it does not know, naming the variable', () => {
    expect(() => liveChannels({ [CHANNEL_ENV.live]: 'sms,fax' })).toThrow(/TALLY_CHANNELS: "fax"/);
    expect(() => livePushPlatforms({ [CHANNEL_ENV.pushPlatforms]: 'APNS,WNS' })).toThrow(/TALLY_PUSH_PLATFORMS: "WNS"/);
    expect([...livePushPlatforms({ [CHANNEL_ENV.pushPlatforms]: 'GCM' })!]).toEqual(['GCM']);
  });
});
