import { LIMITS, type Chat, type Message } from '@tokki/protocol';
import { useEffect, useEffectEvent, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../components/Avatar';
import { Icon } from '../components/Icon';
import { TopBar } from '../components/TopBar';
import { chatTitle, memberName, memberProfile, selfIdIn } from '../lib/chat';
import { searchErrorText } from '../lib/errors';
import { useEscape } from '../lib/escape';
import { formatListTime } from '../lib/format';
import { aroundFirstMatch, highlight } from '../lib/highlight';
import { focusOnOpen } from '../lib/message-focus';
import { goBack, navigate } from '../lib/router';
import { store, useAppState } from '../lib/store';

/** Typing pauses this long before the query is sent. */
const DEBOUNCE_MS = 300;
const PAGE = 30;

/** What the server answered for one query: kept per scope, so Back from a chat shows it again. */
interface Results {
  query: string;
  messages: Message[];
  cursor: string | null;
}

const remembered = new Map<string, Results>();

type Status = 'idle' | 'loading' | 'loadingMore' | 'done' | 'error';

/** Finds messages by text in every chat of the user's, or in one (`chatId`). */
export default function Search({ chatId }: { chatId?: string | undefined }) {
  const { t, i18n } = useTranslation();
  const scope = chatId ?? '';
  const chat = useAppState((s) => (chatId ? s.chats[chatId] : undefined));
  const friends = useAppState((s) => s.friends);
  const [input, setInput] = useState(() => remembered.get(scope)?.query ?? '');
  const [results, setResults] = useState<Results | null>(() => remembered.get(scope) ?? null);
  const [status, setStatus] = useState<Status>(() => (remembered.has(scope) ? 'done' : 'idle'));
  const [error, setError] = useState<string | null>(null);
  // Answers to an older query than the newest asked are dropped.
  const asked = useRef(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const back = () => goBack(chatId ? { name: 'chat', chatId } : { name: 'list' });
  useEscape(back);

  const run = async (query: string, cursor?: string) => {
    const client = store.client;
    const id = ++asked.current;
    if (!query) {
      remembered.delete(scope);
      setResults(null);
      setStatus('idle');
      setError(null);
      return;
    }
    if ([...query].length > LIMITS.SEARCH_QUERY_MAX) {
      setStatus('error');
      setError(t('search.tooLong', { max: LIMITS.SEARCH_QUERY_MAX.toLocaleString(i18n.language) }));
      return;
    }
    setStatus(cursor ? 'loadingMore' : 'loading');
    setError(null);
    try {
      if (!client) throw new Error('signed out');
      const page = await client.call('messages.search', {
        query,
        limit: PAGE,
        ...(chatId && { chatId }),
        ...(cursor && { cursor }),
      });
      if (id !== asked.current) return;
      setResults((previous) => {
        const next: Results = {
          query,
          messages: cursor && previous ? [...previous.messages, ...page.messages] : page.messages,
          cursor: page.cursor,
        };
        remembered.set(scope, next);
        return next;
      });
      setStatus('done');
    } catch (failure) {
      if (id !== asked.current) return;
      setStatus('error');
      setError(searchErrorText(t, failure, i18n.language));
    }
  };

  // Search as the user types, once they pause.
  const query = input.trim();
  // Only a changed query starts a search; `run` and the results are read as they are then.
  const alreadyShown = useEffectEvent(
    (query: string) => results?.query === query && status !== 'error',
  );
  const search = useEffectEvent((query: string) => void run(query));
  useEffect(() => {
    if (alreadyShown(query)) return;
    const timer = setTimeout(() => search(query), query ? DEBOUNCE_MS : 0);
    return () => clearTimeout(timer);
  }, [query]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    inputRef.current?.blur();
    void run(query);
  };

  const title = chatId
    ? t('search.inChat', { name: chat ? chatTitle(chat, t, friends) : '' })
    : t('search.title');
  const shown = results && results.query === query ? results : null;

  return (
    <section className="screen sub-screen search-screen" aria-labelledby="search-title">
      <TopBar title={<span id="search-title">{title}</span>} onBack={back} />
      <form className="search-form" role="search" onSubmit={onSubmit}>
        <label className="search-box">
          <Icon name="search" size={20} />
          <input
            ref={inputRef}
            className="search-input"
            type="search"
            name="query"
            value={input}
            onChange={(event) => setInput(event.target.value)}
            placeholder={chatId ? t('search.placeholderChat') : t('search.placeholder')}
            aria-label={t('search.placeholder')}
            enterKeyHint="search"
            autoComplete="off"
            // A search screen is opened to type into.
            autoFocus
          />
          {input && (
            <button
              type="button"
              className="icon-button search-clear"
              onClick={() => {
                setInput('');
                inputRef.current?.focus();
              }}
              aria-label={t('search.clear')}
              title={t('search.clear')}
            >
              <Icon name="close" size={18} />
            </button>
          )}
        </label>
      </form>
      <div className="scroll-body">
        <SearchBody
          query={query}
          results={shown}
          status={status}
          error={error}
          inChat={chatId !== undefined}
          onRetry={() =>
            void run(query, status === 'error' && shown ? (shown.cursor ?? undefined) : undefined)
          }
          onMore={() => shown?.cursor && void run(shown.query, shown.cursor)}
        />
      </div>
    </section>
  );
}

function SearchBody(props: {
  query: string;
  results: Results | null;
  status: Status;
  error: string | null;
  inChat: boolean;
  onRetry: () => void;
  onMore: () => void;
}) {
  const { t } = useTranslation();
  const { results, status } = props;
  if (!props.query) {
    return (
      <div className="empty">
        <div className="empty-icon" aria-hidden="true">
          <Icon name="search" size={40} />
        </div>
        <p className="empty-text">{props.inChat ? t('search.hintChat') : t('search.hint')}</p>
      </div>
    );
  }
  const errorBox = props.error && (
    <div className="search-status" role="alert">
      <p className="form-error search-error">{props.error}</p>
      <button type="button" className="button secondary small" onClick={props.onRetry}>
        {t('common.retry')}
      </button>
    </div>
  );
  if (!results) {
    if (status === 'error') return errorBox;
    return (
      <div className="placeholder" role="status">
        <span className="spinner" aria-hidden="true" />
        <span className="visually-hidden">{t('search.searching')}</span>
      </div>
    );
  }
  if (results.messages.length === 0) {
    return (
      <div className="empty" role="status">
        <div className="empty-icon" aria-hidden="true">
          <Icon name="search" size={40} />
        </div>
        <p className="empty-title">{t('search.noResults')}</p>
        <p className="empty-text">{t('search.noResultsHint', { query: results.query })}</p>
      </div>
    );
  }
  return (
    <>
      <p className="visually-hidden" role="status">
        {results.cursor
          ? t('search.resultsMore', { count: results.messages.length })
          : t('search.results', { count: results.messages.length })}
      </p>
      <ul className="search-results" aria-label={t('search.resultsLabel')}>
        {results.messages.map((message) => (
          <ResultRow
            key={`${message.chatId}:${message.seq}`}
            message={message}
            query={results.query}
            inChat={props.inChat}
          />
        ))}
      </ul>
      {errorBox}
      {results.cursor && !props.error && (
        <div className="search-more">
          <button
            type="button"
            className="button secondary small search-more-button"
            onClick={props.onMore}
            disabled={status === 'loadingMore'}
          >
            {status === 'loadingMore' ? t('app.loading') : t('search.more')}
          </button>
        </div>
      )}
    </>
  );
}

/** Group members are loaded once per chat for the senders' names. */
const membersAsked = new Set<string>();

function ResultRow({
  message,
  query,
  inChat,
}: {
  message: Message;
  query: string;
  inChat: boolean;
}) {
  const { t, i18n } = useTranslation();
  const chat: Chat | undefined = useAppState((s) => s.chats[message.chatId]);
  const friends = useAppState((s) => s.friends);
  const myId = useAppState((s) => selfIdIn(chat, s.me?.id));
  const members = useAppState((s) => s.members[message.chatId]);
  const member = members?.[message.senderId];
  const mine = message.senderId === myId;
  const friend = chat?.kind === 'open' ? undefined : friends[message.senderId];
  const senderUser = chat && memberProfile(message.senderId, chat, members);
  const needsMembers = !mine && !friend && !member && chat !== undefined && chat.kind !== 'direct';
  useEffect(() => {
    if (!needsMembers || membersAsked.has(message.chatId)) return;
    membersAsked.add(message.chatId);
    void store.loadMembers(message.chatId);
  }, [needsMembers, message.chatId]);

  const sender = mine
    ? t('common.you')
    : chat
      ? memberName(message.senderId, chat, members, friends, undefined, t)
      : t('chat.unknownUser');
  const title = chat ? chatTitle(chat, t, friends) : '';
  const parts = useMemo(() => aroundFirstMatch(highlight(message.text, query)), [message, query]);
  const href = `/chats/${encodeURIComponent(message.chatId)}`;
  return (
    <li>
      <a
        className="search-result"
        href={href}
        data-chat-id={message.chatId}
        data-seq={message.seq}
        onClick={(event) => {
          if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          focusOnOpen(message.chatId, message.seq);
          navigate({ name: 'chat', chatId: message.chatId });
        }}
      >
        {inChat ? (
          <Avatar id={message.senderId} name={sender} photo={senderUser?.photo} size={40} />
        ) : (
          <Avatar
            id={chat?.peer?.id ?? message.chatId}
            name={title}
            photo={chat?.peer?.photo}
            size={44}
          />
        )}
        <span className="search-result-main">
          <span className="search-result-top">
            <span className="search-result-chat">{inChat ? sender : title}</span>
            <time
              className="search-result-time"
              dateTime={new Date(message.createdAt).toISOString()}
            >
              {formatListTime(message.createdAt, i18n.language)}
            </time>
          </span>
          {!inChat && <span className="search-result-sender">{sender}</span>}
          <span className="search-result-text">
            {parts.map((part, index) =>
              part.match ? (
                <mark key={index}>{part.text}</mark>
              ) : (
                <span key={index}>{part.text}</span>
              ),
            )}
          </span>
        </span>
      </a>
    </li>
  );
}
