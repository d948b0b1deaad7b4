import {
  isMessageTextTooLong,
  LIMITS,
  REACTIONS,
  type Chat,
  type Me,
  type Member,
  type Message,
  type Reaction,
} from '@tokki/protocol';
import {
  lazy,
  memo,
  Suspense,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
  type PointerEvent,
} from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import { Avatar } from '../components/Avatar';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { Icon } from '../components/Icon';
import { OpenChatBadge } from '../components/OpenChatBadge';
import { LinkPreviewCard } from '../components/LinkPreviewCard';
import { MessageFiles } from '../components/MessageFiles';
import { DeleteMessageDialog, MessageMenu, type MessageAction } from '../components/MessageMenu';
import { actionsFor } from '../lib/message-actions';
import { MessageText } from '../components/MessageText';
import { TopBar } from '../components/TopBar';
import { chatTitle, memberName, memberProfile, selfIdIn } from '../lib/chat';
import { copyText } from '../lib/clipboard';
import { errorCodeText, errorText, messageActionErrorText } from '../lib/errors';
import { formatBytes, messageSummary } from '../lib/files';
import { dayKey, formatDay, formatTime } from '../lib/format';
import type { PendingMessage } from '../lib/persist';
import { takeFocus } from '../lib/message-focus';
import { REACTION_EMOJI } from '../lib/reactions';
import { PRESENCE_TICK_MS, presenceText } from '../lib/presence';
import { goBack, navigate } from '../lib/router';
import { findMessage, reactionOf, unreadCounter, withinEditWindow } from '@tokki/sdk';
import { store, useAppState, type History, type SystemLine } from '../lib/store';
import {
  attach,
  cancelBatch,
  oversize,
  retryBatch,
  useUploads,
  type UploadBatch,
} from '../lib/uploads';

// Opened from the message menu only: not part of the first load.
const ForwardDialog = lazy(() => import('../components/ForwardDialog'));

type Item =
  | { kind: 'message'; key: string; message: Message }
  | { kind: 'system'; key: string; line: SystemLine }
  | { kind: 'pending'; key: string; pending: PendingMessage }
  | { kind: 'upload'; key: string; batch: UploadBatch };

/** Virtuoso counts item positions from here, so that prepending older pages keeps the scroll. */
const FIRST_INDEX_BASE = 1_000_000_000;
const EMPTY_HISTORY: History = { messages: [], olderCursor: undefined, loadingOlder: false };
const EMPTY_MEMBERS: Record<string, Member> = {};
const NO_ONE: string[] = [];
const NO_LINES: SystemLine[] = [];
/** Messages by one sender closer together than this share one group (name and avatar once). */
const GROUP_GAP_MS = 5 * 60 * 1000;
/** How long a finger rests on a message before its menu opens (iOS fires no contextmenu). */
const LONG_PRESS_MS = 500;

/** A short note under the messages: "Copied", or why an edit or deletion was refused. */
interface Notice {
  text: string;
  error: boolean;
}

/** A message's first line, or what its files are, for a quote (CSS cuts it to the width). */
function snippet(t: TFunction, message: Message): string {
  return messageSummary(t, message).split('\n', 1)[0] ?? '';
}

