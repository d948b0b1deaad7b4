import { useSyncExternalStore } from 'react';

/** The app's screens, from the URL path (the server answers every non-API path with the app). */
export type Route =
  | { name: 'list' }
  | { name: 'friends' }
  | { name: 'chat'; chatId: string }
  | { name: 'info'; chatId: string }
  /** A secret chat's safety number and key image with one member (the one to pick, in a group). */
  | { name: 'verify'; chatId: string; userId?: string }
  /** Messages containing some text, in every chat or in one. */
  | { name: 'search'; chatId?: string }
  | { name: 'new' }
  | { name: 'settings' }
  | { name: 'addFriend' }
  | { name: 'profile'; userId: string }
  | { name: 'editProfile' }
  /** A group's invite link: asks before joining. */
  | { name: 'join'; token: string }
  /** Listed open chats, searched by title. */
  | { name: 'openChats' }
  /** The new-chat screen with the open chat form chosen. */
  | { name: 'newOpen' }
  /** A listed open chat before joining it: what it is, and a nickname to join under. */
  | { name: 'openChat'; chatId: string };

export function parseRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'chats' && parts[1]) {
    if (parts[2] === 'info') return { name: 'info', chatId: parts[1] };
    if (parts[2] === 'search') return { name: 'search', chatId: parts[1] };
    if (parts[2] === 'verify') {
      return parts[3]
        ? { name: 'verify', chatId: parts[1], userId: parts[3] }
        : { name: 'verify', chatId: parts[1] };
    }
    return { name: 'chat', chatId: parts[1] };
  }
  if (parts[0] === 'search') return { name: 'search' };
  if (parts[0] === 'friends')
    return parts[1] === 'add' ? { name: 'addFriend' } : { name: 'friends' };
  if (parts[0] === 'users' && parts[1]) return { name: 'profile', userId: parts[1] };
  if (parts[0] === 'profile') return { name: 'editProfile' };
  if (parts[0] === 'join' && parts[1]) return { name: 'join', token: parts[1] };
  if (parts[0] === 'new') return parts[1] === 'open' ? { name: 'newOpen' } : { name: 'new' };
  if (parts[0] === 'open') {
    return parts[1] ? { name: 'openChat', chatId: parts[1] } : { name: 'openChats' };
  }
  if (parts[0] === 'settings') return { name: 'settings' };
  return { name: 'list' };
}

export function routePath(route: Route): string {
  switch (route.name) {
    case 'list':
      return '/';
    case 'friends':
      return '/friends';
    case 'chat':
      return `/chats/${encodeURIComponent(route.chatId)}`;
    case 'info':
      return `/chats/${encodeURIComponent(route.chatId)}/info`;
    case 'search':
      return route.chatId ? `/chats/${encodeURIComponent(route.chatId)}/search` : '/search';
    case 'verify':
      return `/chats/${encodeURIComponent(route.chatId)}/verify${route.userId ? `/${encodeURIComponent(route.userId)}` : ''}`;
    case 'new':
      return '/new';
    case 'settings':
      return '/settings';
    case 'addFriend':
      return '/friends/add';
    case 'profile':
      return `/users/${encodeURIComponent(route.userId)}`;
    case 'editProfile':
      return '/profile';
    case 'join':
      return `/join/${encodeURIComponent(route.token)}`;
    case 'newOpen':
      return '/new/open';
    case 'openChats':
      return '/open';
    case 'openChat':
      return `/open/${encodeURIComponent(route.chatId)}`;
  }
}

/** The tab a route belongs to: its list stays on the left from 900px, and its tab is marked. */
export function routeTab(route: Route): 'friends' | 'chats' {
  switch (route.name) {
    case 'friends':
    case 'addFriend':
    case 'profile':
    case 'editProfile':
      return 'friends';
    default:
      return 'chats';
  }
}

/** The tabs' own screens; every other route is a screen of its own on a phone. */
export function isTabRoute(route: Route): boolean {
  return route.name === 'list' || route.name === 'friends';
}

const listeners = new Set<() => void>();
let current = typeof location === 'undefined' ? '/' : location.pathname;

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    current = location.pathname;
    for (const listener of listeners) listener();
  });
}

/** Goes to a screen; `replace` for redirects, so Back does not return to them. */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const path = routePath(route);
  if (path === current) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState({ tokki: true }, '', path);
  current = path;
  for (const listener of listeners) listener();
}

/** Back within the app when there is history to go back to, else to `fallback`. */
export function goBack(fallback: Route = { name: 'list' }): void {
  if ((history.state as { tokki?: boolean } | null)?.tokki) history.back();
  else navigate(fallback, { replace: true });
}

export function useRoute(): Route {
  const path = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
  return parseRoute(path);
}
