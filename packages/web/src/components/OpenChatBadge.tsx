import { useTranslation } from 'react-i18next';
import { Icon } from './Icon';

/** Marks an open chat (KakaoTalk's 오픈채팅) beside its title: in the list, the room and its info. */
export function OpenChatBadge({ size = 16 }: { size?: number }) {
  const { t } = useTranslation();
  return (
    <span
      className="open-badge"
      role="img"
      aria-label={t('openChat.open')}
      title={t('openChat.open')}
    >
      <Icon name="compass" size={size} />
    </span>
  );
}
