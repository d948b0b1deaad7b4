import type { Update } from '@tokki/protocol';
import type { Publication } from '../bus/bus.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { updateFrame } from './frames.js';
import type { ChatMembershipLog } from './memberships.js';

/** The most pts one gap-filling read may cover; a node further behind has every device resync. */
export const REPLAY_MAX_PTS = 20_000;

/**
 * What was published for the pts after `after` up to `through`, rebuilt from the log, in pts
 * order: the updates, and the membership changes they made (with the members who joined or left
 * among the update's recipients, as published). A node reads this when a node that committed
 * those pts did not announce them (it died between its commit and its publishing).
 */
export async function readPublished(
  sql: SqlRunner,
  memberships: ChatMembershipLog,
  after: number,
  through: number,
): Promise<Publication[]> {
  const [chatRows, userRows] = await Promise.all([
    sql.all<{
      pts: number;
      chat_id: string;
      payload: string;
      created_at: number;
      about_seq: number | null;
    }>(
      'select pts, chat_id, payload, created_at, about_seq from chat_updates where pts > ? and pts <= ? order by pts',
      [after, through],
    ),
    sql.all<{ pts: number; user_id: string; payload: string; created_at: number }>(
      'select pts, user_id, payload, created_at from user_updates where pts > ? and pts <= ? order by pts',
      [after, through],
    ),
  ]);
  const changes = await membershipChanges(sql, memberships, chatRows, after, through);
  const published: { pts: number; publications: Publication[] }[] = [];
  for (const row of chatRows) {
    const pts = Number(row.pts);
    const change = changes.get(`${row.chat_id} ${pts}`);
    const moved = change ? [...change.added, ...change.removed] : [];
    // As published: not to members who joined after the message the update is about.
    const about = row.about_seq === null ? undefined : Number(row.about_seq);
    const except =
      about === undefined ? [] : await memberships.joinedAfter(sql, row.chat_id, about);
    const publications: Publication[] = [
      {
        topic: 'chat.update',
        message: {
          chatId: row.chat_id,
          pts,
          frame: updateFrame(pts, row.payload),
          alsoUserIds: moved,
          ...(except.length > 0 && { exceptUserIds: except }),
          ...(about !== undefined && { aboutSeq: about }),
          at: Number(row.created_at),
        },
      },
    ];
    if (change) publications.push({ topic: 'chat.members', message: change });
    published.push({ pts, publications });
  }
  for (const row of userRows) {
    const pts = Number(row.pts);
    const frame = updateFrame(pts, row.payload);
    const message = { userId: row.user_id, pts, frame, at: Number(row.created_at) };
    published.push({ pts, publications: [{ topic: 'user.update', message }] });
  }
  return published.sort((a, b) => a.pts - b.pts).flatMap((p) => p.publications);
}

/** Who joined or left, by the update that records it, for the chats whose log has one. */
async function membershipChanges(
  sql: SqlRunner,
  memberships: ChatMembershipLog,
  rows: readonly { chat_id: string; payload: string }[],
  after: number,
  through: number,
) {
  const chatIds = new Set<string>();
  for (const row of rows) {
    const { kind } = JSON.parse(row.payload) as Update;
    if (kind === 'chat.joined' || kind === 'chat.left') chatIds.add(row.chat_id);
  }
  const changes = new Map<
    string,
    { chatId: string; pts: number; added: string[]; removed: string[] }
  >();
  const members = await memberships.changesBetween(sql, [...chatIds], after, through);
  const changeAt = (chatId: string, pts: number) => {
    const key = `${chatId} ${pts}`;
    let change = changes.get(key);
    if (!change) changes.set(key, (change = { chatId, pts, added: [], removed: [] }));
    return change;
  };
  for (const m of members) {
    if (m.joinedPts > after && m.joinedPts <= through)
      changeAt(m.chatId, m.joinedPts).added.push(m.userId);
    if (m.leftPts !== null && m.leftPts > after && m.leftPts <= through)
      changeAt(m.chatId, m.leftPts).removed.push(m.userId);
  }
  return changes;
}
