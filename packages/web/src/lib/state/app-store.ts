import type { Chat, Friend, Me, OpenChatSettings, User } from '@tokki/protocol';
import { putChat, rejoined, updateChat } from './chats';
import {
  applyProfile,
  putBlocked,
  putFriend,
  removeBlocked,
  removeRecommendation,
} from './friends';
import { renameMember, setMemberRole } from './members';
import { SessionStore } from './session';

/**
 * The app's state and everything that changes it: one TokkiClient per tab, updates applied as
 * they arrive, a cache in IndexedDB, and the queue of messages waiting to be sent. This layer
 * holds the actions on groups, open chats, friends and the profile.
 */
export class AppStore extends SessionStore {
  // ---- Group members and invite links --------------------------------------------------

  /** Makes a member an admin or a plain member again (the owner only; the server decides). */
  async setRole(chatId: string, userId: string, role: 'admin' | 'member'): Promise<void> {
    await this.callClient().call('chats.setRole', { chatId, userId, role });
    this.change((state) => setMemberRole(state, chatId, userId, role));
  }

  /** Removes a member from a group (the owner anyone, admins plain members). */
  async removeMember(chatId: string, userId: string): Promise<void> {
    await this.callClient().call('chats.removeMember', { chatId, userId });
  }

  /**
   * A new invite link's token for a group or an open chat; the earlier link stops working. Kept
   * in `inviteTokens` for this tab (the server shows a token once).
   */
  async createInvite(chatId: string): Promise<string> {
    const { token } = await this.callClient().call('chats.createInvite', { chatId });
    this.#keepInviteToken(chatId, token);
    return token;
  }

  #keepInviteToken(chatId: string, token: string): void {
    this.set({ inviteTokens: { ...this.state.inviteTokens, [chatId]: token } });
  }

  async revokeInvite(chatId: string): Promise<void> {
    await this.callClient().call('chats.revokeInvite', { chatId });
    const inviteTokens = { ...this.state.inviteTokens };
    delete inviteTokens[chatId];
    this.set({ inviteTokens });
  }

  /** Joins the group an invite link is for (a member already just gets it); its chat. */
  async joinByInvite(token: string): Promise<Chat> {
    const client = this.callClient();
    const chat = await client.call('chats.joinByInvite', { token });
    if (client === this.clientOrNone)
      this.change((state) => putChat(rejoined(state, chat.id), chat));
    return chat;
  }

  // ---- Open chats ------------------------------------------------------------------------

  /** Creates an open chat with the user as host; its invite token is kept for the room's info. */
  async createOpenChat(params: {
    title: string;
    nickname: string;
    description?: string;
    memberLimit?: number;
    listed?: boolean;
  }): Promise<Chat> {
    const { chat, inviteToken } = await this.callClient().call('open.create', params);
    this.change((state) => putChat(state, chat));
    this.#keepInviteToken(chat.id, inviteToken);
    return chat;
  }

  /** Joins an open chat, a listed one by id or any by its link's token, under a nickname. */
  async joinOpenChat(ref: { chatId: string } | { token: string }, nickname: string): Promise<Chat> {
    const client = this.callClient();
    const chat = await client.call('open.join', { ...ref, nickname });
    if (client === this.clientOrNone)
      this.change((state) => putChat(rejoined(state, chat.id), chat));
    return chat;
  }

  /** Changes an open chat's settings (its host and co-hosts); `chat.open` confirms it. */
  async updateOpenChat(chatId: string, change: Partial<OpenChatSettings>): Promise<void> {
    await this.callClient().call('open.update', { chatId, ...change });
    this.change((state) =>
      updateChat(state, chatId, (c) => (c.open ? { ...c, open: { ...c.open, ...change } } : c)),
    );
  }

  /** The user's nickname in an open chat; `chat.nickname` tells the other members. */
  async setNickname(chatId: string, nickname: string): Promise<void> {
    await this.callClient().call('open.setNickname', { chatId, nickname });
    const self = this.selfId(chatId);
    if (self) this.change((state) => renameMember(state, chatId, self, nickname.trim()));
  }

  // ---- Friends ------------------------------------------------------------------------

  /**
   * Adds a friend by phone number or Tokki ID. `existed` says they were a friend already (the
   * server answers the same either way).
   */
  async addFriend(
    by: { phone: string } | { tokkiId: string },
  ): Promise<{ friend: Friend; existed: boolean }> {
    // The friend.added update may come before the answer: look at the list as it was.
    const before = this.state.friends;
    const friend = await this.callClient().call('friends.add', by);
    const existed = before[friend.user.id] !== undefined;
    this.change((state) => putFriend(state, friend));
    return { friend, existed };
  }

  /** Adds someone already known by id: a recommendation, a chat member. */
  async addFriendById(userId: string): Promise<Friend> {
    const friend = await this.callClient().call('friends.addById', { userId });
    this.change((state) => putFriend(state, friend));
    return friend;
  }

  /** Favourite, hide or rename a friend (for this user only). */
  async updateFriend(
    userId: string,
    change: { favorite?: boolean; hidden?: boolean; contactName?: string | null },
  ): Promise<Friend> {
    const friend = await this.callClient().call('friends.update', { userId, ...change });
    this.change((state) => putFriend(state, friend));
    return friend;
  }

  async dismissRecommendation(userId: string): Promise<void> {
    await this.callClient().call('friends.dismiss', { userId });
    this.change((state) => removeRecommendation(state, userId));
  }

  async block(user: User): Promise<void> {
    await this.callClient().call('friends.block', { userId: user.id });
    this.change((state) => putBlocked(state, user));
  }

  /** Unblocks; a former friend comes back with the server's friend.added update. */
  async unblock(userId: string): Promise<void> {
    await this.callClient().call('friends.unblock', { userId });
    this.change((state) => removeBlocked(state, userId));
  }

  /** Applies a profile change made on this device (the update confirms it later). */
  setMe(me: Me): void {
    this.change((state) => applyProfile({ ...state, me }, me));
  }
}
