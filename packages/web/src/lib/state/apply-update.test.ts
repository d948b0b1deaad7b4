import {
  Update as UpdateSchema,
  type Chat,
  type Friend,
  type Member,
  type Message,
  type Update,
  type UpdateKind,
  type User,
} from '@tokki/protocol';
import { describe, expect, it } from 'vitest';
import { applyUpdate } from './apply-update';
import { initialState, type State } from './types';

const NOW = 1_700_000_000_000;

const user = (id: string, displayName = id.toUpperCase()): User => ({
  id,
  displayName,
  statusMessage: '',
  photo: null,
});

const message = (seq: number, senderId = 'bob', chatId = 'g'): Message => ({
  chatId,
  seq,
  senderId,
  clientMsgId: `${chatId}-${seq}`,
  text: `#${seq}`,
  createdAt: 1000 + seq,
  editedAt: null,
  deletedAt: null,
});

const member = (id: string, readSeq: number, role: Member['role'] = 'member'): Member => ({
  user: user(id),
  role,
  readSeq,
  joinedSeq: 0,
});

const friend = (id: string, contactName: string | null = null): Friend => ({
  user: user(id),
  contactName,
  favorite: false,
  hidden: false,
  since: 1,
});

/** A group "g" (me, bob, carol) with messages 1–3 loaded, all read, and a 1:1 chat with bob. */
function signedIn(): State {
  const messages = [message(1, 'bob'), message(2, 'me'), message(3, 'carol')];
  const group: Chat = {
    id: 'g',
    kind: 'group',
    title: 'Hiking',
    memberCount: 3,
    lastSeq: 3,
    lastMessage: messages[2]!,
    lastActivityAt: 1003,
    readSeq: 3,
    unreadCount: 0,
    joinedSeq: 0,
  };
  const direct: Chat = {
    id: 'd',
    kind: 'direct',
    title: '',
    memberCount: 2,
    peer: user('bob'),
    lastSeq: 0,
    lastMessage: null,
    lastActivityAt: 1,
    readSeq: 0,
    unreadCount: 0,
    joinedSeq: 0,
  };
  return {
    ...initialState,
    phase: 'signedIn',
    me: { ...user('me'), phone: '+821000000000', tokkiId: null },
    chats: { g: group, d: direct },
    chatsLoaded: true,
    histories: { g: { messages, olderCursor: null, loadingOlder: false } },
    members: {
      g: { me: member('me', 3, 'owner'), bob: member('bob', 3), carol: member('carol', 3) },
    },
    friends: { bob: friend('bob', 'Bobby') },
    friendsLoaded: true,
    recommendations: { dave: { user: user('dave'), since: 1 } },
  };
}

const apply = (state: State, ...updates: Update[]): State =>
  updates.reduce((next, update) => applyUpdate(next, update, NOW), state);

const seqs = (state: State, chatId = 'g') => state.histories[chatId]?.messages.map((m) => m.seq);

