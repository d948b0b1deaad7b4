import { randomBytes, randomInt } from 'node:crypto';
import { LIMITS, type Device, type Me, type User } from '@tokki/protocol';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import type { ServerConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { UsersTable } from '../db/schema.js';
import { phoneHasher, type PhoneHasher } from '../friends/contact-hash.js';
import type { WriteQueue, Writer } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import type { Principal } from '../rpc/route.js';
import type { UpdatesService } from '../updates/service.js';
import { normalizePhone } from './phone.js';
import { resizeProfilePhoto, type PhotoSize } from './photos.js';
import { hitRateLimit } from './rate-limit.js';
import type { SmsProvider } from './sms.js';
import * as store from './store.js';
import {
  codeMatches,
  hashCode,
  newDeviceToken,
  parseDeviceToken,
  secretMatches,
} from './tokens.js';

/** Who is calling: resolved from a device token on every request and connection. */

interface CachedDevice {
  userId: string;
  tokenHash: string;
  lastSeenAt: number;
}

/** What accounts need from friends (friends/service.ts), bound late: friends need accounts. */
export interface FriendsHooks {
  /** In the sign-up's transaction: friends and recommendations from others' address books. */
  userCreated(w: Writer, user: UsersTable): Promise<void>;
  /** Who sees a user's profile changes live, besides the user. */
  audienceOf(w: Writer, userId: string): Promise<string[]>;
  /** Profiles as `viewerId` may see them: a user who blocked them, as they were then. */
  viewAs(viewerId: string, users: User[]): Promise<User[]>;
}

const AUTH_CACHE_MAX = 100_000;
const TOKKI_ID_TAKEN = () => new ApiError('CONFLICT', 'That Tokki ID is taken.');
/** How stale `last_seen_at` may get before a request writes it again. */
const TOUCH_INTERVAL_MS = 60 * 60 * 1000;

/** Sign-in by phone, devices and profiles. */
export class AccountsService {
  /** Valid devices seen recently; revocation evicts through the bus on every node. */
  private readonly authCache = new Map<string, CachedDevice>();
  readonly hashPhone: PhoneHasher;
  private friends: FriendsHooks = {
    userCreated: async () => {},
    audienceOf: async () => [],
    viewAs: async (_viewerId, users) => users,
  };

  constructor(
    private readonly config: ServerConfig,
    private readonly database: Database,
    private readonly writes: WriteQueue,
    private readonly bus: Bus,
    private readonly sms: SmsProvider,
    private readonly updates: UpdatesService,
    private readonly logger: Logger,
  ) {
    bus.subscribe('device.revoked', ({ deviceId }) => this.authCache.delete(deviceId));
    this.hashPhone = phoneHasher(config.contactHashKey);
  }

  setFriends(hooks: FriendsHooks): void {
    this.friends = hooks;
  }

  /** Test numbers count as phone numbers only in local mode. */
  get allowsTestNumbers(): boolean {
    return this.allowTestNumbers;
  }

  /**
   * Gives users from before contacts the hash of their number, and every user a new one when the
   * key changed (contacts stored under the old key then match no one until synced again).
   */
  async hashPhonesOfAllUsers(): Promise<void> {
    const sample = await this.database.db
      .selectFrom('users')
      .select(['phone', 'phone_hash'])
      .where('phone_hash', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    if (sample && sample.phone_hash !== this.hashPhone(sample.phone)) {
      this.logger.warn('the contact-hash key changed: hashing every user’s number again');
      await this.writes.run((w) => w.db.updateTable('users').set({ phone_hash: null }).execute());
    }
    for (;;) {
      const rows = await this.database.db
        .selectFrom('users')
        .select(['id', 'phone'])
        .where('phone_hash', 'is', null)
        .limit(1000)
        .execute();
      if (rows.length === 0) return;
      await this.writes.run(async (w) => {
        for (const row of rows) {
          await w.db
            .updateTable('users')
            .set({ phone_hash: this.hashPhone(row.phone) })
            .where('id', '=', row.id)
            .execute();
        }
      });
    }
  }

  private get allowTestNumbers(): boolean {
    return this.config.mode === 'local';
  }

  async requestCode(phoneInput: string, ip: string) {
    const phone = normalizePhone(phoneInput, this.allowTestNumbers);
    const code = phone.testCode ?? String(randomInt(0, 1_000_000)).padStart(6, '0');
    const { codeRequestsPerPhone, codeRequestsPerIp } = this.config.rateLimits;
    const retryAfter = await this.writes.run(async (w) => {
      const byPhone = await hitRateLimit(w, `code:phone:${phone.e164}`, codeRequestsPerPhone);
      if (byPhone) return byPhone;
      // Test numbers send no SMS, so they cost nothing worth limiting per address.
      if (!phone.testCode) {
        const byIp = await hitRateLimit(w, `code:ip:${ip}`, codeRequestsPerIp);
        if (byIp) return byIp;
      }
      const salt = randomBytes(16).toString('hex');
      const row = {
        salt,
        code_hash: hashCode(salt, code),
        expires_at: w.now + LIMITS.VERIFICATION_CODE_TTL_SECONDS * 1000,
        attempts: 0,
        created_at: w.now,
      };
      await w.db
        .insertInto('verification_codes')
        .values({ phone: phone.e164, ...row })
        .onConflict((oc) => oc.column('phone').doUpdateSet(row))
        .execute();
      return 0;
    });
    if (retryAfter) {
      throw new ApiError('RATE_LIMITED', 'Too many code requests; try again later.', retryAfter);
    }
    if (!phone.testCode) await this.sms.sendCode(phone.e164, code);
    return {
      phone: phone.e164,
      codeLength: code.length,
      expiresInSeconds: LIMITS.VERIFICATION_CODE_TTL_SECONDS,
    };
  }

  async signIn(input: {
    phone: string;
    code: string;
    deviceName?: string;
    displayName?: string;
  }): Promise<{ token: string; me: Me; deviceId: string; newUser: boolean }> {
    const phone = normalizePhone(input.phone, this.allowTestNumbers).e164;
    // A wrong code must still count as an attempt, so the check commits before it throws.
    const outcome = await this.writes.run(async (w) => {
      const pending = await w.db
        .selectFrom('verification_codes')
        .selectAll()
        .where('phone', '=', phone)
        .executeTakeFirst();
      if (!pending)
        return { error: new ApiError('CODE_INVALID', 'No code is pending: request one.') };
      const drop = () => w.db.deleteFrom('verification_codes').where('phone', '=', phone).execute();
      if (pending.expires_at <= w.now) {
        await drop();
        return { error: new ApiError('CODE_EXPIRED', 'The code has expired: request a new one.') };
      }
      if (pending.attempts >= LIMITS.VERIFICATION_CODE_ATTEMPTS) {
        await drop();
        return {
          error: new ApiError('CODE_ATTEMPTS_EXCEEDED', 'Too many wrong codes: request a new one.'),
        };
      }
      if (!codeMatches(pending.salt, input.code, pending.code_hash)) {
        await w.db
          .updateTable('verification_codes')
          .set({ attempts: pending.attempts + 1 })
          .where('phone', '=', phone)
          .execute();
        return { error: new ApiError('CODE_INVALID', 'Wrong code.') };
      }
      await drop();

      let user = await store.findUserByPhone(w.db, phone);
      const newUser = !user;
      if (!user) {
        user = {
          id: newId('u'),
          phone,
          display_name: input.displayName?.trim() || `Tokki ${phone.slice(-4)}`,
          status_message: '',
          created_at: w.now,
          phone_hash: this.hashPhone(phone),
          tokki_id: null,
          photo_id: null,
        };
        await w.db.insertInto('users').values(user).execute();
        await this.friends.userCreated(w, user);
      }
      const deviceId = newId('d');
      const { token, hash } = newDeviceToken(deviceId);
      await w.db
        .insertInto('devices')
        .values({
          id: deviceId,
          user_id: user.id,
          token_hash: hash,
          name: input.deviceName?.trim() || 'Unnamed device',
          created_at: w.now,
          last_seen_at: w.now,
          revoked_at: null,
        })
        .execute();
      return { token, me: store.toMe(user), deviceId, newUser };
    });
    if ('error' in outcome) throw outcome.error;
    this.logger.info({ userId: outcome.me.id, deviceId: outcome.deviceId }, 'signed in');
    return outcome;
  }

  /**
   * Resolves a token to its device, or throws UNAUTHENTICATED: malformed, forged, revoked, or
   * expired (unused for `deviceIdleTimeoutSeconds`). Use keeps a token alive.
   */
  async authenticate(token: string | undefined): Promise<Principal> {
    const parsed = token ? parseDeviceToken(token) : null;
    if (!parsed) throw unauthenticated();
    let device = this.authCache.get(parsed.deviceId);
    if (!device) {
      const row = await store.findDevice(this.database.db, parsed.deviceId);
      if (!row || row.revoked_at !== null) throw unauthenticated();
      device = { userId: row.user_id, tokenHash: row.token_hash, lastSeenAt: row.last_seen_at };
      if (this.authCache.size >= AUTH_CACHE_MAX) this.authCache.clear();
      this.authCache.set(parsed.deviceId, device);
    }
    if (!secretMatches(parsed.secret, device.tokenHash)) throw unauthenticated();
    const now = Date.now();
    if (now - device.lastSeenAt > this.config.deviceIdleTimeoutSeconds * 1000) {
      throw new ApiError('UNAUTHENTICATED', 'This device was idle too long and was signed out.');
    }
    if (now - device.lastSeenAt > TOUCH_INTERVAL_MS) {
      device.lastSeenAt = now;
      this.touchDevice(parsed.deviceId).catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not record device activity'),
      );
    }
    return { userId: device.userId, deviceId: parsed.deviceId };
  }

  async listDevices(principal: Principal): Promise<Device[]> {
    const rows = await store.listActiveDevices(this.database.db, principal.userId);
    return rows.map((row) => store.toDevice(row, principal.deviceId));
  }

  async revokeDevice(principal: Principal, deviceId: string): Promise<void> {
    const revoked = await this.writes.run(async (w) => {
      const result = await w.db
        .updateTable('devices')
        .set({ revoked_at: w.now })
        .where('id', '=', deviceId)
        .where('user_id', '=', principal.userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    });
    if (!revoked) throw new ApiError('NOT_FOUND', 'No such device.');
    this.bus.publish('device.revoked', { userId: principal.userId, deviceId });
  }

  private async touchDevice(deviceId: string): Promise<void> {
    await this.writes.run((w) =>
      w.db.updateTable('devices').set({ last_seen_at: w.now }).where('id', '=', deviceId).execute(),
    );
  }

  async getMe(userId: string): Promise<Me> {
    const row = await store.findUserById(this.database.db, userId);
    if (!row) throw new ApiError('NOT_FOUND', 'No such user.');
    return store.toMe(row);
  }

  async updateProfile(
    userId: string,
    changes: { displayName?: string; statusMessage?: string; tokkiId?: string | null },
  ): Promise<Me> {
    const displayName = changes.displayName?.trim();
    if (displayName === '') throw new ApiError('INVALID_PARAMS', 'Display name is empty.');
    const tokkiId = changes.tokkiId?.toLowerCase() ?? changes.tokkiId;
    return this.changeProfile(userId, {
      ...(displayName !== undefined && { display_name: displayName }),
      ...(changes.statusMessage !== undefined && { status_message: changes.statusMessage }),
      ...(tokkiId !== undefined && { tokki_id: tokkiId }),
    });
  }

  /** Stores a new profile picture, resized, without the metadata the file came with. */
  async setPhoto(userId: string, image: Buffer): Promise<Me> {
    const { large, small } = await resizeProfilePhoto(image);
    const id = newId('p');
    return this.changeProfile(userId, { photo_id: id }, async (w) => {
      await w.db
        .insertInto('profile_photos')
        .values({ id, user_id: userId, large, small, created_at: w.now })
        .execute();
    });
  }

  async removePhoto(userId: string): Promise<Me> {
    return this.changeProfile(userId, { photo_id: null });
  }

  /** A profile picture by id, or undefined. */
  async photo(photoId: string, size: PhotoSize): Promise<Buffer | undefined> {
    const row = await this.database.db
      .selectFrom('profile_photos')
      .select(size)
      .where('id', '=', photoId)
      .executeTakeFirst();
    return row?.[size];
  }

  /**
   * Applies a profile change and tells the user's devices and everyone who has them as a friend
   * (but not those they blocked), in the same transaction.
   */
  private async changeProfile(
    userId: string,
    set: Partial<Pick<UsersTable, 'display_name' | 'status_message' | 'tokki_id' | 'photo_id'>>,
    before?: (w: Writer) => Promise<void>,
  ): Promise<Me> {
    return this.writes.run(async (w) => {
      await before?.(w);
      if (set.tokki_id) {
        const holder = await store.findUserByTokkiId(w.db, set.tokki_id);
        if (holder && holder.id !== userId) throw TOKKI_ID_TAKEN();
      }
      if (Object.keys(set).length > 0) {
        await w.db.updateTable('users').set(set).where('id', '=', userId).execute();
      }
      const row = await store.findUserById(w.db, userId);
      if (!row) throw new ApiError('NOT_FOUND', 'No such user.');
      const update = { kind: 'profile.updated', user: store.toUser(row) } as const;
      const audience = await this.friends.audienceOf(w, userId);
      for (const id of [userId, ...audience]) await this.updates.appendUserUpdate(w, id, update);
      return store.toMe(row);
    });
  }

  /** Profiles by id, as `viewerId` may see them. */
  async getUsers(viewerId: string, ids: readonly string[]): Promise<User[]> {
    const rows = await store.findUsersByIds(this.database.db, [...new Set(ids)]);
    return this.friends.viewAs(viewerId, rows.map(store.toUser));
  }

  /** For friends: users by the hash of their number, by Tokki ID, by id. */
  usersByPhoneHashes(db: Writer['db'], hashes: readonly string[]) {
    return store.findUsersByPhoneHashes(db, hashes);
  }

  userByTokkiId(db: Writer['db'], tokkiId: string) {
    return store.findUserByTokkiId(db, tokkiId.toLowerCase());
  }

  /** For chats: which of `ids` are users, read with `db` (in a write, its transaction). */
  async existingUserIds(db: Writer['db'], ids: readonly string[]): Promise<string[]> {
    const rows = await store.findUsersByIds(db, [...new Set(ids)]);
    return rows.map((row) => row.id);
  }

  userRow(db: Writer['db'] | Database['db'], userId: string) {
    return store.findUserById(db, userId);
  }
}

const unauthenticated = () =>
  new ApiError('UNAUTHENTICATED', 'Missing, invalid or revoked device token.');
