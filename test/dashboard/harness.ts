// A live dashboard server on port 0 with a pino logger writing into memory, for HTTP-level tests.
import pino from 'pino';
import type { Logger } from 'pino';
import { createApp, startServer, type AppOptions, type RunningServer } from '../../src/dashboard/index.js';
import type { StatusPayload } from '../../src/bot/status-types.js';

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
  /** Replaces what getStatus returns (null = before the first tick). */
  setStatus(s: StatusPayload | null): void;
  setHealth(h: { ok: boolean; [k: string]: unknown }): void;
}

export async function startTestServer(opts: Partial<AppOptions> & { status?: StatusPayload | null } = {}): Promise<TestServer> {
  const sink = memoryLogger();
  let status: StatusPayload | null = opts.status ?? null;
  let health: { ok: boolean; [k: string]: unknown } = { ok: true, last_tick_age_sec: 1 };
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
  });
  const srv = await startServer(app, { host: '127.0.0.1', port: 0, logger: sink.logger, tokenSet: opts.token !== undefined });
  return {
    ...srv,
    sink,
    setStatus: (s) => void (status = s),
    setHealth: (h) => void (health = h),
  };
}
