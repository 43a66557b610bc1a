import type { Request, RequestHandler, Response } from 'express';
import type { StatusPayload } from '../bot/status-types.js';
import { cacheByIdentity } from './identity-cache.js';
import type { StatusFeed } from './status-feed.js';

export interface EventsOptions {
  feed: StatusFeed;
  getStatus: () => StatusPayload | null;
  /** The /status ETag of a payload (identity variant): the event id. */
  etag: (status: StatusPayload) => string;
  /** Concurrent streams allowed; more get 503 (each holds a socket and a share of every publish). */
  maxStreams: number;
  /** A comment line this often keeps proxies and load balancers from timing the stream out. */
  heartbeatMs: number;
}

/** A client that lets this much pile up unread is cut; it reconnects and resumes with a full snapshot. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** What EventSource waits before reconnecting. */
const RETRY_MS = 2000;

type Section = keyof StatusPayload;

/**
 * `GET /events` (DESIGN.md section 19): Server-Sent Events of the published snapshots. Each event's id is the
 * snapshot's /status ETag. A connection (first or resumed with `Last-Event-ID`) starts with one `snapshot`
 * event holding the whole payload; then each publish sends a `status` event with the top-level sections that
 * changed (`changed`, and their new values in `sections`). Guards (Host, token, cookie) run before this, as
 * for /status.
 */
export function eventsRoute(opts: EventsOptions): RequestHandler {
  let open = 0;
  // Per-section JSON of each payload, computed once per snapshot and shared by every stream.
  const sectionsOf = cacheByIdentity((s: StatusPayload) => new Map(Object.entries(s).map(([k, v]) => [k as Section, JSON.stringify(v) ?? 'null'])));
  const snapshotFrame = cacheByIdentity((s: StatusPayload) => frame(opts.etag(s), 'snapshot', JSON.stringify(s)));
  const deltaFrames = new WeakMap<StatusPayload, Map<StatusPayload, string>>();

  const delta = (prev: StatusPayload, next: StatusPayload): string => {
    let byPrev = deltaFrames.get(next);
    if (byPrev === undefined) deltaFrames.set(next, (byPrev = new Map()));
    const hit = byPrev.get(prev);
    if (hit !== undefined) return hit;
    const a = sectionsOf(prev);
    const b = sectionsOf(next);
    const changed: string[] = [];
    const parts: string[] = [];
    // A section that went missing is sent as null (the page then shows its placeholder instead of old figures).
    for (const k of new Set([...a.keys(), ...b.keys()])) {
      const json = b.get(k) ?? 'null';
      if ((a.get(k) ?? 'null') === json) continue;
      changed.push(k);
      parts.push(`${JSON.stringify(k)}:${json}`);
    }
    const body = `{"changed":${JSON.stringify(changed)},"sections":{${parts.join(',')}}}`;
    const f = frame(opts.etag(next), 'status', body);
    byPrev.clear(); // every stream is at the same previous snapshot but the odd late joiner: keep one entry
    byPrev.set(prev, f);
    return f;
  };

  return (req: Request, res: Response) => {
    if (opts.feed.closed) {
      res.setHeader('Cache-Control', 'no-store');
      res.status(503).json({ error: 'shutting down' });
      return;
    }
    if (open >= opts.maxStreams) {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Retry-After', '5');
      res.status(503).json({ error: `too many event streams (at most ${opts.maxStreams}); poll /status instead` });
      return;
    }
    open++;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx: pass events through as they come
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);

    let last: StatusPayload | null = null;
    let done = false;
    const send = (text: string): void => {
      if (done) return;
      res.write(text);
      if (res.writableLength > MAX_BUFFERED_BYTES) end();
    };
    const onStatus = (s: StatusPayload): void => {
      if (s === last) return;
      send(last === null ? snapshotFrame(s) : delta(last, s));
      last = s;
    };
    const heartbeat = setInterval(() => send(': keep-alive\n\n'), opts.heartbeatMs);
    heartbeat.unref();
    const unsubscribe = opts.feed.subscribe(onStatus, () => end());
    function end(): void {
      if (done) return;
      done = true;
      open--;
      clearInterval(heartbeat);
      unsubscribe();
      res.end();
    }
    res.on('close', end);

    send(`retry: ${RETRY_MS}\n\n`);
    // Resuming (Last-Event-ID) or not, the stream starts with one full snapshot: a missed delta cannot be replayed.
    const current = opts.getStatus();
    if (current !== null) onStatus(current);
  };
}

function frame(id: string, event: string, data: string): string {
  // JSON.stringify never emits a raw newline, so the data fits one `data:` line.
  return `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}
