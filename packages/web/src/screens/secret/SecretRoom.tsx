import type { SecretTimer } from '@tokki/protocol';
import {
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type FormEvent,
} from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../../components/Avatar';
import { ConnectionBanner } from '../../components/ConnectionBanner';
import { Icon } from '../../components/Icon';
import { TopBar } from '../../components/TopBar';
import { memberName, secretChatTitle } from '../../lib/chat';
import { formatTime } from '../../lib/format';
import { dismissible, useModal } from '../../lib/modal';
import { goBack, navigate } from '../../lib/router';
import { secretSession, useSecretSession } from '../../lib/secret-loader';
import {
  secretTimeline,
  TIMER_CHOICES,
  timerKey,
  type SecretLine,
} from '../../lib/secret/timeline';
import { secretStartErrorText } from '../../lib/secret-errors';
import { store, useAppState } from '../../lib/store';
import './secret.css';

/**
 * A secret chat: decrypted in this browser only, with a dark header and a lock, the
 * self-destruct timer, and a way to the verification screen. Messages are shown from the secret
 * client's own store; the app's state (and its cache) only counts them.
 */
export default function SecretRoom({ chatId }: { chatId: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const chat = useAppState((s) => s.chats[chatId]);
  const members = useAppState((s) => s.members[chatId]);
  const friends = useAppState((s) => s.friends);
  const me = useAppState((s) => s.me);
  const session = useSecretSession();
  const [failure, setFailure] = useState<{ error: unknown } | null>(null);
  const failed = failure && secretStartErrorText(t, failure.error);
  const [synced, setSynced] = useState(false);
  const [timerMenu, setTimerMenu] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    store.openChat(chatId);
    return () => store.openChat(null);
  }, [chatId]);

  // Opened at once (not at idle time) when a secret chat is on screen.
  useEffect(() => {
    secretSession()
      .then(
        (s) => s.client.sync().catch(() => {}),
        (error: unknown) => setFailure({ error }),
      )
      .finally(() => setSynced(true));
  }, []);

  const has = session?.has(chatId) ?? false;
  const history = useMemo(
    () => (session && has ? session.history(chatId) : []),
    // The session's version changes whenever its history may have.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [session, session?.version, has, chatId],
  );
  const lines = useMemo(
    () => secretTimeline(history, session?.notes(chatId) ?? [], me?.id ?? ''),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [history, session, session?.version, chatId, me?.id],
  );
  const summary = session?.client.chats().find((c) => c.chatId === chatId);
  const timer: SecretTimer = summary?.timer ?? 0;
  const closed = summary?.closed ?? false;

  // What is on screen is read: the counters go, and self-destruct starts counting.
  useEffect(() => {
    if (!session || !has) return;
    const read = () => {
      if (document.visibilityState !== 'visible') return;
      store.markOpenChatRead();
      void session.client.markRead(chatId).catch(() => {});
    };
    read();
    document.addEventListener('visibilitychange', read);
    window.addEventListener('focus', read);
    return () => {
      document.removeEventListener('visibilitychange', read);
      window.removeEventListener('focus', read);
    };
  }, [session, has, chatId, history]);

  const scroller = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);

  const name = (userId: string) =>
    chat ? memberName(userId, chat, members, friends, me, t) : t('chat.unknownUser');
  const peerIds = session?.peerIds(chatId) ?? [];
  const title = chat ? secretChatTitle(chat, t, peerIds, friends, members) : t('secret.title');
  const peerId = chat && !chat.title && peerIds.length === 1 ? peerIds[0] : undefined;
  const timerText = timer === 0 ? t('secret.timerOff') : t(timerKey(timer));

  const chooseTimer = (value: SecretTimer) => {
    setTimerMenu(false);
    if (!session || value === timer) return;
    setError(null);
    session.client.setTimer(chatId, value).then(
      () => session.touch(),
      () => setError(t('secret.sendFailed')),
    );
  };

  const ready = session !== undefined && has;
  const status = failed
    ? failed
    : !session || (!has && !synced)
      ? t('secret.opening')
      : !has
        ? t('secret.notHere')
        : undefined;

  return (
    <section className="screen chat-room secret-room" aria-labelledby="secret-room-title">
      <TopBar
        onBack={() => goBack()}
        backClassName="mobile-only"
        leading={
          <Avatar
            id={peerId ?? chatId}
            name={title}
            photo={peerId ? friends[peerId]?.user.photo : undefined}
            size={36}
          />
        }
        title={
          <span id="secret-room-title" className="chat-room-title">
            <span className="secret-lock" role="img" aria-label={t('secret.label')}>
              <Icon name="lock" size={15} />
            </span>
            <span className="chat-room-title-text">{title}</span>
          </span>
        }
        subtitle={
          timer !== 0 && (
            <span className="secret-timer-state">
              <Icon name="clock" size={13} /> {timerText}
            </span>
          )
        }
        actions={
          ready && (
            <>
              <button
                type="button"
                className="icon-button action-timer"
                onClick={() => setTimerMenu(true)}
                disabled={closed}
                aria-label={t('secret.timerButton', { time: timerText })}
                title={t('secret.timerButton', { time: timerText })}
              >
                <Icon name="clock" />
              </button>
              <button
                type="button"
                className="icon-button action-verify"
                onClick={() => {
                  // With one other person, straight to them; in a group, pick whom first.
                  const only = peerIds.length === 1 ? peerIds[0] : undefined;
                  navigate({ name: 'verify', chatId, ...(only && { userId: only }) });
                }}
                aria-label={t('secret.verify')}
                title={t('secret.verify')}
              >
                <Icon name="shield" />
              </button>
            </>
          )
        }
      />
      <ConnectionBanner />
      <div className="secret-messages" ref={scroller}>
        <p className="secret-notice">
          <Icon name="lock" size={14} /> {t('secret.notice')}
        </p>
        {status && (
          <p className="empty-text secret-status" role="status">
            {status}
          </p>
        )}
        {lines.map((line, i) => (
          <Line
            key={line.key}
            line={line}
            name={name}
            lng={lng}
            sameSender={sameSender(lines[i - 1], line)}
          />
        ))}
        {closed && (
          <p className="secret-service" role="status">
            {t('secret.closed')}
          </p>
        )}
      </div>
      {ready && !closed && <SecretComposer chatId={chatId} error={error} onError={setError} />}
      <TimerMenu
        open={timerMenu}
        current={timer}
        onChoose={chooseTimer}
        onClose={() => setTimerMenu(false)}
      />
    </section>
  );
}

