import type { Device, User } from '@tokki/protocol';
import { useEffect, useEffectEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../components/Avatar';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FormMessage, type FormMessageValue } from '../components/FormMessage';
import { Icon } from '../components/Icon';
import { LastSeenSetting } from '../components/LastSeenSetting';
import { TopBar } from '../components/TopBar';
import { useEscape } from '../lib/escape';
import { errorText } from '../lib/errors';
import { formatDateTime } from '../lib/format';
import { goBack, navigate } from '../lib/router';
import { store, useAppState } from '../lib/store';
import { LANGUAGE_NAMES, LANGUAGES, currentLanguage, setLanguage } from '../i18n';

/** Profile (a link to editing it), language, blocked users, devices, sign out. */
export default function Settings() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const me = useAppState((s) => s.me);
  const serverInfo = useAppState((s) => s.serverInfo);
  const blockedById = useAppState((s) => s.blocked);
  const blocked = useMemo(
    () =>
      Object.values(blockedById).sort((a, b) => a.displayName.localeCompare(b.displayName, lng)),
    [blockedById, lng],
  );
  const [devices, setDevices] = useState<Device[] | null>(null);
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

  // Loaded once per visit to the screen.
  const loadOnce = useEffectEvent(() => {
    void loadDevices();
    if (!store.state.serverInfo) void store.loadServerInfo();
  });
  useEffect(() => loadOnce(), []);

  const unblock = async (user: User) => {
    setMessage(null);
    try {
      await store.unblock(user.id);
    } catch (e) {
      setMessage({ error: true, text: errorText(t, e, lng) });
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

  return (
    <section className="screen sub-screen" aria-labelledby="settings-title">
      <TopBar
        title={<span id="settings-title">{t('settings.title')}</span>}
        onBack={() => goBack()}
      />
      <div className="scroll-body">
        {me && (
          <a
            className="profile-link card"
            href="/profile"
            onClick={(event) => {
              if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
              event.preventDefault();
              navigate({ name: 'editProfile' });
            }}
          >
            <Avatar id={me.id} name={me.displayName} photo={me.photo} size={56} />
            <span className="person-text">
              <span className="person-name">{me.displayName}</span>
              <span className="person-status">{me.phone}</span>
              <span className="profile-link-label">{t('settings.editProfile')}</span>
            </span>
            <Icon name="next" size={20} />
          </a>
        )}

        <FormMessage message={message} />

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

        <LastSeenSetting />

        <div className="form card">
          <h2 className="section-title">{t('settings.blocked')}</h2>
          {blocked.length === 0 ? (
            <p className="form-text">{t('settings.noBlocked')}</p>
          ) : (
            <ul className="people blocked-users">
              {blocked.map((user) => (
                <li key={user.id} className="person">
                  <Avatar id={user.id} name={user.displayName} photo={user.photo} size={40} />
                  <span className="person-name">{user.displayName}</span>
                  <button
                    type="button"
                    className="button secondary small"
                    onClick={() => void unblock(user)}
                    aria-label={t('settings.unblockName', { name: user.displayName })}
                  >
                    {t('settings.unblock')}
                  </button>
                </li>
              ))}
            </ul>
          )}
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
        onConfirm={() => void onConfirm()}
        onCancel={() => setConfirm(null)}
      />
    </section>
  );
}
