import { useSyncExternalStore } from 'react';
import { AppStore } from './state/app-store';
import type { State } from './state/types';

export type { History, LeftChat, Phase, ServerInfo, State, SystemLine } from './state/types';

export const store = new AppStore();

/** Reads part of the state; re-renders when that part changes. */
export function useAppState<T>(select: (state: State) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.state));
}
