import type { Bus } from '../bus/bus.js';

interface Followed {
  chats: Set<string>;
  /** Whether the user's chats were read once. */
  loaded: boolean;
  /** The user's chats being read; joins and leaves heard meanwhile are replayed on top. */
  reading?: Promise<boolean>;
  changes?: { chatId: string; joined: boolean }[];
}

/**
 * Which chats and users this node follows on the bus: the users with a connection here, and
 * their chats. It is also who, here, is in each chat, which is all live fan-out needs to know.
 * Joins and leaves arrive on the bus in pts order (`chat.members`) and keep it current; a user's
 * chats are read from the database when they connect, and again when something was missed.
 */
export class Interest {
  private readonly users = new Map<string, Followed>();
  private readonly membersHere = new Map<string, Set<string>>();

  constructor(
    private readonly bus: Bus,
    private readonly readChatIds: (userId: string) => Promise<string[]>,
  ) {}

  /** The users connected here who are members of the chat. */
  usersIn(chatId: string): ReadonlySet<string> | undefined {
    return this.membersHere.get(chatId);
  }

  /** Starts following a user who connected here, and their chats. */
  add(userId: string): void {
    if (this.users.has(userId)) return;
    this.users.set(userId, { chats: new Set(), loaded: false });
    this.bus.watch('user', userId);
    void this.reload(userId).catch(() => {});
  }

  remove(userId: string): void {
    const followed = this.users.get(userId);
    if (!followed) return;
    this.users.delete(userId);
    this.bus.unwatch('user', userId);
    for (const chatId of followed.chats) this.unfollow(chatId, userId);
  }

  /**
   * Resolves once the user's chats are followed and the bus delivers what is published for
   * them from now on: a catch-up may read its bound then.
   */
  async ready(userId: string): Promise<void> {
    const followed = this.users.get(userId);
    if (!followed) return;
    while (followed.reading) await followed.reading.catch(() => {});
    // The first read failed (the database was briefly away): this one's error is the caller's.
    if (!followed.loaded) await this.reload(userId);
    await this.bus.settled();
  }

  /**
   * Reads the user's chats again and follows what changed. True if a chat is newly followed
   * here (then what it published before may have been missed live).
   */
  reload(userId: string): Promise<boolean> {
    const followed = this.users.get(userId);
    if (!followed) return Promise.resolve(false);
    // One read at a time: each replays what was heard while it ran.
    if (followed.reading) {
      return followed.reading.then(
        () => this.reload(userId),
        () => this.reload(userId),
      );
    }
    followed.changes = [];
    const read = this.readChatIds(userId).then(
      (chatIds) => {
        if (this.users.get(userId) !== followed) return false;
        const changes = followed.changes ?? [];
        followed.changes = undefined;
        followed.reading = undefined;
        followed.loaded = true;
        const now = new Set(chatIds);
        // Heard while reading: the read may or may not include them; either way they hold.
        for (const { chatId, joined } of changes) {
          if (joined) now.add(chatId);
          else now.delete(chatId);
        }
        let started = false;
        for (const chatId of now) {
          if (!followed.chats.has(chatId) && this.follow(chatId, userId, followed)) started = true;
        }
        for (const chatId of [...followed.chats]) {
          if (!now.has(chatId)) this.unfollow(chatId, userId, followed);
        }
        return started;
      },
      (error: unknown) => {
        followed.changes = undefined;
        followed.reading = undefined;
        throw error;
      },
    );
    followed.reading = read;
    return read;
  }

  /** The user joined a chat. True if the node began following it now. */
  joined(chatId: string, userId: string): boolean {
    const followed = this.users.get(userId);
    if (!followed) return false;
    followed.changes?.push({ chatId, joined: true });
    return !followed.chats.has(chatId) && this.follow(chatId, userId, followed);
  }

  left(chatId: string, userId: string): void {
    const followed = this.users.get(userId);
    if (!followed) return;
    followed.changes?.push({ chatId, joined: false });
    if (followed.chats.has(chatId)) this.unfollow(chatId, userId, followed);
  }

  private follow(chatId: string, userId: string, followed: Followed): boolean {
    followed.chats.add(chatId);
    let here = this.membersHere.get(chatId);
    if (!here) this.membersHere.set(chatId, (here = new Set()));
    here.add(userId);
    return this.bus.watch('chat', chatId);
  }

  private unfollow(chatId: string, userId: string, followed?: Followed): void {
    followed?.chats.delete(chatId);
    const here = this.membersHere.get(chatId);
    if (!here?.delete(userId)) return;
    if (here.size === 0) this.membersHere.delete(chatId);
    this.bus.unwatch('chat', chatId);
  }
}
