import { lazy, Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Logo } from './components/Logo';
import { navigate, useRoute, type Route } from './lib/router';
import { useAppState } from './lib/store';
import { ChatList } from './screens/ChatList';
import { ChatRoom } from './screens/ChatRoom';
import { SignIn } from './screens/SignIn';

// Screens nobody needs on the first paint load on demand.
const NewChat = lazy(() => import('./screens/NewChat'));
const ChatInfo = lazy(() => import('./screens/ChatInfo'));
const Settings = lazy(() => import('./screens/Settings'));

export function App() {
  const phase = useAppState((s) => s.phase);
  const route = useRoute();

  useEffect(() => {
    if (phase === 'signedOut' && route.name !== 'list')
      navigate({ name: 'list' }, { replace: true });
  }, [phase, route.name]);

  if (phase === 'booting') return <Splash />;
  if (phase === 'signedOut') return <SignIn />;
  return <Shell route={route} />;
}

/**
 * Phones show one screen at a time; from 900px the chat list stays on the left and the chosen
 * screen fills the right.
 */
function Shell({ route }: { route: Route }) {
  const selectedChatId = route.name === 'chat' || route.name === 'info' ? route.chatId : undefined;
  return (
    <div className={`shell route-${route.name}`}>
      <div className="pane pane-list">
        <ChatList selectedChatId={selectedChatId} />
      </div>
      <div className="pane pane-main">
        <Suspense fallback={<Loading />}>
          <Main route={route} />
        </Suspense>
      </div>
    </div>
  );
}

function Main({ route }: { route: Route }) {
  switch (route.name) {
    case 'chat':
      return <ChatRoom chatId={route.chatId} />;
    case 'info':
      return <ChatInfo chatId={route.chatId} />;
    case 'new':
      return <NewChat />;
    case 'settings':
      return <Settings />;
    case 'list':
      return <Placeholder />;
  }
}

function Placeholder() {
  const { t } = useTranslation();
  return (
    <div className="placeholder">
      <Logo size={96} />
      <p>{t('chatList.selectChat')}</p>
    </div>
  );
}

function Loading() {
  const { t } = useTranslation();
  return (
    <div className="placeholder" role="status">
      <span className="spinner" aria-hidden="true" />
      <span className="visually-hidden">{t('app.loading')}</span>
    </div>
  );
}

function Splash() {
  return (
    <div className="splash">
      <Logo size={96} />
    </div>
  );
}
