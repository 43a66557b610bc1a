// GET /openapi.json against real responses: a stage-4 daemon ticks against the simulator, its app serves every
// route, and each JSON answer is validated (JSON Schema 2020-12, Ajv) against the schema the document names.
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, startServer, type RunningServer } from '../../src/dashboard/index.js';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';
import { memoryLogger } from './harness.js';

const STAGE4 = { FLOW_DETECTION_ENABLED: 'true', FLOW_BASELINE_AUTO_ADJUST: 'true', EQUITY_TS_ENABLED: 'true', DASHBOARD_FLOW_PANELS_ENABLED: 'true' };

interface Doc {
  openapi: string;
  components: { schemas: Record<string, unknown> };
  paths: Record<string, { get: { responses: Record<string, { content?: Record<string, { schema: unknown }> }> } }>;
}

let h: Harness;
let srv: RunningServer;
let doc: Doc;
let ajv: InstanceType<typeof Ajv2020>;

/** Fetches a route and validates the body against the schema the document gives for that status and type. */
async function check(path: string, init?: RequestInit): Promise<{ status: number; type: string; body: unknown }> {
  const res = await fetch(new URL(path, srv.url), init);
  const route = new URL(path, srv.url).pathname;
  const spec = doc.paths[route]?.get.responses[String(res.status)];
  expect(spec, `${route} ${res.status} is documented`).toBeDefined();
  const type = (res.headers.get('content-type') ?? '').split(';')[0] ?? '';
  const content = spec?.content;
  if (content === undefined) return { status: res.status, type, body: null };
  expect(Object.keys(content), `${route} ${res.status} content type`).toContain(type);
  if (type !== 'application/json') return { status: res.status, type, body: await res.text() };
  const body: unknown = await res.json();
  const validate = ajv.compile({ $ref: `openapi.json#/paths/${route.replaceAll('/', '~1')}/get/responses/${res.status}/content/application~1json/schema` });
  const ok = validate(body);
  expect(validate.errors ?? [], `${route} ${res.status} matches the published schema`).toEqual([]);
  expect(ok).toBe(true);
  return { status: res.status, type, body };
}

describe('GET /openapi.json and every route', () => {
  beforeAll(async () => {
    h = await startHarness({ env: STAGE4 });
    await h.step();
    h.clock.advanceSec(10);
    h.sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '500.00000000', fee: '0' });
    h.sim.addLedgerRow({ type: 'withdrawal', asset: 'ZUSD', amount: '-20.0000', fee: '0.5000' });
    h.sim.addLedgerRow({ type: 'staking', asset: 'XXDG', amount: '1.25000000', fee: '0' });
    await h.step(60);
    await h.step();
    const app = createApp({
      getStatus: () => h.daemon.status,
      reports: () => h.daemon.reports.exports,
      health: () => h.daemon.health(),
      live: () => h.daemon.liveness(),
      ready: () => h.daemon.readiness(),
      logger: memoryLogger('silent').logger,
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'up 1\n' }),
    });
    srv = await startServer(app, { host: '127.0.0.1', port: 0, logger: memoryLogger('silent').logger, tokenSet: false });
    doc = (await (await fetch(new URL('openapi.json', srv.url))).json()) as Doc;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(doc, 'openapi.json');
  });
  afterAll(async () => {
    await srv?.close();
    await h?.close();
  });

  it('is OpenAPI 3.1 and names every route the app serves', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/status', '/flows', '/events', '/report', '/report.csv', '/flows.csv', '/equity.csv', '/chart.svg', '/metrics', '/healthz', '/livez', '/readyz', '/openapi.json']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    // Every schema compiles (the status builder's own zod schemas, as JSON Schema 2020-12).
    for (const name of Object.keys(doc.components.schemas)) expect(() => ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` })).not.toThrow();
  });

  it('/status of a real stage-4 daemon matches, with live, alerts and the 24 h markers', async () => {
    const r = await check('/status');
    expect(r.status).toBe(200);
    const s = r.body as { live: { mode: string }; equity_history: { flow_markers: unknown[]; flow_markers_from: number }; external_flows: { flow_count: number } };
    expect(s.live.mode).toMatch(/^(push|poll)$/);
    expect(s.external_flows.flow_count).toBe(2);
    expect(s.equity_history.flow_markers).toHaveLength(2);
  });

  it('/flows pages match, and bad queries are documented 400s', async () => {
    const all = await check('/flows');
    expect((all.body as { flows: unknown[] }).flows).toHaveLength(3); // two flows and the staking income
    expect((await check('/flows?limit=1&category=external')).status).toBe(200);
    for (const bad of ['limit=0', 'limit=501', 'limit=abc', 'before=yesterday', 'category=trade', 'colour=red', 'limit=1&limit=2']) {
      const r = await check(`/flows?${bad}`);
      expect(r.status, bad).toBe(400);
      expect((r.body as { error: string }).error).toMatch(/^bad query: /);
    }
  });

  it('/report, the probes, the CSV exports, the chart and the metrics match', async () => {
    expect((await check('/report')).status).toBe(200);
    for (const p of ['/healthz', '/livez', '/readyz']) expect([200, 503]).toContain((await check(p)).status);
    for (const p of ['/report.csv', '/flows.csv', '/equity.csv']) expect((await check(p)).type).toBe('text/csv');
    expect((await check('/chart.svg?range=7d&theme=dark')).type).toBe('image/svg+xml');
    expect((await check('/chart.svg?range=30d')).status).toBe(400);
    expect((await check('/metrics')).type).toBe('text/plain');
    expect((await check('/openapi.json')).status).toBe(200);
  });

  it('a payload that breaks the contract is caught by the same schema', () => {
    const validate = ajv.compile({ $ref: 'openapi.json#/components/schemas/StatusPayload' });
    const s = structuredClone(h.daemon.status) as unknown as Record<string, Record<string, unknown>>;
    expect(validate(s)).toBe(true);
    (s['live'] as Record<string, unknown>)['mode'] = 'socket';
    expect(validate(s)).toBe(false);
    delete (s['live'] as Record<string, unknown>)['mode'];
    (s['live'] as Record<string, unknown>)['mode'] = 'push';
    (s['equity_history'] as Record<string, unknown>)['extra'] = 1;
    expect(validate(s)).toBe(false);
  });
});
