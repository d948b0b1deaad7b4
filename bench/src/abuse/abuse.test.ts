import { LIMITS } from '@tokki/protocol';
import { describe, expect, it } from 'vitest';
import { abuseTable } from './report.js';
import { runAbuse } from './run.js';
import { startAbuseTarget } from './target.js';
import { mostWithin, type AbuseFigure } from './tries.js';

const HOUR = 3600_000;
const MINUTE = 60_000;

// The script counts what gets through: with low limits and short spans, each count is exactly
// what the limits allow (windows start at the first try; a stepped clock ends each one).
describe('the abuse script', () => {
  it('counts what the limits let through over stepped time', async () => {
    const target = await startAbuseTarget({
      rateLimits: {
        codeRequestsPerPhone: { max: 2, windowSeconds: 3600 },
        codeRequestsPerIp: { max: 3, windowSeconds: 3600 },
        messagesPerUser: { max: 3, windowSeconds: 60 },
        typingPerUser: { max: 2, windowSeconds: 60 },
        groupsPerUser: { max: 2, windowSeconds: 3600 },
        memberAddsPerUser: { max: 3, windowSeconds: 86_400 },
        uploadBytesPerUser: { max: 2 * LIMITS.FILE_MAX_BYTES, windowSeconds: 86_400 },
      },
    });
    let figures: AbuseFigure[];
    try {
      figures = await runAbuse(target, {
        spans: { day: 3 * HOUR, minutes: 3 * MINUTE },
        firstTestNumber: 90_000,
        victims: 3,
      });
    } finally {
      await target.close();
    }
    const got = (abuse: string) => figures.find((f) => f.abuse.startsWith(abuse))!;
    // Three windows of an hour in three hours; three of a minute in three minutes.
    expect(got('sign-in codes sent to one number')).toMatchObject({
      gotThrough: 6,
      note: '6 handed to the SMS provider',
    });
    expect(got('sign-in codes sent from one address').gotThrough).toBe(9);
    const messages = got('messages sent by one user');
    expect(messages.gotThrough).toBe(9);
    expect(messages.tried).toBeGreaterThan(9);
    // A burst at a window's end and the next one's start fall in one minute: up to twice.
    expect(messages.mostInAMinute).toBeGreaterThanOrEqual(3);
    expect(messages.mostInAMinute).toBeLessThanOrEqual(6);
    expect(got('typing events sent by one user').gotThrough).toBe(6);
    expect(got('groups created by one user').gotThrough).toBe(6);
    expect(got('strangers put into groups').gotThrough).toBe(0);
    expect(got('uploads begun by one user')).toMatchObject({
      gotThrough: 2,
      bytes: 2 * LIMITS.FILE_MAX_BYTES,
    });
    expect(abuseTable(figures)).toContain('| groups created by one user | ');
  }, 120_000);

  it('counts strangers put into groups where anyone may add anyone', async () => {
    const target = await startAbuseTarget({ groupAdds: 'anyone' });
    try {
      const figures = await runAbuse(target, {
        spans: { day: HOUR, minutes: MINUTE },
        firstTestNumber: 90_100,
        victims: 3,
      });
      expect(figures.find((f) => f.abuse.startsWith('strangers'))!.gotThrough).toBe(3);
    } finally {
      await target.close();
    }
  }, 120_000);

  it('finds the most timestamps within any window', () => {
    expect(mostWithin([], MINUTE)).toBe(0);
    expect(mostWithin([0, 1, 2, 59_999, 60_000, 60_001], MINUTE)).toBe(4);
  });
});
