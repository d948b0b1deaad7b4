import { LIMITS, type Chat, type Member, type Message } from '@tokki/protocol';
import {
  memo,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
} from 'react';
import { useTranslation } from 'react-i18next';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import { Avatar } from '../components/Avatar';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { Icon } from '../components/Icon';
import { MessageText } from '../components/MessageText';
import { TopBar } from '../components/TopBar';
import { chatTitle, shownName } from '../lib/chat';
import { errorCodeText } from '../lib/errors';
import { dayKey, formatDay, formatTime } from '../lib/format';
import type { PendingMessage } from '../lib/persist';
import { goBack, navigate } from '../lib/router';
import { store, unreadCounter, useAppState, type History } from '../lib/store';

type Item =
  | { kind: 'message'; key: string; message: Message }
  | { kind: 'pending'; key: string; pending: PendingMessage };

/** Virtuoso counts item positions from here, so that prepending older pages keeps the scroll. */
const FIRST_INDEX_BASE = 1_000_000_000;
const EMPTY_HISTORY: History = { messages: [], olderCursor: undefined, loadingOlder: false };
const EMPTY_MEMBERS: Record<string, Member> = {};
const NO_ONE: string[] = [];
/** Messages by one sender closer together than this share one group (name and avatar once). */
const GROUP_GAP_MS = 5 * 60 * 1000;

export function ChatRoom({ chatId }: { chatId: string }) {
  const { t } = useTranslation();
  const chat = useAppState((s) => s.chats[chatId]);
  const everSynced = useAppState((s) => s.everSynced);
  const typingIds = useAppState((s) => s.typing[chatId]) ?? NO_ONE;
  const members = useAppState((s) => s.members[chatId]);
  const friends = useAppState((s) => s.friends);

  useEffect(() => {
    store.openChat(chatId);
    return () => store.openChat(null);
  }, [chatId]);

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
    return (
      <section className="screen chat-room" aria-label={t('chat.messages')}>
        <TopBar title="" onBack={() => goBack()} backClassName="mobile-only" />
        <ConnectionBanner />
        <div className="empty">
          <p className="empty-text">{everSynced ? t('chat.notFound') : t('app.loading')}</p>
        </div>
      </section>
    );
  }

  const title = chatTitle(chat, t, friends);
  const typingName = typingIds[0]
    ? (members?.[typingIds[0]]?.user.displayName ??
      (chat.peer?.id === typingIds[0] ? chat.peer.displayName : undefined))
    : undefined;
  const subtitle = typingIds.length
    ? chat.kind === 'direct' || !typingName
      ? t('chat.typing')
      : t('chat.typingName', { name: typingName })
    : chat.kind === 'group'
      ? t('chatList.members', { count: chat.memberCount })
      : undefined;
  return (
    <section className="screen chat-room" aria-labelledby="chat-room-title">
      <TopBar
        onBack={() => goBack()}
        backClassName="mobile-only"
        leading={
          <Avatar id={chat.peer?.id ?? chat.id} name={title} photo={chat.peer?.photo} size={36} />
        }
        title={<span id="chat-room-title">{title}</span>}
        subtitle={
          subtitle && <span className={typingIds.length ? 'typing' : undefined}>{subtitle}</span>
        }
        actions={
          <button
            type="button"
            className="icon-button"
            onClick={() => navigate({ name: 'info', chatId })}
            aria-label={t('chat.info')}
            title={t('chat.info')}
          >
            <Icon name="info" />
          </button>
        }
      />
      <ConnectionBanner />
      <MessageList chat={chat} />
      <Composer chatId={chatId} />
    </section>
  );
}

