import { LIMITS, type Chat, type OpenChatSummary } from '@tokki/protocol';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { openChatErrorText } from '../lib/errors';
import { nicknameProblem } from '../lib/open-chats';
import { Avatar } from './Avatar';
import { OpenChatBadge } from './OpenChatBadge';

/** What an open chat is (title, description, members), before joining it. */
export function OpenChatCard({
  summary,
}: {
  summary: Pick<OpenChatSummary, 'title' | 'description' | 'memberCount' | 'memberLimit'> & {
    id?: string;
  };
}) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  return (
    <div className="open-card">
      <Avatar id={summary.id ?? summary.title} name={summary.title} size={72} />
      <h2 className="open-card-title">
        <OpenChatBadge />
        <span>{summary.title}</span>
      </h2>
      <p className="open-card-members">
        {t('openChat.members', {
          shown: summary.memberCount.toLocaleString(lng),
          limit: summary.memberLimit.toLocaleString(lng),
        })}
      </p>
      {summary.description && <p className="open-card-description">{summary.description}</p>}
    </div>
  );
}

/**
 * A nickname field and Join, checked before anything is sent: a blank or too long nickname is
 * said beside the field. `join` makes the call; its refusal is said in the user's words.
 */
export function OpenChatJoinForm({
  join,
  via,
  onJoined,
}: {
  join: (nickname: string) => Promise<Chat>;
  via: 'search' | 'link';
  onJoined: (chat: Chat) => void;
}) {
  const { t, i18n } = useTranslation();
  const [nickname, setNickname] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const wrong = nicknameProblem(nickname);
    if (wrong) {
      setProblem(
        wrong === 'blank'
          ? t('openChat.nicknameBlank')
          : t('openChat.nicknameTooLong', { max: LIMITS.NICKNAME_MAX }),
      );
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      onJoined(await join(nickname.trim()));
    } catch (e) {
      setError(openChatErrorText(t, e, i18n.language, via));
      setBusy(false);
    }
  };

  return (
    <form className="form open-join-form" onSubmit={(event) => void onSubmit(event)} noValidate>
      <label className="field">
        <span className="field-label">{t('openChat.joinNickname')}</span>
        <input
          className="input"
          name="nickname"
          autoComplete="off"
          placeholder={t('openChat.nicknamePlaceholder')}
          value={nickname}
          aria-invalid={problem ? true : undefined}
          aria-describedby="join-nickname-hint"
          onChange={(e) => {
            setNickname(e.target.value);
            setProblem(null);
          }}
        />
        {problem ? (
          <span className="field-error" id="join-nickname-hint" role="alert">
            {problem}
          </span>
        ) : (
          <span className="field-hint" id="join-nickname-hint">
            {t('openChat.joinHint')}
          </span>
        )}
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button block action-join" disabled={busy}>
        {t('openChat.join')}
      </button>
    </form>
  );
}
