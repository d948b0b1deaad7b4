import { useTranslation } from 'react-i18next';
import { unreadTotal } from '../lib/chat';
import { navigate, type Route } from '../lib/router';
import { useAppState } from '../lib/store';
import { Icon, type IconName } from './Icon';

const TABS: { tab: 'friends' | 'chats'; route: Route; path: string; icon: IconName }[] = [
  { tab: 'friends', route: { name: 'friends' }, path: '/friends', icon: 'user' },
  { tab: 'chats', route: { name: 'list' }, path: '/', icon: 'chat' },
];

/** KakaoTalk's tabs: friends first, then chats with the unread total. */
export function TabBar({ current }: { current: 'friends' | 'chats' }) {
  const { t, i18n } = useTranslation();
  const unread = useAppState((s) => unreadTotal(Object.values(s.chats)));
  const recommended = useAppState((s) => Object.keys(s.recommendations).length);
  return (
    <nav className="tab-bar" aria-label={t('tabs.label')}>
      {TABS.map(({ tab, route, path, icon }) => {
        const badge = tab === 'chats' ? unread : recommended;
        return (
          <a
            key={tab}
            href={path}
            className={`tab${tab === current ? ' active' : ''}`}
            aria-current={tab === current ? 'page' : undefined}
            data-tab={tab}
            onClick={(event) => {
              if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
              event.preventDefault();
              // Tabs replace each other: Back leaves the app rather than switching tabs.
              navigate(route, { replace: true });
            }}
          >
            <span className="tab-icon">
              <Icon name={icon} size={24} filled={tab === current} />
              {badge > 0 && (
                <span className="badge tab-badge" aria-hidden="true">
                  {badge > 999 ? '999+' : badge.toLocaleString(i18n.language)}
                </span>
              )}
            </span>
            <span className="tab-label">{t(`tabs.${tab}`)}</span>
            {badge > 0 && (
              <span className="visually-hidden">
                {tab === 'chats'
                  ? t('chatList.unread', { count: badge })
                  : t('friends.recommendedCount', { count: badge })}
              </span>
            )}
          </a>
        );
      })}
    </nav>
  );
}