/** Whether a text follows another text of the same sender (its name is not shown again). */
function sameSender(previous: SecretLine | undefined, line: SecretLine): boolean {
  return (
    previous?.kind === 'text' &&
    line.kind === 'text' &&
    previous.message.senderId === line.message.senderId
  );
}

function Line(props: {
  line: SecretLine;
  name: (id: string) => string;
  lng: string;
  sameSender: boolean;
}) {
  const { line, name, lng } = props;
  const { t } = useTranslation();
  if (line.kind === 'timer') {
    const time = line.timer === 0 ? '' : t(timerKey(line.timer));
    const text =
      line.timer === 0
        ? line.mine
          ? t('secret.timerOffMe')
          : t('secret.timerOffBy', { name: name(line.senderId) })
        : line.mine
          ? t('secret.timerSetMe', { time })
          : t('secret.timerSet', { name: name(line.senderId), time });
    return (
      <p className="secret-service" data-kind="timer">
        <Icon name="clock" size={13} /> {text}
      </p>
    );
  }
  if (line.kind === 'keyChange') {
    const key = line.wasVerified ? 'secret.keyChangedVerified' : 'secret.keyChanged';
    return (
      <p className="secret-service secret-warning" data-kind="key-change" role="alert">
        <Icon name="alert" size={13} /> {t(key, { name: name(line.userId) })}
      </p>
    );
  }
  if (line.kind === 'members') {
    const key = `secret.members.${line.change}${line.mine ? 'Me' : ''}` as const;
    const icon = line.change === 'newDevice' || line.change === 'deviceRemoved' ? 'device' : 'user';
    return (
      <p className="secret-service" data-kind="members" data-change={line.change}>
        <Icon name={icon} size={13} /> {t(key, { name: name(line.userId) })}
      </p>
    );
  }
  const { message, mine } = line;
  return (
    <div
      className={`secret-message ${mine ? 'mine' : 'theirs'}${props.sameSender ? ' same-sender' : ''}`}
      data-seq={message.seq}
    >
      {!mine && !props.sameSender && (
        <span className="secret-sender">{name(message.senderId)}</span>
      )}
      <div className="secret-bubble-line">
        <p className="secret-bubble">
          {!mine && (
            <span className="visually-hidden">
              {t('chat.senderSaid', { name: name(message.senderId) })}{' '}
            </span>
          )}
          {line.text}
        </p>
        <span className="secret-meta">
          {line.timer !== 0 && (
            <span className="secret-meta-timer" title={t(timerKey(line.timer))}>
              <Icon name="clock" size={11} />
              <span className="visually-hidden">{t(timerKey(line.timer))}</span>
            </span>
          )}
          <time dateTime={new Date(message.sentAt).toISOString()}>
            {formatTime(message.sentAt, lng)}
          </time>
        </span>
      </div>
    </div>
  );
}

