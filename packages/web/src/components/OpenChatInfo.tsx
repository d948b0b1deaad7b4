import { LIMITS, type Chat, type Member } from '@tokki/protocol';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../lib/errors';
import { MEMBER_LIMIT_MIN, nicknameProblem, parseMemberLimit } from '../lib/open-chats';
import { store } from '../lib/store';
import { FormMessage, type FormMessageValue } from './FormMessage';
import { Icon } from './Icon';
import { ListedSwitch } from './ListedSwitch';

/**
 * An open chat's part of its info screen: the description, members and listing; for the host
 * and co-hosts its settings (the invite link is the info screen's, as for groups); for everyone
 * their own nickname there.
 */
export function OpenChatInfo({ chat, self }: { chat: Chat; self: Member | undefined }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const open = chat.open;
  const manager = self?.role === 'owner' || self?.role === 'admin';
  if (!open) return null;
  return (
    <>
      <div className="open-info card">
        <p className={`open-info-description${open.description ? '' : ' empty-note'}`}>
          {open.description || t('openChat.noDescription')}
        </p>
        <p className="open-info-line open-info-members">
          <Icon name="group" size={16} />
          {t('openChat.members', {
            shown: chat.memberCount.toLocaleString(lng),
            limit: open.memberLimit.toLocaleString(lng),
          })}
        </p>
        <p className="open-info-line open-info-listed">
          <Icon name={open.listed ? 'search' : 'hide'} size={16} />
          {open.listed ? t('openChat.listedInSearch') : t('openChat.linkOnly')}
        </p>
      </div>
      <NicknameForm chatId={chat.id} current={self?.user.displayName ?? ''} />
      {manager && <SettingsForm chat={chat} />}
    </>
  );
}

function NicknameForm({ chatId, current }: { chatId: string; current: string }) {
  const { t, i18n } = useTranslation();
  const [nickname, setNickname] = useState(current);
  const [message, setMessage] = useState<FormMessageValue | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setNickname(current), [current]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = nicknameProblem(nickname);
    if (problem) {
      setMessage({
        error: true,
        text:
          problem === 'blank'
            ? t('openChat.nicknameBlank')
            : t('openChat.nicknameTooLong', { max: LIMITS.NICKNAME_MAX }),
      });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      await store.setNickname(chatId, nickname.trim());
      setMessage({ error: false, text: t('openChat.nicknameChanged') });
    } catch (e) {
      setMessage({ error: true, text: errorText(t, e, i18n.language) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form nickname-form" onSubmit={(event) => void onSubmit(event)} noValidate>
      <label className="field">
        <span className="field-label">{t('openChat.myNickname')}</span>
        <span className="input-row">
          <input
            className="input"
            name="nickname"
            autoComplete="off"
            value={nickname}
            aria-invalid={message?.error ? true : undefined}
            onChange={(e) => {
              setNickname(e.target.value);
              setMessage(null);
            }}
          />
          <button
            className="button secondary"
            type="submit"
            disabled={busy || nickname.trim() === current}
          >
            {t('openChat.changeNickname')}
          </button>
        </span>
      </label>
      <FormMessage message={message} />
    </form>
  );
}

/** The host's and co-hosts' settings: description, member limit, listed in search. */
function SettingsForm({ chat }: { chat: Chat }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const open = chat.open!;
  const [description, setDescription] = useState(open.description);
  const [limit, setLimit] = useState(String(open.memberLimit));
  const [listed, setListed] = useState(open.listed);
  const [message, setMessage] = useState<FormMessageValue | null>(null);
  const [busy, setBusy] = useState(false);
  // Another host's change arrives live (chat.open): show it.
  useEffect(() => {
    setDescription(open.description);
    setLimit(String(open.memberLimit));
    setListed(open.listed);
  }, [open.description, open.memberLimit, open.listed]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const memberLimit = parseMemberLimit(limit);
    if (memberLimit === undefined) {
      setMessage({
        error: true,
        text: t('openChat.limitRange', {
          min: MEMBER_LIMIT_MIN.toLocaleString(lng),
          max: LIMITS.GROUP_MEMBERS_MAX.toLocaleString(lng),
        }),
      });
      return;
    }
    if (memberLimit < chat.memberCount) {
      setMessage({
        error: true,
        text: t('openChat.limitBelowMembers', { count: chat.memberCount }),
      });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      await store.updateOpenChat(chat.id, {
        description: description.trim(),
        memberLimit,
        listed,
      });
      setMessage({ error: false, text: t('openChat.settingsSaved') });
    } catch (e) {
      setMessage({ error: true, text: errorText(t, e, lng) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form card open-settings" onSubmit={(event) => void onSubmit(event)} noValidate>
      <h2 className="section-title">{t('openChat.settings')}</h2>
      <label className="field">
        <span className="field-label">{t('openChat.description')}</span>
        <textarea
          className="input textarea"
          name="description"
          rows={3}
          maxLength={LIMITS.OPEN_CHAT_DESCRIPTION_MAX}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </label>
      <label className="field">
        <span className="field-label">{t('openChat.memberLimit')}</span>
        <input
          className="input"
          name="memberLimit"
          inputMode="numeric"
          autoComplete="off"
          value={limit}
          onChange={(e) => {
            setLimit(e.target.value);
            setMessage(null);
          }}
        />
      </label>
      <ListedSwitch checked={listed} onChange={setListed} />
      <FormMessage message={message} />
      <button type="submit" className="button block action-save-open" disabled={busy}>
        {t('openChat.saveSettings')}
      </button>
    </form>
  );
}
