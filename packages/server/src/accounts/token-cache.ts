import { ApiError } from '../errors.js';

/** What a token check needs of a device, as read from the database. */
export interface DeviceRecord {
  userId: string;
  tokenHash: string;
  lastSeenAt: number;
  revoked: boolean;
}

export interface TokenCacheOptions {
  /** Reads a device from the database (undefined: no such device). */
  read(deviceId: string): Promise<DeviceRecord | undefined>;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /**
   * How long a device read from the database is trusted without reading it again. Revocations
   * evict at once through the bus; this bounds how long one the node did not hear can go unseen.
   */
  ttlMs?: number;
  /** Entries kept at most (the cache starts over when full). */
  maxEntries?: number;
}

export interface CachedDevice {
  userId: string;
  tokenHash: string;
  /** Updated in place when the device's use is recorded. */
  lastSeenAt: number;
}

interface Entry extends CachedDevice {
  readAt: number;
}

/** Re-reads of one device while revocations keep coming in before one is trusted. */
const MAX_READS = 3;

/**
 * The valid devices a node checked recently. A revocation heard on the bus evicts its device;
 * losing the bus (events may have been missed) empties the cache; an entry is read again after
 * `ttlMs` whatever happened.
 *
 * A read that was under way when a revocation or a reset came in may hold the device as it was
 * before: every eviction bumps an epoch, and a read that saw the epoch move is neither cached nor
 * trusted, but made again — so a cache miss racing a revocation cannot bring the token back.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private epoch = 0;
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(private readonly options: TokenCacheOptions) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /** The device if it exists and is not revoked; from the cache when fresh. */
  async lookup(deviceId: string): Promise<CachedDevice | undefined> {
    const now = this.options.clock();
    const cached = this.entries.get(deviceId);
    if (cached && now - cached.readAt < this.ttlMs) return cached;
    if (cached) this.entries.delete(deviceId);
    for (let attempt = 1; ; attempt++) {
      const epoch = this.epoch;
      const readAt = this.options.clock();
      const record = await this.options.read(deviceId);
      if (!record || record.revoked) return undefined;
      const entry: Entry = {
        userId: record.userId,
        tokenHash: record.tokenHash,
        lastSeenAt: record.lastSeenAt,
        readAt,
      };
      if (epoch === this.epoch) {
        if (this.entries.size >= this.maxEntries) this.entries.clear();
        this.entries.set(deviceId, entry);
        return entry;
      }
      // A revocation or reset came in while this read was under way: it may predate it.
      if (attempt === MAX_READS) {
        throw new ApiError('UNAVAILABLE', 'Could not check the device token: try again.');
      }
    }
  }

  /** The device was revoked (heard on the bus). */
  forget(deviceId: string): void {
    this.epoch++;
    this.entries.delete(deviceId);
  }

  /** Revocations may have been missed (the bus was lost): nothing cached is trusted any more. */
  clear(): void {
    this.epoch++;
    this.entries.clear();
  }
}