function SecretComposer(props: {
  chatId: string;
  error: string | null;
  onError: (text: string | null) => void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const value = text.trim();
    if (!value || sending) return;
    setSending(true);
    props.onError(null);
    setText('');
    secretSession()
      // The client tells of messages it receives, not of its own: the room is told here.
      .then(async (s) => {
        await s.client.send(props.chatId, value);
        s.touch();
      })
      .catch(() => {
        // Nothing was sent: the text comes back to try again.
        setText((current) => current || value);
        props.onError(t('secret.sendFailed'));
      })
      .finally(() => setSending(false));
  };
  return (
    <form className="composer" onSubmit={submit}>
      {props.error && (
        <p className="composer-error" role="alert">
          {props.error}
        </p>
      )}
      <div className="composer-row">
        <textarea
          className="composer-input"
          rows={1}
          value={text}
          placeholder={t('chat.composer')}
          aria-label={t('chat.composer')}
          enterKeyHint="send"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <button
          type="submit"
          className="send-button"
          disabled={!text.trim() || sending}
          aria-label={t('chat.send')}
          title={t('chat.send')}
        >
          <Icon name="send" />
        </button>
      </div>
    </form>
  );
}

/** The self-destruct timer's choices, the current one checked. */
function TimerMenu(props: {
  open: boolean;
  current: SecretTimer;
  onChoose: (timer: SecretTimer) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const ref = useModal(props.open, '[aria-checked="true"]');
  const titleId = useId();
  return (
    <dialog
      ref={ref}
      className="dialog message-menu secret-timer-menu"
      aria-labelledby={titleId}
      {...dismissible(ref, props.onClose)}
    >
      <div className="secret-timer-head">
        <p id={titleId} className="secret-timer-title">
          {t('secret.timer')}
        </p>
        <p className="secret-timer-hint">{t('secret.timerHint')}</p>
      </div>
      <div role="menu" aria-labelledby={titleId}>
        {TIMER_CHOICES.map((value) => {
          const chosen = value === props.current;
          return (
            <button
              key={value}
              type="button"
              role="menuitemradio"
              aria-checked={chosen}
              className={`message-menu-item secret-timer-item${chosen ? ' chosen' : ''}`}
              data-timer={value}
              onClick={() => props.onChoose(value)}
            >
              <span>{value === 0 ? t('secret.timerOff') : t(timerKey(value))}</span>
              {chosen && <Icon name="check" size={20} />}
            </button>
          );
        })}
      </div>
    </dialog>
  );
}
