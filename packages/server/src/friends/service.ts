import {
  LIMITS,
  type Friend,
  type MethodParams,
  type MethodResult,
  type Recommendation,
  type Update,
  type User,
} from '@tokki/protocol';
import { normalizePhone, regionOf } from '../accounts/phone.js';
import type { AccountsService } from '../accounts/service.js';
import { toUser } from '../accounts/views.js';
import type { ChatsService } from '../chats/service.js';
import type { ServerConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { FriendsTable, UsersTable } from '../db/schema.js';
import type { WriteQueue, Writer } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import { hitRateLimit } from '../rate-limit/rate-limit.js';
import type { Principal } from '../rpc/route.js';
import type { UpdatesService } from '../updates/service.js';
import * as store from './store.js';

type SyncResult = MethodResult<'contacts.sync'>;

const NOT_A_NUMBER = 'Not a valid phone number.';

/**
 * Friends from the address book: contacts (stored as keyed hashes), friends, recommendations
 * ("people who have your number"), blocks. Every change a user can see is a user update.
 */
export class FriendsService {
  constructor(
    private readonly config: ServerConfig,
    private readonly database: Database,
    private readonly writes: WriteQueue,
    private readonly updates: UpdatesService,
    private readonly accounts: AccountsService,
    private readonly chats: ChatsService,
  ) {}

  /**
   * Adds and removes address-book entries. New numbers count against the discovery limits, all
   * or nothing; entries that are not numbers are reported and skipped. Contacts who use Tokki
   * become friends, and each of them is recommended the caller.
   */
  async sync(principal: Principal, params: MethodParams<'contacts.sync'>): Promise<SyncResult> {
    const outcome = await this.writes.run(async (w) => {
      const me = await this.requireUser(w, principal.userId);
      const rejected: SyncResult['rejected'] = [];
      // Each list as hashes of E.164 numbers (a number twice is one entry), with its index.
      const read = (list: 'add' | 'remove', phones: string[]) => {
        const hashes = new Map<string, number>();
        phones.forEach((phone, index) => {
          const e164 = this.normalize(phone, me.phone);
          if (e164 === undefined) rejected.push({ list, index, reason: NOT_A_NUMBER });
          else if (e164 !== me.phone) hashes.set(this.accounts.hashPhone(e164), index);
        });
        return hashes;
      };
      const add = params.add ?? [];
      const adding = read(
        'add',
        add.map((c) => c.phone),
      );
      const removing = read('remove', params.remove ?? []);

      const existing = new Map(
        (await store.contactsOf(w.db, me.id, [...adding.keys()])).map((c) => [c.phone_hash, c]),
      );
      const fresh = [...adding.keys()].filter((hash) => !existing.has(hash));
      await this.spendDiscovery(w, principal, fresh.length);

      const nameAt = (hash: string) => add[adding.get(hash)!]!.name?.trim() || null;
      await store.insertContacts(
        w.db,
        fresh.map((hash) => ({
          owner_id: me.id,
          phone_hash: hash,
          name: nameAt(hash),
          created_at: w.now,
        })),
      );
      const renamed = [...existing.values()].filter((c) => nameAt(c.phone_hash) !== c.name);
      for (const contact of renamed) {
        await store.renameContact(w.db, me.id, contact.phone_hash, nameAt(contact.phone_hash));
      }
      await this.renameFriends(w, me.id, renamed, nameAt);
      const removed = await store.deleteContacts(w.db, me.id, [...removing.keys()]);

      const friendsAdded: Friend[] = [];
      const users = await this.accounts.usersByPhoneHashes(w, fresh);
      for (const user of users) {
        const friend = await this.befriend(w, me.id, user, nameAt(user.phone_hash!));
        if (friend) friendsAdded.push(friend);
        await this.recommend(w, user.id, me, w.now);
      }
      return { added: fresh.length, renamed: renamed.length, removed, rejected, friendsAdded };
    });
    return outcome;
  }

  /**
   * How each of `ownerIds` relates to each of `otherIds`: whether the owner has them as a friend,
   * and whether the owner blocked them. Keys are `ownerId otherId`.
   */
  async relations(ownerIds: readonly string[], otherIds: readonly string[]) {
    const { db } = this.database;
    const [friends, blocks] = await Promise.all([
      store.friendPairs(db, ownerIds, otherIds),
      store.blockPairs(db, ownerIds, otherIds),
    ]);
    const keys = (rows: { owner_id: string; other_id: string }[]) =>
      new Set(rows.map((row) => `${row.owner_id} ${row.other_id}`));
    return { friends: keys(friends), blocks: keys(blocks) };
  }

  /** The caller's friends (blocked users are not), favourites first, then by the name shown. */
  async list({ userId }: Principal): Promise<Friend[]> {
    const rows = await store.listFriends(this.database.db, userId);
    const friends = await this.toFriends(userId, rows);
    return friends.sort(
      (a, b) =>
        Number(b.favorite) - Number(a.favorite) ||
        (a.contactName ?? a.user.displayName).localeCompare(b.contactName ?? b.user.displayName),
    );
  }

  /** Adds a friend by number or Tokki ID. Each try counts against the discovery limits. */
  async add(principal: Principal, by: MethodParams<'friends.add'>): Promise<Friend> {
    if ((by.phone === undefined) === (by.tokkiId === undefined))
      throw new ApiError('INVALID_PARAMS', 'Give a phone number or a Tokki ID, not both.');
    const outcome = await this.writes.run(async (w) => {
      const me = await this.requireUser(w, principal.userId);
      let user: UsersTable | undefined;
      if (by.phone !== undefined) {
        const e164 = this.normalize(by.phone, me.phone);
        if (e164 === undefined) return { error: new ApiError('PHONE_INVALID', NOT_A_NUMBER) };
        await this.spendDiscovery(w, principal, 1);
        [user] = await this.accounts.usersByPhoneHashes(w, [this.accounts.hashPhone(e164)]);
        if (!user) return { error: new ApiError('NOT_FOUND', 'No Tokki user has that number.') };
      } else {
        await this.spendDiscovery(w, principal, 1);
        user = await this.accounts.userByTokkiId(w, by.tokkiId!);
        if (!user) return { error: new ApiError('NOT_FOUND', 'No Tokki user has that ID.') };
      }
      return { friend: await this.addKnown(w, me, user) };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.friend;
  }

  /** Adds a user the caller already knows the id of: a recommendation, a chat member. */
  async addById(principal: Principal, params: MethodParams<'friends.addById'>): Promise<Friend> {
    return this.writes.run(async (w) => {
      const me = await this.requireUser(w, principal.userId);
      const user = await this.accounts.user(w, params.userId);
      if (!user) throw new ApiError('NOT_FOUND', 'No such user.');
      return this.addKnown(w, me, user);
    });
  }

  async update(
    { userId }: Principal,
    { userId: friendId, ...changes }: MethodParams<'friends.update'>,
  ): Promise<Friend> {
    return this.writes.run(async (w) => {
      const row = await store.findFriend(w.db, userId, friendId);
      if (!row || (await store.findBlock(w.db, userId, friendId)))
        throw new ApiError('NOT_FOUND', 'Not a friend.');
      const contactName = changes.contactName?.trim() ?? changes.contactName;
      if (contactName === '') throw new ApiError('INVALID_PARAMS', 'The name is empty.');
      const set = {
        ...(changes.favorite !== undefined && { favorite: changes.favorite ? 1 : 0 }),
        ...(changes.hidden !== undefined && { hidden: changes.hidden ? 1 : 0 }),
        ...(contactName !== undefined && { contact_name: contactName }),
      };
      if (Object.keys(set).length > 0) await store.updateFriend(w.db, userId, friendId, set);
      const [friend] = await this.toFriends(userId, [{ ...row, ...set }], w);
      await this.tell(w, userId, { kind: 'friend.updated', friend: friend! });
      return friend!;
    });
  }

  async recommended({ userId }: Principal): Promise<Recommendation[]> {
    const me = await this.accounts.user(null, userId);
    if (!me?.phone_hash) return [];
    const rows = await store.recommendationsFor(this.database.db, userId, me.phone_hash);
    const users = byId(
      (await this.accounts.users(null, [...new Set(rows.map((r) => r.user_id))])).map(toUser),
    );
    return rows.flatMap((row) => {
      const user = users.get(row.user_id);
      return user ? [{ user, since: Number(row.created_at) }] : [];
    });
  }

  /** Never recommends `otherId` to the caller again. */
  async dismiss(
    { userId }: Principal,
    { userId: otherId }: MethodParams<'friends.dismiss'>,
  ): Promise<void> {
    await this.writes.run(async (w) => {
      await this.requireUser(w, otherId);
      await store.insertDismissal(w.db, userId, otherId, w.now);
      await this.tell(w, userId, { kind: 'recommendation.removed', userId: otherId });
    });
  }

  /**
   * Blocks `otherId`: their sends in the direct chat are refused, they cannot put the caller in a
   * chat, and they see the caller's profile as it is now. Nothing tells them.
   */
  async block(
    { userId }: Principal,
    { userId: otherId }: MethodParams<'friends.block'>,
  ): Promise<void> {
    if (otherId === userId) throw new ApiError('INVALID_PARAMS', 'You cannot block yourself.');
    await this.writes.run(async (w) => {
      const me = await this.requireUser(w, userId);
      const other = await this.requireUser(w, otherId);
      if (await store.findBlock(w.db, userId, otherId)) return;
      await store.insertBlock(w.db, {
        owner_id: userId,
        blocked_id: otherId,
        display_name: me.display_name,
        status_message: me.status_message,
        photo_id: me.photo_id,
        created_at: w.now,
      });
      await this.chats.setDirectSendBlocked(w, userId, otherId, true);
      const user = (await this.viewAs(userId, [toUser(other)], w))[0]!;
      await this.tell(w, userId, { kind: 'block.added', user });
      if (await store.findFriend(w.db, userId, otherId))
        await this.tell(w, userId, { kind: 'friend.removed', userId: otherId });
      if (me.phone_hash && (await store.hasContact(w.db, otherId, me.phone_hash)))
        await this.tell(w, userId, { kind: 'recommendation.removed', userId: otherId });
    });
  }

  /** Unblocks `otherId`; a friend before the block is a friend again. */
  async unblock(
    { userId }: Principal,
    { userId: otherId }: MethodParams<'friends.unblock'>,
  ): Promise<void> {
    await this.writes.run(async (w) => {
      if (!(await store.deleteBlock(w.db, userId, otherId)))
        throw new ApiError('NOT_FOUND', 'Not blocked.');
      await this.chats.setDirectSendBlocked(w, userId, otherId, false);
      await this.tell(w, userId, { kind: 'block.removed', userId: otherId });
      const row = await store.findFriend(w.db, userId, otherId);
      if (row) {
        const [friend] = await this.toFriends(userId, [row], w);
        await this.tell(w, userId, { kind: 'friend.added', friend: friend! });
      }
    });
  }

  /** The users the caller blocked, most recent first. */
  async blocked({ userId }: Principal): Promise<User[]> {
    const rows = await store.blockedBy(this.database.db, userId);
    const blocked = await this.accounts.users(
      null,
      rows.map((r) => r.blocked_id),
    );
    const users = byId(await this.viewAs(userId, blocked.map(toUser)));
    return rows.flatMap((row) => users.get(row.blocked_id) ?? []);
  }

  /** `users.lookupPhone`: a discovery like any other, so it counts against the same limits. */
  async lookupPhone(
    principal: Principal,
    { phone }: MethodParams<'users.lookupPhone'>,
  ): Promise<User | null> {
    const outcome = await this.writes.run(async (w) => {
      const me = await this.requireUser(w, principal.userId);
      const e164 = this.normalize(phone, me.phone);
      if (e164 === undefined) return { error: new ApiError('PHONE_INVALID', NOT_A_NUMBER) };
      await this.spendDiscovery(w, principal, 1);
      const [user] = await this.accounts.usersByPhoneHashes(w, [this.accounts.hashPhone(e164)]);
      return { user };
    });
    if ('error' in outcome) throw outcome.error;
    if (!outcome.user) return null;
    return (await this.viewAs(principal.userId, [toUser(outcome.user)]))[0]!;
  }

  /**
   * A new user's first friends and recommendations: whoever has their number becomes their
   * friend (and is told), and is recommended to them. Run in the sign-up's write.
   */
  async userCreated(w: Writer, user: UsersTable): Promise<void> {
    if (!user.phone_hash) return;
    for (const owner of await store.ownersOf(w.db, user.phone_hash)) {
      if (owner.owner_id === user.id) continue;
      await this.befriend(w, owner.owner_id, user, owner.name);
      const ownerRow = await this.accounts.user(w, owner.owner_id);
      if (ownerRow) await this.recommend(w, user.id, ownerRow, Number(owner.created_at));
    }
  }

  /**
   * A friend shown under an address-book name that changed takes the new one — unless the owner
   * renamed them in Tokki since, which the address book does not undo.
   */
  private async renameFriends(
    w: Writer,
    ownerId: string,
    contacts: readonly { phone_hash: string; name: string | null }[],
    newName: (hash: string) => string | null,
  ): Promise<void> {
    if (contacts.length === 0) return;
    const oldName = new Map(contacts.map((c) => [c.phone_hash, c.name]));
    const users = await this.accounts.usersByPhoneHashes(w, [...oldName.keys()]);
    for (const user of users) {
      const row = await store.findFriend(w.db, ownerId, user.id);
      if (!row || row.contact_name !== oldName.get(user.phone_hash!)) continue;
      const contactName = newName(user.phone_hash!);
      await store.updateFriend(w.db, ownerId, user.id, { contact_name: contactName });
      if (await store.findBlock(w.db, ownerId, user.id)) continue;
      const [friend] = await this.toFriends(ownerId, [{ ...row, contact_name: contactName }], w, [
        user,
      ]);
      await this.tell(w, ownerId, { kind: 'friend.updated', friend: friend! });
    }
  }

  /** Makes `user` a friend of `ownerId` unless they are one, are blocked, or the list is full. */
  private async befriend(
    w: Writer,
    ownerId: string,
    user: UsersTable,
    contactName: string | null,
  ): Promise<Friend | undefined> {
    if (user.id === ownerId) return undefined;
    if (await store.findFriend(w.db, ownerId, user.id)) return undefined;
    if (await store.findBlock(w.db, ownerId, user.id)) return undefined;
    if ((await store.countFriends(w.db, ownerId)) >= LIMITS.FRIENDS_MAX) return undefined;
    const row: FriendsTable = {
      owner_id: ownerId,
      friend_id: user.id,
      contact_name: contactName,
      favorite: 0,
      hidden: 0,
      created_at: w.now,
    };
    await store.insertFriend(w.db, row);
    const [friend] = await this.toFriends(ownerId, [row], w, [user]);
    await this.tell(w, ownerId, { kind: 'friend.added', friend: friend! });
    return friend;
  }

  /** The friend-adding both `add` and `addById` end in; an existing friend is answered as is. */
  private async addKnown(w: Writer, me: UsersTable, user: UsersTable): Promise<Friend> {
    if (user.id === me.id) throw new ApiError('INVALID_PARAMS', 'That is you.');
    if (await store.findBlock(w.db, me.id, user.id))
      throw new ApiError('CONFLICT', 'You blocked this user: unblock them first.');
    const existing = await store.findFriend(w.db, me.id, user.id);
    if (existing) return (await this.toFriends(me.id, [existing], w, [user]))[0]!;
    if ((await store.countFriends(w.db, me.id)) >= LIMITS.FRIENDS_MAX)
      throw new ApiError('CONFLICT', `You have the most friends one may (${LIMITS.FRIENDS_MAX}).`);
    const friend = await this.befriend(w, me.id, user, null);
    if (me.phone_hash && (await store.hasContact(w.db, user.id, me.phone_hash)))
      await this.tell(w, me.id, { kind: 'recommendation.removed', userId: user.id });
    return friend!;
  }

  /**
   * Tells `userId` that `owner` has had their number `since`, if that makes `owner` a
   * recommendation for them: not a friend already, not blocked either way, not dismissed.
   */
  private async recommend(
    w: Writer,
    userId: string,
    owner: UsersTable,
    since: number,
  ): Promise<void> {
    if (userId === owner.id) return;
    if (await store.findFriend(w.db, userId, owner.id)) return;
    if (await store.findBlock(w.db, userId, owner.id)) return;
    if (await store.findBlock(w.db, owner.id, userId)) return;
    if (await store.isDismissed(w.db, userId, owner.id)) return;
    await this.tell(w, userId, {
      kind: 'recommendation.added',
      recommendation: { user: toUser(owner), since },
    });
  }

  /** Who sees a user's profile changes live: those who have them as a friend, unless blocked. */
  audienceOf(w: Writer, userId: string): Promise<string[]> {
    return store.audienceOf(w.db, userId);
  }

  /** Of `userIds`, those who blocked `userId` (in the write `w`). */
  /** Of `ownerIds`, those who have `userId` as a friend (for chats: who may add whom). */
  async friendOf(w: Writer, userId: string, ownerIds: readonly string[]): Promise<string[]> {
    return (await store.friendPairs(w.db, ownerIds, [userId])).map((row) => row.owner_id);
  }

  async blockersOf(w: Writer, userId: string, userIds: readonly string[]): Promise<string[]> {
    return (await store.blocksAgainst(w.db, userId, userIds)).map((b) => b.owner_id);
  }

  /** Profiles as `viewerId` sees them: whoever blocked them, as they were at the time. */
  async viewAs(viewerId: string, users: User[], w: Writer | null = null): Promise<User[]> {
    const blocks = await store.blocksAgainst(
      w ? w.db : this.database.db,
      viewerId,
      users.map((u) => u.id),
    );
    if (blocks.length === 0) return users;
    const snapshots = new Map(blocks.map((b) => [b.owner_id, b]));
    return users.map((user) => {
      const b = snapshots.get(user.id);
      return b
        ? {
            ...user,
            displayName: b.display_name,
            statusMessage: b.status_message,
            photo: b.photo_id,
          }
        : user;
    });
  }

  private async toFriends(
    ownerId: string,
    rows: readonly FriendsTable[],
    w: Writer | null = null,
    known: readonly UsersTable[] = [],
  ): Promise<Friend[]> {
    const knownIds = new Set(known.map((u) => u.id));
    const fetched = await this.accounts.users(
      w,
      rows.map((r) => r.friend_id).filter((id) => !knownIds.has(id)),
    );
    const users = byId(await this.viewAs(ownerId, [...known, ...fetched].map(toUser), w));
    return rows.flatMap((row) => {
      const user = users.get(row.friend_id);
      if (!user) return [];
      return {
        user,
        contactName: row.contact_name,
        favorite: Boolean(row.favorite),
        hidden: Boolean(row.hidden),
        since: Number(row.created_at),
      };
    });
  }

  /**
   * Counts `count` new numbers against the account's and the device's limits, or throws
   * RATE_LIMITED — which rolls the job back, so a refused call counts nothing.
   */
  private async spendDiscovery(w: Writer, principal: Principal, count: number): Promise<void> {
    if (count === 0) return;
    const { contactDiscoveryPerAccount, contactDiscoveryPerDevice } = this.config.rateLimits;
    const retryAfter =
      (await hitRateLimit(
        w,
        `discovery:user:${principal.userId}`,
        contactDiscoveryPerAccount,
        count,
      )) ||
      (await hitRateLimit(
        w,
        `discovery:device:${principal.deviceId}`,
        contactDiscoveryPerDevice,
        count,
      ));
    if (retryAfter) throw discoveryLimited(retryAfter);
  }

  /** A number as E.164, read with the region of the owner's own number; undefined if not one. */
  private normalize(phone: string, ownPhone: string): string | undefined {
    try {
      return normalizePhone(phone, this.accounts.allowsTestNumbers, regionOf(ownPhone)).e164;
    } catch {
      return undefined;
    }
  }

  private async requireUser(w: Writer, userId: string): Promise<UsersTable> {
    const user = await this.accounts.user(w, userId);
    if (!user) throw new ApiError('NOT_FOUND', 'No such user.');
    return user;
  }

  private tell(w: Writer, userId: string, update: Update): Promise<number> {
    return this.updates.appendUserUpdate(w, userId, update);
  }
}

const byId = (users: User[]) => new Map(users.map((user) => [user.id, user]));

const discoveryLimited = (retryAfter: number) =>
  new ApiError(
    'RATE_LIMITED',
    'Too many new numbers today: contact discovery is limited per account and device.',
    retryAfter,
  );
