import type { OpenChatSummary } from '@tokki/protocol';
import { LIMITS } from '@tokki/protocol';
import { useEffect, useEffectEvent, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../components/Avatar';
import { Icon } from '../components/Icon';
import { TopBar } from '../components/TopBar';
import { useEscape } from '../lib/escape';
import { errorText } from '../lib/errors';
import { goBack, navigate } from '../lib/router';
import { store, useAppState } from '../lib/store';

const DEBOUNCE_MS = 250;

/** Listed open chats, biggest first, found by a word of their title; and a way to make one. */
export default function OpenChats() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const [input, setInput] = useState('');
  const [results, setResults] = useState<{ query: string; chats: OpenChatSummary[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const connected = useAppState((s) => s.connection === 'synced');
  useEscape(() => goBack());

  const run = async (query: string) => {
    const ticket = ++latest.current;
    setError(null);
    try {
      const { chats } = await store.client!.call('open.search', {
        ...(query && { query }),
        limit: LIMITS.OPEN_SEARCH_MAX,
      });
      if (ticket === latest.current) setResults({ query, chats });
    } catch (e) {
      if (ticket === latest.current) setError(errorText(t, e, lng));
    }
  };

  const query = input.trim();
  const search = useEffectEvent((query: string) => void run(query));
  useEffect(() => {
    const timer = setTimeout(() => search(query), query ? DEBOUNCE_MS : 0);
    return () => clearTimeout(timer);
    // A changed query, or the connection coming back, searches again.
  }, [query, connected]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void run(query);
  };

  return (
    <section className="screen sub-screen open-chats-screen" aria-labelledby="open-chats-title">
      <TopBar
        title={<span id="open-chats-title">{t('openChat.searchTitle')}</span>}
        onBack={() => goBack()}
        actions={
          <button
            type="button"
            className="icon-button action-create-open"
            onClick={() => navigate({ name: 'newOpen' })}
            aria-label={t('openChat.create')}
            title={t('openChat.create')}
          >
            <Icon name="plus" />
          </button>
        }
      />
      <form className="search-form" role="search" onSubmit={onSubmit}>
        <label className="search-box">
          <Icon name="search" size={20} />
          <input
            className="search-input"
            type="search"
            name="query"
            value={input}
            onChange={(event) => setInput(event.target.value)}
            placeholder={t('openChat.searchPlaceholder')}
            aria-label={t('openChat.searchLabel')}
            enterKeyHint="search"
            autoComplete="off"
          />
        </label>
      </form>
      <div className="scroll-body">
        {error ? (
          <div className="search-status" role="alert">
            <p className="form-error search-error">{error}</p>
            <button
              type="button"
              className="button secondary small"
              onClick={() => void run(query)}
            >
              {t('common.retry')}
            </button>
          </div>
        ) : !results ? (
          <div className="placeholder" role="status">
            <span className="spinner" aria-hidden="true" />
            <span className="visually-hidden">{t('app.loading')}</span>
          </div>
        ) : results.chats.length === 0 ? (
          <div className="empty" role="status">
            <div className="empty-icon" aria-hidden="true">
              <Icon name="compass" size={40} />
            </div>
            <p className="empty-text">
              {results.query
                ? t('openChat.noResults', { query: results.query })
                : t('openChat.noneListed')}
            </p>
            <button type="button" className="button" onClick={() => navigate({ name: 'newOpen' })}>
              {t('openChat.create')}
            </button>
          </div>
        ) : (
          <ul className="open-results" aria-label={t('openChat.searchTitle')}>
            {results.chats.map((chat) => (
              <OpenChatRow key={chat.id} chat={chat} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function OpenChatRow({ chat }: { chat: OpenChatSummary }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  // A room the user is in already opens; another shows what it is, to join.
  const joined = useAppState((s) => s.chats[chat.id] !== undefined);
  const href = joined
    ? `/chats/${encodeURIComponent(chat.id)}`
    : `/open/${encodeURIComponent(chat.id)}`;
  return (
    <li>
      <a
        className="open-row"
        href={href}
        data-chat-id={chat.id}
        onClick={(event) => {
          if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          navigate(
            joined ? { name: 'chat', chatId: chat.id } : { name: 'openChat', chatId: chat.id },
          );
        }}
      >
        <Avatar id={chat.id} name={chat.title} size={50} />
        <span className="open-row-main">
          <span className="open-row-title">{chat.title}</span>
          {chat.description && <span className="open-row-description">{chat.description}</span>}
          <span className="open-row-members">
            <Icon name="group" size={14} />
            {t('openChat.members', {
              shown: chat.memberCount.toLocaleString(lng),
              limit: chat.memberLimit.toLocaleString(lng),
            })}
          </span>
        </span>
      </a>
    </li>
  );
}
