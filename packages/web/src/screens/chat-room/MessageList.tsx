import { useUploads } from '../../lib/uploads';
import type { Chat, Member, Message, Reaction } from '@tokki/protocol';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import { Icon } from '../../components/Icon';
import { chatTitle, selfIdIn } from '../../lib/chat';
import { takeFocus } from '../../lib/message-focus';
import { findMessage } from '@tokki/sdk';
import { store, useAppState, type History, type SystemLine } from '../../lib/store';
import type { Item } from './shared';
import { MessageRow } from './MessageRow';
import { SystemRow } from './SystemRow';
import { UploadRow } from './UploadRow';

/** Virtuoso counts item positions from here, so that prepending older pages keeps the scroll. */
const FIRST_INDEX_BASE = 1_000_000_000;

const EMPTY_HISTORY: History = { messages: [], olderCursor: undefined, loadingOlder: false };

const EMPTY_MEMBERS: Record<string, Member> = {};

const NO_LINES: SystemLine[] = [];

export function MessageList({
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
  }, [focusIndex, focusSeq]);
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

/** Room below the newest message, so that it does not touch the composer. */
function ListFooter() {
  return <div className="list-footer" />;
}
