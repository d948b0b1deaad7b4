import { randomBytes, randomInt } from 'node:crypto';
import {
  LIMITS,
  type Device,
  type Me,
  type MethodParams,
  type MethodResult,
  type User,
} from '@tokki/protocol';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import type { ServerConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { UsersTable } from '../db/schema.js';
import { phoneHasher, type PhoneHasher } from './phone-hash.js';
import type { WriteQueue, Writer } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import type { Principal } from '../rpc/route.js';
import type { UpdatesService } from '../updates/service.js';
import { normalizePhone } from './phone.js';
import { resizeProfilePhoto, type PhotoSize } from './photos.js';
import { addressKey } from '../rate-limit/address.js';
import {
  hitRateLimit,
  rateLimitFull,
  refundRateLimit,
  type RateLimit,
} from '../rate-limit/rate-limit.js';
import { SmsSendError, type SmsProvider } from './sms.js';
import * as store from './store.js';
import { toDevice, toMe, toUser } from './views.js';
import {
  codeMatches,
  hashCode,
  newDeviceToken,
  parseDeviceToken,
  secretMatches,
} from './tokens.js';
import { TokenCache } from './token-cache.js';

/** What accounts need from friends, wired in context.ts (friends depend on accounts). */
export interface AccountsHooks {
  /** In the sign-up's transaction: friends and recommendations from others' address books. */
  userCreated(w: Writer, user: UsersTable): Promise<void>;
  /** Who sees a user's profile changes live, besides the user. */
  audienceOf(w: Writer, userId: string): Promise<string[]>;
  /** Profiles as `viewerId` may see them: a user who blocked them, as they were then. */
  viewAs(viewerId: string, users: User[]): Promise<User[]>;
  /** In the revocation's write: the device leaves the secret chats it was in (secret). */
  deviceRevoked(w: Writer, userId: string, deviceId: string): Promise<void>;
}

const TOKKI_ID_TAKEN = () => new ApiError('CONFLICT', 'That Tokki ID is taken.');
/**
 * Codes a number may have pending at once. A new request does not void the older ones (that
 * would let anyone who knows a number keep its owner from signing in); bounded, so that the
 * chance of guessing one stays small.
 */
const PENDING_CODES_MAX = 3;
/** How stale `last_seen_at` may get before a request writes it again. */
const TOUCH_INTERVAL_MS = 60 * 60 * 1000;

/** Sign-in by phone, devices and profiles. */
export class AccountsService {
  /** Valid devices checked recently (see TokenCache: bus evictions, a TTL, races). */
  readonly tokens: TokenCache;
  readonly hashPhone: PhoneHasher;

  constructor(
    private readonly config: ServerConfig,
    private readonly database: Database,
    private readonly writes: WriteQueue,
    private readonly bus: Bus,
    private readonly sms: SmsProvider,
    private readonly updates: UpdatesService,
    private readonly logger: Logger,
    private readonly friends: AccountsHooks,
    private readonly clock: () => number = Date.now,
  ) {
    this.tokens = new TokenCache({
      clock,
      read: async (deviceId) => {
        const row = await store.findDevice(this.database.db, deviceId);
        return (
          row && {
            userId: row.user_id,
            tokenHash: row.token_hash,
            lastSeenAt: row.last_seen_at,
            revoked: row.revoked_at !== null,
          }
        );
      },
    });
    bus.subscribe('device.revoked', ({ deviceId }) => this.tokens.forget(deviceId));
    // Revocations published while the bus was away were never heard here.
    bus.onMissed(() => this.tokens.clear());
    this.hashPhone = phoneHasher(config.contactHashKey);
  }

  /** Test numbers count as phone numbers only when configured (never in production). */
  get allowsTestNumbers(): boolean {
    return this.config.testNumbers;
  }

  /**
   * Gives users from before contacts the hash of their number, and every user a new one when the
   * key changed (contacts stored under the old key then match no one until synced again).
   */
  async hashPhonesOfAllUsers(): Promise<void> {
    const sample = await store.anyHashedPhone(this.database.db);
    if (sample && sample.phone_hash !== this.hashPhone(sample.phone)) {
      this.logger.warn('the contact-hash key changed: hashing every user’s number again');
      await this.writes.run((w) => store.forgetPhoneHashes(w.db));
    }
    for (;;) {
      const rows = await store.usersWithoutPhoneHash(this.database.db, 1000);
      if (rows.length === 0) return;
      await this.writes.run(async (w) => {
        for (const row of rows) await store.setPhoneHash(w.db, row.id, this.hashPhone(row.phone));
      });
    }
  }

  async requestCode(
    params: MethodParams<'auth.requestCode'>,
    ip: string,
  ): Promise<MethodResult<'auth.requestCode'>> {
    const phone = normalizePhone(params.phone, this.allowsTestNumbers);
    const code = phone.testCode ?? String(randomInt(0, 1_000_000)).padStart(6, '0');
    const limits = this.codeRequestLimits(phone.e164, ip, !phone.testCode);
    const reserved = await this.writes.run(async (w) => {
      const pending = await store.verificationCodes(w.db, phone.e164);
      // A test number's code never changes: a new row loses nothing by replacing the old ones.
      const live = phone.testCode ? [] : pending.filter((row) => row.expires_at > w.now);
      // Codes already sent stay valid (someone may be typing one): a full number waits for its
      // oldest to expire instead of voiding it.
      if (live.length >= PENDING_CODES_MAX) {
        return { retryAfter: Math.max(1, Math.ceil((live[0]!.expires_at - w.now) / 1000)) };
      }
      // All or none: every limit is checked before any is charged.
      for (const [key, limit] of limits) {
        const retryAfter = await rateLimitFull(w, key, limit);
        if (retryAfter) return { retryAfter };
      }
      for (const [key, limit] of limits) await hitRateLimit(w, key, limit);
      if (phone.testCode) await store.deleteVerificationCodes(w.db, phone.e164);
      const salt = randomBytes(16).toString('hex');
      const id = newId('v');
      await store.insertVerificationCode(w.db, {
        id,
        phone: phone.e164,
        salt,
        code_hash: hashCode(salt, code),
        expires_at: w.now + LIMITS.VERIFICATION_CODE_TTL_SECONDS * 1000,
        attempts: 0,
        created_at: w.now,
      });
      return { id, chargedAt: w.now };
    });
    if ('retryAfter' in reserved) {
      throw new ApiError(
        'RATE_LIMITED',
        'Too many code requests; try again later.',
        reserved.retryAfter,
      );
    }
    if (!phone.testCode) {
      try {
        await this.sms.sendCode(phone.e164, code);
      } catch (error) {
        throw await this.sendFailed(error, limits, reserved);
      }
    }
    return {
      phone: phone.e164,
      codeLength: code.length,
      expiresInSeconds: LIMITS.VERIFICATION_CODE_TTL_SECONDS,
    };
  }

  /**
   * The limits a code request counts against: per number (hourly and daily) and, for a code
   * texted, per address (test numbers send no SMS, so they cost nothing worth limiting there).
   */
  private codeRequestLimits(phone: string, ip: string, texted: boolean): [string, RateLimit][] {
    const limits = this.config.rateLimits;
    const address = addressKey(ip);
    return [
      [`code:phone:${phone}`, limits.codeRequestsPerPhone],
      [`code:phone-day:${phone}`, limits.codeRequestsPerPhoneDaily],
      ...(texted
        ? ([
            [`code:ip:${address}`, limits.codeRequestsPerIp],
            [`code:ip-day:${address}`, limits.codeRequestsPerIpDaily],
          ] as [string, RateLimit][])
        : []),
    ];
  }

  /**
   * The user's error for a code not texted. A gateway's refusal (of the number, or of our
   * credentials) sent nothing: the code is dropped and the request charged to no limit. An
   * unreachable gateway may yet deliver: both stay.
   */
  private async sendFailed(
    error: unknown,
    limits: [string, RateLimit][],
    reserved: { id: string; chargedAt: number },
  ): Promise<unknown> {
    if (!(error instanceof SmsSendError)) return error;
    // The gateway's status and error code only: never the number, the code or a credential.
    const details = { sms: error.provider, status: error.status, providerCode: error.providerCode };
    if (error.kind === 'unavailable') {
      this.logger.warn(details, 'the SMS gateway is unreachable');
      return new ApiError('SMS_UNAVAILABLE', 'Codes cannot be texted right now; try again later.');
    }
    if (error.kind === 'unauthorized') {
      this.logger.error(details, 'the SMS gateway refused our credentials: check the sms settings');
    } else {
      this.logger.warn(details, 'the SMS gateway refused a code');
    }
    await this.writes.run(async (w) => {
      await store.deleteVerificationCode(w.db, reserved.id);
      for (const [key] of limits) await refundRateLimit(w, key, reserved.chargedAt);
    });
    return error.kind === 'unauthorized'
      ? new ApiError('SMS_UNAVAILABLE', 'Codes cannot be texted right now; try again later.')
      : new ApiError('SMS_REJECTED', 'A code cannot be texted to this number.');
  }

  /** Deletes codes that expired (a sign-in with one would have found it expired anyway). */
  async pruneExpiredCodes(w: Writer): Promise<number> {
    return store.pruneVerificationCodes(w.db, w.now);
  }

  async signIn(input: MethodParams<'auth.signIn'>): Promise<MethodResult<'auth.signIn'>> {
    const phone = normalizePhone(input.phone, this.allowsTestNumbers).e164;
    const wrongCodes: [string, RateLimit] = [
      `code:wrong:${phone}`,
      this.config.rateLimits.wrongCodesPerPhoneDaily,
    ];
    // A wrong code must still count as an attempt, so the check commits before it throws.
    const outcome = await this.writes.run(async (w) => {
      const locked = await rateLimitFull(w, ...wrongCodes);
      if (locked) {
        return {
          error: new ApiError('RATE_LIMITED', 'Too many wrong codes today; try later.', locked),
        };
      }
      const stored = await store.verificationCodes(w.db, phone);
      if (stored.length === 0)
        return { error: new ApiError('CODE_INVALID', 'No code is pending: request one.') };
      const live = stored.filter((row) => row.expires_at > w.now);
      const drop = () => store.deleteVerificationCodes(w.db, phone);
      if (live.length === 0) {
        await drop();
        return { error: new ApiError('CODE_EXPIRED', 'The code has expired: request a new one.') };
      }
      const usable = live.filter((row) => row.attempts < LIMITS.VERIFICATION_CODE_ATTEMPTS);
      if (usable.length === 0) {
        await drop();
        return {
          error: new ApiError('CODE_ATTEMPTS_EXCEEDED', 'Too many wrong codes: request a new one.'),
        };
      }
      // Any of the number's pending codes signs in: each was texted to it.
      if (!usable.some((row) => codeMatches(row.salt, input.code, row.code_hash))) {
        await store.addVerificationAttempt(
          w.db,
          usable.map((row) => row.id),
        );
        await hitRateLimit(w, ...wrongCodes);
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
        await store.insertUser(w.db, user);
        await this.friends.userCreated(w, user);
      }
      const deviceId = newId('d');
      const { token, hash } = newDeviceToken(deviceId);
      await store.insertDevice(w.db, {
        id: deviceId,
        user_id: user.id,
        token_hash: hash,
        name: input.deviceName?.trim() || 'Unnamed device',
        created_at: w.now,
        last_seen_at: w.now,
        revoked_at: null,
      });
      return { token, me: toMe(user), deviceId, newUser };
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
    const device = await this.tokens.lookup(parsed.deviceId);
    if (!device || !secretMatches(parsed.secret, device.tokenHash)) throw unauthenticated();
    const now = this.clock();
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
    return rows.map((row) => toDevice(row, principal.deviceId));
  }

  async revokeDevice(
    principal: Principal,
    { deviceId }: MethodParams<'devices.revoke'>,
  ): Promise<void> {
    const revoked = await this.writes.run(async (w) => {
      if (!(await store.revokeDevice(w.db, principal.userId, deviceId, w.now))) return false;
      await this.friends.deviceRevoked(w, principal.userId, deviceId);
      return true;
    });
    if (!revoked) throw new ApiError('NOT_FOUND', 'No such device.');
    this.bus.publish('device.revoked', { userId: principal.userId, deviceId });
  }

  /** Revokes the calling device. */
  signOut(principal: Principal): Promise<void> {
    return this.revokeDevice(principal, { deviceId: principal.deviceId });
  }

  private async touchDevice(deviceId: string): Promise<void> {
    await this.writes.run((w) => store.touchDevice(w.db, deviceId, w.now));
  }

  async getMe(principal: Principal): Promise<Me> {
    const row = await store.findUserById(this.database.db, principal.userId);
    if (!row) throw new ApiError('NOT_FOUND', 'No such user.');
    return toMe(row);
  }

  async updateProfile({ userId }: Principal, changes: MethodParams<'profile.update'>): Promise<Me> {
    const displayName = changes.displayName?.trim();
    if (displayName === '') throw new ApiError('INVALID_PARAMS', 'Display name is empty.');
    const tokkiId = changes.tokkiId?.toLowerCase() ?? changes.tokkiId;
    return this.changeProfile(userId, {
      ...(displayName !== undefined && { display_name: displayName }),
      ...(changes.statusMessage !== undefined && { status_message: changes.statusMessage }),
      ...(tokkiId !== undefined && { tokki_id: tokkiId }),
    });
  }

  /**
   * Stores a new profile picture, resized, without the metadata the file came with. The one it
   * replaces is deleted: its URL answers 404 from then on.
   */
  async setPhoto({ userId }: Principal, image: Buffer): Promise<Me> {
    const { large, small } = await resizeProfilePhoto(image);
    const id = newId('p');
    return this.changeProfile(userId, { photo_id: id }, async (w) => {
      await store.insertProfilePhoto(w.db, {
        id,
        user_id: userId,
        large,
        small,
        created_at: w.now,
      });
      await store.deleteProfilePhotos(w.db, userId, id);
    });
  }

  /** Deletes the profile picture: removed means no longer served, to anyone. */
  async removePhoto({ userId }: Principal): Promise<Me> {
    return this.changeProfile(userId, { photo_id: null }, (w) =>
      store.deleteProfilePhotos(w.db, userId, null),
    );
  }

  /** A profile picture by id, or undefined. */
  photo(photoId: string, size: PhotoSize): Promise<Buffer | undefined> {
    return store.findProfilePhoto(this.database.db, photoId, size);
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
      if (Object.keys(set).length > 0) await store.updateUser(w.db, userId, set);
      const row = await store.findUserById(w.db, userId);
      if (!row) throw new ApiError('NOT_FOUND', 'No such user.');
      const update = { kind: 'profile.updated', user: toUser(row) } as const;
      const audience = await this.friends.audienceOf(w, userId);
      for (const id of [userId, ...audience]) await this.updates.appendUserUpdate(w, id, update);
      return toMe(row);
    });
  }

  /** Profiles by id, as the caller may see them. */
  getUsers({ userId }: Principal, { userIds }: MethodParams<'users.get'>): Promise<User[]> {
    return this.usersSeenBy(userId, userIds);
  }

  /** Profiles by id, as `viewerId` may see them (a user who blocked them, as they were then). */
  async usersSeenBy(viewerId: string, userIds: readonly string[]): Promise<User[]> {
    const rows = await store.findUsersByIds(this.database.db, [...new Set(userIds)]);
    return this.friends.viewAs(viewerId, rows.map(toUser));
  }

  // For other domains: accounts read in a write (`w`) or, without one, from the reader.

  user(w: Writer | null, userId: string): Promise<UsersTable | undefined> {
    return store.findUserById(this.db(w), userId);
  }

  users(w: Writer | null, userIds: readonly string[]): Promise<UsersTable[]> {
    return store.findUsersByIds(this.db(w), userIds);
  }

  /** Which of `userIds` are users. */
  async existingUserIds(w: Writer, userIds: readonly string[]): Promise<string[]> {
    const rows = await store.findUsersByIds(w.db, [...new Set(userIds)]);
    return rows.map((row) => row.id);
  }

  /** Users by the hash of their number (`hashPhone`). */
  usersByPhoneHashes(w: Writer, hashes: readonly string[]): Promise<UsersTable[]> {
    return store.findUsersByPhoneHashes(w.db, hashes);
  }

  userByTokkiId(w: Writer, tokkiId: string): Promise<UsersTable | undefined> {
    return store.findUserByTokkiId(w.db, tokkiId.toLowerCase());
  }

  private db(w: Writer | null) {
    return w ? w.db : this.database.db;
  }
}

const unauthenticated = () =>
  new ApiError('UNAUTHENTICATED', 'Missing, invalid or revoked device token.');
