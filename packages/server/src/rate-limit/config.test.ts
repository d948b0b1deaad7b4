import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config.js';
import { MemoryRateLimiter } from './memory.js';

const KEY = 'ab'.repeat(32);

describe('abuse-limit settings', () => {
  afterEach(() => {
    delete process.env.TOKKI_RATE_LIMITS;
    delete process.env.TOKKI_GROUP_ADDS;
  });

  it('has defaults a person never meets, and KakaoTalk’s rule for adding', () => {
    const config = resolveConfig({ contactHashKey: KEY });
    expect(config.rateLimits.messagesPerUser).toEqual({ max: 120, windowSeconds: 60 });
    expect(config.rateLimits.typingPerUser).toEqual({ max: 60, windowSeconds: 60 });
    expect(config.groupAdds).toBe('known');
    expect(config.requestsInFlightPerSocket).toBe(256);
    expect(config.imageDecodesAtOnce).toBe(2);
  });

  it('reads TOKKI_RATE_LIMITS and TOKKI_GROUP_ADDS, keeping the limits they leave out', () => {
    process.env.TOKKI_RATE_LIMITS = '{"messagesPerUser":{"max":600,"windowSeconds":60}}';
    process.env.TOKKI_GROUP_ADDS = 'anyone';
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
    process.env.TOKKI_RATE_LIMITS = 'not json';
    expect(resolve({})).toThrow(/TOKKI_RATE_LIMITS must be a JSON object/);
    process.env.TOKKI_RATE_LIMITS = '{"messagePerUser":{"max":1,"windowSeconds":1}}';
    expect(resolve({})).toThrow(/TOKKI_RATE_LIMITS.messagePerUser is not a rate limit/);
    process.env.TOKKI_RATE_LIMITS = '{"messagesPerUser":{"max":"lots"}}';
    expect(resolve({})).toThrow(/TOKKI_RATE_LIMITS.messagesPerUser needs a whole max/);
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
