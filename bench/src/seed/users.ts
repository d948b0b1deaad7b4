import { signInTestUser } from '@tokki/dev-env';
import { monotonicMs } from '../stats/clock.js';
import { forEachLimit } from '../stats/limit.js';

/** A signed-in test user with one device; the harness calls the device by `key`. */
export interface BenchUser {
  n: number;
  key: string;
  token: string;
  userId: string;
}

/**
 * Test users signed in through the real API (`auth.requestCode` + `auth.signIn` on local-mode
 * test numbers), many at once. Scenarios draw from the same pool, so a user signed in for the
 * idle scenario is reused by the later ones.
 */
export class UserPool {
  private readonly users: BenchUser[] = [];
  /** Time spent signing users in, so the report can tell setup from measurement. */
  readonly seeding = { users: 0, ms: 0 };

  constructor(
    private readonly url: string,
    private readonly concurrency = 64,
  ) {}

  /** The first `count` users, signing in the ones not signed in yet. */
  async first(count: number): Promise<BenchUser[]> {
    if (count > 100_000) throw new RangeError('There are 100,000 test numbers');
    const missing = Array.from(
      { length: Math.max(0, count - this.users.length) },
      (_, i) => this.users.length + i,
    );
    if (missing.length > 0) {
      const startedAt = monotonicMs();
      const signedIn: BenchUser[] = new Array(missing.length);
      await forEachLimit(missing, this.concurrency, async (n, index) => {
        const user = await signInTestUser(this.url, n, { deviceName: 'bench' });
        signedIn[index] = { n, key: `u${n}`, token: user.token, userId: user.userId };
      });
      for (const user of signedIn) this.users.push(user);
      this.seeding.users += missing.length;
      this.seeding.ms += monotonicMs() - startedAt;
    }
    return this.users.slice(0, count);
  }
}
