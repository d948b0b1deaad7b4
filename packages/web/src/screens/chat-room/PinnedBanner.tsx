import type { Chat } from '@tokki/protocol';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { findMessage } from '@tokki/sdk';
import { store, useAppState } from '../../lib/store';
import { snippet } from './shared';

/**
 * The pinned message above the messages (KakaoTalk's 공지): its text, or what its files are;
 * tapping it scrolls to the message, the ✕ unpins it for everyone.
 */
export function PinnedBanner(props: {
  chat: Chat;
  seq: number;
  onShow: (seq: number) => void;
  onUnpin: () => void;
}) {
  const { t } = useTranslation();
  const { chat, seq } = props;
  const inHistory = useAppState((s) => findMessage(s.histories[chat.id]?.messages ?? [], seq));
  const fetched = useAppState((s) => s.pinnedMessages[chat.id]);
  const message = inHistory ?? (fetched?.seq === seq ? fetched : undefined);
  const loaded = useAppState((s) => s.histories[chat.id] !== undefined);
  useEffect(() => {
    // Older than the loaded pages: fetch just that message.
    if (!message && loaded) void store.loadPinned(chat.id, seq);
  }, [message, loaded, chat.id, seq]);
  const text = !message
    ? t('chat.pinnedUnavailable')
    : message.deletedAt
      ? t('chat.quoteDeleted')
      : snippet(t, message);
  return (
    <div className="pinned-banner" data-seq={seq}>
      <button
        type="button"
        className="pinned-show"
        onClick={() => props.onShow(seq)}
        title={t('chat.showPinned')}
      >
        <span className="pinned-icon" aria-hidden="true">
          <Icon name="pin" size={18} />
        </span>
        <span className="pinned-text">
          <span className="pinned-title">{t('chat.pinned')}</span>
          <span className="pinned-message">{text}</span>
        </span>
      </button>
      <button
        type="button"
        className="icon-button pinned-unpin"
        onClick={props.onUnpin}
        aria-label={t('chat.unpin')}
        title={t('chat.unpin')}
      >
        <Icon name="close" size={18} />
      </button>
    </div>
  );
}
