import type { TokkiClient } from '@tokki/sdk';
import { useSyncExternalStore } from 'react';
import type { SecretSession } from './secret/session';
import { store } from './store';

/**
 * Secret chats load on first use: `lib/secret` (and MLS with it) is a chunk of its own, started
 * when the browser is idle after sign-in (so this device publishes its identity and friends can
 * add it) or at once when a secret chat is opened or started.
 */
let current: { client: TokkiClient; session: Promise<SecretSession> } | undefined;
let ready: SecretSession | undefined;
const listeners = new Set<() => void>();

function setReady(session: SecretSession | undefined): void {
  ready = session;
  for (const listener of [...listeners]) listener();
}

/** The signed-in tab's secret session, opened on the first call. */
export function secretSession(): Promise<SecretSession> {
  const client = store.client;
  const { me, deviceId } = store.state;
  if (!client || !me || !deviceId) return Promise.reject(new Error('Not signed in'));
  if (current?.client === client) return current.session;
  void closeCurrent();
  const session = import('./secret/session').then((m) => m.openSession(client, me.id, deviceId));
  const opening = { client, session };
  current = opening;
  session.then(
    (s) => {
      if (current === opening) setReady(s);
      else void s.close();
    },
    (error: unknown) => {
      // The next use tries again (offline at the time, say).
      if (current === opening) current = undefined;
      console.warn('secret chats could not start', error instanceof Error ? error.message : '');
    },
  );
  return session;
}

/** After sign-in, when the browser has nothing better to do. */
export function startSecretWhenIdle(): void {
  const start = () => void secretSession().catch(() => {});
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 5000 });
  else setTimeout(start, 1000);
}

/** Signed out: the session stops and this device's secret keys and history are deleted. */
export async function endSecret(): Promise<void> {
  await closeCurrent();
  const { wipeSecretState } = await import('./secret/session');
  await wipeSecretState();
}

async function closeCurrent(): Promise<void> {
  const previous = current;
  current = undefined;
  setReady(undefined);
  if (previous) await previous.session.then((s) => s.close()).catch(() => {});
}

/** The secret session once it is open (undefined before), re-rendering on what it shows. */
export function useSecretSession(): SecretSession | undefined {
  const session = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => ready,
  );
  useSyncExternalStore(
    (listener) => session?.subscribe(listener) ?? (() => {}),
    () => session?.version ?? 0,
  );
  return session;
}
