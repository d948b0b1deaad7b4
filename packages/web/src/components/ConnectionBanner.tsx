import { useTranslation } from 'react-i18next';
import { useAppState } from '../lib/store';

/** Says when messages cannot go out right now: connecting, offline, reconnecting. */
export function ConnectionBanner() {
  const { t } = useTranslation();
  const connection = useAppState((s) => s.connection);
  const everSynced = useAppState((s) => s.everSynced);
  const online = useAppState((s) => s.online);
  if (connection === 'synced') return null;
  const text = !online
    ? t('connection.offline')
    : everSynced
      ? t('connection.reconnecting')
      : t('connection.connecting');
  return (
    <div
      className={`connection-banner${online ? '' : ' offline'}`}
      role="status"
      data-state={online ? connection : 'offline'}
    >
      {online && <span className="spinner" aria-hidden="true" />}
      <span className="connection-text">{text}</span>
    </div>
  );
}
