import { afterEach, describe, expect, it } from 'vitest';
import type { ReportExports } from '../../src/bot/report-feed.js';
import { createApp, startServer, type RunningServer } from '../../src/dashboard/index.js';
import type { FlowRecord } from '../../src/recon/types.js';
import { buildReport, recordSample } from '../../src/reports/index.js';
import { sample, sides, T0, UTC_DAYS } from '../reports/fixtures.js';
import { parseCsv } from '../helpers/csv-parse.js';
import { memoryLogger } from './harness.js';

const TOKEN = 'report-token-0123456789';
let server: RunningServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function exportsFixture(): ReportExports {
  let state = recordSample(undefined, sample({ ts: T0 + 3600 }), T0 + 3600, UTC_DAYS).state;
  state = recordSample(state, sample({ ts: T0 + 86_400 + 60, quote: '1100', flows_in: sides(0, 100) }), T0 + 86_400 + 60, UTC_DAYS).state;
  const flow = {
    ledger_id: 'L1',
    refid: '=HYPERLINK("http://evil","click")',
    time: T0 + 86_400 + 30,
    type: 'deposit',
    subtype: '',
    asset: 'USD',
    side: 'quote',
    amount: '100',
    fee: '0',
    net: '100',
    price: 0.1,
    doge_eq: 1000,
    detected_ts: T0 + 86_400 + 60,
    applied: true,
    category: 'external',
    wallet: 'spot',
  } satisfies FlowRecord;
  return {
    report: buildReport(state, UTC_DAYS),
    flows: [flow, { ...flow, ledger_id: 'L2', refid: 'R2', type: 'withdrawal', amount: '-5', net: '-5', doge_eq: -50 }],
    equity: [{ ts: T0 + 60, doge_eq: 20000, usd: 1000, doge: 10000, price: 0.1, bot_pnl_usd: -1.5, flows_cumulative_doge_eq: 0 }],
  };
}

async function start(exports: ReportExports | null, token: string | undefined = TOKEN): Promise<string> {
  const { logger } = memoryLogger();
  const app = createApp({ getStatus: () => null, health: () => ({ ok: true }), logger, token, reports: () => exports });
  server = await startServer(app, { host: '127.0.0.1', port: 0, logger, tokenSet: token !== undefined });
  return server.url;
}

const auth = { Authorization: `Bearer ${TOKEN}` };
const ROUTES = ['report', 'report.csv', 'flows.csv', 'equity.csv'];

describe('report routes', () => {
  it('are token-guarded like /status', async () => {
    const url = await start(exportsFixture());
    for (const r of ROUTES) {
      expect((await fetch(`${url}${r}`)).status, r).toBe(401);
      expect((await fetch(`${url}${r}`, { headers: { Authorization: 'Bearer wrong-token-wrong-token' } })).status, r).toBe(401);
      expect((await fetch(`${url}${r}`, { headers: auth })).status, r).toBe(200);
    }
  });

  it('answer 503 before the first tick has published a report', async () => {
    const url = await start(null);
    for (const r of ROUTES) {
      const res = await fetch(`${url}${r}`, { headers: auth });
      expect(res.status, r).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
    }
  });

  it('GET /report is the JSON {period_sec, tz, periods, summary}, not cached by the browser', async () => {
    const url = await start(exportsFixture());
    const res = await fetch(`${url}report`, { headers: auth });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as ReportExports['report'];
    expect(Object.keys(body)).toEqual(['period_sec', 'tz', 'periods', 'summary']);
    expect(body.period_sec).toBe(86_400);
    expect(body.periods.map((p) => [p.open, p.deposits_usd])).toEqual([
      [false, 0],
      [true, 100],
    ]);
    expect(Object.keys(body.summary)).toEqual(['7d', '30d']);
    expect(body.summary['7d'].deposits_usd).toBe(100);
  });

  it('the CSVs download as attachments, RFC 4180, with formula injection neutralised and numbers left numeric', async () => {
    const url = await start(exportsFixture());
    for (const [route, name] of [
      ['report.csv', 'report.csv'],
      ['flows.csv', 'flows.csv'],
      ['equity.csv', 'equity.csv'],
    ] as const) {
      const res = await fetch(`${url}${route}`, { headers: auth });
      expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const rows = parseCsv(await res.text());
      expect(rows.length).toBeGreaterThan(1);
      if (route === 'flows.csv') {
        expect(rows[1]?.[3]).toBe(`'=HYPERLINK("http://evil","click")`);
        expect(rows[2]?.slice(9, 13)).toEqual(['-5', '0', '-5', '-50']);
      }
      if (route === 'report.csv') expect(rows.length).toBe(3);
    }
  });

  it('the browser query token works for the downloads too', async () => {
    const url = await start(exportsFixture());
    expect((await fetch(`${url}flows.csv?token=${TOKEN}`)).status).toBe(200);
  });

  it('serves the bytes built once per published report', async () => {
    let e = exportsFixture();
    const { logger } = memoryLogger();
    let builds = 0;
    const app = createApp({
      getStatus: () => null,
      health: () => ({ ok: true }),
      logger,
      reports: () => {
        builds++;
        return e;
      },
    });
    server = await startServer(app, { host: '127.0.0.1', port: 0, logger, tokenSet: false });
    const a = await (await fetch(`${server.url}report.csv`)).text();
    const b = await (await fetch(`${server.url}report.csv`)).text();
    expect(b).toBe(a);
    e = { ...e, report: { ...e.report, periods: e.report.periods.slice(0, 1) } };
    const c = parseCsv(await (await fetch(`${server.url}report.csv`)).text());
    expect(c.length).toBe(2); // a new publication is served at once
    expect(builds).toBe(3);
  });
});
