import { useSyncExternalStore } from 'react';

export type Connection = 'connecting' | 'connected' | 'lost';
interface State {
  token: string | null;
  username: string | null;
  connection: Connection;
}

const KEY = 'strategy-graph.session';
function load(): Pick<State, 'token' | 'username'> {
  try {
    const s: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    if (typeof s === 'object' && s !== null && 'token' in s && typeof s.token === 'string')
      return { token: s.token, username: 'username' in s && typeof s.username === 'string' ? s.username : null };
  } catch {
    /* no session */
  }
  return { token: null, username: null };
}

let state: State = { ...load(), connection: 'connecting' };
const listeners = new Set<() => void>();
function set(patch: Partial<State>) {
  state = { ...state, ...patch };
  listeners.forEach((l) => l());
}

/** The session (token kept in sessionStorage for the browser tab) and the live connection's state. */
export const store = {
  login(token: string, username: string) {
    sessionStorage.setItem(KEY, JSON.stringify({ token, username }));
    set({ token, username, connection: 'connecting' });
  },
  logout() {
    sessionStorage.removeItem(KEY);
    if (state.token) set({ token: null, username: null });
  },
  setConnection(connection: Connection) {
    if (state.connection !== connection) set({ connection });
  },
  subscribe(l: () => void) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
  get: () => state,
};

export function useStore(): State {
  return useSyncExternalStore(store.subscribe, store.get);
}
