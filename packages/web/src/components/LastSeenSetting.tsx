import type { LastSeenPrivacy } from '@tokki/protocol';
import { useEffect, useEffectEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../lib/errors';
import { store } from '../lib/store';
import { FormMessage, type FormMessageValue } from './FormMessage';
import { Icon } from './Icon';

const CHOICES = [
  ['everyone', 'lastSeenEveryone'],
  ['friends', 'lastSeenFriends'],
  ['nobody', 'lastSeenNobody'],
] as const;

/** Settings: who may see when the user is online and when they were last. */
export function LastSeenSetting() {
  const { t, i18n } = useTranslation();
  const [value, setValue] = useState<LastSeenPrivacy | null>(null);
  const [message, setMessage] = useState<FormMessageValue | null>(null);

  const showLoadError = useEffectEvent((e: unknown) =>
    setMessage({ error: true, text: errorText(t, e, i18n.language) }),
  );
  useEffect(() => {
    store.lastSeenPrivacy().then(setValue).catch(showLoadError);
  }, []);

  const choose = async (next: LastSeenPrivacy) => {
    const before = value;
    setValue(next);
    setMessage(null);
    try {
      await store.setLastSeenPrivacy(next);
      setMessage({ error: false, text: t('common.saved') });
    } catch (e) {
      setValue(before);
      setMessage({ error: true, text: errorText(t, e, i18n.language) });
    }
  };

  return (
    <div className="form card last-seen-setting">
      <h2 className="section-title" id="last-seen-title">
        <Icon name="clock" size={18} /> {t('settings.lastSeen')}
      </h2>
      <p className="field-hint">{t('settings.lastSeenHint')}</p>
      <div className="segmented" role="radiogroup" aria-labelledby="last-seen-title">
        {CHOICES.map(([choice, label]) => (
          <label key={choice} className={`segment${value === choice ? ' active' : ''}`}>
            <input
              type="radio"
              name="lastSeen"
              value={choice}
              checked={value === choice}
              disabled={value === null}
              onChange={() => void choose(choice)}
            />
            <span>{t(`settings.${label}`)}</span>
          </label>
        ))}
      </div>
      <FormMessage message={message} />
    </div>
  );
}
