import { LIMITS, type Friend } from '@tokki/protocol';
import { TokkiError } from '@tokki/sdk';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../components/Avatar';
import { FormMessage, type FormMessageValue } from '../components/FormMessage';
import { Icon } from '../components/Icon';
import { PhoneInput } from '../components/PhoneInput';
import { TopBar } from '../components/TopBar';
import { shownName } from '../lib/chat';
import { useEscape } from '../lib/escape';
import { errorText } from '../lib/errors';
import { formatWait } from '../lib/format';
import { goBack, navigate } from '../lib/router';
import { store, useAppState } from '../lib/store';
import { isTokkiId } from '../lib/tokki-id';

type By = 'phone' | 'tokkiId';

/** Add a friend by phone number or Tokki ID; or import contacts pasted as text. */
export default function AddFriend() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const me = useAppState((s) => s.me);
  const [by, setBy] = useState<By>('phone');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormMessageValue | null>(null);
  const [added, setAdded] = useState<Friend | null>(null);
  useEscape(() => goBack({ name: 'friends' }));

  const limitText = (error: TokkiError) =>
    error.retryAfter
      ? t('addFriend.limited', { wait: formatWait(error.retryAfter, lng) })
      : t('addFriend.limitedSoon');

  const onAdd = async (event: FormEvent) => {
    event.preventDefault();
    const typed = value.trim();
    if (!typed) return;
    setMessage(null);
    setAdded(null);
    if (by === 'tokkiId' && !isTokkiId(typed)) {
      setMessage({ error: true, text: t('errors.tokkiIdInvalid') });
      return;
    }
    if (by === 'tokkiId' && typed.toLowerCase() === me?.tokkiId?.toLowerCase()) {
      setMessage({ error: true, text: t('addFriend.selfId') });
      return;
    }
    setBusy(true);
    try {
      const { friend, existed } = await store.addFriend(
        by === 'phone' ? { phone: typed } : { tokkiId: typed },
      );
      setAdded(friend);
      setValue('');
      const name = shownName(friend);
      setMessage({
        error: false,
        text: existed ? t('addFriend.already', { name }) : t('addFriend.added', { name }),
      });
    } catch (e) {
      let text = errorText(t, e, lng);
      if (e instanceof TokkiError) {
        if (e.code === 'NOT_FOUND') {
          text =
            by === 'phone'
              ? t('addFriend.notFoundPhone', { phone: typed })
              : t('addFriend.notFoundId', { id: typed });
        } else if (e.code === 'RATE_LIMITED') text = limitText(e);
        else if (e.code === 'INVALID_PARAMS') {
          // What passes the schema (a Tokki ID checked here, a number of 3 to 32 characters) and
          // is still refused as invalid is the user's own.
          const schemaValid = by === 'tokkiId' || (typed.length >= 3 && typed.length <= 32);
          text = !schemaValid
            ? t('errors.PHONE_INVALID')
            : by === 'phone'
              ? t('errors.self')
              : t('addFriend.selfId');
        } else if (e.code === 'CONFLICT') text = t('addFriend.cannotAdd');
      }
      setMessage({ error: true, text });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="screen sub-screen" aria-labelledby="add-friend-title">
      <TopBar
        title={<span id="add-friend-title">{t('addFriend.title')}</span>}
        onBack={() => goBack({ name: 'friends' })}
      />
      <div className="scroll-body">
        <div className="segmented" role="radiogroup" aria-label={t('addFriend.by')}>
          {(['phone', 'tokkiId'] as const).map((option) => (
            <label key={option} className={`segment${by === option ? ' active' : ''}`}>
              <input
                type="radio"
                name="by"
                value={option}
                checked={by === option}
                onChange={() => {
                  setBy(option);
                  setValue('');
                  setMessage(null);
                  setAdded(null);
                }}
              />
              <Icon name={option === 'phone' ? 'device' : 'user'} size={18} />
              <span>{option === 'phone' ? t('addFriend.byPhone') : t('addFriend.byId')}</span>
            </label>
          ))}
        </div>

        <form className="form" onSubmit={(event) => void onAdd(event)} noValidate>
          <label className="field">
            <span className="field-label">
              {by === 'phone' ? t('addFriend.phone') : t('addFriend.tokkiId')}
            </span>
            {by === 'phone' ? (
              <PhoneInput value={value} onChange={setValue} autoFocus>
                <button className="button" type="submit" disabled={busy || !value.trim()}>
                  {t('addFriend.submit')}
                </button>
              </PhoneInput>
            ) : (
              <span className="input-row">
                <input
                  className="input"
                  name="tokkiId"
                  maxLength={20}
                  autoCapitalize="none"
                  autoCorrect="off"
                  autoComplete="off"
                  spellCheck={false}
                  placeholder={t('editProfile.tokkiIdPlaceholder')}
                  value={value}
                  onChange={(e) => setValue(e.target.value)}
                  autoFocus
                />
                <button className="button" type="submit" disabled={busy || !value.trim()}>
                  {t('addFriend.submit')}
                </button>
              </span>
            )}
            <span className="field-hint">
              {by === 'phone' ? t('newChat.phoneHint') : t('addFriend.idHint')}
            </span>
          </label>
          <FormMessage message={message} />
          {added && (
            <ul className="people">
              <li className="person">
                <Avatar
                  id={added.user.id}
                  name={shownName(added)}
                  photo={added.user.photo}
                  size={40}
                />
                <span className="person-text">
                  <span className="person-name">{shownName(added)}</span>
                  {added.user.statusMessage && (
                    <span className="person-status">{added.user.statusMessage}</span>
                  )}
                </span>
                <button
                  type="button"
                  className="button secondary small"
                  onClick={() => navigate({ name: 'profile', userId: added.user.id })}
                >
                  {t('addFriend.viewProfile')}
                </button>
              </li>
            </ul>
          )}
        </form>

        <ImportContacts />
      </div>
    </section>
  );
}

