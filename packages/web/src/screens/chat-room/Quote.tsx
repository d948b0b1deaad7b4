import type { Chat, Member, Message } from '@tokki/protocol';
import { useTranslation } from 'react-i18next';
import { memberName } from '../../lib/chat';
import { useAppState } from '../../lib/store';
import { snippet } from './shared';

/** The quoted message above a reply's text; tapping it shows that message. */
export function Quote(props: {
  seq: number;
  quoted: Message | null;
  chat: Chat;
  members: Record<string, Member>;
  onShow: (seq: number) => void;
}) {
  const { t } = useTranslation();
  const { quoted } = props;
  const friends = useAppState((s) => s.friends);
  const me = useAppState((s) => s.me);
  const name = quoted
    ? memberName(quoted.senderId, props.chat, props.members, friends, me, t)
    : null;
  const text = !quoted
    ? t('chat.quoteNotLoaded')
    : quoted.deletedAt
      ? t('chat.quoteDeleted')
      : snippet(t, quoted);
  return (
    <button
      type="button"
      className={`reply-quote${!quoted || quoted.deletedAt ? ' unknown' : ''}`}
      title={t('chat.showQuoted')}
      onClick={() => props.onShow(props.seq)}
    >
      {name && <span className="reply-quote-name">{t('chat.replyingTo', { name })}</span>}
      <span className="reply-quote-text">{text}</span>
    </button>
  );
}
