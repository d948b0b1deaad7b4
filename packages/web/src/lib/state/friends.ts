import type { Friend, Recommendation, User } from '@tokki/protocol';
import type { State } from './types';

function without<T>(record: Record<string, T>, id: string): Record<string, T> {
  const rest = { ...record };
  delete rest[id];
  return rest;
}

/** A friend added or changed: no longer a recommendation. */
export function putFriend(state: State, friend: Friend): State {
  const id = friend.user.id;
  return {
    ...state,
    friends: { ...state.friends, [id]: friend },
    recommendations: state.recommendations[id]
      ? without(state.recommendations, id)
      : state.recommendations,
  };
}

export function removeFriend(state: State, userId: string): State {
  if (!state.friends[userId]) return state;
  return { ...state, friends: without(state.friends, userId) };
}

export function putRecommendation(state: State, recommendation: Recommendation): State {
  return {
    ...state,
    recommendations: { ...state.recommendations, [recommendation.user.id]: recommendation },
  };
}

export function removeRecommendation(state: State, userId: string): State {
  if (!state.recommendations[userId]) return state;
  return { ...state, recommendations: without(state.recommendations, userId) };
}

/** A blocked user is neither a friend nor a recommendation any more. */
export function putBlocked(state: State, user: User): State {
  const next = removeRecommendation(removeFriend(state, user.id), user.id);
  return { ...next, blocked: { ...next.blocked, [user.id]: user } };
}

export function removeBlocked(state: State, userId: string): State {
  if (!state.blocked[userId]) return state;
  return { ...state, blocked: without(state.blocked, userId) };
}

/** Someone's public profile changed: every place that shows it follows. */
export function applyProfile(state: State, user: User): State {
  const patch: Partial<State> = {};
  if (user.id === state.me?.id) patch.me = { ...state.me, ...user };
  let chatsChanged = false;
  const chats = { ...state.chats };
  for (const chat of Object.values(chats)) {
    if (chat.peer?.id === user.id) {
      chats[chat.id] = { ...chat, peer: user };
      chatsChanged = true;
    }
  }
  if (chatsChanged) patch.chats = chats;
  let membersChanged = false;
  const allMembers = { ...state.members };
  for (const [chatId, members] of Object.entries(allMembers)) {
    const member = members[user.id];
    if (member) {
      allMembers[chatId] = { ...members, [user.id]: { ...member, user } };
      membersChanged = true;
    }
  }
  if (membersChanged) patch.members = allMembers;
  const friend = state.friends[user.id];
  if (friend) patch.friends = { ...state.friends, [user.id]: { ...friend, user } };
  const recommendation = state.recommendations[user.id];
  if (recommendation) {
    patch.recommendations = { ...state.recommendations, [user.id]: { ...recommendation, user } };
  }
  if (state.blocked[user.id]) patch.blocked = { ...state.blocked, [user.id]: user };
  return { ...state, ...patch };
}
