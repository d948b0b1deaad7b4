import type { ChatMembershipLog, Membership } from '../updates/memberships.js';

/** The update log's view of chat membership, read from the chats domain's tables. */
export const chatMembershipLog: ChatMembershipLog = {
  async windowsAfter(sql, userId, pts) {
    const rows = await sql.all<{
      chat_id: string;
      joined_pts: number;
      joined_seq: number;
      left_pts: number | null;
    }>(
      `select m.chat_id, m.joined_pts, m.joined_seq, m.left_pts from chat_members m
       join chats c on c.id = m.chat_id
       where m.user_id = ? and c.last_pts > ? and (m.left_pts is null or m.left_pts > ?)`,
      [userId, pts, pts],
    );
    return rows.map((m): Membership => ({
      chatId: m.chat_id,
      joinedPts: Number(m.joined_pts),
      joinedSeq: Number(m.joined_seq),
      leftPts: m.left_pts === null ? null : Number(m.left_pts),
    }));
  },

  async joinedAfter(sql, chatId, seq) {
    const rows = await sql.all<{ user_id: string }>(
      'select user_id from chat_members where chat_id = ? and joined_seq >= ? and left_pts is null',
      [chatId, seq],
    );
    return rows.map((row) => row.user_id);
  },

  async changesBetween(sql, chatIds, after, through) {
    if (chatIds.length === 0) return [];
    const rows = await sql.all<{
      chat_id: string;
      user_id: string;
      joined_pts: number;
      left_pts: number | null;
    }>(
      `select chat_id, user_id, joined_pts, left_pts from chat_members
       where chat_id in (${chatIds.map(() => '?').join(', ')})
         and ((joined_pts > ? and joined_pts <= ?) or (left_pts > ? and left_pts <= ?))`,
      [...chatIds, after, through, after, through],
    );
    return rows.map((m) => ({
      chatId: m.chat_id,
      userId: m.user_id,
      joinedPts: Number(m.joined_pts),
      leftPts: m.left_pts === null ? null : Number(m.left_pts),
    }));
  },

  async markChanged(sql, chatId, pts) {
    await sql.run('update chats set last_pts = ? where id = ?', [pts, chatId]);
  },
};
