import { randomInt } from 'node:crypto';
import { post, signInTestUser, type TestUser } from '@tokki/dev-env';
import { LIMITS } from '@tokki/protocol';
import type { AbuseTarget } from './target.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** What one abuse achieved: how many tries got through, out of how many, over what time. */
export interface AbuseFigure {
  abuse: string;
  tried: number;
  gotThrough: number;
  /** Of the server's time. */
  spanMs: number;
  /** The most that got through in any 60 s (fixed windows let a burst straddle two). */
  mostInAMinute?: number;
  /** Bytes, for uploads. */
  bytes?: number;
  note?: string;
}

export interface AbuseOptions {
  /** Server time each abuse runs for; with a stepped clock, a day for the daily ones. */
  spans: { day: number; minutes: number };
  /** The first local-mode test number the script signs in (it uses a few dozen from there). */
  firstTestNumber: number;
  /** Strangers' victims: how many users a stranger tries to put into groups. */
  victims: number;
}

/** Spans for a server whose clock the script steps: whole days, ten minutes of sends. */
export const STEPPED_SPANS = { day: DAY, minutes: 10 * MINUTE };

interface Tally {
  tried: number;
  gotThrough: number;
  /** Server time of each try that got through. */
  at: number[];
}

/**
 * Tries `attempt` again and again for `spanMs` of the server's time, as an abuser would: after a
 * refusal (RATE_LIMITED) it lets the refusal's `retryAfter` pass and goes on. Any other error
 * stops the run: the script measures limits, not bugs. `enough` stops it early.
 */
export async function tally(
  target: AbuseTarget,
  spanMs: number,
  attempt: (i: number) => Promise<unknown>,
  enough = Infinity,
): Promise<Tally> {
  const end = target.now() + spanMs;
  const result: Tally = { tried: 0, gotThrough: 0, at: [] };
  while (target.now() < end && result.gotThrough < enough) {
    result.tried++;
    try {
      await attempt(result.tried);
      result.gotThrough++;
      result.at.push(target.now());
    } catch (error) {
      const retryAfter = retryAfterOf(error);
      if (retryAfter === undefined) throw error;
      const waitMs = Math.max(1, retryAfter) * 1000;
      if (target.now() + waitMs > end) break;
      await target.pass(waitMs);
    }
  }
  return result;
}

/** The `retryAfter` of a RATE_LIMITED answer; undefined for any other outcome. */
function retryAfterOf(error: unknown): number | undefined {
  const { code, retryAfter } = error as { code?: string; retryAfter?: number };
  if (code !== 'RATE_LIMITED') return undefined;
  return retryAfter ?? 1;
}

/** The most timestamps within any window of `windowMs`. */
export function mostWithin(at: readonly number[], windowMs: number): number {
  let most = 0;
  let from = 0;
  for (let to = 0; to < at.length; to++) {
    while (at[to]! - at[from]! >= windowMs) from++;
    most = Math.max(most, to - from + 1);
  }
  return most;
}

/** Korean mobile numbers (+82 10 …) that are not test numbers, from a random start. */
function phoneNumbers(): () => string {
  let next = randomInt(10_000_000, 90_000_000);
  return () => `+8210${next++}`;
}

/** Sign-in codes one number can have sent to it: an SMS bomb aimed at one phone. */
export async function codesPerNumber(target: AbuseTarget, options: AbuseOptions) {
  const phone = phoneNumbers()();
  const sentBefore = target.smsSent?.() ?? 0;
  const result = await tally(target, options.spans.day, () =>
    post(target.url, 'auth.requestCode', { phone }),
  );
  return figure('sign-in codes sent to one number', result, options.spans.day, {
    note: smsNote(target, sentBefore),
  });
}

/** Sign-in codes one address can have sent, each to a new number: SMS pumping. */
export async function codesPerAddress(target: AbuseTarget, options: AbuseOptions) {
  const nextPhone = phoneNumbers();
  const sentBefore = target.smsSent?.() ?? 0;
  const result = await tally(target, options.spans.day, () =>
    post(target.url, 'auth.requestCode', { phone: nextPhone() }),
  );
  return figure(
    'sign-in codes sent from one address (a new number each)',
    result,
    options.spans.day,
    {
      note: smsNote(target, sentBefore),
    },
  );
}

/** Messages one user sends into a 1:1 chat as fast as the server answers. */
export async function messagesPerUser(target: AbuseTarget, users: Users) {
  const { attacker, victim } = users;
  const chat = (await call(target, attacker, 'chats.createDirect', { userId: victim.userId })) as {
    id: string;
  };
  const span = users.options.spans.minutes;
  const result = await tally(target, span, (i) =>
    call(target, attacker, 'messages.send', {
      chatId: chat.id,
      clientMsgId: `spam-${i}`,
      text: `spam ${i}`,
    }),
  );
  return figure('messages sent by one user', result, span, {
    mostInAMinute: mostWithin(result.at, MINUTE),
  });
}

