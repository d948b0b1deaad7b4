import type { LastSeenPrivacy, MethodParams, Presence } from '@tokki/protocol';
import type { Logger } from 'pino';
import type { Bus, PresenceMessage } from '../bus/bus.js';
import type { Database } from '../db/database.js';
import type { WriteQueue } from '../db/write-queue.js';
import type { FriendsService } from '../friends/service.js';
import type { PresenceWatcher, Principal } from '../rpc/route.js';
import * as store from './store.js';

const DEFAULT_PRIVACY: LastSeenPrivacy = 'friends';

/**
 * Who is online, and when the others were last. A user is online while any of their devices has
 * a connection open, on any node. A node that has watchers of a user follows that user's
 * presence on the bus: it asks once whether any node has them, then hears each node's first and
 * last connection of them (after a last one, it asks again: another node may still have them).
 * When a user's last connection to a node closes the time is stored. What a viewer learns
 * follows the target's setting, checked at every answer and every event: everyone, friends (those in the target's friend list) or nobody; a user who
 * blocked the viewer is hidden from them whatever the setting.
 */
export class PresenceService {
  /** Users with a connection to this node. */
  private readonly here = new Set<string>();
  /** Whether each user watched here is online anywhere, once known. */
  private readonly online = new Map<string, boolean>();
  /**
   * Connections on this node watching each user; and for each connection, what it was last told
   * of each user it watches (so that a hidden user's comings and goings tell it nothing).
   */
  private readonly watchers = new Map<string, Set<PresenceWatcher>>();
  private readonly watched = new Map<PresenceWatcher, Map<string, string>>();

  constructor(
    private readonly database: Database,
    private readonly writes: WriteQueue,
    private readonly bus: Bus,
    private readonly friends: FriendsService,
    private readonly logger: Logger,
  ) {
    bus.subscribe('presence', (message) => this.onAnnounced(message));
    bus.answerOnline((userId) => this.here.has(userId));
  }

  /** The user's first connection to this node opened. */
  connected(userId: string): void {
    this.here.add(userId);
    this.announce(userId);
  }

  /**
   * The user's last connection to this node closed: when, is stored before anyone is told. If
   * they are back by then (a page reload), they are announced as they are: online.
   */
  disconnected(userId: string): void {
    this.here.delete(userId);
    this.writes
      .run((w) => store.recordLastSeen(w.db, userId, w.now, DEFAULT_PRIVACY))
      .then(
        () => this.announce(userId),
        (error: unknown) => this.logger.warn({ err: error, userId }, 'storing last seen failed'),
      );
  }

  /** Tells every node whether the user has a connection here now. */
  private announce(userId: string): void {
    this.bus.publish('presence', { userId, online: this.here.has(userId) });
  }

  /**
   * What the viewer may know of these users now. With a watcher, it is then told of their
   * changes, in place of what it watched before.
   */
  async watch(
    { userId: viewerId }: Principal,
    { userIds }: MethodParams<'presence.watch'>,
    watcher: PresenceWatcher | undefined,
  ): Promise<Presence[]> {
    const targets = [...new Set(userIds)];
    if (watcher) {
      this.unwatch(watcher);
      this.watched.set(watcher, new Map());
      for (const id of targets) {
        let set = this.watchers.get(id);
        if (!set) {
          this.watchers.set(id, (set = new Set()));
          this.bus.watch('presence', id);
        }
        set.add(watcher);
      }
      await this.bus.settled();
    }
    // Asked after following: a change from now on is heard, whatever the answer says.
    const online = new Map<string, boolean>();
    await Promise.all(
      targets.map(async (id) => {
        const known = this.online.get(id);
        online.set(id, known ?? (await this.bus.askOnline(id)));
        if (known === undefined && this.watchers.has(id)) this.online.set(id, online.get(id)!);
      }),
    );
    const view = await this.viewOf([viewerId], targets, (id) => online.get(id) === true);
    const presences = targets.map((id) => view(viewerId, id));
    const told = watcher && this.watched.get(watcher);
    for (const presence of presences) told?.set(presence.userId, JSON.stringify(presence));
    return presences;
  }

  /** The connection closed, or watches others now. */
  unwatch(watcher: PresenceWatcher): void {
    for (const id of this.watched.get(watcher)?.keys() ?? []) {
      const set = this.watchers.get(id);
      set?.delete(watcher);
      if (set?.size === 0) {
        this.watchers.delete(id);
        this.online.delete(id);
        this.bus.unwatch('presence', id);
      }
    }
    this.watched.delete(watcher);
  }

  async privacy({ userId }: Principal): Promise<LastSeenPrivacy> {
    return (await store.findPrivacy(this.database.db, userId)) ?? DEFAULT_PRIVACY;
  }

  /** Changes who may see the user's presence; those watching see the result at once. */
  async setPrivacy(
    { userId }: Principal,
    { lastSeen }: MethodParams<'privacy.update'>,
  ): Promise<void> {
    await this.writes.run((w) => store.setPrivacy(w.db, userId, lastSeen));
    // The same announcement again: it makes every node tell the watchers what they see now.
    this.announce(userId);
  }

  private onAnnounced({ userId, online }: PresenceMessage): void {
    if (!this.watchers.has(userId)) return;
    // Offline on one node: online still if another node has them.
    const known = online ? Promise.resolve(true) : this.bus.askOnline(userId);
    void known
      .then((isOnline) => {
        const watchers = this.watchers.get(userId);
        if (!watchers) return;
        this.online.set(userId, isOnline);
        return this.tell(userId, [...watchers]);
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'presence event failed'));
  }

  private async tell(userId: string, watchers: PresenceWatcher[]): Promise<void> {
    const viewerIds = [...new Set(watchers.map((w) => w.watcherUserId))];
    const view = await this.viewOf(viewerIds, [userId]);
    for (const watcher of watchers) {
      const told = this.watched.get(watcher);
      const presence = JSON.stringify(view(watcher.watcherUserId, userId));
      if (!told?.has(userId) || told.get(userId) === presence) continue;
      told.set(userId, presence);
      watcher.sendEvent(`{"type":"event","event":{"kind":"presence","presence":${presence}}}`);
    }
  }

  /** What each viewer may know of each target's presence, as of now. */
  private async viewOf(
    viewerIds: readonly string[],
    targetIds: readonly string[],
    isOnline = (id: string) => this.online.get(id) === true,
  ) {
    const [rows, relations] = await Promise.all([
      store.presenceOf(this.database.db, targetIds),
      this.friends.relations(targetIds, viewerIds),
    ]);
    const byUser = new Map(rows.map((row) => [row.user_id, row]));
    return (viewerId: string, targetId: string): Presence => {
      const row = byUser.get(targetId);
      const privacy = row?.last_seen_privacy ?? DEFAULT_PRIVACY;
      const pair = `${targetId} ${viewerId}`;
      const visible =
        viewerId === targetId ||
        (!relations.blocks.has(pair) &&
          (privacy === 'everyone' || (privacy === 'friends' && relations.friends.has(pair))));
      if (!visible) return { userId: targetId, state: 'hidden' };
      if (isOnline(targetId)) return { userId: targetId, state: 'online' };
      return { userId: targetId, state: 'offline', lastSeenAt: row?.last_seen_at ?? null };
    };
  }
}
