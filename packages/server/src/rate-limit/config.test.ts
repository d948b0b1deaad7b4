import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../config.js';
import { settingsFromEnv, settingsToEnv } from '../settings.js';
import { MemoryRateLimiter } from './memory.js';

const KEY = 'ab'.repeat(32);

describe('abuse-limit settings', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('has defaults a person never meets, and KakaoTalk’s rule for adding', () => {
    const config = resolveConfig({ contactHashKey: KEY });
    expect(config.rateLimits.messagesPerUser).toEqual({ max: 120, windowSeconds: 60 });
    expect(config.rateLimits.typingPerUser).toEqual({ max: 60, windowSeconds: 60 });
    expect(config.groupAdds).toBe('known');
    expect(config.requestsInFlightPerSocket).toBe(256);
    expect(config.imageDecodesAtOnce).toBe(2);
  });

  it('reads TOKKI_RATE_LIMITS_* and TOKKI_GROUP_ADDS, keeping the limits they leave out', () => {
    vi.stubEnv('TOKKI_RATE_LIMITS_MESSAGES_PER_USER', '600/60');
    vi.stubEnv('TOKKI_GROUP_ADDS', 'anyone');
    const config = resolveConfig({ contactHashKey: KEY });
    expect(config.rateLimits.messagesPerUser).toEqual({ max: 600, windowSeconds: 60 });
    expect(config.rateLimits.groupsPerUser).toEqual({ max: 50, windowSeconds: 3600 });
    expect(config.groupAdds).toBe('anyone');
  });

  it('refuses bad values with one clear line', () => {
    const resolve = (input: Parameters<typeof resolveConfig>[0]) => () =>
      resolveConfig({ contactHashKey: KEY, ...input });
    expect(resolve({ groupAdds: 'friends' as 'known' })).toThrow(
      /groupAdds must be "known" or "anyone"/,
    );
    expect(resolve({ requestsInFlightPerSocket: 0 })).toThrow(/requestsInFlightPerSocket/);
    expect(resolve({ imageDecodesAtOnce: 1.5 })).toThrow(/imageDecodesAtOnce/);
    vi.stubEnv('TOKKI_RATE_LIMITS_MESSAGES_PER_USER', 'lots');
    expect(resolve({})).toThrow(/^TOKKI_RATE_LIMITS_MESSAGES_PER_USER must be .*N\/S/);
    vi.stubEnv('TOKKI_RATE_LIMITS_MESSAGES_PER_USER', '');
    vi.stubEnv('TOKKI_GROUP_ADDS', 'friends');
    expect(resolve({})).toThrow(/^TOKKI_GROUP_ADDS must be "known" or "anyone"/);
  });

  it('are handed to a spawned server as the variables it reads back', () => {
    const given = {
      groupAdds: 'anyone' as const,
      rateLimits: { messagesPerUser: { max: 1_000_000, windowSeconds: 60 } },
      linkPreviews: { allowHosts: ['127.0.0.2', 'intranet.test'] },
    };
    expect(settingsToEnv(given)).toEqual({
      TOKKI_GROUP_ADDS: 'anyone',
      TOKKI_RATE_LIMITS_MESSAGES_PER_USER: '1000000/60',
      TOKKI_LINK_PREVIEWS_ALLOW_HOSTS: '127.0.0.2,intranet.test',
    });
    expect(settingsFromEnv(settingsToEnv(given))).toEqual(given);
  });
});

describe('MemoryRateLimiter', () => {
  it('counts all or none per key, answers the seconds left, and starts over when a window ends', () => {
    let now = 1_000_000;
    const limiter = new MemoryRateLimiter({ max: 3, windowSeconds: 60 }, () => now);
    expect(limiter.hit('a', 2)).toBe(0);
    expect(limiter.hit('a', 2)).toBe(60);
    expect(limiter.hit('b', 3)).toBe(0);
    expect(limiter.hit('a', 4)).toBe(60);
    now += 59_500;
    expect(limiter.hit('a')).toBe(0);
    expect(limiter.hit('a')).toBe(1);
    now += 500;
    expect(limiter.hit('a', 3)).toBe(0);
  });
});
