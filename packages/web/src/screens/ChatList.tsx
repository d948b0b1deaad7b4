import type { Chat } from '@tokki/protocol';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../components/Avatar';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { Icon } from '../components/Icon';
import { OpenChatBadge } from '../components/OpenChatBadge';
import { TopBar } from '../components/TopBar';
import { chatTitle, secretChatTitle, selfIdIn } from '../lib/chat';
import { messageSummary } from '../lib/files';
import { formatListTime } from '../lib/format';
import { navigate } from '../lib/router';
import { useSecretSession } from '../lib/secret-loader';
import { useAppState } from '../lib/store';

/** Chats by latest activity: avatar, title, last message, time, unread badge. */
export function ChatList({ selectedChatId }: { selectedChatId?: string | undefined }) {
  const { t } = useTranslation();
  const chats = useAppState((s) => s.chats);
  const pending = useAppState((s) => s.pending);
  const loaded = useAppState((s) => s.chatsLoaded);
  const ordered = useMemo(
    () =>
      Object.values(chats).sort(
        (a, b) => b.lastActivityAt - a.lastActivityAt || (a.id < b.id ? -1 : 1),
      ),
    [chats],
  );
  return (
    <section className="screen chat-list-screen" aria-labelledby="chat-list-title">
      <TopBar
        title={<span id="chat-list-title">{t('chatList.title')}</span>}
        actions={
          <>
            <button
              type="button"
              className="icon-button action-open-chats"
              onClick={() => navigate({ name: 'openChats' })}
              aria-label={t('openChat.find')}
              title={t('openChat.find')}
            >
              <Icon name="compass" />
            </button>
            <button
              type="button"
              className="icon-button action-search"
              onClick={() => navigate({ name: 'search' })}
              aria-label={t('search.title')}
              title={t('search.title')}
            >
              <Icon name="search" />
            </button>
            <button
              type="button"
              className="icon-button action-new-chat"
              onClick={() => navigate({ name: 'new' })}
              aria-label={t('chatList.newChat')}
              title={t('chatList.newChat')}
            >
              <Icon name="plus" />
            </button>
            <button
              type="button"
              className="icon-button action-settings"
              onClick={() => navigate({ name: 'settings' })}
              aria-label={t('chatList.settings')}
              title={t('chatList.settings')}
            >
              <Icon name="settings" />
            </button>
          </>
        }
      />
      <ConnectionBanner />
      {ordered.length === 0 && !loaded ? (
        <div className="placeholder" role="status">
          <span className="spinner" aria-hidden="true" />
          <span className="visually-hidden">{t('app.loading')}</span>
        </div>
      ) : ordered.length === 0 ? (
        <div className="empty">
          <div className="empty-icon" aria-hidden="true">
            <Icon name="chat" size={40} />
          </div>
          <p className="empty-title">{t('chatList.empty')}</p>
          <p className="empty-text">{t('chatList.emptyHint')}</p>
          <button type="button" className="button" onClick={() => navigate({ name: 'new' })}>
            {t('chatList.newChat')}
          </button>
        </div>
      ) : (
        <ul className="chat-list" aria-label={t('chatList.title')}>
          {ordered.map((chat) => (
            <ChatRow
              key={chat.id}
              chat={chat}
              selected={chat.id === selectedChatId}
              hasPending={pending.some((p) => p.chatId === chat.id)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function ChatRow({
  chat,
  selected,
  hasPending,
}: {
  chat: Chat;
  selected: boolean;
  hasPending: boolean;
}) {
  const { t, i18n } = useTranslation();
  const me = useAppState((s) => s.me);
  const lastPending = useAppState((s) => {
    for (let i = s.pending.length - 1; i >= 0; i--) {
      if (s.pending[i]!.chatId === chat.id) return s.pending[i]!;
    }
    return undefined;
  });
  const friends = useAppState((s) => s.friends);
  const members = useAppState((s) => s.members[chat.id]);
  const secretSession = useSecretSession();
  const secret = chat.kind === 'secret';
  const peerIds = secret ? secretSession?.peerIds(chat.id) : undefined;
  // A 1:1 secret chat shows the friend's picture, as a 1:1 chat does.
  const secretPeer = !chat.title && peerIds?.length === 1 ? peerIds[0] : undefined;
  const title = secret
    ? secretChatTitle(chat, t, peerIds, friends, members)
    : chatTitle(chat, t, friends);
  const last = chat.lastMessage;
  // A secret chat's text is decrypted here only, held in memory by the secret client.
  const secretPreview = secret
    ? (secretSession?.preview(chat.id) ??
      (chat.lastSeq > chat.joinedSeq ? t('secret.encrypted') : t('chatList.noMessages')))
    : undefined;
  const preview =
    secretPreview !== undefined
      ? secretPreview
      : lastPending
        ? t('chatList.youPrefix', {
            text:
              lastPending.text.trim() || !lastPending.fileIds
                ? lastPending.text
                : t('files.files', { count: lastPending.fileIds.length }),
          })
        : last
          ? last.deletedAt
            ? t('chat.deleted')
            : last.senderId === selfIdIn(chat, me?.id)
              ? t('chatList.youPrefix', { text: messageSummary(t, last) })
              : messageSummary(t, last)
          : chat.lastSeq > chat.joinedSeq
            ? '' // the last one was deleted for me
            : t('chatList.noMessages');
  const time = lastPending?.createdAt ?? (last ? last.createdAt : chat.lastActivityAt);
  const unread = chat.unreadCount;
  return (
    <li className="chat-row-item">
      <a
        className={`chat-row${selected ? ' selected' : ''}`}
        href={`/chats/${encodeURIComponent(chat.id)}`}
        aria-current={selected ? 'page' : undefined}
        data-chat-id={chat.id}
        onClick={(event) => {
          if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          navigate({ name: 'chat', chatId: chat.id }, { replace: selected });
        }}
      >
        <Avatar
          id={secretPeer ?? chat.peer?.id ?? chat.id}
          name={title}
          photo={secretPeer ? friends[secretPeer]?.user.photo : chat.peer?.photo}
          size={50}
        />
        <span className="chat-row-main">
          <span className="chat-row-top">
            {chat.kind === 'open' && <OpenChatBadge size={14} />}
            {secret && (
              <span className="secret-lock" role="img" aria-label={t('secret.label')}>
                <Icon name="lock" size={14} />
              </span>
            )}
            <span className="chat-row-title">{title}</span>
            {chat.kind !== 'direct' && !(secret && !chat.title) && (
              <span className="chat-row-count">
                {chat.memberCount.toLocaleString(i18n.language)}
              </span>
            )}
            {chat.muted && (
              <span className="chat-row-muted" role="img" aria-label={t('chat.muted')}>
                <Icon name="bellOff" size={14} />
              </span>
            )}
            <time className="chat-row-time" dateTime={new Date(time).toISOString()}>
              {formatListTime(time, i18n.language)}
            </time>
          </span>
          <span className="chat-row-bottom">
            <span className="chat-row-preview">
              {hasPending && <Icon name="clock" size={14} />}
              {preview}
            </span>
            {unread > 0 && (
              <>
                {/* Muted: greyed, and left out of the Chats tab's total (KakaoTalk's way). */}
                <span className={chat.muted ? 'badge muted' : 'badge'} aria-hidden="true">
                  {unread > 999 ? '999+' : unread.toLocaleString(i18n.language)}
                </span>
                <span className="visually-hidden">{t('chatList.unread', { count: unread })}</span>
              </>
            )}
          </span>
        </span>
      </a>
    </li>
  );
}
