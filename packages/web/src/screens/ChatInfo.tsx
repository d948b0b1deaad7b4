import { LIMITS, type Member } from '@tokki/protocol';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../components/Avatar';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FormMessage, type FormMessageValue } from '../components/FormMessage';
import { Icon } from '../components/Icon';
import { TopBar } from '../components/TopBar';
import { chatTitle, shownName } from '../lib/chat';
import { useEscape } from '../lib/escape';
import { errorText } from '../lib/errors';
import { goBack, navigate } from '../lib/router';
import { store, useAppState } from '../lib/store';
import { PhoneInput } from '../components/PhoneInput';

/** Members, and for groups: rename, invite by phone number, leave. */
export default function ChatInfo({ chatId }: { chatId: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const chat = useAppState((s) => s.chats[chatId]);
  const members = useAppState((s) => s.members[chatId]);
  const me = useAppState((s) => s.me);
  const friends = useAppState((s) => s.friends);
  const [title, setTitle] = useState(chat?.title ?? '');
  const [phone, setPhone] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormMessageValue | null>(null);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const back = () => goBack({ name: 'chat', chatId });
  useEscape(back);

  useEffect(() => {
    void store.loadMembers(chatId);
  }, [chatId]);
  useEffect(() => {
    if (chat) setTitle(chat.title);
  }, [chat?.title]);

  const sorted = useMemo<Member[]>(() => {
    const list = Object.values(members ?? {});
    return list.sort((a, b) => {
      if (a.user.id === me?.id) return -1;
      if (b.user.id === me?.id) return 1;
      if (a.role !== b.role) return a.role === 'owner' ? -1 : 1;
      return a.user.displayName.localeCompare(b.user.displayName, lng);
    });
  }, [members, me?.id, lng]);

  if (!chat) {
    return (
      <section className="screen sub-screen" aria-labelledby="info-title">
        <TopBar title={<span id="info-title">{t('info.title')}</span>} onBack={back} />
        <div className="empty">
          <p className="empty-text">{t('chat.notFound')}</p>
        </div>
      </section>
    );
  }

  const run = async (action: () => Promise<string | undefined>) => {
    setBusy(true);
    setMessage(null);
    try {
      const text = await action();
      if (text) setMessage({ error: false, text });
    } catch (e) {
      setMessage({ error: true, text: errorText(t, e, lng) });
    } finally {
      setBusy(false);
    }
  };

  const onRename = (event: FormEvent) => {
    event.preventDefault();
    const next = title.trim();
    if (!next || next === chat.title) return;
    void run(async () => {
      await store.client!.call('chats.rename', { chatId, title: next });
      return t('info.renamed');
    });
  };

  const onInvite = (event: FormEvent) => {
    event.preventDefault();
    const typed = phone.trim();
    if (!typed) return;
    void run(async () => {
      const { user } = await store.client!.call('users.lookupPhone', { phone: typed });
      if (!user) {
        setMessage({ error: true, text: t('errors.notOnTokki', { phone: typed }) });
        return undefined;
      }
      if (members?.[user.id]) return t('info.alreadyMember', { name: user.displayName });
      await store.client!.call('chats.addMembers', { chatId, userIds: [user.id] });
      setPhone('');
      await store.loadMembers(chatId);
      return t('info.invited', { name: user.displayName });
    });
  };

  const leave = async () => {
    setConfirmLeave(false);
    setBusy(true);
    try {
      await store.client!.call('chats.leave', { chatId });
      navigate({ name: 'list' }, { replace: true });
      void store.refreshChats();
    } catch (e) {
      setMessage({ error: true, text: errorText(t, e, lng) });
      setBusy(false);
    }
  };

  const name = chatTitle(chat, t, friends);
  const count = members ? Object.keys(members).length : chat.memberCount;

  return (
    <section className="screen sub-screen" aria-labelledby="info-title">
      <TopBar
        title={<span id="info-title">{t('info.title')}</span>}
        onBack={back}
        actions={
          <button
            type="button"
            className="icon-button action-search"
            onClick={() => navigate({ name: 'search', chatId })}
            aria-label={t('search.inThisChat')}
            title={t('search.inThisChat')}
          >
            <Icon name="search" />
          </button>
        }
      />
      <div className="scroll-body">
        <div className="info-head">
          <Avatar
            id={chat.peer?.id ?? chat.id}
            name={name}
            photo={chat.peer?.photo}
            size={72}
            large
          />
          <h2 className="info-name">{name}</h2>
          <p className="info-kind">{chat.kind === 'group' ? t('info.group') : t('info.direct')}</p>
        </div>

        {chat.kind === 'group' && (
          <form className="form" onSubmit={onRename}>
            <label className="field">
              <span className="field-label">{t('info.groupName')}</span>
              <span className="input-row">
                <input
                  className="input"
                  name="title"
                  maxLength={LIMITS.CHAT_TITLE_MAX}
                  value={title}
                  onChange={(e) => setTitle(e.target.value)}
                />
                <button
                  className="button secondary"
                  type="submit"
                  disabled={busy || !title.trim() || title.trim() === chat.title}
                >
                  {t('info.rename')}
                </button>
              </span>
            </label>
          </form>
        )}

        {chat.kind === 'group' && (
          <form className="form" onSubmit={onInvite}>
            <label className="field">
              <span className="field-label">{t('info.invite')}</span>
              <PhoneInput value={phone} onChange={setPhone}>
                <button className="button secondary" type="submit" disabled={busy || !phone.trim()}>
                  {t('info.inviteButton')}
                </button>
              </PhoneInput>
            </label>
          </form>
        )}

        <FormMessage message={message} />

        <h2 className="section-title">{t('info.members', { count })}</h2>
        <ul className="people">
          {sorted.map((member) => (
            <li key={member.user.id} className="person">
              <a
                className="person-link"
                href={`/users/${encodeURIComponent(member.user.id)}`}
                onClick={(event) => {
                  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0)
                    return;
                  event.preventDefault();
                  navigate({ name: 'profile', userId: member.user.id });
                }}
              >
                <Avatar
                  id={member.user.id}
                  name={member.user.displayName}
                  photo={member.user.photo}
                  size={40}
                />
                <span className="person-text">
                  <span className="person-name">
                    {friends[member.user.id]
                      ? shownName(friends[member.user.id]!)
                      : member.user.displayName}
                    {member.user.id === me?.id && (
                      <span className="person-you"> {t('info.you')}</span>
                    )}
                  </span>
                  {member.user.statusMessage && (
                    <span className="person-status">{member.user.statusMessage}</span>
                  )}
                </span>
              </a>
              {member.role === 'owner' && chat.kind === 'group' && (
                <span className="tag">{t('info.owner')}</span>
              )}
            </li>
          ))}
        </ul>

        {chat.kind === 'group' && (
          <button
            type="button"
            className="button danger block leave-button"
            disabled={busy}
            onClick={() => setConfirmLeave(true)}
          >
            <Icon name="logout" size={20} />
            {t('info.leave')}
          </button>
        )}
      </div>
      <ConfirmDialog
        open={confirmLeave}
        message={t('info.leaveConfirm', { title: name })}
        confirmLabel={t('info.leave')}
        danger
        onConfirm={leave}
        onCancel={() => setConfirmLeave(false)}
      />
    </section>
  );
}