function MessageList({ chat }: { chat: Chat }) {
  const { t } = useTranslation();
  const chatId = chat.id;
  const history = useAppState((s) => s.histories[chatId]) ?? EMPTY_HISTORY;
  const allPending = useAppState((s) => s.pending);
  const members = useAppState((s) => s.members[chatId]) ?? EMPTY_MEMBERS;
  const me = useAppState((s) => s.me);
  const friends = useAppState((s) => s.friends);
  const virtuoso = useRef<VirtuosoHandle>(null);
  const [atBottom, setAtBottom] = useState(true);

  const items = useMemo<Item[]>(() => {
    const list: Item[] = history.messages.map((message) => ({
      kind: 'message',
      key: `m${message.seq}`,
      message,
    }));
    for (const pending of allPending) {
      if (pending.chatId === chatId) {
        list.push({ kind: 'pending', key: `p${pending.clientMsgId}`, pending });
      }
    }
    return list;
  }, [history.messages, allPending, chatId]);

  const sortedReadSeqs = useMemo(
    () =>
      Object.values(members)
        .map((m) => m.readSeq)
        .sort((a, b) => a - b),
    [members],
  );

  const firstSeq = history.messages[0]?.seq ?? 1;
  const firstItemIndex = FIRST_INDEX_BASE + firstSeq;

  // Scroll to the newest message when the user sends one.
  const ownPendingCount = allPending.filter((p) => p.chatId === chatId).length;
  const previousPending = useRef(ownPendingCount);
  useEffect(() => {
    if (ownPendingCount > previousPending.current) {
      virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end', behavior: 'auto' });
    }
    previousPending.current = ownPendingCount;
  }, [ownPendingCount]);

  const startReached = useCallback(() => {
    void store.loadOlder(chatId);
  }, [chatId]);

  const atStart =
    history.olderCursor === null ||
    (history.messages[0] !== undefined && history.messages[0].seq <= chat.joinedSeq + 1);

  const Header = useCallback(
    () => (
      <div className="list-header">
        {history.loadingOlder && <span className="list-header-text">{t('chat.loadingOlder')}</span>}
      </div>
    ),
    [history.loadingOlder, t],
  );

  if (items.length === 0) {
    const name = chatTitle(chat, t, friends);
    return (
      <div className="messages empty" role="log" aria-label={t('chat.messages')}>
        <div className="empty-icon" aria-hidden="true">
          <Icon name="chat" size={40} />
        </div>
        <p className="empty-text">
          {history.olderCursor === undefined && chat.lastSeq > chat.joinedSeq
            ? t('app.loading')
            : t('chat.sayHello', { name })}
        </p>
      </div>
    );
  }

  return (
    <div className="messages" role="log" aria-label={t('chat.messages')}>
      <Virtuoso
        key={chatId}
        ref={virtuoso}
        className="message-scroller"
        data={items}
        firstItemIndex={firstItemIndex}
        initialTopMostItemIndex={items.length - 1}
        alignToBottom
        computeItemKey={(_index, item) => item.key}
        startReached={startReached}
        followOutput={(bottom) => (bottom ? 'auto' : false)}
        atBottomStateChange={setAtBottom}
        atBottomThreshold={80}
        increaseViewportBy={{ top: 400, bottom: 200 }}
        components={{ Header, Footer: ListFooter }}
        itemContent={(index, item) => {
          const local = index - firstItemIndex;
          return (
            <MessageRow
              item={item}
              previous={items[local - 1]}
              isStart={local === 0 && atStart}
              next={items[local + 1]}
              chat={chat}
              myId={me?.id ?? ''}
              members={members}
              sortedReadSeqs={sortedReadSeqs}
            />
          );
        }}
      />
      {!atBottom && (
        <button
          type="button"
          className="jump-button"
          onClick={() =>
            virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end', behavior: 'smooth' })
          }
          aria-label={t('chat.jumpToLatest')}
          title={t('chat.jumpToLatest')}
        >
          <Icon name="down" />
        </button>
      )}
    </div>
  );
}

function itemSender(item: Item | undefined, myId: string): string | undefined {
  if (!item) return undefined;
  return item.kind === 'message' ? item.message.senderId : myId;
}

function itemTime(item: Item | undefined): number {
  if (!item) return 0;
  return item.kind === 'message' ? item.message.createdAt : item.pending.createdAt;
}

/** Room below the newest message, so that it does not touch the composer. */
function ListFooter() {
  return <div className="list-footer" />;
}