/** At least one scenario per update kind; the type makes a new kind a compile error here. */
const scenarios: Record<UpdateKind, () => void> = {
  'message.new': () => {
    const state = apply(signedIn(), { kind: 'message.new', message: message(4, 'bob') });
    expect(seqs(state)).toEqual([1, 2, 3, 4]);
    expect(state.chats.g).toMatchObject({ lastSeq: 4, unreadCount: 1, lastActivityAt: 1004 });
    expect(state.chats.g!.lastMessage?.seq).toBe(4);
    // The sender has read their own message: bob's pointer moves, carol's does not.
    expect(state.members.g!.bob!.readSeq).toBe(4);
    expect(state.members.g!.carol!.readSeq).toBe(3);
    // The same message again (an ack after the update) is shown once and counted once.
    const again = apply(state, { kind: 'message.new', message: message(4, 'bob') });
    expect(seqs(again)).toEqual([1, 2, 3, 4]);
    expect(again.chats.g!.unreadCount).toBe(1);
  },
  'chat.read': () => {
    const unread = apply(
      signedIn(),
      { kind: 'message.new', message: message(4, 'bob') },
      { kind: 'message.new', message: message(5, 'bob') },
    );
    expect(unread.chats.g!.unreadCount).toBe(2);
    // Read on another device: the badge goes.
    const read = apply(unread, { kind: 'chat.read', chatId: 'g', userId: 'me', readSeq: 5 });
    expect(read.chats.g).toMatchObject({ readSeq: 5, unreadCount: 0 });
    // Carol reads: her pointer moves (the messages' unread counters drop); never backwards.
    const carol = apply(read, { kind: 'chat.read', chatId: 'g', userId: 'carol', readSeq: 5 });
    expect(carol.members.g!.carol!.readSeq).toBe(5);
    const stale = apply(carol, { kind: 'chat.read', chatId: 'g', userId: 'carol', readSeq: 4 });
    expect(stale.members.g!.carol!.readSeq).toBe(5);
  },
  'chat.joined': () => {
    const state = apply(signedIn(), {
      kind: 'chat.joined',
      chatId: 'g',
      userIds: ['erin'],
      byUserId: 'bob',
    });
    // "Bobby invited erin" after the newest message, named as this user knows them.
    expect(state.systemLines.g).toEqual([
      {
        key: `s0-${NOW}`,
        kind: 'joined',
        userIds: ['erin'],
        byUserId: 'bob',
        names: { bob: 'Bobby' },
        afterSeq: 3,
        at: NOW,
      },
    ]);
    // Added back to a chat left in this tab: its room no longer says it was left.
    const left = { ...signedIn(), leftChats: { g: { title: 'Hiking' } } };
    const back = apply(left, {
      kind: 'chat.joined',
      chatId: 'g',
      userIds: ['me'],
      byUserId: 'bob',
    });
    expect(back.leftChats.g).toBeUndefined();
  },
  'chat.left': () => {
    const removed = apply(signedIn(), {
      kind: 'chat.left',
      chatId: 'g',
      userId: 'carol',
      byUserId: 'me',
    });
    expect(Object.keys(removed.members.g!).sort()).toEqual(['bob', 'me']);
    expect(removed.chats.g!.memberCount).toBe(2);
    expect(removed.systemLines.g?.[0]).toMatchObject({
      kind: 'removed',
      userIds: ['carol'],
      byUserId: 'me',
      names: { carol: 'CAROL', me: 'ME' },
    });
    // Removed oneself: the chat leaves the list and everything loaded for it goes.
    const out = apply(signedIn(), {
      kind: 'chat.left',
      chatId: 'g',
      userId: 'me',
      byUserId: 'bob',
    });
    expect(out.chats.g).toBeUndefined();
    expect(out.histories.g).toBeUndefined();
    expect(out.members.g).toBeUndefined();
    expect(out.leftChats.g).toEqual({ title: 'Hiking', byUserId: 'bob', byName: 'Bobby' });
  },
  'chat.role': () => {
    const state = apply(signedIn(), {
      kind: 'chat.role',
      chatId: 'g',
      userId: 'bob',
      role: 'admin',
      byUserId: 'me',
    });
    expect(state.members.g!.bob!.role).toBe('admin');
  },
  'chat.muted': () => {
    const muted = apply(signedIn(), { kind: 'chat.muted', chatId: 'g', muted: true });
    expect(muted.chats.g!.muted).toBe(true);
    const unmuted = apply(muted, { kind: 'chat.muted', chatId: 'g', muted: false });
    expect(unmuted.chats.g!.muted).toBeUndefined();
  },
  'chat.pinned': () => {
    const pinned = apply(signedIn(), { kind: 'chat.pinned', chatId: 'g', seq: 2, byUserId: 'bob' });
    expect(pinned.chats.g!.pinnedSeq).toBe(2);
    const unpinned = apply(pinned, {
      kind: 'chat.pinned',
      chatId: 'g',
      seq: null,
      byUserId: 'bob',
    });
    expect(unpinned.chats.g!.pinnedSeq).toBeUndefined();
  },
  'chat.open': () => {
    const open = { description: 'Trails', memberLimit: 100, listed: true };
    const state = apply(signedIn(), { kind: 'chat.open', chatId: 'g', open, byUserId: 'bob' });
    expect(state.chats.g!.open).toEqual(open);
  },
  'chat.nickname': () => {
    const state = apply(signedIn(), {
      kind: 'chat.nickname',
      chatId: 'g',
      userId: 'carol',
      nickname: 'Trailblazer',
    });
    expect(state.members.g!.carol!.user.displayName).toBe('Trailblazer');
  },
  'chat.renamed': () => {
    const state = apply(signedIn(), {
      kind: 'chat.renamed',
      chatId: 'g',
      title: 'Climbing',
      byUserId: 'bob',
    });
    expect(state.chats.g!.title).toBe('Climbing');
  },
  'message.edited': () => {
    const state = apply(signedIn(), {
      kind: 'message.edited',
      chatId: 'g',
      seq: 3,
      text: 'fixed',
      editedAt: 2000,
    });
    expect(state.histories.g!.messages[2]).toMatchObject({ text: 'fixed', editedAt: 2000 });
    // The chat list shows the new text of its last message.
    expect(state.chats.g!.lastMessage).toMatchObject({ text: 'fixed', editedAt: 2000 });
    // A late edit does not bring back a deleted message's text.
    const deleted = apply(
      signedIn(),
      { kind: 'message.deleted', chatId: 'g', seq: 3, deletedAt: 1500 },
      { kind: 'message.edited', chatId: 'g', seq: 3, text: 'late', editedAt: 2000 },
    );
    expect(deleted.histories.g!.messages[2]).toMatchObject({ text: '', deletedAt: 1500 });
  },
  'message.deleted': () => {
    const reacted = apply(signedIn(), {
      kind: 'message.reacted',
      chatId: 'g',
      seq: 3,
      userId: 'bob',
      reaction: 'heart',
    });
    const withPinned = { ...reacted, pinnedMessages: { g: reacted.histories.g!.messages[2]! } };
    const state = apply(withPinned, {
      kind: 'message.deleted',
      chatId: 'g',
      seq: 3,
      deletedAt: 1500,
    });
    // A tombstone stays in its place: no text, no reactions, everywhere it is shown.
    expect(seqs(state)).toEqual([1, 2, 3]);
    for (const shown of [
      state.histories.g!.messages[2]!,
      state.chats.g!.lastMessage!,
      state.pinnedMessages.g!,
    ]) {
      expect(shown).toMatchObject({ text: '', deletedAt: 1500 });
      expect(shown.reactions).toBeUndefined();
    }
  },
  'message.reacted': () => {
    const hearted = apply(
      signedIn(),
      { kind: 'message.reacted', chatId: 'g', seq: 2, userId: 'bob', reaction: 'heart' },
      { kind: 'message.reacted', chatId: 'g', seq: 2, userId: 'carol', reaction: 'heart' },
    );
    expect(hearted.histories.g!.messages[1]!.reactions).toEqual([
      { reaction: 'heart', userIds: ['bob', 'carol'] },
    ]);
    const changed = apply(hearted, {
      kind: 'message.reacted',
      chatId: 'g',
      seq: 2,
      userId: 'bob',
      reaction: null,
    });
    expect(changed.histories.g!.messages[1]!.reactions).toEqual([
      { reaction: 'heart', userIds: ['carol'] },
    ]);
    // Nobody reacts to a tombstone.
    const tombstone = apply(
      signedIn(),
      { kind: 'message.deleted', chatId: 'g', seq: 2, deletedAt: 1500 },
      { kind: 'message.reacted', chatId: 'g', seq: 2, userId: 'bob', reaction: 'like' },
    );
    expect(tombstone.histories.g!.messages[1]!.reactions).toBeUndefined();
  },
  'message.hidden': () => {
    const state = apply(signedIn(), { kind: 'message.hidden', chatId: 'g', seq: 3 });
    expect(seqs(state)).toEqual([1, 2]);
    // The chat list shows the message before it.
    expect(state.chats.g!.lastMessage?.seq).toBe(2);
    // Its message.new caught up later stays hidden, and the next one follows without a gap.
    const later = apply(
      state,
      { kind: 'message.new', message: message(3, 'carol') },
      { kind: 'message.new', message: message(4, 'bob') },
    );
    expect(seqs(later)).toEqual([1, 2, 4]);
  },
  'profile.updated': () => {
    const bob = { ...user('bob', 'Robert'), statusMessage: 'on a trail' };
    const state = apply(signedIn(), { kind: 'profile.updated', user: bob });
    expect(state.chats.d!.peer).toEqual(bob);
    expect(state.members.g!.bob!.user).toEqual(bob);
    expect(state.friends.bob!.user).toEqual(bob);
    // The contact name this user gave stays.
    expect(state.friends.bob!.contactName).toBe('Bobby');
    const me = apply(signedIn(), { kind: 'profile.updated', user: user('me', 'Mina') });
    expect(me.me).toMatchObject({ displayName: 'Mina', phone: '+821000000000' });
  },
  'friend.added': () => {
    const state = apply(signedIn(), { kind: 'friend.added', friend: friend('dave') });
    expect(state.friends.dave).toEqual(friend('dave'));
    // A recommended user who becomes a friend is no longer recommended.
    expect(state.recommendations.dave).toBeUndefined();
  },
  'friend.updated': () => {
    const favourite = { ...friend('bob', 'Bob from work'), favorite: true };
    const state = apply(signedIn(), { kind: 'friend.updated', friend: favourite });
    expect(state.friends.bob).toEqual(favourite);
  },
  'friend.removed': () => {
    const state = apply(signedIn(), { kind: 'friend.removed', userId: 'bob' });
    expect(state.friends.bob).toBeUndefined();
  },
  'recommendation.added': () => {
    const recommendation = { user: user('erin'), since: 5 };
    const state = apply(signedIn(), { kind: 'recommendation.added', recommendation });
    expect(Object.keys(state.recommendations).sort()).toEqual(['dave', 'erin']);
  },
  'recommendation.removed': () => {
    const state = apply(signedIn(), { kind: 'recommendation.removed', userId: 'dave' });
    expect(state.recommendations).toEqual({});
  },
  'block.added': () => {
    const state = apply(
      signedIn(),
      { kind: 'block.added', user: user('bob') },
      { kind: 'block.added', user: user('dave') },
    );
    expect(Object.keys(state.blocked).sort()).toEqual(['bob', 'dave']);
    // Blocked users are neither friends nor recommended.
    expect(state.friends.bob).toBeUndefined();
    expect(state.recommendations.dave).toBeUndefined();
  },
  'block.removed': () => {
    const blocked = apply(signedIn(), { kind: 'block.added', user: user('bob') });
    const state = apply(blocked, { kind: 'block.removed', userId: 'bob' });
    expect(state.blocked).toEqual({});
  },
  'secret.message': () => {
    const base = withSecretChat(signedIn());
    const state = apply(base, secretMessage(1, 'bob', 'ciphertext'));
    // Counted like any message; no history and no text: the plaintext lives in the secret client.
    expect(state.chats.s).toMatchObject({ lastSeq: 1, unreadCount: 1, lastActivityAt: 2001 });
    expect(state.chats.s!.lastMessage).toBeNull();
    expect(state.histories.s).toBeUndefined();
    // The same update again counts once; the user's own message (another device) is read.
    expect(apply(state, secretMessage(1, 'bob', null))).toBe(state);
    const own = apply(state, secretMessage(2, 'me', 'ciphertext'));
    expect(own.chats.s).toMatchObject({ lastSeq: 2, readSeq: 2, unreadCount: 0 });
    // A chat not listed yet is left to the chat list's fetch.
    expect(apply(signedIn(), secretMessage(1, 'bob', 'x'))).toEqual(signedIn());
  },
  'secret.commit': () => {
    const base = withSecretChat(signedIn());
    const state = apply(base, {
      kind: 'secret.commit',
      chatId: 's',
      epoch: 1,
      senderId: 'bob',
      deviceId: 'bd',
      data: 'AA==',
      welcome: null,
      added: [{ userId: 'me', deviceId: 'md' }],
      removed: [],
      at: 5,
    });
    expect(state).toBe(base);
  },
  'secret.deviceAdded': () => {
    const base = withSecretChat(signedIn());
    expect(
      apply(base, { kind: 'secret.deviceAdded', chatId: 's', userId: 'bob', deviceId: 'b2' }),
    ).toBe(base);
  },
  'secret.deviceRevoked': () => {
    const base = withSecretChat(signedIn());
    expect(
      apply(base, { kind: 'secret.deviceRevoked', chatId: 's', userId: 'bob', deviceId: 'b2' }),
    ).toBe(base);
  },
  'secret.keyPackagesLow': () => {
    const base = signedIn();
    expect(apply(base, { kind: 'secret.keyPackagesLow', deviceId: 'md', remaining: 3 })).toBe(base);
  },
};

