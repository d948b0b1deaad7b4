import type { Update } from '@tokki/protocol';
import { asTombstone, withReaction } from '@tokki/sdk';
import { forgetChat, rejoined, selfId, setMutedFlag, setPinned, updateChat } from './chats';
import {
  applyProfile,
  putBlocked,
  putFriend,
  putRecommendation,
  removeBlocked,
  removeFriend,
  removeRecommendation,
} from './friends';
import { changeMessage, hideMessage, insertMessage } from './history';
import {
  addSystemLine,
  knownName,
  removeMember,
  renameMember,
  setMemberRole,
  setReadPointer,
} from './members';
import { secretMessageArrived } from './secret';
import type { State } from './types';

/**
 * The state after one update from the server: no I/O, so it is the same on every client and in
 * tests. What an update makes the app fetch (a chat it does not know, new members) is decided by
 * the store, which calls this. `now` dates the lines about the group ("X left").
 */
export function applyUpdate(state: State, update: Update, now = Date.now()): State {
  switch (update.kind) {
    case 'message.new':
      return insertMessage(state, update.message);
    case 'message.edited':
      return changeMessage(state, update.chatId, update.seq, (m) =>
        !m.deletedAt ? { ...m, text: update.text, editedAt: update.editedAt } : m,
      );
    case 'message.deleted':
      return changeMessage(state, update.chatId, update.seq, (m) =>
        asTombstone(m, update.deletedAt),
      );
    case 'message.reacted':
      return changeMessage(state, update.chatId, update.seq, (m) =>
        m.deletedAt ? m : withReaction(m, update.userId, update.reaction),
      );
    case 'message.hidden':
      return hideMessage(state, update.chatId, update.seq);
    case 'chat.read':
      return setReadPointer(state, update.chatId, update.userId, update.readSeq);
    case 'chat.joined': {
      const self = selfId(state, update.chatId) ?? '';
      const next = update.userIds.includes(self) ? rejoined(state, update.chatId) : state;
      return addSystemLine(
        next,
        update.chatId,
        { kind: 'joined', userIds: update.userIds, byUserId: update.byUserId },
        now,
      );
    }
    case 'chat.left': {
      if (update.userId !== selfId(state, update.chatId)) {
        const next = addSystemLine(
          state,
          update.chatId,
          {
            kind: update.byUserId ? 'removed' : 'left',
            userIds: [update.userId],
            ...(update.byUserId && { byUserId: update.byUserId }),
          },
          now,
        );
        return removeMember(next, update.chatId, update.userId);
      }
      // No longer a member: the chat leaves the list; an open room says why.
      const chat = state.chats[update.chatId];
      const leftChats = { ...state.leftChats };
      if (chat) {
        leftChats[update.chatId] = {
          title: chat.title,
          ...(update.byUserId && {
            byUserId: update.byUserId,
            byName: knownName(state, update.chatId, update.byUserId),
          }),
        };
      }
      return { ...forgetChat(state, update.chatId), leftChats };
    }
    case 'chat.role':
      return setMemberRole(state, update.chatId, update.userId, update.role);
    case 'chat.muted':
      return setMutedFlag(state, update.chatId, update.muted);
    case 'chat.pinned':
      return setPinned(state, update.chatId, update.seq);
    case 'chat.renamed':
      return updateChat(state, update.chatId, (c) => ({ ...c, title: update.title }));
    case 'chat.open':
      return updateChat(state, update.chatId, (c) => ({ ...c, open: update.open }));
    case 'chat.nickname':
      return renameMember(state, update.chatId, update.userId, update.nickname);
    case 'profile.updated':
      return applyProfile(state, update.user);
    case 'friend.added':
    case 'friend.updated':
      return putFriend(state, update.friend);
    case 'friend.removed':
      return removeFriend(state, update.userId);
    case 'recommendation.added':
      return putRecommendation(state, update.recommendation);
    case 'recommendation.removed':
      return removeRecommendation(state, update.userId);
    case 'block.added':
      return putBlocked(state, update.user);
    case 'block.removed':
      return removeBlocked(state, update.userId);
    case 'secret.message':
      return secretMessageArrived(state, update);
    // The secret client follows these itself (lib/secret): nothing to show from the update alone.
    case 'secret.commit':
    case 'secret.deviceAdded':
    case 'secret.deviceRevoked':
    case 'secret.keyPackagesLow':
      return state;
  }
}

/** Updates about friends, recommendations and blocks: applied again over a list that loads. */
export function isFriendsUpdate(update: Update): boolean {
  switch (update.kind) {
    case 'profile.updated':
    case 'friend.added':
    case 'friend.updated':
    case 'friend.removed':
    case 'recommendation.added':
    case 'recommendation.removed':
    case 'block.added':
    case 'block.removed':
      return true;
    default:
      return false;
  }
}
