import { LIMITS } from '@tokki/protocol';
import { TokkiError, type TokkiClient } from '@tokki/sdk';

/** An open chat's members as this process knows them: room profile id → nickname. */
interface Room {
  nicknames: Map<string, string>;
  /** Ids looked for in `chats.members` and not found (members who left): not asked again. */
  missing: Set<string>;
}

/**
 * Names for the ids a chat shows (senders, readers, reactors), fetched once per process. Users
 * are named with `users.get`; inside an open chat a member is a room profile named by the
 * nickname of that room (`chats.members`), and their user id or real name must never show.
 * Pass the chat's id wherever a name is for someone in a chat.
 */
export class UserNames {
  readonly #users = new Map<string, string>();

  /** By chat id: its members when it is an open chat, null for any other chat. */
  readonly #rooms = new Map<string, Room | null>();

  readonly #client: TokkiClient;

  constructor(client: TokkiClient) {
    this.#client = client;
  }

  /** Remembers a name already known: a user's, or in `chatId` a room profile's nickname. */
  remember(id: string, name: string, chatId?: string): void {
    const room = chatId === undefined ? undefined : this.#rooms.get(chatId);
    if (room) {
      room.nicknames.set(id, name);
      room.missing.delete(id);
    } else if (chatId === undefined || room === null) {
      this.#users.set(id, name);
    }
  }

  /**
   * Fetches the names not known yet; an id the server does not name keeps showing as the id.
   * With `chatId`, the ids are as that chat names its members.
   */
  async load(ids: Iterable<string>, chatId?: string): Promise<void> {
    const room = chatId === undefined ? null : await this.#room(chatId);
    if (room && chatId !== undefined) return this.#loadRoom(chatId, room, ids);
    // Room profile ids (`p_…`) are no user's: never look them up as users.
    const missing = [...new Set(ids)].filter((id) => id.startsWith('u_') && !this.#users.has(id));
    for (let start = 0; start < missing.length; start += LIMITS.USERS_PER_CALL_MAX) {
      const { users } = await this.#client.call('users.get', {
        userIds: missing.slice(start, start + LIMITS.USERS_PER_CALL_MAX),
      });
      for (const user of users) this.#users.set(user.id, user.displayName);
    }
  }

  /** The name to print for `id`: in an open chat (`chatId`) their nickname there. */
  name(id: string, chatId?: string): string {
    const room = chatId === undefined ? undefined : this.#rooms.get(chatId);
    if (room) return room.nicknames.get(id) ?? id;
    return this.#users.get(id) ?? id;
  }

  /** Whether `chatId` is an open chat, as far as `load` found out. */
  isOpen(chatId: string): boolean {
    return Boolean(this.#rooms.get(chatId));
  }

  /** The chat's members if it is an open chat (asked once); null for any other chat. */
  async #room(chatId: string): Promise<Room | null> {
    const known = this.#rooms.get(chatId);
    if (known !== undefined) return known;
    let room: Room | null;
    try {
      const chat = await this.#client.call('chats.get', { chatId });
      room = chat.kind === 'open' ? { nicknames: new Map(), missing: new Set() } : null;
    } catch (error) {
      // A chat the caller left or was removed from: its user ids (`u_…`) can still be named;
      // an open chat's room profiles (`p_…`) show as they are.
      if (!(error instanceof TokkiError) || !['NOT_MEMBER', 'NOT_FOUND'].includes(error.code))
        throw error;
      room = null;
    }
    this.#rooms.set(chatId, room);
    return room;
  }

  /** Pages through the open chat's members until every id wanted is named, or none are left. */
  async #loadRoom(chatId: string, room: Room, ids: Iterable<string>): Promise<void> {
    const wanted = new Set(
      [...ids].filter((id) => !room.nicknames.has(id) && !room.missing.has(id)),
    );
    if (wanted.size === 0) return;
    let cursor: string | undefined;
    do {
      const page = await this.#client.call('chats.members', {
        chatId,
        limit: LIMITS.MEMBER_PAGE_MAX,
        ...(cursor && { cursor }),
      });
      for (const { user } of page.members) {
        room.nicknames.set(user.id, user.displayName);
        wanted.delete(user.id);
      }
      cursor = page.cursor ?? undefined;
    } while (cursor && wanted.size > 0);
    for (const id of wanted) room.missing.add(id);
  }
}