function withSecretChat(state: State): State {
  const secret: Chat = {
    id: 's',
    kind: 'secret',
    title: '',
    memberCount: 2,
    lastSeq: 0,
    lastMessage: null,
    lastActivityAt: 1,
    readSeq: 0,
    unreadCount: 0,
    joinedSeq: 0,
  };
  return { ...state, chats: { ...state.chats, s: secret } };
}

function secretMessage(seq: number, senderId: string, data: string | null): Update {
  return {
    kind: 'secret.message',
    chatId: 's',
    seq,
    senderId,
    deviceId: `${senderId}-device`,
    epoch: 1,
    data,
    sentAt: 2000 + seq,
    expiresAt: 9999,
  };
}

describe('applyUpdate', () => {
  for (const [kind, scenario] of Object.entries(scenarios)) it(kind, scenario);

  it('has a scenario for every update kind of the protocol', () => {
    const kinds = UpdateSchema.anyOf.map((schema) => schema.properties.kind.const);
    expect(Object.keys(scenarios).sort()).toEqual([...kinds].sort());
  });

  it('changes nothing for an update about a chat it does not know', () => {
    const state = signedIn();
    const updates: Update[] = [
      { kind: 'chat.read', chatId: 'x', userId: 'me', readSeq: 9 },
      { kind: 'chat.muted', chatId: 'x', muted: true },
      { kind: 'chat.renamed', chatId: 'x', title: 'X', byUserId: 'bob' },
      { kind: 'message.edited', chatId: 'x', seq: 1, text: 'x', editedAt: 1 },
      { kind: 'chat.left', chatId: 'x', userId: 'bob' },
    ];
    for (const update of updates) expect(applyUpdate(state, update, NOW)).toEqual(state);
  });

  it('counts unread messages and keeps the own ones read', () => {
    const state = apply(
      signedIn(),
      { kind: 'message.new', message: message(4, 'bob') },
      { kind: 'message.new', message: message(5, 'carol') },
      { kind: 'message.new', message: message(6, 'me') },
    );
    // A message sent from another device reads everything before it.
    expect(state.chats.g).toMatchObject({ lastSeq: 6, readSeq: 6, unreadCount: 0 });
    expect(state.members.g!.me!.readSeq).toBe(6);
  });

  it('takes a sent message out of the queue when it arrives', () => {
    const state: State = {
      ...signedIn(),
      pending: [
        { clientMsgId: 'g-4', chatId: 'g', text: '#4', createdAt: 1, status: 'sending' },
        { clientMsgId: 'g-5', chatId: 'g', text: '#5', createdAt: 2, status: 'sending' },
      ],
    };
    const next = apply(state, { kind: 'message.new', message: message(4, 'me') });
    expect(next.pending.map((p) => p.clientMsgId)).toEqual(['g-5']);
    expect(seqs(next)).toEqual([1, 2, 3, 4]);
  });

  it('keeps messages ordered and gapless', () => {
    // A message before the loaded run is merged in order.
    const cut: State = {
      ...signedIn(),
      histories: {
        g: { messages: [message(2), message(3)], olderCursor: 'c', loadingOlder: false },
      },
    };
    expect(seqs(apply(cut, { kind: 'message.new', message: message(1) }))).toEqual([1, 2, 3]);
    // A gap in a closed chat drops its history (it is loaded again when opened)…
    const gap = apply(signedIn(), { kind: 'message.new', message: message(6) });
    expect(gap.histories.g).toBeUndefined();
    expect(gap.chats.g).toMatchObject({ lastSeq: 6, unreadCount: 3 });
    // …while the open chat keeps what is on screen until its newest page is fetched again.
    const open = apply(
      { ...signedIn(), openChatId: 'g' },
      { kind: 'message.new', message: message(6) },
    );
    expect(seqs(open)).toEqual([1, 2, 3]);
  });

  it('keeps the first message of the open chat whose history is still loading', () => {
    const state = { ...signedIn(), openChatId: 'd' };
    const next = apply(state, { kind: 'message.new', message: message(1, 'bob', 'd') });
    expect(seqs(next, 'd')).toEqual([1]);
    expect(next.chats.d).toMatchObject({ lastSeq: 1, unreadCount: 1 });
  });

  it('stops showing someone as typing when their message arrives', () => {
    const state = { ...signedIn(), typing: { g: ['bob', 'carol'] } };
    const next = apply(state, { kind: 'message.new', message: message(4, 'bob') });
    expect(next.typing.g).toEqual(['carol']);
  });
});