export function ChatRoom({ chatId }: { chatId: string }) {
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

function MessageList({
  chat,
  onActions,
  onReact,
  showRequest,
}: {
  chat: Chat;
  onActions: (message: Message) => void;
  onReact: (message: Message, reaction: Reaction | null) => void;
  /** Scroll to this message (the pinned banner was tapped). */
  showRequest: { seq: number } | null;
}) {
  const { t } = useTranslation();
  const chatId = chat.id;
  const history = useAppState((s) => s.histories[chatId]) ?? EMPTY_HISTORY;
  const allPending = useAppState((s) => s.pending);
  const uploads = useUploads(chatId);
  const systemLines = useAppState((s) => s.systemLines[chatId]) ?? NO_LINES;
  const members = useAppState((s) => s.members[chatId]) ?? EMPTY_MEMBERS;
  const former = useAppState((s) => s.formerMembers[chatId]);
  // Who to name: the members, and those who left (their messages stay); only members count.
  const named = useMemo(() => (former ? { ...former, ...members } : members), [former, members]);
  const me = useAppState((s) => s.me);
  const friends = useAppState((s) => s.friends);
  const virtuoso = useRef<VirtuosoHandle>(null);
  const [atBottom, setAtBottom] = useState(true);
  // A search result opened this chat: scroll to its message and mark it for a moment.
  const [focusSeq, setFocusSeq] = useState(() => takeFocus(chatId));

  const items = useMemo<Item[]>(() => {
    const list: Item[] = [];
    // Each group event goes after the newest message there was when it happened.
    let next = 0;
    for (const message of history.messages) {
      while (next < systemLines.length && systemLines[next]!.afterSeq < message.seq) {
        const line = systemLines[next++]!;
        list.push({ kind: 'system', key: line.key, line });
      }
      list.push({ kind: 'message', key: `m${message.seq}`, message });
    }
    for (const line of systemLines.slice(next)) list.push({ kind: 'system', key: line.key, line });
    for (const pending of allPending) {
      if (pending.chatId === chatId) {
        list.push({ kind: 'pending', key: `p${pending.clientMsgId}`, pending });
      }
    }
    for (const batch of uploads) list.push({ kind: 'upload', key: batch.id, batch });
    return list;
  }, [history.messages, systemLines, allPending, uploads, chatId]);

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
  const ownPendingCount = allPending.filter((p) => p.chatId === chatId).length + uploads.length;
  const previousPending = useRef(ownPendingCount);
  useEffect(() => {
    if (ownPendingCount > previousPending.current) {
      virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end', behavior: 'auto' });
    }
    previousPending.current = ownPendingCount;
  }, [ownPendingCount]);

  const focusIndex =
    focusSeq === undefined
      ? -1
      : items.findIndex((item) => item.kind === 'message' && item.message.seq === focusSeq);
  const focusPending =
    focusSeq !== undefined &&
    focusIndex < 0 &&
    history.messages.length > 0 &&
    focusSeq >= chat.joinedSeq &&
    focusSeq < firstSeq;
  const olderPagesForFocus = useRef(0);
  useEffect(() => {
    // Older than the loaded pages: page back a few times (each page is 100), then give up and
    // stay at the newest.
    if (!focusPending || history.loadingOlder) return;
    if (history.olderCursor === null || olderPagesForFocus.current >= 5) {
      setFocusSeq(undefined);
      return;
    }
    olderPagesForFocus.current++;
    void store.loadOlder(chatId);
  }, [focusPending, history.loadingOlder, history.olderCursor, chatId]);
  const scrolledToFocus = useRef(false);
  const refocus = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    if (focusIndex < 0 || scrolledToFocus.current) return;
    scrolledToFocus.current = true;
    virtuoso.current?.scrollToIndex({ index: focusIndex, align: 'center', behavior: 'auto' });
    // Once more when the rows have been measured: an older page that was just prepended can
    // leave the first scroll short of the message.
    const seq = focusSeq;
    clearTimeout(refocus.current);
    refocus.current = setTimeout(() => {
      const index = latest.current.items.findIndex(
        (item) => item.kind === 'message' && item.message.seq === seq,
      );
      if (index >= 0) {
        virtuoso.current?.scrollToIndex({ index, align: 'center', behavior: 'auto' });
      }
    }, 150);
  }, [focusIndex]);
  useEffect(() => () => clearTimeout(refocus.current), []);
  useEffect(() => {
    if (focusSeq === undefined || !scrolledToFocus.current) return;
    const timer = setTimeout(() => setFocusSeq(undefined), 2500);
    return () => clearTimeout(timer);
  }, [focusSeq, focusIndex]);

  // A quote was tapped: scroll to the message it quotes and mark it, or page back to it when it
  // is older than what is loaded.
  const latest = useRef({ items, firstSeq });
  useEffect(() => {
    latest.current = { items, firstSeq };
  });
  const showMessage = useCallback((seq: number) => {
    const { items, firstSeq } = latest.current;
    const index = items.findIndex((item) => item.kind === 'message' && item.message.seq === seq);
    if (index < 0 && seq >= firstSeq) return; // deleted for me
    olderPagesForFocus.current = 0;
    scrolledToFocus.current = index >= 0;
    if (index >= 0) virtuoso.current?.scrollToIndex({ index, align: 'center', behavior: 'auto' });
    setFocusSeq(seq);
  }, []);
  useEffect(() => {
    if (showRequest) showMessage(showRequest.seq);
  }, [showRequest, showMessage]);

  const startReached = useCallback(() => {
    void store.loadOlder(chatId);
  }, [chatId]);

  const atStart =
    history.olderCursor === null ||
    (history.messages[0] !== undefined && history.messages[0].seq <= chat.joinedSeq + 1);

  const pinned = chat.pinnedSeq !== undefined;
  const Header = useCallback(
    () => (
      <div className={pinned ? 'list-header under-pinned' : 'list-header'}>
        {history.loadingOlder && <span className="list-header-text">{t('chat.loadingOlder')}</span>}
      </div>
    ),
    [history.loadingOlder, t, pinned],
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
        initialTopMostItemIndex={
          focusIndex >= 0 ? { index: focusIndex, align: 'center' } : items.length - 1
        }
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
          if (item.kind === 'upload') return <UploadRow batch={item.batch} />;
          if (item.kind === 'system') {
            return <SystemRow line={item.line} chat={chat} members={named} me={me} />;
          }
          const replyToSeq =
            item.kind === 'message' ? item.message.replyToSeq : item.pending.replyToSeq;
          return (
            <MessageRow
              item={item}
              previous={items[local - 1]}
              isStart={local === 0 && atStart}
              next={items[local + 1]}
              chat={chat}
              myId={selfIdIn(chat, me?.id) ?? ''}
              members={members}
              names={named}
              sortedReadSeqs={sortedReadSeqs}
              onActions={onActions}
              onReact={onReact}
              quoted={
                replyToSeq === undefined
                  ? undefined
                  : (findMessage(history.messages, replyToSeq) ?? null)
              }
              onShowQuoted={showMessage}
              focused={item.kind === 'message' && item.message.seq === focusSeq}
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
  if (!item || item.kind === 'system') return undefined;
  return item.kind === 'message' ? item.message.senderId : myId;
}

function itemTime(item: Item | undefined): number {
  if (!item) return 0;
  if (item.kind === 'message') return item.message.createdAt;
  if (item.kind === 'system') return item.line.at;
  return item.kind === 'pending' ? item.pending.createdAt : item.batch.createdAt;
}

/** Room below the newest message, so that it does not touch the composer. */
function ListFooter() {
  return <div className="list-footer" />;
}

const MessageRow = memo(function MessageRow(props: {
  item: Exclude<Item, { kind: 'upload' } | { kind: 'system' }>;
  /** The first message of the chat (for this member): the start of the conversation. */
  isStart: boolean;
  previous: Item | undefined;
  next: Item | undefined;
  chat: Chat;
  myId: string;
  /** The members now, for the unread counters. */
  members: Record<string, Member>;
  /** Everyone to name: the members and those who left. */
  names: Record<string, Member>;
  sortedReadSeqs: number[];
  onActions: (message: Message) => void;
  onReact: (message: Message, reaction: Reaction | null) => void;
  /** The message this one answers: null when it is not loaded, undefined when not a reply. */
  quoted: Message | null | undefined;
  onShowQuoted: (seq: number) => void;
  /** The message a search result (or a tapped quote) opened the chat at. */
  focused: boolean;
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

  const friend = useAppState((s) => (chat.kind === 'open' ? undefined : s.friends[sender]));
  const senderUser = memberProfile(sender, chat, props.names);
  const senderName = memberName(
    sender,
    chat,
    props.names,
    friend && { [sender]: friend },
    undefined,
    t,
  );
  const replyToSeq = item.kind === 'message' ? item.message.replyToSeq : item.pending.replyToSeq;

  const message = item.kind === 'message' ? item.message : undefined;
  const text = message ? message.text : item.kind === 'pending' ? item.pending.text : '';
  const deleted = Boolean(message?.deletedAt);
  const files = !deleted ? message?.files : undefined;
  const pendingFiles = item.kind === 'pending' ? (item.pending.fileIds?.length ?? 0) : 0;
  const { onActions } = props;
  const longPress = useLongPress(message ? () => onActions(message) : undefined);
  const counter =
    item.kind === 'message' && Object.keys(members).length > 0
      ? unreadCounter(item.message, props.sortedReadSeqs, members)
      : 0;

  return (
    <div
      className={`message-row ${mine ? 'mine' : 'theirs'}${firstOfGroup ? ' first' : ''}${props.focused ? ' focused' : ''}`}
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
            <div
              className={
                deleted
                  ? 'bubble deleted'
                  : files?.length
                    ? `bubble with-files${text ? '' : ' files-only'}`
                    : 'bubble'
              }
              onContextMenu={
                message
                  ? (event) => {
                      event.preventDefault();
                      onActions(message);
                    }
                  : undefined
              }
              {...longPress}
            >
              {!mine && (
                <span className="visually-hidden">
                  {t('chat.senderSaid', { name: senderName })}{' '}
                </span>
              )}
              {!deleted && replyToSeq !== undefined && props.quoted !== undefined && (
                <Quote
                  seq={replyToSeq}
                  quoted={props.quoted}
                  chat={chat}
                  members={props.names}
                  onShow={props.onShowQuoted}
                />
              )}
              {files && files.length > 0 && <MessageFiles files={files} />}
              {pendingFiles > 0 && (
                <span className="pending-files">
                  <Icon name="attach" size={16} /> {t('files.files', { count: pendingFiles })}
                </span>
              )}
              {deleted ? (
                <span className="message-text">{t('chat.deleted')}</span>
              ) : (
                text && <MessageText text={text} />
              )}
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
              {message?.editedAt && !deleted && (
                <span className="message-edited">{t('chat.edited')}</span>
              )}
              {lastOfMinute && item.kind === 'message' && (
                <time className="message-time" dateTime={new Date(time).toISOString()}>
                  {formatTime(time, lng)}
                </time>
              )}
            </div>
            {message && (
              <button
                type="button"
                className="message-more"
                aria-label={t('chat.actions')}
                title={t('chat.actions')}
                aria-haspopup="menu"
                onClick={() => onActions(message)}
              >
                <Icon name="more" size={18} />
              </button>
            )}
          </div>
          {message && !deleted && <LinkPreviewCard text={text} />}
          {message && !deleted && message.reactions && (
            <ReactionChips message={message} myId={myId} onReact={props.onReact} />
          )}
        </div>
      </div>
    </div>
  );
});

/** "X left", "X removed Y", "X joined": a centred line between messages. */
function SystemRow(props: {
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

/**
 * The pinned message above the messages (KakaoTalk's 공지): its text, or what its files are;
 * tapping it scrolls to the message, the ✕ unpins it for everyone.
 */
function PinnedBanner(props: {
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

/** The quoted message above a reply's text; tapping it shows that message. */
function Quote(props: {
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

/** Under a bubble: each reaction with how many gave it, mine marked; tapping one toggles mine. */
function ReactionChips(props: {
  message: Message;
  myId: string;
  onReact: (message: Message, reaction: Reaction | null) => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = props;
  const given = REACTIONS.flatMap((reaction) => {
    const entry = message.reactions?.find((r) => r.reaction === reaction);
    return entry
      ? [{ reaction, count: entry.userIds.length, mine: entry.userIds.includes(props.myId) }]
      : [];
  });
  return (
    <div className="reaction-chips" role="group" aria-label={t('chat.reactionsLabel')}>
      {given.map(({ reaction, count, mine }) => (
        <button
          key={reaction}
          type="button"
          className={`reaction-chip reaction-${reaction}${mine ? ' mine' : ''}`}
          aria-pressed={mine}
          aria-label={t('chat.reactionCount', { reaction: t(`reactions.${reaction}`), count })}
          title={t('chat.reactionCount', { reaction: t(`reactions.${reaction}`), count })}
          onClick={() => props.onReact(message, mine ? null : reaction)}
        >
          <span className="reaction-emoji" aria-hidden="true">
            {REACTION_EMOJI[reaction]}
          </span>
          <span className="reaction-count" aria-hidden="true">
            {count.toLocaleString(i18n.language)}
          </span>
        </button>
      ))}
    </div>
  );
}

/**
 * Handlers that call `onPress` when a finger rests on the element (touch only; a mouse has its
 * right button, and Android also fires contextmenu, which opens the same menu once).
 */
function useLongPress(onPress: (() => void) | undefined) {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const start = useRef<{ x: number; y: number } | null>(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  if (!onPress) return {};
  const cancel = () => {
    clearTimeout(timer.current);
    start.current = null;
  };
  return {
    onPointerDown: (event: PointerEvent<HTMLElement>) => {
      if (event.pointerType !== 'touch') return;
      start.current = { x: event.clientX, y: event.clientY };
      clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        start.current = null;
        onPress();
      }, LONG_PRESS_MS);
    },
    onPointerMove: (event: PointerEvent<HTMLElement>) => {
      const from = start.current;
      // Scrolling is not pressing.
      if (from && Math.hypot(event.clientX - from.x, event.clientY - from.y) > 10) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
  };
}

function Composer({
  chatId,
  editing,
  onEditDone,
  replying,
  replyingName,
  onReplyDone,
  notice,
  onDismissNotice,
}: {
  chatId: string;
  /** The message being edited: the composer holds its text until saved or cancelled. */
  editing: Message | null;
  onEditDone: () => void;
  /** The message the next one answers. */
  replying: Message | null;
  replyingName: string;
  onReplyDone: () => void;
  notice: Notice | null;
  onDismissNotice: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  // What was being written before an edit began comes back after it.
  const [draft, setDraft] = useState('');
  const [wasEditing, setWasEditing] = useState<Message | null>(null);
  if (editing !== wasEditing) {
    setWasEditing(editing);
    setError(null);
    if (editing) {
      if (!wasEditing) setDraft(text);
      setText(editing.text);
    } else {
      setText(draft);
      setDraft('');
    }
  }

  useEffect(() => {
    const area = ref.current;
    if (!editing || !area) return;
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }, [editing]);

  useEffect(() => {
    if (replying) ref.current?.focus();
  }, [replying]);

  useEffect(() => {
    // Focus the composer when a chat opens on a device with a keyboard (not on phones, where the
    // on-screen keyboard would cover the messages).
    if (window.matchMedia('(min-width: 900px)').matches) ref.current?.focus();
    setText('');
    setDraft('');
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
    if (!value || saving) return;
    if (isMessageTextTooLong(value)) {
      setError(
        t('errors.TEXT_TOO_LONG', { max: LIMITS.MESSAGE_TEXT_MAX.toLocaleString(i18n.language) }),
      );
      return;
    }
    setError(null);
    onDismissNotice();
    if (editing) {
      if (value === editing.text) {
        onEditDone();
        return;
      }
      setSaving(true);
      store
        .editMessage(chatId, editing.seq, value)
        .then(onEditDone, (failure: unknown) =>
          setError(messageActionErrorText(t, failure, i18n.language, 'edit')),
        )
        .finally(() => setSaving(false));
      return;
    }
    store.send(chatId, value, replying?.seq);
    setText('');
    if (replying) onReplyDone();
  };

  // Picked files go at once (KakaoTalk's way), with what was typed as their caption.
  const onPick = (picked: File[]) => {
    if (picked.length === 0) return;
    const caption = text.trim();
    if (isMessageTextTooLong(caption)) {
      setError(
        t('errors.TEXT_TOO_LONG', { max: LIMITS.MESSAGE_TEXT_MAX.toLocaleString(i18n.language) }),
      );
      return;
    }
    const tooLarge = oversize(picked);
    const max = formatBytes(LIMITS.FILE_MAX_BYTES, i18n.language);
    setError(
      tooLarge.length === 0
        ? null
        : tooLarge.length === 1
          ? t('files.fileTooLarge', { name: tooLarge[0]!.name, max })
          : t('files.filesTooLarge', { count: tooLarge.length, max }),
    );
    const files = picked.filter((file) => !tooLarge.includes(file));
    if (files.length === 0) return;
    onDismissNotice();
    attach(chatId, files, caption, replying?.seq);
    setText('');
    if (replying) onReplyDone();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape' && (editing || replying)) {
      event.preventDefault();
      if (editing) onEditDone();
      else onReplyDone();
      return;
    }
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
      {notice && (
        <div className={notice.error ? 'composer-error chat-notice' : 'chat-notice'} role="alert">
          <span className="chat-notice-text">{notice.text}</span>
          {notice.error && (
            <button
              type="button"
              className="chat-notice-close"
              onClick={onDismissNotice}
              aria-label={t('common.close')}
              title={t('common.close')}
            >
              <Icon name="close" size={16} />
            </button>
          )}
        </div>
      )}
      {editing && (
        <ComposerBar
          icon="edit"
          title={t('chat.editing')}
          detail={editing.text}
          cancelLabel={t('chat.cancelEdit')}
          onCancel={onEditDone}
        />
      )}
      {replying && !editing && (
        <ComposerBar
          kind="replying"
          icon="reply"
          title={t('chat.replyingTo', { name: replyingName })}
          detail={replying.deletedAt ? t('chat.quoteDeleted') : snippet(t, replying)}
          cancelLabel={t('chat.cancelReply')}
          onCancel={onReplyDone}
        />
      )}
      <div className="composer-row">
        {!editing && (
          <>
            <button
              type="button"
              className="attach-button"
              onClick={() => picker.current?.click()}
              aria-label={t('files.attach')}
              title={t('files.attach')}
            >
              <Icon name="attach" />
            </button>
            <input
              ref={picker}
              className="visually-hidden attach-input"
              type="file"
              multiple
              tabIndex={-1}
              aria-hidden="true"
              onChange={(event) => {
                onPick([...(event.target.files ?? [])]);
                event.target.value = '';
              }}
            />
          </>
        )}
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
            if (e.target.value.trim() && !editing) store.typing(chatId);
          }}
          onKeyDown={onKeyDown}
        />
        <button
          type="submit"
          className="send-button"
          disabled={!text.trim() || saving}
          aria-label={editing ? t('chat.saveEdit') : t('chat.send')}
          title={editing ? t('chat.saveEdit') : t('chat.send')}
        >
          <Icon name={editing ? 'check' : 'send'} />
        </button>
      </div>
    </form>
  );
}

/** Files being uploaded before their message is sent: a bar per file, and retry or cancel. */
function UploadRow({ batch }: { batch: UploadBatch }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const failed = batch.items.find((item) => item.status === 'failed');
  return (
    <div className="message-row mine upload-row" data-upload={failed ? 'failed' : 'uploading'}>
      <div className="message-line">
        <div className="message-body">
          <div className="message-bubble-line">
            <div className="bubble upload-bubble">
              <ul className="upload-list" aria-label={t('files.uploading')}>
                {batch.items.map((item) => {
                  const total = item.file.size || 1;
                  return (
                    <li key={item.key} className={`upload-item ${item.status}`}>
                      <span className="upload-name">{item.file.name}</span>
                      <span className="upload-size">{formatBytes(item.file.size, lng)}</span>
                      {item.status !== 'failed' && (
                        <progress
                          className="upload-progress"
                          max={total}
                          value={item.status === 'done' ? total : item.sent}
                          aria-label={t('files.progress', { name: item.file.name })}
                        />
                      )}
                    </li>
                  );
                })}
              </ul>
              {failed && (
                <p className="upload-error" role="alert">
                  <Icon name="alert" size={14} /> {uploadErrorText(t, failed.error, lng)}
                </p>
              )}
              {batch.caption && <MessageText text={batch.caption} />}
            </div>
            <div className="message-meta">
              {failed ? (
                <span className="failed">
                  <button
                    type="button"
                    className="tiny-button upload-retry"
                    onClick={() => retryBatch(batch.id)}
                  >
                    {t('common.retry')}
                  </button>
                  <button
                    type="button"
                    className="tiny-button upload-cancel"
                    onClick={() => cancelBatch(batch.id)}
                  >
                    {t('common.cancel')}
                  </button>
                </span>
              ) : (
                <>
                  <span className="pending-icon" role="img" aria-label={t('files.uploading')}>
                    <Icon name="clock" size={14} />
                  </span>
                  <button
                    type="button"
                    className="tiny-button upload-cancel"
                    onClick={() => cancelBatch(batch.id)}
                  >
                    {t('common.cancel')}
                  </button>
                </>
              )}
            </div>
          </div>
        </div>
      </div>
    </div>
  );
}

/** Why an upload failed, in words about files (a corrupt photo, too large, no longer a member). */
function uploadErrorText(t: TFunction, code: string | undefined, lng: string): string {
  if (code === 'PAYLOAD_TOO_LARGE') {
    return t('files.tooLarge', { max: formatBytes(LIMITS.FILE_MAX_BYTES, lng) });
  }
  if (code === 'INVALID_PARAMS') return t('files.invalid');
  return errorCodeText(t, code, lng);
}

/** The bar above the composer while editing a message or replying to one, with its cancel. */
function ComposerBar(props: {
  kind?: 'replying';
  icon: 'edit' | 'reply';
  title: string;
  detail: string;
  cancelLabel: string;
  onCancel: () => void;
}) {
  const replying = props.kind === 'replying';
  return (
    <div className={replying ? 'editing-bar replying-bar' : 'editing-bar'}>
      <span className="editing-icon" aria-hidden="true">
        <Icon name={props.icon} size={18} />
      </span>
      <span className="editing-text">
        <span className="editing-title">{props.title}</span>
        <span className="editing-original">{props.detail}</span>
      </span>
      <button
        type="button"
        className={
          replying ? 'icon-button editing-cancel replying-cancel' : 'icon-button editing-cancel'
        }
        onClick={props.onCancel}
        aria-label={props.cancelLabel}
        title={props.cancelLabel}
      >
        <Icon name="close" size={20} />
      </button>
    </div>
  );
}

/** The time now, again every `everyMs` while `running` (for "last seen 5 minutes ago"). */
function useNow(everyMs: number, running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs, running]);
  return now;
}
