import { lazy, Suspense, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Logo } from './components/Logo';
import { TabBar } from './components/TabBar';
import { rememberInvite, takeRememberedInvite } from './lib/invite-link';
import { endSecret, startSecretWhenIdle } from './lib/secret-loader';
import { isTabRoute, navigate, routeTab, useRoute, type Route } from './lib/router';
import { useAppState } from './lib/store';
import { ChatList } from './screens/ChatList';
import { ChatRoom } from './screens/chat-room/ChatRoom';
import { SignIn } from './screens/SignIn';

// Screens nobody needs on the first paint load on demand.
const NewChat = lazy(() => import('./screens/NewChat'));
const ChatInfo = lazy(() => import('./screens/ChatInfo'));
const Settings = lazy(() => import('./screens/Settings'));
const FriendList = lazy(() => import('./screens/FriendList'));
const AddFriend = lazy(() => import('./screens/AddFriend'));
const Profile = lazy(() => import('./screens/Profile'));
const EditProfile = lazy(() => import('./screens/EditProfile'));
const Search = lazy(() => import('./screens/Search'));
const JoinChat = lazy(() => import('./screens/JoinChat'));
const OpenChats = lazy(() => import('./screens/OpenChats'));
const OpenChatPreview = lazy(() => import('./screens/OpenChatPreview'));
const SecretVerify = lazy(() => import('./screens/secret/SecretVerify'));

export function App() {
  const phase = useAppState((s) => s.phase);
  const route = useRoute();
  const everSynced = useAppState((s) => s.everSynced);
  const wasSignedIn = useRef(false);

  // Secret chats: this device joins them once signed in and online; signing out deletes its keys.
  useEffect(() => {
    if (phase === 'signedIn' && everSynced) startSecretWhenIdle();
    if (phase === 'signedIn') wasSignedIn.current = true;
    if (phase === 'signedOut' && wasSignedIn.current) {
      wasSignedIn.current = false;
      void endSecret().catch(() => {});
    }
  }, [phase, everSynced]);

  useEffect(() => {
    if (phase !== 'signedOut' || route.name === 'list') return;
    // An invite link opened while signed out: its join screen comes back after signing in.
    if (route.name === 'join') rememberInvite(route.token);
    navigate({ name: 'list' }, { replace: true });
  }, [phase, route]);

  useEffect(() => {
    if (phase !== 'signedIn') return;
    const token = takeRememberedInvite();
    if (token) navigate({ name: 'join', token });
  }, [phase]);

  if (phase === 'booting') return <Splash />;
  if (phase === 'signedOut') return <SignIn />;
  return <Shell route={route} />;
}

/**
 * Phones show one screen at a time, a tab's list with the tab bar; from 900px the list stays on
 * the left and the chosen screen fills the right.
 */
function Shell({ route }: { route: Route }) {
  const tab = routeTab(route);
  const selectedChatId =
    route.name === 'chat' ||
    route.name === 'info' ||
    route.name === 'search' ||
    route.name === 'verify'
      ? route.chatId
      : undefined;
  const selectedUserId = route.name === 'profile' ? route.userId : undefined;
  return (
    <div className={`shell route-${route.name}${isTabRoute(route) ? ' tab-route' : ''}`}>
      <div className="pane pane-list">
        <Suspense fallback={<Loading />}>
          {tab === 'friends' ? (
            <FriendList selectedUserId={selectedUserId} />
          ) : (
            <ChatList selectedChatId={selectedChatId} />
          )}
        </Suspense>
        <TabBar current={tab} />
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
    case 'verify':
      return (
        <SecretVerify
          key={`${route.chatId}/${route.userId ?? ''}`}
          chatId={route.chatId}
          userId={route.userId}
        />
      );
    case 'search':
      return <Search key={route.chatId ?? ''} chatId={route.chatId} />;
    case 'new':
      return <NewChat />;
    case 'newOpen':
      return <NewChat initialKind="open" />;
    case 'openChats':
      return <OpenChats />;
    case 'openChat':
      return <OpenChatPreview key={route.chatId} chatId={route.chatId} />;
    case 'settings':
      return <Settings />;
    case 'addFriend':
      return <AddFriend />;
    case 'profile':
      return <Profile key={route.userId} userId={route.userId} />;
    case 'editProfile':
      return <EditProfile />;
    case 'join':
      return <JoinChat key={route.token} token={route.token} />;
    case 'friends':
      return <Placeholder text="friends.selectFriend" />;
    case 'list':
      return <Placeholder text="chatList.selectChat" />;
  }
}

function Placeholder({ text }: { text: 'friends.selectFriend' | 'chatList.selectChat' }) {
  const { t } = useTranslation();
  return (
    <div className="placeholder">
      <Logo size={96} />
      <p>{t(text)}</p>
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
