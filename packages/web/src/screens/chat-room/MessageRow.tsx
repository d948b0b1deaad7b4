import type { Chat, Member, Message, Reaction } from '@tokki/protocol';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../../components/Avatar';
import { Icon } from '../../components/Icon';
import { LinkPreviewCard } from '../../components/LinkPreviewCard';
import { MessageFiles } from '../../components/MessageFiles';
import { MessageText } from '../../components/MessageText';
import { memberName, memberProfile } from '../../lib/chat';
import { errorCodeText } from '../../lib/errors';
import { dayKey, formatDay, formatTime } from '../../lib/format';
import { unreadCounter } from '@tokki/sdk';
import { store, useAppState } from '../../lib/store';
import type { Item } from './shared';
import { Quote } from './Quote';
import { ReactionChips } from './ReactionChips';
import { useLongPress } from './use-long-press';

/** Messages by one sender closer together than this share one group (name and avatar once). */
const GROUP_GAP_MS = 5 * 60 * 1000;

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

export const MessageRow = memo(function MessageRow(props: {
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
