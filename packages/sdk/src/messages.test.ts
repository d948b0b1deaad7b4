import { describe, expect, it } from 'vitest';
import { TokkiError } from './errors.js';
import { newClientMsgId, retryUntilDone } from './messages.js';

const fast = { baseMs: 1, capMs: 4 };

describe('retryUntilDone', () => {
  it('retries connection failures and UNAVAILABLE until the attempt succeeds', async () => {
    const failures = [
      TokkiError.connection('socket closed'),
      TokkiError.fromBody({ code: 'UNAVAILABLE', message: 'draining' }, 503),
    ];
    let attempts = 0;
    const result = await retryUntilDone(
      async () => {
        attempts++;
        const failure = failures.shift();
        if (failure) throw failure;
        return 'ok';
      },
      { backoff: fast },
    );
    expect(result).toBe('ok');
    expect(attempts).toBe(3);
  });

  it('retries at once when woken (the connection came back) instead of sitting out the backoff', async () => {
    let wake: () => void = () => {};
    let attempts = 0;
    const result = retryUntilDone(
      async () => {
        if (++attempts === 1) throw TokkiError.connection('offline');
        return 'sent';
      },
      {
        backoff: { baseMs: 3_600_000, capMs: 3_600_000 },
        wakeOn: (callback) => {
          wake = callback;
          return () => (wake = () => {});
        },
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(attempts).toBe(1);
    wake();
    await expect(result).resolves.toBe('sent');
    expect(attempts).toBe(2);
  });

  it('does not retry a refusal', async () => {
    let attempts = 0;
    const refusal = TokkiError.fromBody({ code: 'NOT_MEMBER', message: 'not a member' }, 403);
    await expect(
      retryUntilDone(
        async () => {
          attempts++;
          throw refusal;
        },
        { backoff: fast },
      ),
    ).rejects.toBe(refusal);
    expect(attempts).toBe(1);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const retrying = retryUntilDone(
      async () => {
        throw TokkiError.connection('offline');
      },
      { signal: controller.signal, backoff: { baseMs: 50, capMs: 50 } },
    );
    controller.abort(new Error('gave up'));
    await expect(retrying).rejects.toThrow('gave up');
  });
});

describe('newClientMsgId', () => {
  it('is a v4 UUID, different every time', () => {
    const ids = new Set(Array.from({ length: 100 }, newClientMsgId));
    expect(ids.size).toBe(100);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
