import type { StatusPayload } from '../bot/status-types.js';

export type StatusListener = (status: StatusPayload) => void;

/**
 * The loop's published snapshots, for `GET /events`: the daemon's `onStatus` hook publishes each one, the
 * stream route listens. `close()` (shutdown) ends every open stream cleanly before the server stops.
 */
export interface StatusFeed {
  publish(status: StatusPayload): void;
  subscribe(listener: StatusListener, onClose: () => void): () => void;
  /** Ends every stream now (clients reconnect); used by shutdown (with `closed`) and by tests. */
  disconnectAll(): void;
  close(): void;
  readonly closed: boolean;
}

export function createStatusFeed(): StatusFeed {
  const subs = new Map<StatusListener, () => void>();
  let closed = false;
  const disconnectAll = (): void => {
    const closers = [...subs.values()];
    subs.clear();
    for (const c of closers) c();
  };
  return {
    publish(status) {
      for (const listener of [...subs.keys()]) listener(status);
    },
    subscribe(listener, onClose) {
      subs.set(listener, onClose);
      return () => void subs.delete(listener);
    },
    disconnectAll,
    close() {
      closed = true;
      disconnectAll();
    },
    get closed() {
      return closed;
    },
  };
}
