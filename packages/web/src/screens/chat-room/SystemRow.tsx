import type { Chat, Me, Member } from '@tokki/protocol';
import { useTranslation } from 'react-i18next';
import { memberName, selfIdIn } from '../../lib/chat';
import { useAppState, type SystemLine } from '../../lib/store';

/** "X left", "X removed Y", "X joined": a centred line between messages. */
export function SystemRow(props: {
  line: SystemLine;
  chat: Chat;
  members: Record<string, Member>;
  me: Me | null;
}) {
  const { t, i18n } = useTranslation();
  const friends = useAppState((s) => s.friends);
  const { line } = props;
  const open = props.chat.kind === 'open';
  // A member who is gone is named as they were when it happened; in an open chat only members
  // (room profiles) are named, never a friend or the user's own account.
  const name = (userId: string) =>
    userId in props.members || (!open && (userId === props.me?.id || friends[userId]))
      ? memberName(userId, props.chat, props.members, friends, props.me, t)
      : (line.names[userId] ?? t('chat.unknownUser'));
  const names = new Intl.ListFormat(i18n.language, { type: 'conjunction' }).format(
    line.userIds.map(name),
  );
  const byMe = line.byUserId !== undefined && line.byUserId === selfIdIn(props.chat, props.me?.id);
  const by = line.byUserId !== undefined ? name(line.byUserId) : '';
  const text =
    line.kind === 'left'
      ? t('system.left', { name: names })
      : line.kind === 'removed'
        ? byMe
          ? t('system.removedByMe', { name: names })
          : t('system.removed', { by, name: names })
        : line.byUserId === undefined ||
            (line.userIds.length === 1 && line.userIds[0] === line.byUserId)
          ? t('system.joined', { name: names })
          : byMe
            ? t('system.invitedByMe', { name: names })
            : t('system.invited', { by, name: names });
  return (
    <div className="message-row system-row" data-system={line.kind}>
      <p className="system-line">{text}</p>
    </div>
  );
}
