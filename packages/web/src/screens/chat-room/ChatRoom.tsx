import type { Message, Reaction } from '@tokki/protocol';
import { Suspense, lazy, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../../components/Avatar';
import { ConnectionBanner } from '../../components/ConnectionBanner';
import { Icon } from '../../components/Icon';
import { OpenChatBadge } from '../../components/OpenChatBadge';
import { DeleteMessageDialog, MessageMenu, type MessageAction } from '../../components/MessageMenu';
import { actionsFor } from '../../lib/message-actions';
import { TopBar } from '../../components/TopBar';
import { chatTitle, memberName, selfIdIn } from '../../lib/chat';
import { copyText } from '../../lib/clipboard';
import { errorText, messageActionErrorText } from '../../lib/errors';
import { PRESENCE_TICK_MS, presenceText } from '../../lib/presence';
import { goBack, navigate } from '../../lib/router';
import { reactionOf, withinEditWindow } from '@tokki/sdk';
import { store, useAppState } from '../../lib/store';
import type { Notice } from './shared';
import { MessageList } from './MessageList';
import { PinnedBanner } from './PinnedBanner';
import { Composer } from './Composer';
import { useNow } from './use-now';

// Opened from the message menu only: not part of the first load.
const ForwardDialog = lazy(() => import('../../components/ForwardDialog'));
// Secret chats bring MLS: loaded when one is opened.
const SecretRoom = lazy(() => import('../secret/SecretRoom'));

const NO_ONE: string[] = [];

export function ChatRoom({ chatId }: { chatId: string }) {
  const { t } = useTranslation();
  const secret = useAppState((s) => s.chats[chatId]?.kind === 'secret');
  if (!secret) return <PlainChatRoom chatId={chatId} />;
  return (
    <Suspense
      fallback={
        <section className="screen chat-room secret-room" aria-busy="true">
          <p className="empty-text">{t('secret.opening')}</p>
        </section>
      }
    >
      <SecretRoom chatId={chatId} />
    </Suspense>
  );
}

function PlainChatRoom({ chatId }: { chatId: string }) {
  const { t, i18n } = useTranslation();
  const chat = useAppState((s) => s.chats[chatId]);
  const everSynced = useAppState((s) => s.everSynced);
  const typingIds = useAppState((s) => s.typing[chatId]) ?? NO_ONE;
  const members = useAppState((s) => s.members[chatId]);
  const friends = useAppState((s) => s.friends);
  const me = useAppState((s) => s.me);
  const myId = selfIdIn(chat, me?.id);
  const peerId = chat?.kind === 'direct' ? chat.peer?.id : undefined;
  const presence = useAppState((s) => (peerId ? s.presence[peerId] : undefined));
  const now = useNow(PRESENCE_TICK_MS, presence?.state === 'offline');
  const [menuFor, setMenuFor] = useState<Message | null>(null);
  const [deleting, setDeleting] = useState<Message | null>(null);
  // The composer either edits a message or answers one, never both.
  const [editing, setEditing] = useState<Message | null>(null);
  const [replying, setReplying] = useState<Message | null>(null);
  const [forwarding, setForwarding] = useState<Message | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  // The pinned banner was tapped: the list scrolls to that message (a new object each tap).
  const [showRequest, setShowRequest] = useState<{ seq: number } | null>(null);
  const left = useAppState((s) => s.leftChats[chatId]);

  useEffect(() => {
    store.openChat(chatId);
    setMenuFor(null);
    setDeleting(null);
    setEditing(null);
    setReplying(null);
    setForwarding(null);
    setNotice(null);
    setShowRequest(null);
    return () => store.openChat(null);
  }, [chatId]);

  // The other person of a 1:1 chat: online, or when they were last (as they let the user know).
  useEffect(() => {
    if (!peerId) return;
    store.watchPresence([peerId]);
    return () => store.watchPresence([]);
  }, [peerId]);

  useEffect(() => {
    if (!notice || notice.error) return;
    const timer = setTimeout(() => setNotice(null), 2500);
    return () => clearTimeout(timer);
  }, [notice]);

  const onAction = (action: MessageAction) => {
    const message = menuFor;
    setMenuFor(null);
    if (!message) return;
    setNotice(null);
    if (action === 'copy') {
      void copyText(message.text).then(() => setNotice({ text: t('chat.copied'), error: false }));
    } else if (action === 'reply') {
      setEditing(null);
      setReplying(message);
    } else if (action === 'edit') {
      setReplying(null);
      setEditing(message);
    } else if (action === 'forward') {
      setForwarding(message);
    } else if (action === 'pin' || action === 'unpin') {
      store.pin(chatId, action === 'pin' ? message.seq : null).catch((error: unknown) => {
        setNotice({ text: messageActionErrorText(t, error, i18n.language, 'react'), error: true });
      });
    } else {
      setDeleting(message);
    }
  };

  const onDelete = (forEveryone: boolean) => {
    const message = deleting;
    setDeleting(null);
    if (!message) return;
    if (editing?.seq === message.seq) setEditing(null);
    if (replying?.seq === message.seq) setReplying(null);
    store.deleteMessage(chatId, message.seq, forEveryone).catch((error: unknown) => {
      const action = forEveryone ? 'deleteForEveryone' : 'deleteForMe';
      setNotice({ text: messageActionErrorText(t, error, i18n.language, action), error: true });
    });
  };

  const language = i18n.language;
  const onReact = useCallback(
    (message: Message, reaction: Reaction | null) => {
      store.react(chatId, message.seq, reaction).catch((error: unknown) => {
        setNotice({ text: messageActionErrorText(t, error, language, 'react'), error: true });
      });
    },
    [chatId, t, language],
  );

  useEffect(() => {
    const onVisible = () => store.markOpenChatRead();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onVisible);
    };
  }, []);

  if (!chat) {
    // Removed from the group (or left it on another device) while here: say so.
    const leftText = left
      ? left.byUserId
        ? left.byName
          ? t('chat.removedBy', { name: left.byName, title: left.title })
          : t('chat.removed', { title: left.title })
        : t('chat.left')
      : undefined;
    return (
      <section className="screen chat-room" aria-label={t('chat.messages')}>
        <TopBar title={left?.title ?? ''} onBack={() => goBack()} backClassName="mobile-only" />
        <ConnectionBanner />
        <div className="empty">
          {leftText ? (
            <p className="empty-text chat-left-notice" role="status">
              {leftText}
            </p>
          ) : (
            <p className="empty-text">{everSynced ? t('chat.notFound') : t('app.loading')}</p>
          )}
        </div>
      </section>
    );
  }

  const title = chatTitle(chat, t, friends);
  const typingName = typingIds[0]
    ? memberName(typingIds[0], chat, members, friends, me, t)
    : undefined;
  const subtitle = typingIds.length
    ? chat.kind === 'direct' || !typingName
      ? t('chat.typing')
      : t('chat.typingName', { name: typingName })
    : chat.kind === 'direct'
      ? presenceText(t, presence, i18n.language, now)
      : t('chatList.members', { count: chat.memberCount });
  return (
    <section className="screen chat-room" aria-labelledby="chat-room-title">
      <TopBar
        onBack={() => goBack()}
        backClassName="mobile-only"
        leading={
          <Avatar id={chat.peer?.id ?? chat.id} name={title} photo={chat.peer?.photo} size={36} />
        }
        title={
          <span id="chat-room-title" className="chat-room-title">
            {chat.kind === 'open' && <OpenChatBadge />}
            <span className="chat-room-title-text">{title}</span>
          </span>
        }
        subtitle={
          (subtitle || chat.muted) && (
            <>
              {chat.muted && (
                <span className="muted-mark" role="img" aria-label={t('chat.muted')}>
                  <Icon name="bellOff" size={13} />
                </span>
              )}
              {subtitle && (
                <span
                  className={
                    typingIds.length
                      ? 'typing'
                      : chat.kind === 'direct'
                        ? `presence${presence?.state === 'online' ? ' online' : ''}`
                        : undefined
                  }
                >
                  {subtitle}
                </span>
              )}
            </>
          )
        }
        actions={
          <>
            <button
              type="button"
              className="icon-button action-search"
              onClick={() => navigate({ name: 'search', chatId })}
              aria-label={t('search.inThisChat')}
              title={t('search.inThisChat')}
            >
              <Icon name="search" />
            </button>
            <button
              type="button"
              className="icon-button action-info"
              onClick={() => navigate({ name: 'info', chatId })}
              aria-label={t('chat.info')}
              title={t('chat.info')}
            >
              <Icon name="info" />
            </button>
          </>
        }
      />
      <ConnectionBanner />
      {/* The banner floats over the top of the messages: its coming and going does not resize the
          list, which would stop it following new messages at the bottom. */}
      <div className="chat-body">
        {chat.pinnedSeq !== undefined && (
          <PinnedBanner
            chat={chat}
            seq={chat.pinnedSeq}
            onShow={(seq) => setShowRequest({ seq })}
            onUnpin={() => {
              setNotice(null);
              store.pin(chatId, null).catch((error: unknown) => {
                setNotice({ text: errorText(t, error, i18n.language), error: true });
              });
            }}
          />
        )}
        <MessageList
          key={chatId}
          chat={chat}
          onActions={setMenuFor}
          onReact={onReact}
          showRequest={showRequest}
        />
      </div>
      {/* Before the composer: closing the menu gives focus back before editing takes it. */}
      <MessageMenu
        message={menuFor}
        actions={menuFor ? actionsFor(menuFor, myId, Date.now(), chat.pinnedSeq) : []}
        onAction={onAction}
        myReaction={menuFor ? reactionOf(menuFor, myId) : null}
        onReact={
          menuFor && !menuFor.deletedAt
            ? (reaction) => {
                setMenuFor(null);
                setNotice(null);
                onReact(menuFor, reaction);
              }
            : undefined
        }
        onClose={() => setMenuFor(null)}
      />
      {forwarding && (
        <Suspense fallback={null}>
          <ForwardDialog
            message={forwarding}
            onClose={() => setForwarding(null)}
            onDone={(count) => {
              setForwarding(null);
              setNotice({ text: t('forward.done', { count }), error: false });
            }}
          />
        </Suspense>
      )}
      <DeleteMessageDialog
        open={deleting !== null}
        forEveryone={
          deleting !== null &&
          !deleting.deletedAt &&
          deleting.senderId === myId &&
          withinEditWindow(deleting)
        }
        onDelete={onDelete}
        onCancel={() => setDeleting(null)}
      />
      <Composer
        chatId={chatId}
        editing={editing}
        onEditDone={() => setEditing(null)}
        replying={replying}
        replyingName={replying ? memberName(replying.senderId, chat, members, friends, me, t) : ''}
        onReplyDone={() => setReplying(null)}
        notice={notice}
        onDismissNotice={() => setNotice(null)}
      />
    </section>
  );
}
