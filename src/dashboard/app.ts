import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { flowMarkers } from '../equity/index.js';
import { packageVersion } from '../bot/package-info.js';
import type { ReportExports } from '../bot/report-feed.js';
import type { FlowRecord } from '../recon/types.js';
import type { StatusPayload } from '../bot/status-types.js';
import { requireToken } from './auth.js';
import { reportRoutes } from './report-routes.js';
import { loadChartModule } from './chart-module.js';
import { createChartCache } from './chart-svg.js';
import { cacheByIdentity } from './identity-cache.js';
import { indexPage } from './index-page.js';
import { exceptPaths, PROBE_PATHS } from './open-paths.js';
import { describeHostPolicy, hostGuard, hostPolicy } from './host-guard.js';
import { findPublicDir } from './public-dir.js';
import { eventsRoute } from './events-route.js';
import { flowRoutes } from './flow-routes.js';
import { jsonBytes, sendTaggedJson } from './json-body.js';
import { openApiDocument } from './openapi.js';
import { requestLog } from './request-log.js';
import { chartQuerySchema, parseQuery } from './route-schemas.js';
import type { StatusFeed } from './status-feed.js';
import { revalidate, tickTagger } from './revalidation.js';
import { securityHeaders } from './security-headers.js';

export interface AppOptions {
  /** The payload cached by the last tick; null before the first tick. */
  getStatus: () => StatusPayload | null;
  /** Computed by the loop: ticks are fresh (< 3 intervals). Served at /healthz. */
  health: () => Probe;
  /** Kubernetes-style probes: alive (the loop is not stuck) and ready (fresh ticks with data). Default: `health`. */
  live?: (() => Probe) | undefined;
  ready?: (() => Probe) | undefined;
  /** STATUS_TOKEN: when set, everything but the probes needs it (header, `?token=`, or the session cookie). */
  token?: string | undefined;
  /** The listen address (HOST): allowed as a Host name besides the loopback names. */
  host?: string | undefined;
  /** ALLOWED_HOSTS: more Host names to answer for (normalized), or `*` for any. */
  allowedHosts?: readonly string[] | '*' | undefined;
  /** Clock for session cookie expiry (default Date.now). */
  nowMs?: (() => number) | undefined;
  /** Prometheus exposition for GET /metrics; 404 when absent. */
  metrics?: (() => Promise<{ contentType: string; body: string }>) | undefined;
  logger: Logger;
  /** Where index.html, dashboard.js and chart.js live (default: the repository's public/). */
  publicDir?: string | undefined;
  /** Period reports and CSV exports published by the last tick (/report, /report.csv, /flows.csv, /equity.csv); 503 while null. */
  reports?: (() => ReportExports | null) | undefined;
  /** The flow list GET /flows pages (default: the one `reports` published); null before the first tick. */
  flows?: (() => readonly FlowRecord[] | null) | undefined;
  /** Published snapshots for GET /events (404 when absent). */
  feed?: StatusFeed | undefined;
  /** Concurrent /events streams (default 32) and the heartbeat comment's period (default 15 s). */
  eventsMaxStreams?: number | undefined;
  eventsHeartbeatMs?: number | undefined;
}

const SEVEN_DAYS_SEC = 7 * 86_400;

/** A partial payload (missing blocks) draws the empty chart, never a 500. */
const markersOf = (s: StatusPayload): StatusPayload['equity_history']['flow_markers'] =>
  (s.equity_history as Partial<StatusPayload['equity_history']> | undefined)?.flow_markers ?? [];

const NO_STORE = 'no-store';

export type Probe = { ok: boolean; [k: string]: unknown };

/**
 * The dashboard's HTTP surface: the Host allow-list and the token guard EVERY route but the probes (they run
 * before any route, so routers added anywhere below are covered), then the probes (open), /status,
 * /chart.svg, /metrics and the page.
 */
