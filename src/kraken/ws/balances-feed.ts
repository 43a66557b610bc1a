import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { AttemptBudget, backoffDelayMs, QUICK_RETRIES, systemFloorMs } from './backoff.js';
import { classifyTokenFailure, classifyWsError, describeFailure, isTerminalClose } from './classify.js';
import { parseFeedMessage } from './messages.js';
import { SequenceTracker } from './sequence.js';

/** The doorbell: something was booked (or the subscription restarted). A trigger, never an accounted row. */
export interface Bell {
  kind: 'snapshot' | 'update';
  /** Entries in the message (assets of a snapshot, ledger entries of an update). */
  entries: number;
  sequence: number | null;
  /** The sequence jumped: updates were lost on the way (poll REST). */
  gap: boolean;
}

export interface FeedHealth {
  state: 'idle' | 'connecting' | 'subscribed' | 'backoff' | 'stopped';
  /** Subscribed and a message within staleMs. */
  connected: boolean;
  /** Unix seconds the current state began. */
  since: number | null;
  /** Why not connected, one short line (null when connected). */
  reason: string | null;
  /** Connections opened after the first. */
  reconnects: number;
  /** Unix seconds, any message. */
  lastMessageTs: number | null;
  /** Last `status` channel `system` (online, maintenance, cancel_only, post_only). */
  system: string | null;
  /** Retrying stopped: close 1008, EAPI:Invalid key, permission denied ... (like a rejected REST key). */
  fatal: string | null;
  /** Frames ignored since start: not JSON, unknown shapes, duplicate sequence numbers. */
  ignored: number;
}

export interface FeedTiming {
  /** A connection with no message for this long is dead. */
  staleMs: number;
  /** `{"method":"ping"}` keepalive interval. */
  pingMs: number;
  /** From opening the socket to the subscribe ack. */
  handshakeTimeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Floor between connections while the system is `maintenance` (or `cancel_only`). */
  maintenanceMinMs: number;
  attemptWindowMs: number;
  attemptMax: number;
  /** A subscription that lasted this long was healthy: the next drop starts the back-off schedule afresh. */
  stableMs: number;
}

export const DEFAULT_FEED_TIMING: Readonly<FeedTiming> = {
  staleMs: 5000,
  pingMs: 2000,
  handshakeTimeoutMs: 10_000,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
  maintenanceMinMs: 5000,
  attemptWindowMs: 600_000,
  attemptMax: 120,
  stableMs: 30_000,
};

export interface BalancesFeedOptions {
  url: string;
  /** A fresh token for each connection: a private REST call the caller budgets and serialises. Throws KrakenError (kind tells fatal / rate_limited / throttled / transient) or any Error (treated as transient: back off). */
  token: (signal: AbortSignal) => Promise<string>;
  /** The doorbell: a snapshot after every (re)subscribe, or an update (N entries). Called synchronously from the socket handler; must not throw. */
  onBell: (bell: Bell) => void;
  onHealth?: (h: FeedHealth) => void;
  logger: Logger;
  /** ms wall clock for health timestamps (default Date.now); timers run on the monotonic clock. */
  clock?: () => number;
  /** Jitter source in [0, 1). */
  random?: () => number;
  timing?: Partial<FeedTiming>;
}

/** One socket from creation to close; handlers of an older connection find `feed.conn !== conn` and do nothing. */
interface Conn {
  readonly ws: WebSocket;
  /** Until the subscribe ack: a socket that never answers is given up. */
  readonly handshake: NodeJS.Timeout;
  readonly timers: NodeJS.Timeout[];
  lastMessage: number;
  subscribedAt: number | null;
  tokenRefusals: number;
  /** Set when we end the connection: the reason the next back-off names. */
  failure: string | null;
  rateLimited: boolean;
}

const MAX_TOKEN_REFUSALS = 2;

/**
 * Kraken's WebSocket v2 `balances` channel as a doorbell: subscribes with a fresh token per connection, keeps the
 * connection alive and checked, reconnects within an attempt budget, and rings `onBell` for each snapshot and
 * update. It knows nothing about accounting; the caller polls REST when the bell rings.
 */
