// Realistic chats for screenshots and layout checks, written through the HTTP API.
import { post, signInTestUser } from '@tokki/dev-env';

export interface Seeded {
  /** Test number of the user the browser signs in as. */
  me: number;
  direct: string;
  group: string;
  friendName: string;
  groupTitle: string;
}

const PEOPLE = {
  ko: {
    me: '김민지',
    friend: '이서준',
    third: '박지우',
    group: '주말 등산 모임 🏔️ 북한산 백운대 코스',
    lines: [
      ['friend', '민지야, 이번 주말에 시간 돼?'],
      ['me', '응! 토요일 오전은 괜찮아 😊'],
      ['friend', '그럼 9시에 북한산 입구에서 보자. 지도 링크: https://map.example/bukhansan'],
      ['me', '좋아. 김밥은 내가 챙겨갈게'],
      [
        'friend',
        '최고다 👍 혹시 비 오면 일요일로 미룰까? 일기예보 보니까 토요일 오후부터 비 소식이 있던데 아침에는 괜찮을 것 같기도 하고',
      ],
    ],
    groupLines: [
      ['third', '다들 등산화 챙기세요!'],
      ['friend', '저는 조금 늦을 수도 있어요'],
      ['me', '천천히 와요~'],
    ],
  },
  en: {
    me: 'Minji Kim',
    friend: 'Alexander Montgomery-Whitfield',
    third: 'Jiwoo Park',
    group: 'Weekend hiking club — Bukhansan Baegundae trail',
    lines: [
      ['friend', 'Hey Minji, are you free this weekend?'],
      ['me', 'Yes! Saturday morning works 😊'],
      ['friend', 'Meet at 9 at the Bukhansan entrance then. Map: https://map.example/bukhansan'],
      ['me', "Great. I'll bring the gimbap"],
      [
        'friend',
        'Perfect 👍 Should we move it to Sunday if it rains? The forecast says rain from Saturday afternoon, but the morning might be fine.',
      ],
    ],
    groupLines: [
      ['third', 'Everyone bring hiking boots!'],
      ['friend', 'I might be a little late'],
      ['me', 'Take your time~'],
    ],
  },
  ja: {
    me: '佐藤美咲',
    friend: '高橋健太郎',
    third: '山本さくら',
    group: '週末ハイキング部 🏔️ 高尾山 稲荷山コース',
    lines: [
      ['friend', '美咲さん、今週末は空いてる？'],
      ['me', 'うん！土曜の午前なら大丈夫 😊'],
      ['friend', 'じゃあ9時に高尾山口駅で。地図: https://map.example/takao'],
      ['me', 'いいね。おにぎり持っていくね'],
      [
        'friend',
        '最高 👍 もし雨だったら日曜にする？天気予報だと土曜の午後から雨みたいだけど、朝は大丈夫かもしれない',
      ],
    ],
    groupLines: [
      ['third', 'みんな登山靴を忘れずに！'],
      ['friend', '少し遅れるかもしれません'],
      ['me', 'ゆっくり来てね〜'],
    ],
  },
} as const;

export type SeedLanguage = keyof typeof PEOPLE;

/**
 * A user with a 1:1 chat (a long conversation, unread replies) and a group with a long title.
 * `base` picks the test numbers (base, base+1, base+2).
 */
export async function seedChats(url: string, lng: SeedLanguage, base: number): Promise<Seeded> {
  const people = PEOPLE[lng];
  const me = await signInTestUser(url, base, { displayName: people.me });
  const friend = await signInTestUser(url, base + 1, { displayName: people.friend });
  const third = await signInTestUser(url, base + 2, { displayName: people.third });
  const users = { me, friend, third };
  const direct = (await post(url, 'chats.createDirect', { userId: friend.userId }, me.token)) as {
    id: string;
  };
  let id = 0;
  const say = async (chatId: string, who: keyof typeof users, text: string) => {
    await post(
      url,
      'messages.send',
      { chatId, clientMsgId: `seed-${id++}`, text },
      users[who].token,
    );
  };
  for (const [who, text] of people.lines) await say(direct.id, who, text);
  const group = (await post(
    url,
    'chats.createGroup',
    { title: people.group, memberIds: [friend.userId, third.userId] },
    me.token,
  )) as { id: string };
  for (const [who, text] of people.groupLines) await say(group.id, who, text);
  // The friend has read everything but the last line; the third member nothing.
  await post(url, 'messages.markRead', { chatId: group.id, seq: 2 }, friend.token);
  return {
    me: base,
    direct: direct.id,
    group: group.id,
    friendName: people.friend,
    groupTitle: people.group,
  };
}