export function createApp(opts: AppOptions): express.Express {
  const publicDir = opts.publicDir ?? findPublicDir();
  const log = opts.logger.child({ component: 'dashboard' });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // tags come from the tick (revalidation.ts): hashing every body would cost more than it saves

  app.use(securityHeaders);
  app.use(requestLog(log));

  // DNS rebinding, then the token: app-wide, before any route (so routes added later are covered too); only
  // the probes are exempt, and the favicon needs an allowed Host but no token.
  const policy = hostPolicy(opts.host, opts.allowedHosts);
  const allowed = describeHostPolicy(policy);
  const wildcard = opts.host !== undefined && ['0.0.0.0', '::', '[::]'].includes(opts.host.trim());
  const hint = wildcard ? `; HOST ${opts.host ?? ''} accepts every address: list the names clients use in ALLOWED_HOSTS` : '';
  log.info({ allowed_hosts: allowed }, allowed === '*' ? 'Host check off (ALLOWED_HOSTS=*)' : `answering for Host ${allowed.join(', ')} (any port)${hint}`);
  if (policy.any) log.warn({ security: true }, 'SECURITY: ALLOWED_HOSTS=* turns the DNS-rebinding guard off: any web page the operator visits may read /status through a rebound name');
  app.use(exceptPaths(PROBE_PATHS, hostGuard(policy, log)));
  app.use(exceptPaths([...PROBE_PATHS, '/favicon.ico'], requireToken(opts.token, opts.nowMs)));

  // Probes are open (no token): supervisors and load balancers call them without credentials.
  const probe = (name: string, check: () => Probe) => (_req: Request, res: Response) => {
    let body: Probe;
    try {
      body = check();
    } catch (err) {
      log.error({ err, probe: name }, 'health check failed');
      body = { ok: false, error: 'health check failed' };
    }
    res.setHeader('Cache-Control', NO_STORE);
    res.status(body.ok ? 200 : 503).json(body);
  };
  app.get('/healthz', probe('healthz', opts.health));
  app.get('/livez', probe('livez', opts.live ?? opts.health));
  app.get('/readyz', probe('readyz', opts.ready ?? opts.health));

  // Browsers ask for it on every URL (e.g. /chart.svg opened directly); answering here avoids 401/404 noise.
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });

  // One strong tag per tick and variant: pollers revalidate and get 304 until the next tick.
  const etag = tickTagger<StatusPayload>();

  // Serialized once per tick: the cached bytes (and their gzip, ~4× smaller) are reused until the loop publishes a new payload.
  const statusBody = cacheByIdentity((s: StatusPayload) => jsonBytes(s));
  app.get('/status', (req, res) => {
    const status = opts.getStatus();
    if (status === null) {
      res.setHeader('Cache-Control', NO_STORE);
      res.setHeader('Retry-After', '1');
      res.status(503).json({ error: 'warming up' });
      return;
    }
    sendTaggedJson(req, res, (variant) => etag(status, variant), () => statusBody(status));
  });

  const flows = opts.flows ?? (() => opts.reports?.()?.flows ?? null);
  app.use(flowRoutes(flows));

  if (opts.feed !== undefined) {
    app.get('/events', eventsRoute({ feed: opts.feed, getStatus: opts.getStatus, etag: (s) => etag(s, ''), maxStreams: opts.eventsMaxStreams ?? 32, heartbeatMs: opts.eventsHeartbeatMs ?? 15_000 }));
  }

  let openApi: Buffer | undefined;
  app.get('/openapi.json', (_req, res) => {
    openApi ??= Buffer.from(JSON.stringify(openApiDocument(packageVersion())), 'utf8');
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/json').send(openApi);
  });

  let chartCache: ReturnType<typeof createChartCache> | undefined;
  // The 7-day chart draws every external flow of the week from the flow list (/status carries 24 h of markers).
  const weekMarkers = cacheByIdentity((status: StatusPayload) => {
    const list = flows();
    return list === null ? markersOf(status) : flowMarkers(list, status.ts - SEVEN_DAYS_SEC);
  });
  app.get('/chart.svg', async (req, res) => {
    const q = parseQuery(chartQuerySchema, req.query, []);
    if (!q.ok) {
      res.setHeader('Cache-Control', NO_STORE);
      res.status(400).json({ error: q.error });
      return;
    }
    const { range, theme } = q.value;
    const status = opts.getStatus();
    if (status === null) {
      res.setHeader('Cache-Control', NO_STORE);
      res.status(503).json({ error: 'warming up' });
      return;
    }
    if (revalidate(req, res, etag(status, `${range}-${theme}`))) return;
    chartCache ??= createChartCache(await loadChartModule(publicDir));
    const markers = range === '7d' ? weekMarkers(status) : markersOf(status);
    res.type('image/svg+xml; charset=utf-8').send(chartCache(status, range, theme, markers));
  });

  // Period reports and CSV exports (behind the token like everything here).
  app.use(reportRoutes(opts.reports ?? (() => null)));

  app.get('/metrics', async (_req, res) => {
    if (opts.metrics === undefined) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    const m = await opts.metrics();
    res.setHeader('Cache-Control', NO_STORE);
    res.type(m.contentType).send(m.body);
  });

  const statusJson = (): string | null => {
    const status = opts.getStatus();
    return status === null ? null : statusBody(status).raw.toString('utf8');
  };
  app.get(['/', '/index.html'], indexPage(publicDir, opts.token, opts.nowMs, statusJson));
  app.use((req, res, next) => (req.path.endsWith('.d.ts') ? res.status(404).json({ error: 'not found' }) : next()));
  app.use(
    express.static(publicDir, {
      index: false,
      dotfiles: 'ignore',
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'), // revalidate: a deploy must show at once
    }),
  );

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // Express needs the 4-argument signature to recognise an error handler.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) return;
    res.removeHeader('ETag');
    res.setHeader('Cache-Control', NO_STORE);
    res.status(500).json({ error: 'internal error' });
  });
  return app;
}