export class BalancesFeed {
  private readonly t: FeedTiming;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly budget: AttemptBudget;
  private readonly sequence = new SequenceTracker();
  private readonly oddKinds = new Set<string>();
  private state: FeedHealth['state'] = 'idle';
  private since: number | null = null;
  private reason: string | null = 'not started';
  private connections = 0;
  private lastMessageTs: number | null = null;
  private system: string | null = null;
  private fatal: string | null = null;
  private ignored = 0;
  private failures = 0;
  private reqId = 0;
  private conn: Conn | null = null;
  private tokenAbort: AbortController | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private lastEmitted = '';

  constructor(private readonly o: BalancesFeedOptions) {
    this.t = { ...DEFAULT_FEED_TIMING, ...o.timing };
    this.clock = o.clock ?? Date.now;
    this.random = o.random ?? Math.random;
    this.budget = new AttemptBudget(this.t.attemptMax, this.t.attemptWindowMs);
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.schedule(0, 'starting');
  }

  async stop(): Promise<void> {
    this.tokenAbort?.abort();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const conn = this.conn;
    this.conn = null;
    if (this.state !== 'stopped') this.setState('stopped', this.fatal ?? 'stopped');
    if (conn !== null) await closeSocket(conn);
  }

  health(): FeedHealth {
    const fresh = this.conn !== null && performance.now() - this.conn.lastMessage <= this.t.staleMs;
    const connected = this.state === 'subscribed' && fresh;
    const reason = connected ? null : (this.reason ?? `no message for ${this.t.staleMs} ms`);
    return {
      state: this.state,
      connected,
      since: this.since,
      reason,
      reconnects: Math.max(0, this.connections - 1),
      lastMessageTs: this.lastMessageTs,
      system: this.system,
      fatal: this.fatal,
      ignored: this.ignored,
    };
  }

  // --- connection cycle ----------------------------------------------------------------------------