/** Typing events one user sends (each fans out to every member online). */
export async function typingPerUser(target: AbuseTarget, users: Users) {
  const { attacker, victim } = users;
  const chat = (await call(target, attacker, 'chats.createDirect', { userId: victim.userId })) as {
    id: string;
  };
  const span = users.options.spans.minutes;
  const result = await tally(target, span, () =>
    call(target, attacker, 'chats.setTyping', { chatId: chat.id }),
  );
  return figure('typing events sent by one user', result, span, {
    mostInAMinute: mostWithin(result.at, MINUTE),
  });
}

/** Empty groups one user creates. */
export async function groupsPerUser(target: AbuseTarget, users: Users) {
  const span = users.options.spans.day;
  const result = await tally(target, span, (i) =>
    call(target, users.attacker, 'chats.createGroup', { title: `Spam ${i}`, memberIds: [] }),
  );
  return figure('groups created by one user', result, span);
}

/**
 * Users a stranger (no friend of theirs, no chat with them) puts into groups: all at once as a
 * group is created, then one by one into a group of the stranger's. Counted from the groups'
 * member lists afterwards.
 */
export async function strangerAdds(target: AbuseTarget, users: Users) {
  const { stranger, victims } = users;
  const span = users.options.spans.day;
  const ids = victims.map((victim) => victim.userId);
  const groups: string[] = [];
  try {
    const created = (await call(target, stranger, 'chats.createGroup', {
      title: 'Free prizes',
      memberIds: ids,
    })) as { id: string };
    groups.push(created.id);
  } catch (error) {
    if (!isRefusal(error)) throw error;
  }
  const own = (await call(target, stranger, 'chats.createGroup', {
    title: 'Free prizes 2',
    memberIds: [],
  })) as { id: string };
  groups.push(own.id);
  let tried = 1;
  for (const id of ids) {
    const result = await tally(
      target,
      span,
      () =>
        call(target, stranger, 'chats.addMembers', { chatId: own.id, userIds: [id] }).catch(
          (error: unknown) => {
            // Refused for who they are: that victim is safe; on to the next.
            if (isRefusal(error) && (error as { code: string }).code !== 'RATE_LIMITED') return;
            throw error;
          },
        ),
      1,
    );
    tried += result.tried;
  }
  const added = new Set<string>();
  for (const chatId of groups) {
    const { members } = (await call(target, stranger, 'chats.members', { chatId })) as {
      members: { user: { id: string } }[];
    };
    for (const member of members) if (member.user.id !== stranger.userId) added.add(member.user.id);
  }
  return {
    abuse: `strangers put into groups by one user (${victims.length} tried)`,
    tried,
    gotThrough: added.size,
    spanMs: span,
  } satisfies AbuseFigure;
}

/** Bytes one user may begin uploading (tus creations of the largest file; no bytes sent). */
export async function uploadBytesPerUser(target: AbuseTarget, users: Users) {
  const { attacker, victim } = users;
  const chat = (await call(target, attacker, 'chats.createDirect', { userId: victim.userId })) as {
    id: string;
  };
  const span = users.options.spans.day;
  const size = LIMITS.FILE_MAX_BYTES;
  const result = await tally(target, span, () => createUpload(target, attacker, chat.id, size));
  return {
    ...figure('uploads begun by one user (300 MiB each)', result, span),
    bytes: result.gotThrough * size,
  };
}

/** The users the abuses act as, signed in once through the real API. */
export interface Users {
  options: AbuseOptions;
  attacker: TestUser;
  victim: TestUser;
  stranger: TestUser;
  victims: TestUser[];
}

export async function signInUsers(target: AbuseTarget, options: AbuseOptions): Promise<Users> {
  const n = options.firstTestNumber;
  const [attacker, victim, stranger, ...victims] = await Promise.all(
    Array.from({ length: 3 + options.victims }, (_, i) =>
      signInTestUser(target.url, n + i, { displayName: `Abuse ${i}` }),
    ),
  );
  return { options, attacker: attacker!, victim: victim!, stranger: stranger!, victims };
}

function call(target: AbuseTarget, user: TestUser, method: string, params: unknown) {
  return post(target.url, method, params, user.token);
}

/** A refusal the server answered on purpose (4xx), as opposed to a failure. */
function isRefusal(error: unknown): boolean {
  const { status } = error as { status?: number };
  return status !== undefined && status >= 400 && status < 500;
}

async function createUpload(target: AbuseTarget, user: TestUser, chatId: string, size: number) {
  const metadata = { chatId, filename: 'big.bin', filetype: 'application/octet-stream' };
  const response = await fetch(`${target.url}/v1/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${user.token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(size),
      'upload-metadata': Object.entries(metadata)
        .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
        .join(','),
    },
  });
  if (response.status === 201) return;
  const body = (await response.json().catch(() => ({}))) as {
    error?: { code?: string; retryAfter?: number };
  };
  throw Object.assign(new Error(`upload refused: ${response.status}`), {
    status: response.status,
    ...body.error,
  });
}

function figure(
  abuse: string,
  result: Tally,
  spanMs: number,
  extra: Partial<AbuseFigure> = {},
): AbuseFigure {
  return { abuse, tried: result.tried, gotThrough: result.gotThrough, spanMs, ...extra };
}

function smsNote(target: AbuseTarget, sentBefore: number): string | undefined {
  if (!target.smsSent) return undefined;
  return `${target.smsSent() - sentBefore} handed to the SMS provider`;
}
