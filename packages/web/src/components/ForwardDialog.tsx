import { LIMITS, type Chat, type Message } from '@tokki/protocol';
import { newClientMsgId, TokkiError } from '@tokki/sdk';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { chatTitle, forwardTargets } from '../lib/chat';
import { errorText, messageActionErrorText } from '../lib/errors';
import { messageSummary } from '../lib/files';
import { store, useAppState } from '../lib/store';
import { Avatar } from './Avatar';
import { Icon } from './Icon';
import { dismissible, useModal } from '../lib/modal';

const MAX = LIMITS.FORWARD_TARGETS_MAX;

/**
 * "Forward to": the user's chats with a search box, up to ten chosen, forwarded all at once (the
 * server makes all the copies or none). The list is the one there was when it opened, so that
 * rows do not move under a finger; a chat the user has left meanwhile fails the whole forward,
 * which is said, and the list is refreshed to choose again.
 */
export default function ForwardDialog(props: {
  message: Message;
  onDone: (count: number) => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  // Shown for as long as it is mounted.
  const ref = useModal(true);
  const titleId = useId();
  const friends = useAppState((s) => s.friends);
  const [chats, setChats] = useState<Chat[]>(() => Object.values(store.state.chats));
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // One id for every try: a retry after a lost answer gets the copies already made.
  const [clientMsgId] = useState(newClientMsgId);

  const shown = forwardTargets(chats, query, t, friends);
  const full = chosen.length >= MAX;

  const toggle = (chatId: string) => {
    setError(null);
    setChosen((current) =>
      current.includes(chatId)
        ? current.filter((id) => id !== chatId)
        : current.length < MAX
          ? [...current, chatId]
          : current,
    );
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen.length === 0 || busy) return;
    setBusy(true);
    setError(null);
    const { message } = props;
    store.forward(message.chatId, message.seq, chosen, clientMsgId).then(
      () => props.onDone(chosen.length),
      async (failure: unknown) => {
        if (failure instanceof TokkiError && failure.code === 'NOT_MEMBER') {
          setError(t('forward.notMember'));
          // Drop the chats the user is no longer in, and what was chosen of them.
          await store.refreshChats();
          const current = store.state.chats;
          setChats((list) => list.filter((chat) => current[chat.id]));
          setChosen((list) => list.filter((id) => current[id]));
        } else if (failure instanceof TokkiError && failure.code === 'CONFLICT') {
          setError(messageActionErrorText(t, failure, lng, 'react'));
        } else {
          setError(errorText(t, failure, lng));
        }
        setBusy(false);
      },
    );
  };

  const preview = props.message.text.trim() || messageSummary(t, props.message);
  return (
    <dialog
      ref={ref}
      className="dialog forward-dialog"
      aria-labelledby={titleId}
      {...dismissible(ref, props.onClose)}
    >
      <form className="forward-form" onSubmit={submit}>
        <div className="forward-head">
          <h2 id={titleId} className="forward-title">
            {t('forward.title')}
          </h2>
          <span
            className={`forward-count${full ? ' full' : ''}`}
            aria-label={t('forward.selectedLabel', { count: chosen.length, max: MAX })}
          >
            {t('forward.selected', { count: chosen.length, max: MAX })}
          </span>
          <button
            type="button"
            className="icon-button"
            onClick={props.onClose}
            aria-label={t('common.close')}
            title={t('common.close')}
          >
            <Icon name="close" size={20} />
          </button>
        </div>
        <p className="forward-preview">{preview}</p>
        <label className="search-box forward-search">
          <Icon name="search" size={18} />
          <input
            className="search-input"
            type="search"
            value={query}
            placeholder={t('forward.search')}
            aria-label={t('forward.search')}
            onChange={(event) => setQuery(event.target.value)}
          />
        </label>
        <ul className="forward-list" aria-label={t('forward.title')}>
          {shown.map((chat) => {
            const title = chatTitle(chat, t, friends);
            const checked = chosen.includes(chat.id);
            return (
              <li key={chat.id}>
                <label className={`forward-row${checked ? ' checked' : ''}`} data-chat-id={chat.id}>
                  <Avatar
                    id={chat.peer?.id ?? chat.id}
                    name={title}
                    photo={chat.peer?.photo}
                    size={40}
                  />
                  <span className="forward-row-title">{title}</span>
                  {chat.kind === 'group' && (
                    <span className="chat-row-count">{chat.memberCount.toLocaleString(lng)}</span>
                  )}
                  <input
                    type="checkbox"
                    className="forward-check"
                    checked={checked}
                    disabled={!checked && full}
                    onChange={() => toggle(chat.id)}
                  />
                </label>
              </li>
            );
          })}
        </ul>
        {shown.length === 0 && query.trim() && (
          <p className="forward-empty">{t('forward.noMatch', { query: query.trim() })}</p>
        )}
        {full && !error && <p className="forward-hint">{t('forward.limit', { max: MAX })}</p>}
        {error && (
          <p className="form-error forward-error" role="alert">
            {error}
          </p>
        )}
        <button
          type="submit"
          className="button block forward-send"
          disabled={chosen.length === 0 || busy}
        >
          <Icon name="forward" size={20} />
          {t('forward.send')}
        </button>
      </form>
    </dialog>
  );
}