const MessageRow = memo(function MessageRow(props: {
  item: Item;
  /** The first message of the chat (for this member): the start of the conversation. */
  isStart: boolean;
  previous: Item | undefined;
  next: Item | undefined;
  chat: Chat;
  myId: string;
  members: Record<string, Member>;
  sortedReadSeqs: number[];
}) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const { item, previous, next, chat, myId, members } = props;
  const sender = itemSender(item, myId)!;
  const time = itemTime(item);
  const mine = sender === myId;
  const newDay = !previous || dayKey(itemTime(previous)) !== dayKey(time);
  const firstOfGroup =
    newDay || itemSender(previous, myId) !== sender || time - itemTime(previous) > GROUP_GAP_MS;
  const minute = Math.floor(time / 60_000);
  const lastOfMinute =
    !next ||
    itemSender(next, myId) !== sender ||
    Math.floor(itemTime(next) / 60_000) !== minute ||
    dayKey(itemTime(next)) !== dayKey(time);

  const friend = useAppState((s) => s.friends[sender]);
  const senderUser = members[sender]?.user ?? (chat.peer?.id === sender ? chat.peer : undefined);
  const senderName =
    (friend && shownName(friend)) || senderUser?.displayName || t('chat.unknownUser');

  const text = item.kind === 'message' ? item.message.text : item.pending.text;
  const counter =
    item.kind === 'message' && Object.keys(members).length > 0
      ? unreadCounter(item.message, props.sortedReadSeqs, members)
      : 0;

  return (
    <div
      className={`message-row ${mine ? 'mine' : 'theirs'}${firstOfGroup ? ' first' : ''}`}
      data-seq={item.kind === 'message' ? item.message.seq : undefined}
      data-pending={item.kind === 'pending' ? item.pending.status : undefined}
    >
      {props.isStart && <p className="conversation-start">{t('chat.start')}</p>}
      {newDay && (
        <div className="day-separator" role="separator">
          <span>{formatDay(time, lng)}</span>
        </div>
      )}
      <div className="message-line">
        {!mine &&
          (firstOfGroup ? (
            <Avatar id={sender} name={senderName} photo={senderUser?.photo} size={38} />
          ) : (
            <span className="avatar-spacer" aria-hidden="true" />
          ))}
        <div className="message-body">
          {!mine && firstOfGroup && <div className="message-sender">{senderName}</div>}
          <div className="message-bubble-line">
            <div className="bubble">
              {!mine && (
                <span className="visually-hidden">
                  {t('chat.senderSaid', { name: senderName })}{' '}
                </span>
              )}
              <MessageText text={text} />
            </div>
            <div className="message-meta">
              {item.kind === 'pending' ? (
                item.pending.status === 'sending' ? (
                  <span
                    className="pending-icon"
                    role="img"
                    aria-label={t('chat.sending')}
                    title={t('chat.sending')}
                  >
                    <Icon name="clock" size={14} />
                  </span>
                ) : (
                  <span className="failed" role="alert">
                    <span className="failed-text" title={errorCodeText(t, item.pending.error, lng)}>
                      <Icon name="alert" size={14} /> {t('chat.failed')}
                    </span>
                    <button
                      type="button"
                      className="tiny-button"
                      onClick={() => store.resend(item.pending.clientMsgId)}
                    >
                      {t('chat.resend')}
                    </button>
                    <button
                      type="button"
                      className="tiny-button"
                      onClick={() => store.discard(item.pending.clientMsgId)}
                    >
                      {t('chat.discard')}
                    </button>
                  </span>
                )
              ) : (
                counter > 0 && (
                  <>
                    <span
                      className="unread-counter"
                      aria-hidden="true"
                      title={t('chat.unreadBy', { count: counter })}
                    >
                      {counter.toLocaleString(lng)}
                    </span>
                    <span className="visually-hidden">
                      {t('chat.unreadBy', { count: counter })}
                    </span>
                  </>
                )
              )}
              {lastOfMinute && item.kind === 'message' && (
                <time className="message-time" dateTime={new Date(time).toISOString()}>
                  {formatTime(time, lng)}
                </time>
              )}
            </div>
          </div>
        </div>
      </div>
    </div>
  );
});

function Composer({ chatId }: { chatId: string }) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    // Focus the composer when a chat opens on a device with a keyboard (not on phones, where the
    // on-screen keyboard would cover the messages).
    if (window.matchMedia('(min-width: 900px)').matches) ref.current?.focus();
    setText('');
    setError(null);
  }, [chatId]);

  useEffect(() => {
    const area = ref.current;
    if (!area) return;
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, 140)}px`;
  }, [text]);

  const submit = () => {
    const value = text.trim();
    if (!value) return;
    if ([...value].length > LIMITS.MESSAGE_TEXT_MAX) {
      setError(
        t('errors.TEXT_TOO_LONG', { max: LIMITS.MESSAGE_TEXT_MAX.toLocaleString(i18n.language) }),
      );
      return;
    }
    setError(null);
    store.send(chatId, value);
    setText('');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter is a new line; never while an IME is composing (Korean, Japanese).
    if (event.key !== 'Enter' || event.shiftKey) return;
    if (event.nativeEvent.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    submit();
  };

  return (
    <form
      className="composer"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        submit();
      }}
    >
      {error && (
        <p className="composer-error" role="alert">
          {error}
        </p>
      )}
      <div className="composer-row">
        <textarea
          ref={ref}
          className="composer-input"
          rows={1}
          value={text}
          placeholder={t('chat.composer')}
          aria-label={t('chat.composer')}
          enterKeyHint="send"
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value.trim()) store.typing(chatId);
          }}
          onKeyDown={onKeyDown}
        />
        <button
          type="submit"
          className="send-button"
          disabled={!text.trim()}
          aria-label={t('chat.send')}
          title={t('chat.send')}
        >
          <Icon name="send" />
        </button>
      </div>
    </form>
  );
}
