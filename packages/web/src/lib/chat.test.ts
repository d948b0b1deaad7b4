import type { Chat, Friend, Member, User } from '@tokki/protocol';
import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import {
  chatTitle,
  forwardTargets,
  memberName,
  memberProfile,
  selfIdIn,
  shownName,
  sortFriends,
  unreadTotal,
} from './chat';
import { checkPhoto } from './photo';
import { isTokkiId } from './tokki-id';

const user = (id: string, displayName: string): User => ({
  id,
  displayName,
  statusMessage: '',
  photo: null,
});

const friend = (id: string, displayName: string, contactName: string | null = null): Friend => ({
  user: user(id, displayName),
  contactName,
  favorite: false,
  hidden: false,
  since: 0,
});

const t = ((key: string) => key) as unknown as TFunction;

describe('friends’ names', () => {
  it('shows the address book’s name before the friend’s own', () => {
    expect(shownName(friend('a', 'Jung Mikyung', '엄마'))).toBe('엄마');
    expect(shownName(friend('a', 'Jung Mikyung'))).toBe('Jung Mikyung');
  });

  it('sorts by the shown name in the language’s order', () => {
    const list = [friend('1', '최하늘'), friend('2', 'Zed', '강도윤'), friend('3', '박지우')];
    expect(sortFriends(list, 'ko').map(shownName)).toEqual(['강도윤', '박지우', '최하늘']);
  });

  it('titles a 1:1 chat with the friend’s shown name', () => {
    const chat = { kind: 'direct', title: '', peer: user('p', 'Jung Mikyung') } as Chat;
    expect(chatTitle(chat, t)).toBe('Jung Mikyung');
    expect(chatTitle(chat, t, { p: friend('p', 'Jung Mikyung', 'Mom') })).toBe('Mom');
  });
});

describe('chat list totals and forwarding targets', () => {
  const chat = (id: string, over: Partial<Chat> = {}): Chat =>
    ({
      id,
      kind: 'group',
      title: id,
      memberCount: 3,
      lastSeq: 0,
      lastMessage: null,
      lastActivityAt: 0,
      readSeq: 0,
      unreadCount: 0,
      joinedSeq: 0,
      ...over,
    }) as Chat;

  it('leaves muted chats out of the tab badge', () => {
    expect(
      unreadTotal([
        chat('a', { unreadCount: 3 }),
        chat('b', { unreadCount: 40, muted: true }),
        chat('c', { unreadCount: 2 }),
      ]),
    ).toBe(5);
    expect(unreadTotal([])).toBe(0);
  });

  it('lists forward targets newest first, filtered by a name', () => {
    const list = [
      chat('Hiking club', { lastActivityAt: 1 }),
      chat('Family', { lastActivityAt: 3 }),
      { ...chat('d', { lastActivityAt: 2, kind: 'direct', title: '' }), peer: user('p', 'Minji') },
    ];
    expect(forwardTargets(list, '', t).map((c) => c.id)).toEqual(['Family', 'd', 'Hiking club']);
    expect(forwardTargets(list, ' minj ', t).map((c) => c.id)).toEqual(['d']);
    expect(forwardTargets(list, 'CLUB', t).map((c) => c.id)).toEqual(['Hiking club']);
    expect(forwardTargets(list, 'nobody', t)).toEqual([]);
  });
});

describe('profile input', () => {
  it('takes Tokki IDs of 4 to 20 letters, digits, dots and underscores', () => {
    expect(isTokkiId('minji.kim_92')).toBe(true);
    expect(isTokkiId('abc')).toBe(false);
    expect(isTokkiId('a'.repeat(21))).toBe(false);
    expect(isTokkiId('민지짱짱')).toBe(false);
    expect(isTokkiId('minji kim')).toBe(false);
  });

  it('refuses pictures the server would refuse before sending them', () => {
    const file = (type: string, size: number) => new File([new Uint8Array(size)], 'f', { type });
    expect(checkPhoto(file('image/jpeg', 1000))).toBeUndefined();
    expect(checkPhoto(file('image/heic', 1000))).toBeUndefined();
    expect(checkPhoto(file('application/pdf', 1000))).toBe('INVALID_PARAMS');
    expect(checkPhoto(file('image/png', 10 * 1024 * 1024 + 1))).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('who is who in a chat', () => {
  const me = { id: 'u_me', displayName: 'Kim Minji' };
  const member = (id: string, displayName: string): Member => ({
    user: { ...user(id, displayName), photo: 'photo-of-' + id },
    role: 'member',
    readSeq: 0,
    joinedSeq: 0,
  });
  const open = { id: 'c', kind: 'open', title: 'Hikers', selfId: 'p_mine' } as Chat;
  const group = { id: 'g', kind: 'group', title: 'Family' } as Chat;

  it('is the room profile in an open chat, the user id elsewhere', () => {
    expect(selfIdIn(open, me.id)).toBe('p_mine');
    expect(selfIdIn(group, me.id)).toBe('u_me');
    expect(selfIdIn({ kind: 'direct' }, me.id)).toBe('u_me');
    expect(selfIdIn(undefined, me.id)).toBe('u_me');
  });

  it('names open chat members by their nickname only, never by a friend’s or my own name', () => {
    const members = { p_mine: member('p_mine', '산토끼'), p_other: member('p_other', '구름') };
    // Even an id that is a friend's elsewhere is only a room profile here.
    const friends = { p_other: friend('p_other', 'Lee Seojun', 'Seojun') };
    expect(memberName('p_other', open, members, friends, me, t)).toBe('구름');
    expect(memberName('p_mine', open, members, friends, me, t)).toBe('산토끼');
    expect(memberName('p_gone', open, members, friends, me, t)).toBe('chat.unknownUser');
    expect(memberName('u_me', open, {}, friends, me, t)).toBe('chat.unknownUser');
    expect(memberProfile('p_other', open, members)).toBeUndefined();
  });

  it('names group members by the address book’s name, then their own', () => {
    const members = { u_a: member('u_a', 'Lee Seojun'), u_b: member('u_b', 'Park Jiwoo') };
    const friends = { u_a: friend('u_a', 'Lee Seojun', 'Seojun') };
    expect(memberName('u_a', group, members, friends, me, t)).toBe('Seojun');
    expect(memberName('u_b', group, members, friends, me, t)).toBe('Park Jiwoo');
    expect(memberName('u_me', group, members, friends, me, t)).toBe('Kim Minji');
    expect(memberProfile('u_b', group, members)?.photo).toBe('photo-of-u_b');
  });
});
