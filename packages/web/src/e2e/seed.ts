// Realistic chats and friends for screenshots and layout checks, written through the HTTP API.
import { post, RawSocket, signInTestUser, testPhone } from '@tokki/dev-env';
import { testPhoto, uploadTestPhoto } from './photo';

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
    reply: '김밥 최고! 물은 내가 챙길게 💧',
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
    reply: "Gimbap is the best! I'll bring water 💧",
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
    reply: 'おにぎり最高！飲み物は私が持っていくね 💧',
    groupLines: [
      ['third', 'みんな登山靴を忘れずに！'],
      ['friend', '少し遅れるかもしれません'],
      ['me', 'ゆっくり来てね〜'],
    ],
  },
} as const;

export type SeedLanguage = keyof typeof PEOPLE;

/**
 * A user with a 1:1 chat (a long conversation, a reply that quotes my line, reactions, unread
 * replies) and a group with a long title.
 * `base` picks the test numbers (base, base+1, base+2).
 */
export async function seedChats(url: string, lng: SeedLanguage, base: number): Promise<Seeded> {
  const people = PEOPLE[lng];
  const me = await signInTestUser(url, base, { displayName: people.me });
  const friend = await signInTestUser(url, base + 1, { displayName: people.friend });
  const third = await signInTestUser(url, base + 2, { displayName: people.third });
  await uploadTestPhoto(url, friend.token, testPhoto(100));
  const users = { me, friend, third };
  const direct = (await post(url, 'chats.createDirect', { userId: friend.userId }, me.token)) as {
    id: string;
  };
  let id = 0;
  const say = async (
    chatId: string,
    who: keyof typeof users,
    text: string,
    replyToSeq?: number,
  ) => {
    await post(
      url,
      'messages.send',
      { chatId, clientMsgId: `seed-${id++}`, text, ...(replyToSeq && { replyToSeq }) },
      users[who].token,
    );
  };
  const react = async (who: keyof typeof users, seq: number, reaction: string) => {
    await post(url, 'messages.react', { chatId: direct.id, seq, reaction }, users[who].token);
  };
  for (const [who, text] of people.lines) await say(direct.id, who, text);
  // The friend answers my gimbap line (seq 4); my heart and their laugh on it, my like on their
  // long question, and their check on my "Saturday morning".
  await say(direct.id, 'friend', people.reply, 4);
  await react('friend', 4, 'laugh');
  await react('me', 4, 'heart');
  await react('me', 5, 'like');
  await react('friend', 2, 'check');
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

interface SeedPerson {
  /** Test number, as an offset from the seed's base. */
  n: number;
  name: string;
  status: string;
  /** The name in my address book, when it is not theirs. */
  contact?: string;
  /** Hue of their picture; none without. */
  photo?: number;
  favorite?: boolean;
  hidden?: boolean;
}

const FRIENDS: Record<
  SeedLanguage,
  { me: string; people: SeedPerson[]; recommended: SeedPerson[] }
> = {
  ko: {
    me: '오늘도 화이팅 💪',
    people: [
      { n: 1, name: PEOPLE.ko.friend, status: '주말엔 등산 🏔️', photo: 100, favorite: true },
      { n: 2, name: PEOPLE.ko.third, status: '📚 시험 기간' },
      {
        n: 10,
        name: '정미경',
        contact: '엄마',
        status: '사랑해 우리 딸 ❤️',
        photo: 20,
        favorite: true,
      },
      { n: 11, name: '최하늘', status: '' },
      {
        n: 12,
        name: '한예린',
        status: '바쁜 일상 속에서도 여유를 잃지 말자. 오늘 하루도 수고 많았어요 ☕️',
        photo: 140,
      },
      { n: 13, name: '강도윤', status: '🎸', hidden: true },
      { n: 14, name: '윤서아', status: '제주 여행 중 🌊', photo: 190 },
    ],
    recommended: [
      { n: 20, name: '오지훈', status: '반가워요!', photo: 260 },
      { n: 21, name: '서하은', status: '' },
    ],
  },
  en: {
    me: 'Coffee first ☕',
    people: [
      { n: 1, name: PEOPLE.en.friend, status: 'Out hiking 🏔️', photo: 100, favorite: true },
      { n: 2, name: PEOPLE.en.third, status: 'Exam week 📚' },
      {
        n: 10,
        name: 'Mikyung Jung',
        contact: 'Mom',
        status: 'Love you ❤️',
        photo: 20,
        favorite: true,
      },
      { n: 11, name: 'Haneul Choi', status: '' },
      {
        n: 12,
        name: 'Yerin Han',
        status: 'Slow down and enjoy the little things. Thanks for all your hard work today ☕️',
        photo: 140,
      },
      { n: 13, name: 'Doyun Kang', status: '🎸', hidden: true },
      { n: 14, name: 'Seoa Yoon', status: 'On Jeju island 🌊', photo: 190 },
    ],
    recommended: [
      { n: 20, name: 'Jihoon Oh', status: 'Nice to meet you!', photo: 260 },
      { n: 21, name: 'Haeun Seo', status: '' },
    ],
  },
  ja: {
    me: 'コーヒーが好き ☕',
    people: [
      { n: 1, name: PEOPLE.ja.friend, status: '週末は山へ 🏔️', photo: 100, favorite: true },
      { n: 2, name: PEOPLE.ja.third, status: '試験期間中 📚' },
      {
        n: 10,
        name: '佐藤由美子',
        contact: 'お母さん',
        status: 'いつもありがとう ❤️',
        photo: 20,
        favorite: true,
      },
      { n: 11, name: '伊藤翔', status: '' },
      {
        n: 12,
        name: '渡辺結衣',
        status: '忙しい毎日でも、ゆとりを忘れずに。今日も一日お疲れさまでした ☕️',
        photo: 140,
      },
      { n: 13, name: '中村大輝', status: '🎸', hidden: true },
      { n: 14, name: '小林陽菜', status: '沖縄旅行中 🌊', photo: 190 },
    ],
    recommended: [
      { n: 20, name: '加藤蓮', status: 'よろしくお願いします！', photo: 260 },
      { n: 21, name: '吉田美月', status: '' },
    ],
  },
};

export interface SeededFriends {
  /** Test number of the user the browser signs in as. */
  me: number;
  /** A favourite with a long name (in English) and a picture. */
  friendName: string;
  /** The name of a favourite that has a contact name, a picture and a status. */
  contactName: string;
  recommendedName: string;
}

/**
 * A user (test number `base`) with friends: an address book of seven people (one saved under
 * another name, favourites, a hidden one, pictures, a long status), two people who have the
 * user's number, and a picture and status of the user's own. Its own numbers, apart from
 * `seedChats`: sign-in codes are rate-limited per number.
 */
export async function seedFriends(
  url: string,
  lng: SeedLanguage,
  base: number,
): Promise<SeededFriends> {
  const data = FRIENDS[lng];
  const me = await signInTestUser(url, base, { displayName: PEOPLE[lng].me });
  await post(url, 'profile.update', { statusMessage: data.me }, me.token);
  await uploadTestPhoto(url, me.token, testPhoto(30));
  const setUp = async (person: SeedPerson) => {
    const user = await signInTestUser(url, base + person.n, { displayName: person.name });
    await post(url, 'profile.update', { statusMessage: person.status }, user.token);
    if (person.photo !== undefined) {
      await uploadTestPhoto(url, user.token, testPhoto(person.photo));
    }
    return user;
  };
  const people = await Promise.all(data.people.map(setUp));
  await post(
    url,
    'contacts.sync',
    {
      add: data.people.map((person) => ({
        phone: testPhone(base + person.n).phone,
        ...(person.contact && { name: person.contact }),
      })),
    },
    me.token,
  );
  for (const [i, person] of data.people.entries()) {
    if (!person.favorite && !person.hidden) continue;
    await post(
      url,
      'friends.update',
      {
        userId: people[i]!.userId,
        ...(person.favorite && { favorite: true }),
        ...(person.hidden && { hidden: true }),
      },
      me.token,
    );
  }
  for (const person of data.recommended) {
    const user = await setUp(person);
    await post(url, 'contacts.sync', { add: [{ phone: me.phone }] }, user.token);
  }
  return {
    me: base,
    friendName: PEOPLE[lng].friend,
    contactName: data.people.find((p) => p.contact)!.contact!,
    recommendedName: data.recommended[0]!.name,
  };
}

const OPEN = {
  ko: {
    me: '김민지',
    nick: { me: '민트초코', host: '산토끼', cloud: '구름', squirrel: '다람쥐' },
    friend: '이서준',
    room: {
      title: '북한산 주말 등산 🏔️',
      description: '매주 토요일 아침 북한산 정기 산행. 초보도 환영해요!',
    },
    others: [
      ['서울 숨은 맛집 탐방', '직접 가 본 동네 맛집만 나눠요. 광고는 사절!'],
      ['개발자 커피챗 ☕ 주니어·시니어 누구나', '커리어, 이직, 기술 이야기를 편하게 나누는 방'],
      ['고양이 집사 모임 🐱', ''],
    ],
    lines: [
      ['host', '이번 주 토요일 9시, 구파발역 2번 출구에서 만나요'],
      ['cloud', '저 처음인데 같이 가도 되나요?'],
      ['host', '그럼요! 편한 운동화면 충분해요 👟'],
      ['me', '저도 갈게요. 물은 넉넉히 챙길게요 💧'],
      ['squirrel', '간식은 제가 준비할게요 🍫 초콜릿이랑 귤!'],
    ],
    direct: ['내일 몇 시에 볼까?', '10시 어때?'],
  },
  en: {
    me: 'Minji Kim',
    nick: { me: 'Mint choco', host: 'Mountain rabbit', cloud: 'Cloud', squirrel: 'Squirrel' },
    friend: 'Alexander Montgomery-Whitfield',
    room: {
      title: 'Bukhansan weekend hikers 🏔️',
      description: 'Saturday morning hikes on Bukhansan, every week. Beginners welcome!',
    },
    others: [
      ['Hidden restaurants of Seoul', 'Only places you have been to yourself. No ads, please!'],
      ['Developer coffee chat ☕ juniors and seniors welcome', 'Careers, job changes and tech'],
      ['Cat people 🐱', ''],
    ],
    lines: [
      ['host', 'This Saturday at 9, exit 2 of Gupabal station'],
      ['cloud', 'First time here, may I join?'],
      ['host', 'Of course! Comfortable sneakers are enough 👟'],
      ['me', "I'm coming too. I'll bring plenty of water 💧"],
      ['squirrel', "I'll bring snacks 🍫 chocolate and tangerines!"],
    ],
    direct: ['What time tomorrow?', 'How about 10?'],
  },
  ja: {
    me: '佐藤美咲',
    nick: { me: 'ミントチョコ', host: '山うさぎ', cloud: '雲', squirrel: 'リス' },
    friend: '高橋健太郎',
    room: {
      title: '高尾山 週末ハイキング 🏔️',
      description: '毎週土曜の朝、高尾山を歩きます。初心者も大歓迎！',
    },
    others: [
      ['東京の隠れた名店めぐり', '自分で行ったお店だけを紹介し合いましょう。宣伝はお断り！'],
      ['エンジニアのコーヒーチャット ☕ 初心者もベテランも', 'キャリアや転職、技術の話を気軽に'],
      ['猫好きの集まり 🐱', ''],
    ],
    lines: [
      ['host', '今週の土曜9時、高尾山口駅の改札前で集合です'],
      ['cloud', '初めてですが参加してもいいですか？'],
      ['host', 'もちろん！歩きやすいスニーカーで大丈夫です 👟'],
      ['me', '私も行きます。お水を多めに持っていきますね 💧'],
      ['squirrel', 'おやつは私が持っていきます 🍫 チョコとみかん！'],
    ],
    direct: ['明日は何時にする？', '10時はどう？'],
  },
} as const;

export interface SeededOpen {
  /** Test number of the user the browser signs in as. */
  me: number;
  roomTitle: string;
  /** A listed room the user is not in. */
  otherTitle: string;
  /** The invite token of that room. */
  otherToken: string;
  /** The other person of a 1:1 chat, offline after having been online: "last seen". */
  friendName: string;
}

/**
 * Open chats for screenshots: four listed rooms, one of them joined by the browser's user with
 * messages from members known by nicknames; and a 1:1 chat with someone who was online a
 * moment ago and lets everyone see it.
 */
export async function seedOpenChats(
  url: string,
  lng: SeedLanguage,
  base: number,
): Promise<SeededOpen> {
  const data = OPEN[lng];
  const me = await signInTestUser(url, base, { displayName: data.me });
  const host = await signInTestUser(url, base + 1, { displayName: 'Host' });
  const cloud = await signInTestUser(url, base + 2, { displayName: 'Cloud' });
  const squirrel = await signInTestUser(url, base + 3, { displayName: 'Squirrel' });
  const friend = await signInTestUser(url, base + 4, { displayName: data.friend });
  const users = { me, host, cloud, squirrel };

  const { chat } = (await post(
    url,
    'open.create',
    { ...data.room, nickname: data.nick.host, listed: true, memberLimit: 300 },
    host.token,
  )) as { chat: { id: string } };
  for (const who of ['cloud', 'squirrel', 'me'] as const) {
    await post(url, 'open.join', { chatId: chat.id, nickname: data.nick[who] }, users[who].token);
  }
  for (const [i, [who, text]] of data.lines.entries()) {
    await post(
      url,
      'messages.send',
      { chatId: chat.id, clientMsgId: `open-${i}`, text },
      users[who].token,
    );
  }
  await post(url, 'messages.markRead', { chatId: chat.id, seq: 4 }, cloud.token);
  let otherToken = '';
  for (const [i, [title, description]] of data.others.entries()) {
    const owner = [cloud, squirrel, host][i]!;
    const room = (await post(
      url,
      'open.create',
      { title, description, nickname: `${data.nick.cloud}${i}`, listed: true },
      owner.token,
    )) as { chat: { id: string }; inviteToken: string };
    if (i === 0) otherToken = room.inviteToken;
    // Rooms of different sizes, so that the search orders them biggest first.
    for (const joiner of [host, cloud, squirrel, friend].filter((u) => u !== owner).slice(i)) {
      await post(url, 'open.join', { chatId: room.chat.id, nickname: `n${i}` }, joiner.token);
    }
  }

  const direct = (await post(url, 'chats.createDirect', { userId: friend.userId }, me.token)) as {
    id: string;
  };
  for (const [i, text] of data.direct.entries()) {
    await post(
      url,
      'messages.send',
      { chatId: direct.id, clientMsgId: `d-${i}`, text },
      (i === 0 ? friend : me).token,
    );
  }
  await post(url, 'privacy.update', { lastSeen: 'everyone' }, friend.token);
  // Online a moment, then gone: the server keeps when.
  const socket = await RawSocket.connect(url, friend.token);
  socket.ws.close();
  await new Promise((resolve) => socket.ws.once('close', resolve));
  return {
    me: base,
    roomTitle: data.room.title,
    otherTitle: data.others[0][0],
    otherToken,
    friendName: data.friend,
  };
}