  /** Wait `delayMs` (longer when the attempt budget is spent), then fetch a token and connect. */
  private schedule(delayMs: number, why: string): void {
    if (this.state === 'stopped') return;
    const now = performance.now();
    const budgetAt = this.budget.nextAllowedAt(now);
    const wait = Math.max(delayMs, budgetAt - now);
    const budgetBound = budgetAt - now > delayMs;
    const reason = budgetBound
      ? `${why}; waiting for the connection budget (${this.t.attemptMax} attempts per ${Math.round(this.t.attemptWindowMs / 1000)} s)`
      : why;
    this.setState('backoff', `${reason}; next attempt in ${formatMs(wait)}`);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, wait);
  }

  private async connect(): Promise<void> {
    this.setState('connecting', 'fetching a token');
    const got = await this.fetchToken();
    if (got === null) return;
    if ('error' in got) {
      const verdict = classifyTokenFailure(got.error);
      if (verdict === 'fatal') return this.toFatal(`token refused: ${describeFailure(got.error)}`);
      if (verdict === 'rate') this.failures = Math.max(this.failures, QUICK_RETRIES);
      return this.retry(`token call failed: ${describeFailure(got.error)}`);
    }
    const token = got.token;
    this.budget.record(performance.now());
    this.connections += 1;
    this.setState('connecting', 'waiting for the subscription');
    const ws = new WebSocket(this.o.url, { handshakeTimeout: this.t.handshakeTimeoutMs, perMessageDeflate: false });
    const handshake = setTimeout(() => this.fail(conn, `no subscription within ${formatMs(this.t.handshakeTimeoutMs)}`), this.t.handshakeTimeoutMs);
    const conn: Conn = { ws, handshake, timers: [], lastMessage: performance.now(), subscribedAt: null, tokenRefusals: 0, failure: null, rateLimited: false };
    this.conn = conn;
    ws.on('open', () => {
      if (this.conn !== conn) return;
      conn.lastMessage = performance.now();
      this.subscribe(conn, token);
      conn.timers.push(setInterval(() => this.send(conn, { method: 'ping', req_id: ++this.reqId }), this.t.pingMs));
      conn.timers.push(setInterval(() => this.checkStale(conn), Math.max(20, Math.min(1000, this.t.staleMs / 5))));
    });
    ws.on('message', (data, isBinary) => this.onFrame(conn, data, isBinary));
    ws.on('close', (code, reason) => this.onClose(conn, code, reason.toString('utf8')));
    ws.on('error', (err) => {
      if (this.conn === conn && conn.failure === null) conn.failure = `socket error (${err.message})`;
    });
  }

  /** A token for the next subscribe, its failure, or null when the feed stopped meanwhile. */
  private async fetchToken(): Promise<{ token: string } | { error: unknown } | null> {
    const abort = new AbortController();
    this.tokenAbort = abort;
    try {
      const token = await this.o.token(abort.signal);
      return abort.signal.aborted || this.state === 'stopped' ? null : { token };
    } catch (error) {
      return abort.signal.aborted || this.state === 'stopped' ? null : { error };
    } finally {
      if (this.tokenAbort === abort) this.tokenAbort = null;
    }
  }

  private subscribe(conn: Conn, token: string): void {
    this.send(conn, { method: 'subscribe', params: { channel: 'balances', token, snapshot: true }, req_id: ++this.reqId });
  }

  private send(conn: Conn, message: object): void {
    if (this.conn === conn && conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify(message));
  }

  /** After the subscription only: until then the handshake timeout decides (else it never could when staleMs is shorter). */
  private checkStale(conn: Conn): void {
    if (this.conn !== conn || conn.subscribedAt === null) return;
    if (performance.now() - conn.lastMessage > this.t.staleMs) this.fail(conn, `no message for ${formatMs(this.t.staleMs)}`);
  }

  /** End a connection ourselves; its close event then schedules the reconnect. */
  private fail(conn: Conn, reason: string): void {
    if (this.conn !== conn) return;
    conn.failure = reason;
    conn.ws.terminate();
  }

  private onClose(conn: Conn, code: number, closeReason: string): void {
    if (this.conn !== conn) return;
    clearTimers(conn);
    this.conn = null;
    const text = `closed by Kraken (${code}${closeReason === '' ? '' : ` ${printable(closeReason)}`})`;
    if (isTerminalClose(code)) return this.toFatal(text);
    const healthy = conn.subscribedAt !== null && performance.now() - conn.subscribedAt >= this.t.stableMs;
    if (healthy) this.failures = 0;
    if (conn.rateLimited) this.failures = Math.max(this.failures, QUICK_RETRIES);
    this.retry(conn.failure ?? text);
  }

  private retry(why: string): void {
    this.failures += 1;
    const delay = Math.max(backoffDelayMs(this.failures, this.t, this.random), systemFloorMs(this.system, this.t.maintenanceMinMs));
    this.schedule(delay, why);
  }

  private toFatal(reason: string): void {
    this.fatal = reason;
    this.o.logger.error({ reason }, 'kraken ws: stopped retrying (the key or account cannot use the WebSocket feed)');
    void this.stop();
  }

  // --- messages ------------------------------------------------------------------------------------

  private onFrame(conn: Conn, data: WebSocket.RawData, isBinary: boolean): void {
    if (this.conn !== conn) return;
    conn.lastMessage = performance.now();
    this.lastMessageTs = this.clock() / 1000;
    const msg = isBinary ? ({ kind: 'garbage', what: 'binary frame' } as const) : parseFeedMessage(rawText(data));
    switch (msg.kind) {
      case 'heartbeat':
      case 'pong':
        return;
      case 'status':
        if (msg.system !== null && msg.system !== this.system) {
          this.system = msg.system;
          this.o.logger.info({ system: msg.system }, `kraken ws: system ${msg.system}`);
          this.emitHealth();
        }
        return;
      case 'ack':
        if (msg.method === 'subscribe' && (msg.channel === null || msg.channel === 'balances')) this.onSubscribed(conn);
        return;
      case 'refusal':
        if (msg.method === 'subscribe') this.onRefusal(conn, msg.error);
        else this.noteOdd(`${msg.method} refused: ${msg.error}`);
        return;
      case 'balances':
        if (msg.type === 'snapshot') {
          this.onSubscribed(conn);
          this.sequence.reset();
          this.sequence.observe(msg.sequence);
          return this.ring({ kind: 'snapshot', entries: msg.entries, sequence: msg.sequence, gap: false });
        }
        return this.onUpdate(msg.sequence, msg.entries);
      case 'unknown':
      case 'garbage':
        return this.noteOdd(`${msg.kind}: ${msg.what}`);
    }
  }

  private onSubscribed(conn: Conn): void {
    if (conn.subscribedAt !== null) return;
    conn.subscribedAt = performance.now();
    conn.tokenRefusals = 0;
    clearTimeout(conn.handshake);
    this.sequence.reset();
    this.setState('subscribed', null);
  }

  private onUpdate(sequence: number | null, entries: number): void {
    const verdict = this.sequence.observe(sequence);
    if (verdict === 'duplicate') return this.noteOdd('duplicate sequence');
    if (verdict === 'late') this.noteOdd('out-of-order sequence');
    this.ring({ kind: 'update', entries, sequence, gap: verdict === 'gap' });
  }

  private onRefusal(conn: Conn, error: string): void {
    const action = classifyWsError(error);
    if (action === 'fatal') return this.toFatal(`subscribe refused: ${error}`);
    if (action === 'new-token' && ++conn.tokenRefusals <= MAX_TOKEN_REFUSALS) {
      this.o.logger.warn({ error }, 'kraken ws: token refused, subscribing again with a new one');
      void this.fetchToken().then((got) => {
        if (got === null || this.conn !== conn) return;
        if ('token' in got) return this.subscribe(conn, got.token);
        const verdict = classifyTokenFailure(got.error);
        if (verdict === 'fatal') return this.toFatal(`token refused: ${describeFailure(got.error)}`);
        if (verdict === 'rate') conn.rateLimited = true;
        this.fail(conn, `token call failed: ${describeFailure(got.error)}`);
      });
      return;
    }
    if (action === 'rate') conn.rateLimited = true;
    this.fail(conn, `subscribe refused: ${error}`);
  }

  private ring(bell: Bell): void {
    try {
      this.o.onBell(bell);
    } catch (err) {
      this.noteOdd(`bell handler threw (${describeFailure(err)})`);
    }
  }

  /** Counted always, logged once per kind: a feed that sends odd frames must not flood the log. */
  private noteOdd(kind: string): void {
    this.ignored += 1;
    if (this.oddKinds.has(kind)) return;
    this.oddKinds.add(kind);
    this.o.logger.warn({ kind }, 'kraken ws: frame ignored (logged once per kind)');
  }

  // --- health --------------------------------------------------------------------------------------

  private setState(state: FeedHealth['state'], reason: string | null): void {
    const changed = state !== this.state;
    this.reason = reason;
    if (changed) {
      this.state = state;
      this.since = this.clock() / 1000;
      this.o.logger.info({ state, reason, reconnects: Math.max(0, this.connections - 1) }, `kraken ws: ${state}`);
    }
    this.emitHealth();
  }

  private emitHealth(): void {
    if (this.o.onHealth === undefined) return;
    const h = this.health();
    const key = JSON.stringify({ ...h, lastMessageTs: null, ignored: 0 });
    if (key === this.lastEmitted) return;
    this.lastEmitted = key;
    this.o.onHealth(h);
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
}

/** A polite close, then a hard one if the peer does not answer within a second. */
function clearTimers(conn: Conn): void {
  clearTimeout(conn.handshake);
  for (const timer of conn.timers) clearTimeout(timer);
}

function closeSocket(conn: Conn): Promise<void> {
  clearTimers(conn);
  const ws = conn.ws;
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => ws.terminate(), 1000);
    ws.once('close', () => {
      clearTimeout(hard);
      resolve();
    });
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'client stopping');
    else ws.terminate();
  });
}
