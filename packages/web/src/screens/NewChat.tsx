import { LIMITS, type User } from '@tokki/protocol';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../components/Avatar';
import { Icon } from '../components/Icon';
import { TopBar } from '../components/TopBar';
import { useEscape } from '../lib/escape';
import { errorText, groupAddErrorText } from '../lib/errors';
import { goBack, navigate } from '../lib/router';
import { store, useAppState } from '../lib/store';
import { PhoneInput } from '../components/PhoneInput';
import { OpenChatCreateForm } from '../components/OpenChatCreateForm';
import { shownName, sortFriends } from '../lib/chat';
import { secretStartErrorText } from '../lib/secret-errors';
import { secretSession } from '../lib/secret-loader';

type Kind = 'direct' | 'group' | 'open' | 'secret';

const KIND_ICONS = { direct: 'user', group: 'group', open: 'compass', secret: 'lock' } as const;

/** Start a 1:1 chat or a group, finding people by phone number, or make an open chat. */
export default function NewChat({ initialKind = 'direct' }: { initialKind?: Kind }) {
  const { t, i18n } = useTranslation();
  const me = useAppState((s) => s.me);
  const [kind, setKind] = useState<Kind>(initialKind);
  const [phone, setPhone] = useState('');
  const [members, setMembers] = useState<User[]>([]);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEscape(() => goBack());

  const lookup = async (): Promise<User | undefined> => {
    const client = store.client;
    const typed = phone.trim();
    if (!client || !typed) return undefined;
    const { user } = await client.call('users.lookupPhone', { phone: typed });
    if (!user) {
      setError(t('errors.notOnTokki', { phone: typed }));
      return undefined;
    }
    if (user.id === me?.id) {
      setError(t('errors.self'));
      return undefined;
    }
    return user;
  };

  const onFind = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await lookup();
      if (!user) return;
      if (kind === 'direct') {
        const chat = await store.client!.call('chats.createDirect', { userId: user.id });
        await store.fetchChat(chat.id).catch(() => {});
        navigate({ name: 'chat', chatId: chat.id }, { replace: true });
        return;
      }
      if (members.some((m) => m.id === user.id)) {
        setError(t('errors.alreadyAdded'));
        return;
      }
      setMembers([...members, user]);
      setPhone('');
    } catch (e) {
      setError(errorText(t, e, i18n.language));
    } finally {
      setBusy(false);
    }
  };

  const onCreate = async () => {
    const client = store.client;
    if (!client || members.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const fallback = [me?.displayName ?? '', ...members.map((m) => m.displayName)].join(', ');
      const chat = await client.call('chats.createGroup', {
        title: (title.trim() || fallback).slice(0, LIMITS.CHAT_TITLE_MAX),
        memberIds: members.map((m) => m.id),
      });
      await store.fetchChat(chat.id).catch(() => {});
      navigate({ name: 'chat', chatId: chat.id }, { replace: true });
    } catch (e) {
      setError(groupAddErrorText(t, e, i18n.language));
      setBusy(false);
    }
  };

  return (
    <section className="screen sub-screen" aria-labelledby="new-chat-title">
      <TopBar
        title={<span id="new-chat-title">{t('newChat.title')}</span>}
        onBack={() => goBack()}
      />
      <div className="scroll-body">
        <div className="segmented new-chat-kinds" role="radiogroup" aria-label={t('newChat.title')}>
          {(['direct', 'group', 'open', 'secret'] as const).map((value) => (
            <label key={value} className={`segment${kind === value ? ' active' : ''}`}>
              <input
                type="radio"
                name="kind"
                value={value}
                checked={kind === value}
                onChange={() => {
                  setKind(value);
                  setError(null);
                }}
              />
              <Icon name={KIND_ICONS[value]} size={18} />
              <span>{t(`newChat.${value}`)}</span>
            </label>
          ))}
        </div>

        {kind === 'open' && <OpenChatCreateForm />}

        {kind === 'secret' && <SecretChatForm />}

        {kind !== 'open' && kind !== 'secret' && (
          <form className="form" onSubmit={(event) => void onFind(event)} noValidate>
            <label className="field">
              <span className="field-label">{t('newChat.phone')}</span>
              <PhoneInput value={phone} onChange={setPhone} autoFocus>
                <button className="button" type="submit" disabled={busy || !phone.trim()}>
                  {kind === 'direct' ? t('newChat.start') : t('newChat.add')}
                </button>
              </PhoneInput>
              <span className="field-hint">{t('newChat.phoneHint')}</span>
            </label>
            {error && (
              <p className="form-error" role="alert">
                {error}
              </p>
            )}
          </form>
        )}

        {kind === 'group' && (
          <div className="form">
            <h2 className="section-title">{t('newChat.members')}</h2>
            {members.length === 0 ? (
              <p className="form-text">{t('newChat.noMembers')}</p>
            ) : (
              <ul className="people">
                {members.map((user) => (
                  <li key={user.id} className="person">
                    <Avatar id={user.id} name={user.displayName} photo={user.photo} size={40} />
                    <span className="person-name">{user.displayName}</span>
                    <button
                      type="button"
                      className="icon-button"
                      onClick={() => setMembers(members.filter((m) => m.id !== user.id))}
                      aria-label={t('newChat.remove', { name: user.displayName })}
                      title={t('newChat.remove', { name: user.displayName })}
                    >
                      <Icon name="close" size={20} />
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <GroupTitleField value={title} onChange={setTitle} />
            <button
              type="button"
              className="button block"
              disabled={busy || members.length === 0}
              onClick={() => void onCreate()}
            >
              {t('newChat.create')}
            </button>
          </div>
        )}
      </div>
    </section>
  );
}

/**
 * A secret chat with friends (the secret-chat directory shows friends' devices): one friend makes
 * a 1:1 secret chat, more a secret group.
 */
function SecretChatForm() {
  const { t, i18n } = useTranslation();
  const me = useAppState((s) => s.me);
  const friendMap = useAppState((s) => s.friends);
  const friends = sortFriends(
    Object.values(friendMap).filter((f) => !f.hidden),
    i18n.language,
  );
  const [chosen, setChosen] = useState<string[]>([]);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const start = async () => {
    if (chosen.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const session = await secretSession();
      const names = chosen.map((id) => (friendMap[id] ? shownName(friendMap[id]) : ''));
      const groupTitle =
        chosen.length > 1
          ? (title.trim() || [me?.displayName ?? '', ...names].join(', ')).slice(
              0,
              LIMITS.CHAT_TITLE_MAX,
            )
          : undefined;
      const chatId = await session.startChat(
        chosen,
        groupTitle,
        (id) => !store.state.chats[id]?.title,
      );
      await store.fetchChat(chatId).catch(() => {});
      navigate({ name: 'chat', chatId }, { replace: true });
    } catch (e) {
      setError(secretStartErrorText(t, e));
      setBusy(false);
    }
  };

  if (friends.length === 0) return <p className="form-text">{t('newChat.noFriends')}</p>;
  return (
    <div className="form secret-chat-form">
      <h2 className="section-title">{t('newChat.pickFriends')}</h2>
      <ul className="people">
        {friends.map((friend) => {
          const id = friend.user.id;
          const name = shownName(friend);
          return (
            <li key={id}>
              <label className="person person-pick">
                <Avatar id={id} name={name} photo={friend.user.photo} size={40} />
                <span className="person-name">{name}</span>
                <input
                  type="checkbox"
                  checked={chosen.includes(id)}
                  onChange={(e) =>
                    setChosen(e.target.checked ? [...chosen, id] : chosen.filter((c) => c !== id))
                  }
                />
              </label>
            </li>
          );
        })}
      </ul>
      {chosen.length > 1 && <GroupTitleField value={title} onChange={setTitle} />}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button
        type="button"
        className="button block"
        disabled={busy || chosen.length === 0}
        onClick={() => void start()}
      >
        {t('newChat.startSecret')}
      </button>
    </div>
  );
}

/** A group's title, for a plain group and a secret one alike. */
function GroupTitleField(props: { value: string; onChange: (title: string) => void }) {
  const { t } = useTranslation();
  return (
    <label className="field">
      <span className="field-label">{t('newChat.groupTitle')}</span>
      <input
        className="input"
        name="title"
        maxLength={LIMITS.CHAT_TITLE_MAX}
        placeholder={t('newChat.groupTitlePlaceholder')}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}
