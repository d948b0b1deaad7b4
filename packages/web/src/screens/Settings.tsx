import { LIMITS, type Device } from '@tokki/protocol';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../components/Avatar';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FormMessage, type FormMessageValue } from '../components/FormMessage';
import { Icon } from '../components/Icon';
import { TopBar } from '../components/TopBar';
import { useEscape } from '../lib/escape';
import { errorText } from '../lib/errors';
import { formatDateTime } from '../lib/format';
import { goBack } from '../lib/router';
import { store, useAppState } from '../lib/store';
import { LANGUAGE_NAMES, LANGUAGES, currentLanguage, setLanguage } from '../i18n';

/** Profile, language, devices, sign out. */
export default function Settings() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const me = useAppState((s) => s.me);
  const serverInfo = useAppState((s) => s.serverInfo);
  const [name, setName] = useState(me?.displayName ?? '');
  const [status, setStatus] = useState(me?.statusMessage ?? '');
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormMessageValue | null>(null);
  const [confirm, setConfirm] = useState<
    { kind: 'signOut' } | { kind: 'revoke'; device: Device } | null
  >(null);
  useEscape(() => goBack());

  const loadDevices = async () => {
    try {
      const result = await store.client?.call('devices.list', {});
      if (result) setDevices(result.devices);
    } catch (e) {
      setMessage({ error: true, text: errorText(t, e, lng) });
    }
  };

  useEffect(() => {
    void loadDevices();
    if (!store.state.serverInfo) void store.loadServerInfo();
    // Loaded once per visit to the screen.
  }, []);

  const onSave = async (event: FormEvent) => {
    event.preventDefault();
    const displayName = name.trim();
    if (!displayName) return;
    setBusy(true);
    setMessage(null);
    try {
      const updated = await store.client!.call('profile.update', {
        displayName,
        statusMessage: status.trim(),
      });
      store.setMe(updated);
      setMessage({ error: false, text: t('common.saved') });
    } catch (e) {
      setMessage({ error: true, text: errorText(t, e, lng) });
    } finally {
      setBusy(false);
    }
  };

  const onConfirm = async () => {
    const current = confirm;
    setConfirm(null);
    if (!current) return;
    if (current.kind === 'signOut') {
      try {
        await store.signOut();
      } catch (e) {
        setMessage({ error: true, text: errorText(t, e, lng) });
      }
      return;
    }
    try {
      await store.client!.call('devices.revoke', { deviceId: current.device.id });
      await loadDevices();
    } catch (e) {
      setMessage({ error: true, text: errorText(t, e, lng) });
    }
  };

  const changed =
    name.trim() !== (me?.displayName ?? '') || status.trim() !== (me?.statusMessage ?? '');

  return (
    <section className="screen sub-screen" aria-labelledby="settings-title">
      <TopBar
        title={<span id="settings-title">{t('settings.title')}</span>}
        onBack={() => goBack()}
      />
      <div className="scroll-body">
        {me && (
          <div className="info-head">
            <Avatar id={me.id} name={me.displayName} size={72} />
            <h2 className="info-name">{me.displayName}</h2>
            <p className="info-kind">{me.phone}</p>
          </div>
        )}

        <form className="form card" onSubmit={onSave}>
          <h2 className="section-title">{t('settings.profile')}</h2>
          <label className="field">
            <span className="field-label">{t('settings.name')}</span>
            <input
              className="input"
              name="displayName"
              maxLength={LIMITS.DISPLAY_NAME_MAX}
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
            />
          </label>
          <label className="field">
            <span className="field-label">{t('settings.status')}</span>
            <input
              className="input"
              name="statusMessage"
              maxLength={LIMITS.STATUS_MESSAGE_MAX}
              placeholder={t('settings.statusPlaceholder')}
              value={status}
              onChange={(e) => setStatus(e.target.value)}
            />
          </label>
          <FormMessage message={message} />
          <button
            className="button block"
            type="submit"
            disabled={busy || !changed || !name.trim()}
          >
            {t('common.save')}
          </button>
        </form>

        <div className="form card">
          <h2 className="section-title" id="language-title">
            <Icon name="globe" size={18} /> {t('settings.language')}
          </h2>
          <div className="segmented" role="radiogroup" aria-labelledby="language-title">
            {LANGUAGES.map((language) => (
              <label
                key={language}
                className={`segment${currentLanguage() === language ? ' active' : ''}`}
                lang={language}
              >
                <input
                  type="radio"
                  name="language"
                  value={language}
                  checked={currentLanguage() === language}
                  onChange={() => void setLanguage(language)}
                />
                <span>{LANGUAGE_NAMES[language]}</span>
              </label>
            ))}
          </div>
        </div>

        <div className="form card">
          <h2 className="section-title">{t('settings.devices')}</h2>
          <ul className="people">
            {(devices ?? []).map((device) => (
              <li key={device.id} className="person device">
                <span className="device-icon" aria-hidden="true">
                  <Icon name="device" size={22} />
                </span>
                <span className="person-text">
                  <span className="person-name">{device.name}</span>
                  <span className="person-status">
                    {t('settings.lastActive', { time: formatDateTime(device.lastSeenAt, lng) })}
                  </span>
                </span>
                {device.current ? (
                  <span className="tag">{t('settings.thisDevice')}</span>
                ) : (
                  <button
                    type="button"
                    className="icon-button"
                    onClick={() => setConfirm({ kind: 'revoke', device })}
                    aria-label={`${t('settings.revoke')}: ${device.name}`}
                    title={t('settings.revoke')}
                  >
                    <Icon name="logout" size={20} />
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>

        <button
          type="button"
          className="button danger block"
          onClick={() => setConfirm({ kind: 'signOut' })}
        >
          <Icon name="logout" size={20} />
          {t('settings.signOut')}
        </button>
        {serverInfo && (
          <p className="about">{t('settings.about', { version: serverInfo.version })}</p>
        )}
      </div>
      <ConfirmDialog
        open={confirm !== null}
        message={
          confirm?.kind === 'revoke'
            ? t('settings.revokeConfirm', { name: confirm.device.name })
            : t('settings.signOutConfirm')
        }
        confirmLabel={confirm?.kind === 'revoke' ? t('settings.revoke') : t('settings.signOut')}
        danger
        onConfirm={onConfirm}
        onCancel={() => setConfirm(null)}
      />
    </section>
  );
}
