import { LIMITS } from '@tokki/protocol';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../lib/errors';
import { MEMBER_LIMIT_MIN, nicknameProblem, parseMemberLimit } from '../lib/open-chats';
import { navigate } from '../lib/router';
import { store } from '../lib/store';
import { ListedSwitch } from './ListedSwitch';

type Field = 'title' | 'nickname' | 'memberLimit';

/**
 * A new open chat: its name, the host's nickname there, a description, the member limit and
 * whether search lists it. Checked field by field before anything is sent.
 */
export function OpenChatCreateForm() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const [title, setTitle] = useState('');
  const [nickname, setNickname] = useState('');
  const [description, setDescription] = useState('');
  const [memberLimit, setMemberLimit] = useState(String(LIMITS.OPEN_CHAT_MEMBERS_DEFAULT));
  const [listed, setListed] = useState(true);
  const [problems, setProblems] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const range = {
    min: MEMBER_LIMIT_MIN.toLocaleString(lng),
    max: LIMITS.GROUP_MEMBERS_MAX.toLocaleString(lng),
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const found: Partial<Record<Field, string>> = {};
    if (!title.trim()) found.title = t('openChat.titleBlank');
    const wrongNickname = nicknameProblem(nickname);
    if (wrongNickname === 'blank') found.nickname = t('openChat.nicknameBlank');
    if (wrongNickname === 'tooLong') {
      found.nickname = t('openChat.nicknameTooLong', { max: LIMITS.NICKNAME_MAX });
    }
    const limit = parseMemberLimit(memberLimit);
    if (limit === undefined) found.memberLimit = t('openChat.limitRange', range);
    setProblems(found);
    if (Object.keys(found).length > 0) {
      // The first field that needs a change takes the focus.
      const first = (['title', 'nickname', 'memberLimit'] as const).find((f) => found[f]);
      document.querySelector<HTMLElement>(`.open-create-form [name="${first}"]`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const chat = await store.createOpenChat({
        title: title.trim(),
        nickname: nickname.trim(),
        description: description.trim(),
        memberLimit: limit!,
        listed,
      });
      navigate({ name: 'chat', chatId: chat.id }, { replace: true });
    } catch (e) {
      setError(errorText(t, e, lng));
      setBusy(false);
    }
  };

  const fieldProps = (field: Field) => ({
    name: field,
    'aria-invalid': problems[field] ? true : undefined,
    'aria-describedby': `open-create-${field}-note`,
  });
  const note = (field: Field, hint?: string) =>
    problems[field] ? (
      <span className="field-error" id={`open-create-${field}-note`} role="alert">
        {problems[field]}
      </span>
    ) : (
      hint && (
        <span className="field-hint" id={`open-create-${field}-note`}>
          {hint}
        </span>
      )
    );
  const clear = (field: Field) =>
    problems[field] && setProblems({ ...problems, [field]: undefined });

  return (
    <form className="form open-create-form" onSubmit={(event) => void onSubmit(event)} noValidate>
      <p className="form-text">{t('openChat.intro')}</p>
      <label className="field">
        <span className="field-label">{t('openChat.chatTitle')}</span>
        <input
          className="input"
          maxLength={LIMITS.CHAT_TITLE_MAX}
          placeholder={t('openChat.chatTitlePlaceholder')}
          value={title}
          onChange={(e) => {
            setTitle(e.target.value);
            clear('title');
          }}
          {...fieldProps('title')}
        />
        {note('title')}
      </label>
      <label className="field">
        <span className="field-label">{t('openChat.nickname')}</span>
        <input
          className="input"
          autoComplete="off"
          placeholder={t('openChat.nicknamePlaceholder')}
          value={nickname}
          onChange={(e) => {
            setNickname(e.target.value);
            clear('nickname');
          }}
          {...fieldProps('nickname')}
        />
        {note('nickname', t('openChat.nicknameHint', { max: LIMITS.NICKNAME_MAX }))}
      </label>
      <label className="field">
        <span className="field-label">{t('openChat.description')}</span>
        <textarea
          className="input textarea"
          name="description"
          rows={3}
          maxLength={LIMITS.OPEN_CHAT_DESCRIPTION_MAX}
          placeholder={t('openChat.descriptionPlaceholder')}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </label>
      <label className="field">
        <span className="field-label">{t('openChat.memberLimit')}</span>
        <input
          className="input"
          inputMode="numeric"
          autoComplete="off"
          value={memberLimit}
          onChange={(e) => {
            setMemberLimit(e.target.value);
            clear('memberLimit');
          }}
          {...fieldProps('memberLimit')}
        />
        {note('memberLimit', t('openChat.memberLimitHint', range))}
      </label>
      <ListedSwitch checked={listed} onChange={setListed} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button block action-create-open" disabled={busy}>
        {t('openChat.createButton')}
      </button>
    </form>
  );
}
