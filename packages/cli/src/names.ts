import { LIMITS } from '@tokki/protocol';
import { TokkiError, type TokkiClient } from '@tokki/sdk';

/** An open chat's members as this process knows them: room profile id → nickname. */
interface Room {
  nicknames: Map<string, string>;
  /** Ids looked for in `chats.members` and not found: not asked again. */
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
    const missing = [...new Set(ids)].filter((id) => !this.#users.has(id));
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
      // A chat the caller left or was removed from: its user ids can still be named; an open
      // chat's room profiles are nobody's user ids and show as they are.
      if (!(error instanceof TokkiError) || !['NOT_MEMBER', 'NOT_FOUND'].includes(error.code))
        throw error;
      room = null;
    }
    this.#rooms.set(chatId, room);
    return room;
  }

  /** Asks the open chat for the members wanted, by id: present ones and those who left. */
  async #loadRoom(chatId: string, room: Room, ids: Iterable<string>): Promise<void> {
    const wanted = [
      ...new Set([...ids].filter((id) => !room.nicknames.has(id) && !room.missing.has(id))),
    ];
    for (let start = 0; start < wanted.length; start += LIMITS.USERS_PER_CALL_MAX) {
      const chunk = wanted.slice(start, start + LIMITS.USERS_PER_CALL_MAX);
      const { members } = await this.#client.call('chats.members', { chatId, userIds: chunk });
      for (const { user } of members) room.nicknames.set(user.id, user.displayName);
      for (const id of chunk) if (!room.nicknames.has(id)) room.missing.add(id);
    }
  }
}