/**
 * The web has no address book: contacts pasted as text, one a line (`number` or `number, name`),
 * go to `contacts.sync`; those on Tokki become friends.
 */
function ImportContacts() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormMessageValue | null>(null);

  const onImport = async (event: FormEvent) => {
    event.preventDefault();
    const lines = text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    if (lines.length === 0) return;
    if (lines.length > LIMITS.CONTACTS_PER_CALL_MAX) {
      setMessage({
        error: true,
        text: t('addFriend.importTooMany', {
          max: LIMITS.CONTACTS_PER_CALL_MAX.toLocaleString(lng),
        }),
      });
      return;
    }
    const add = lines.map((line) => {
      const comma = line.indexOf(',');
      const phone = (comma < 0 ? line : line.slice(0, comma)).trim();
      const name = comma < 0 ? '' : line.slice(comma + 1).trim();
      return name
        ? { phone: phone.slice(0, 32), name: name.slice(0, LIMITS.CONTACT_NAME_MAX) }
        : { phone: phone.slice(0, 32) };
    });
    setBusy(true);
    setMessage(null);
    try {
      const result = await store.client!.call('contacts.sync', { add });
      const parts = [
        t('addFriend.imported', {
          count: result.added + result.renamed,
          friends: result.friendsAdded.length.toLocaleString(lng),
        }),
      ];
      if (result.rejected.length > 0) {
        parts.push(
          t('addFriend.importRejected', {
            lines: result.rejected.map((r) => (r.index + 1).toLocaleString(lng)).join(', '),
          }),
        );
      }
      setMessage({ error: false, text: parts.join(' ') });
      if (result.rejected.length === 0) setText('');
    } catch (e) {
      setMessage({ error: true, text: errorText(t, e, lng) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form card import-contacts" onSubmit={(event) => void onImport(event)}>
      <h2 className="section-title">{t('addFriend.importTitle')}</h2>
      <label className="field">
        <span className="form-text">{t('addFriend.importHint')}</span>
        <textarea
          className="input import-text"
          name="contacts"
          rows={4}
          placeholder={t('addFriend.importPlaceholder')}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <FormMessage message={message} />
      <button className="button secondary block" type="submit" disabled={busy || !text.trim()}>
        {t('addFriend.importButton')}
      </button>
    </form>
  );
}
