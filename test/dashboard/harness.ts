// A live dashboard server on port 0 with a pino logger writing into memory, for HTTP-level tests.
import pino from 'pino';
import type { Logger } from 'pino';
import { createApp, startServer, type AppOptions, type RunningServer } from '../../src/dashboard/index.js';
import type { StatusPayload } from '../../src/bot/status-types.js';
import { createStatusFeed, type StatusFeed } from '../../src/dashboard/status-feed.js';

export interface LogSink {
  lines: string[];
  logger: Logger;
  text(): string;
}

export function memoryLogger(level: pino.LevelWithSilent = 'trace'): LogSink {
  const lines: string[] = [];
  const logger = pino({ level }, { write: (s: string) => void lines.push(s) });
  return { lines, logger, text: () => lines.join('') };
}

export interface TestServer extends RunningServer {
  sink: LogSink;
  /** Replaces what getStatus returns (null = before the first tick) and publishes it to /events, as the daemon does. */
  setStatus(s: StatusPayload | null): void;
  feed: StatusFeed;
  setHealth(h: { ok: boolean; [k: string]: unknown }): void;
}

export async function startTestServer(opts: Partial<AppOptions> & { status?: StatusPayload | null } = {}): Promise<TestServer> {
  const sink = memoryLogger();
  let status: StatusPayload | null = opts.status ?? null;
  let health: { ok: boolean; [k: string]: unknown } = { ok: true, last_tick_age_sec: 1 };
  const feed = opts.feed ?? createStatusFeed();
  const app = createApp({
    getStatus: () => status,
    health: opts.health ?? (() => health),
    live: opts.live,
    ready: opts.ready,
    logger: sink.logger,
    token: opts.token,
    metrics: opts.metrics,
    host: opts.host,
    allowedHosts: opts.allowedHosts,
    nowMs: opts.nowMs,
    reports: opts.reports,
    flows: opts.flows,
    feed,
    eventsMaxStreams: opts.eventsMaxStreams,
    eventsHeartbeatMs: opts.eventsHeartbeatMs,
  });
  const srv = await startServer(app, { host: '127.0.0.1', port: 0, logger: sink.logger, tokenSet: opts.token !== undefined });
  const close = srv.close;
  return {
    ...srv,
    close: () => {
      feed.close();
      return close();
    },
    sink,
    feed,
    setStatus: (s) => {
      status = s;
      if (s !== null) feed.publish(s);
    },
    setHealth: (h) => void (health = h),
  };
}
