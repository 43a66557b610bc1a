// The page's accounting detail (DESIGN 15, 17): income, unclassified types, the ledger's P&L, wallets, the
// since-baseline waterfall, flow categories, the reports card. Present and absent fields, 1280 and 375 px.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusPayload } from '../../src/bot/status-types.js';
import { makeStatus } from '../helpers/status-fixture.js';
import type { reconFields } from '../helpers/status-fixture-recon.js';
import { withReconFields, withoutReconFields } from '../helpers/status-fixture-recon.js';
import { incompleteRow, makeReport, type ReportBody } from '../helpers/report-fixture.js';
import { join } from 'node:path';
import { ARTIFACTS_DIR, browserAvailable, launchBrowser, recordPage, screenshot, type PageRecorder } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../dashboard/harness.js';

const RUN = browserAvailable();
const XSS = '<img src=x onerror="window.__xss=1">';

let browser: Browser;
let srv: TestServer;

interface Box { left: number; right: number; top: number; bottom: number }
interface WfRow { key: string; kind: string; label: string; text: string; value: number; bar: Box; labelBox: Box; valueBox: Box }

/** Opens the page on `status`; `/report` answers `report`, or 404 (a sidecar without the route) when absent. */
async function open(status: StatusPayload, opts: { width?: number; scheme?: 'light' | 'dark'; report?: ReportBody } = {}): Promise<{ page: Page; rec: PageRecorder }> {
  srv.setStatus(status);
  const page = await browser.newPage({ viewport: { width: opts.width ?? 1280, height: 900 }, colorScheme: opts.scheme ?? 'light' });
  const rec = recordPage(page);
  const body = opts.report ? JSON.stringify(opts.report) : '{"error":"not found"}';
  await page.route('**/report', (route) => route.fulfill({ status: opts.report ? 200 : 404, contentType: 'application/json', body }));
  await page.goto(srv.url);
  await expect.poll(() => page.locator('#health').textContent(), { timeout: 5000 }).toBe('healthy');
  return { page, rec };
}

/** The rendered waterfall rows: their text as the reader sees it, parsed, and their boxes on screen. */
async function readWaterfall(page: Page, boxId: string): Promise<WfRow[]> {
  await page.locator(`#${boxId} svg.waterfall .wf-row`).first().waitFor();
  const rows = await page.locator(`#${boxId} svg.waterfall .wf-row`).evaluateAll((gs) =>
    gs.map((g) => {
      const box = (e: Element | null) => {
        const r = e!.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      };
      return {
        key: g.getAttribute('data-key') ?? '',
        kind: (g.getAttribute('class') ?? '').replace('wf-row wf-', ''),
        label: g.querySelector('.wf-label')!.textContent ?? '',
        text: g.querySelector('.wf-value')!.textContent ?? '',
        bar: box(g.querySelector('.wf-bar')),
        labelBox: box(g.querySelector('.wf-label')),
        valueBox: box(g.querySelector('.wf-value')),
      };
    }),
  );
  return rows.map((r) => ({ ...r, value: Number(r.text.replace('\u2212', '-').replace(/[+,]/g, '')) }));
}

/** Start + every step = end, read from the rendered text (each value rounded to cents), and on screen. */
function expectWaterfallAddsUp(rows: WfRow[]): void {
  const [start, ...rest] = rows;
  const end = rest.pop()!;
  expect(rows.every((r) => Number.isFinite(r.value))).toBe(true);
  const sum = rest.reduce((s, r) => s + r.value, start!.value);
  expect(Math.abs(sum - end.value)).toBeLessThanOrEqual(0.005 * (rows.length - 1) + 1e-9);
  // Visually: each step starts where the previous one ended; the last ends where the end total does.
  const fromX = (r: WfRow) => (r.kind === 'down' ? r.bar.right : r.kind === 'zero' ? (r.bar.left + r.bar.right) / 2 : r.bar.left);
  const toX = (r: WfRow) => (r.kind === 'down' ? r.bar.left : r.kind === 'zero' ? (r.bar.left + r.bar.right) / 2 : r.bar.right);
  let prev = start!.bar.right;
  for (const r of rest) {
    expect(Math.abs(fromX(r) - prev), `${r.key} starts where the previous bar ended`).toBeLessThanOrEqual(2.5);
    prev = toX(r);
  }
  expect(Math.abs(prev - end.bar.right), 'the last step ends at the end total').toBeLessThanOrEqual(2.5);
}

/** Label, bar and value of a row never overlap, and rows do not overlap each other. */
function expectNoCollisions(rows: WfRow[], viewport: number): void {
  rows.forEach((r, i) => {
    expect(r.labelBox.right, `${r.key}: label clear of its bar`).toBeLessThanOrEqual(r.bar.left + 0.5);
    expect(r.bar.right, `${r.key}: bar clear of its value`).toBeLessThanOrEqual(r.valueBox.left + 0.5);
    expect(r.valueBox.right).toBeLessThanOrEqual(viewport);
    const next = rows[i + 1];
    if (next) expect(r.labelBox.bottom).toBeLessThanOrEqual(next.labelBox.top + 0.5);
  });
}

function rich(over: (f: ReturnType<typeof reconFields>) => void = () => undefined): StatusPayload {
  return withReconFields(makeStatus(), over);
}

describe.skipIf(!RUN)('dashboard: accounting detail and reports', () => {
  beforeAll(async () => {
    [browser, srv] = await Promise.all([launchBrowser(), startTestServer()]);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('shows income, unclassified rows with their types, the ledger P&L beside the bot figure, and wallets', async () => {
    const s = rich();
    const { page, rec } = await open(s, { report: makeReport(s.ts) });
    const metrics = await page.locator('#recon-metrics').innerText();
    expect(metrics).toMatch(/Income\s+\+120\.50\s+9 reward rows · DOGE-eq/);
    expect(metrics).toMatch(/Unclassified\s+\u221212\.40\s+3 rows · in Unexplained/);
    expect(metrics).toMatch(/Ledger trading\s+\+248\.70\s+DOGE-eq from Kraken's ledger, beside the http figure \(\u22121\.30 apart\)/);
    expect(metrics).toMatch(/source http/);
    const un = page.locator('#unclassified');
    expect(await un.isVisible()).toBe(true);
    expect(await un.locator('li').allInnerTexts()).toEqual(['nfttransfer \u00d72', 'margin call \u00d71']);
    const wallets = await page.locator('#wallets tbody tr').allInnerTexts();
    expect(wallets.map((w) => w.split(/\s+/)[0])).toEqual(['spot', 'F', 'HOLD', 'S']); // pool wallets first, in pool order
    expect(wallets[1]).toMatch(/F\s+Auto Earn\s+15,000\.00\s+1,200\.00\s+pool/);
    expect(wallets[3]).toMatch(/not in pool/);
    expect(await page.locator('#wallets tfoot').innerText()).toMatch(/Pool\s+35,120\.50\s+1,420\.37/);
    expect(await page.locator('#wallets').innerText()).toContain('34 internal moves');
    expect(rec.errors).toEqual([]);
    await page.close();
  });

  it('draws the since-baseline waterfall: the rendered values and bars add up to current, at 1280 and 375 px', async () => {
    const s = rich((f) => {
      const rf = f.balance_recon.roll_forward!;
      rf.baseline += rf.unexplained + 135.25; // an unexplained loss: the negative step
      rf.unexplained = -135.25;
    });
    const rf = (s.balance_recon as unknown as { roll_forward: { current: number } }).roll_forward;
    for (const width of [1280, 375]) {
      const { page, rec } = await open(s, { width });
      const rows = await readWaterfall(page, 'rf-chart');
      expect(rows.map((r) => r.label)).toEqual(['First baseline', 'Flows', 'Income', 'Bot P&L', 'Unexplained', 'Current']);
      expect(rows.at(-1)!.text).toBe(rf.current.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
      expect(rows.find((r) => r.key === 'unexplained')!.kind).toBe('down');
      expect(rows.find((r) => r.key === 'unexplained')!.text).toMatch(/^\u2212/);
      expect(rows.find((r) => r.key === 'flows')!.text).toMatch(/^\+/);
      expectWaterfallAddsUp(rows);
      expectNoCollisions(rows, width);
      expect(await page.locator('#rf-note').textContent()).toMatch(/= current/);
      expect(rec.errors).toEqual([]);
      await page.close();
    }
  });

  it('adds a pool-changes step only when it is non-zero', async () => {
    const s = rich((f) => {
      const rf = f.balance_recon.roll_forward!;
      rf.pool_changes = -2_500;
      rf.baseline += 2_500;
    });
    const { page } = await open(s, { width: 375 });
    const rows = await readWaterfall(page, 'rf-chart');
    expect(rows.map((r) => r.key)).toEqual(['baseline', 'pool_changes', 'flows', 'income', 'bot_pnl', 'unexplained', 'current']);
    expect(rows[1]!.text).toBe('\u22122,500.00');
    expectWaterfallAddsUp(rows);
    expectNoCollisions(rows, 375);
    await page.close();
  });

  it('lists each flow with its category and wallet', async () => {
    const s = rich();
    const { page } = await open(s);
    await page.click('#flows summary');
    const rows = page.locator('#flow-list tbody tr');
    await expect.poll(() => rows.count(), { timeout: 5000 }).toBe(s.external_flows.recent_flows.length);
    const income = await page.locator('#flow-list tr', { hasText: 'LRWD1-AAAAA-RRRRRR' }).locator('td').allInnerTexts();
    expect(income.slice(1, 5)).toEqual(['\u25B2 earn / reward', 'income', 'USD', 'F']);
    const deposit = await page.locator('#flow-list tr', { hasText: 'LDEP1-AAAAA-BBBBBB' }).locator('td').allInnerTexts();
    expect(deposit.slice(2, 5)).toEqual(['external', 'DOGE', 'spot']);
    expect(await page.locator('#flow-list thead').innerText()).toMatch(/CATEGORY[\s\S]*WALLET/i);
    // The list has income rows; the count beside it is external flows only, and says so.
    expect(await page.locator('#flow-count').innerText()).toBe(`${s.external_flows.recent_flows.length} recent (flows and income) · ${s.external_flows.flow_count} external flows since baseline`);
    await page.close();
  });

  it('shows the last 7 report periods, the CSV links and the open period as a waterfall that adds up to now', async () => {
    const s = rich();
    const report = makeReport(s.ts, 9);
    const { page, rec } = await open(s, { report });
    await page.locator('#reports-table tbody tr').first().waitFor();
    const rows = page.locator('#reports-table tbody tr');
    expect(await rows.count()).toBe(7);
    const openRow = report.periods.at(-1)!;
    const first = await rows.first().locator('td').allInnerTexts();
    expect(first[0]).toMatch(/open$/);
    const fmt = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(first[1]).toBe(fmt(openRow.start_usd!));
    expect(first[7]).toBe(fmt(openRow.end_usd!));
    // The oldest row shown is the 7th from the end; the two before it are not shown.
    const oldest = report.periods.at(-7)!;
    expect((await rows.last().locator('td').allInnerTexts())[1]).toBe(fmt(oldest.start_usd!));
    expect(await page.locator('#reports-meta').textContent()).toBe('daily · UTC · USD');
    expect(await page.locator('#reports-summary').textContent()).toMatch(/^7 d return ex flows [+\u2212]\d+\.\d\d % · 30 d return ex flows/);
    const links = await page.locator('#reports-downloads a').evaluateAll((as: Element[]) => as.map((a) => [a.getAttribute('href'), a.hasAttribute('download')]));
    expect(links).toEqual([['report.csv', true], ['flows.csv', true], ['equity.csv', true]]);
    const wf = await readWaterfall(page, 'period-chart');
    expect(wf.map((r) => r.label)).toEqual(['Start', 'Price effect', 'Flows', 'Income', 'Bot P&L', 'Unexplained', 'Now']);
    expect(wf.at(-1)!.text).toBe(fmt(openRow.end_usd!));
    expectWaterfallAddsUp(wf);
    expect(rec.errors).toEqual([]);
    await page.close();
  });

  it('marks an incomplete period, and keeps quiet when the open one has no balances', async () => {
    const s = rich();
    const report = makeReport(s.ts, 9);
    report.periods[report.periods.length - 3] = incompleteRow(report.periods.at(-3)!);
    report.periods[report.periods.length - 1] = incompleteRow(report.periods.at(-1)!);
    const { page, rec } = await open(s, { width: 375, report });
    await page.locator('#reports-table tbody tr').first().waitFor();
    const third = await page.locator('#reports-table tbody tr').nth(2).innerText();
    expect(third).toMatch(/balances missing/);
    expect(third).not.toMatch(/\d\.\d\d/);
    expect(await page.locator('#period-chart').innerText()).toMatch(/no complete balances yet/);
    expect(await page.locator('#period-chart svg').count()).toBe(0);
    expect(rec.errors).toEqual([]);
    await page.close();
  });

  it('polls /report on a slower cadence than /status', async () => {
    const s = rich();
    srv.setStatus(s);
    const page = await browser.newPage();
    const count = { status: 0, report: 0 };
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path === '/status') count.status += 1;
      if (path === '/report') count.report += 1;
    });
    const body = JSON.stringify(makeReport(s.ts));
    await page.route('**/report', (route) => route.fulfill({ status: 200, contentType: 'application/json', body }));
    // Without the event stream the page polls /status every 4 s: the cadence /report is compared with.
    await page.route('**/events', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"too many event streams"}' }));
    await page.clock.install({ time: Date.now() });
    await page.goto(srv.url);
    await page.locator('#reports-table tbody tr').first().waitFor();
    for (let i = 0; i < 12; i += 1) await page.clock.runFor(5_000); // one simulated minute
    await expect.poll(() => count.status, { timeout: 5000 }).toBeGreaterThanOrEqual(6);
    expect(count.report).toBeGreaterThanOrEqual(1);
    expect(count.report).toBeLessThanOrEqual(2); // every 60 s, against /status every 4 s
    await page.close();
  });

  it('waits for the first report (503) and asks again soon, not a minute later', async () => {
    const s = rich();
    srv.setStatus(s);
    const page = await browser.newPage();
    const rec = recordPage(page);
    let ready = false;
    const body = JSON.stringify(makeReport(s.ts));
    await page.route('**/report', (route) =>
      ready ? route.fulfill({ status: 200, contentType: 'application/json', body }) : route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"warming up"}' }),
    );
    await page.clock.install({ time: Date.now() });
    await page.goto(srv.url);
    await expect.poll(() => page.locator('#reports-placeholder').textContent(), { timeout: 5000 }).toBe('No report: the first report is not ready yet.');
    ready = true;
    await page.clock.runFor(11_000);
    await page.locator('#reports-table tbody tr').first().waitFor({ timeout: 5000 });
    expect(await page.locator('#reports-placeholder').isVisible()).toBe(false);
    expect(rec.errors).toEqual([]); // the browser's line for the 503 of /report is expected (isMissingReport)
    await page.close();
  });

  it('keeps the last good report on screen when a later /report poll fails', async () => {
    const s = rich();
    srv.setStatus(s);
    const page = await browser.newPage();
    const rec = recordPage(page);
    let fail = false;
    const body = JSON.stringify(makeReport(s.ts));
    await page.route('**/report', (route) =>
      fail ? route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"internal error"}' }) : route.fulfill({ status: 200, contentType: 'application/json', body }),
    );
    await page.clock.install({ time: Date.now() });
    await page.goto(srv.url);
    await page.locator('#reports-table tbody tr').first().waitFor();
    fail = true;
    await page.clock.runFor(61_000);
    await expect.poll(() => page.locator('#reports-note').textContent(), { timeout: 5000 }).toBe('Showing the last report; the sidecar answered HTTP 500 for /report.');
    expect(await page.locator('#reports-table tbody tr').count()).toBe(7);
    expect(await page.locator('#period-chart svg.waterfall').count()).toBe(1);
    expect(rec.errors.filter((e) => !/status of 500/.test(e))).toEqual([]); // the browser logs the 500 itself
    await page.close();
  });

  it('degrades quietly for an older sidecar: no new fields, /report 404', async () => {
    const s = withoutReconFields(rich());
    const { page, rec } = await open(s, { width: 375 });
    await expect.poll(() => page.locator('#reports-placeholder').textContent(), { timeout: 5000 }).toBe('Reports are not available on this sidecar yet.');
    expect(await page.locator('#reports-body').isVisible()).toBe(false);
    expect(await page.locator('#reports-downloads').isVisible()).toBe(false);
    expect(await page.locator('#rf-chart').innerText()).toBe('This sidecar does not report a roll-forward yet.');
    expect(await page.locator('#wallets').innerText()).toBe('Per-wallet balances are not in this payload.');
    expect(await page.locator('#unclassified').isVisible()).toBe(false);
    const metrics = await page.locator('#recon-metrics').innerText();
    for (const absent of ['Income', 'Unclassified', 'Ledger trading']) expect(metrics).not.toContain(absent);
    await page.click('#flows summary');
    expect(await page.locator('#flow-count').innerText()).toMatch(/^\d+ recent · \d+ flows since baseline$/);
    // Neither category nor wallet in the payload: the two columns are left out, the others keep their place.
    expect(await page.locator('#flow-list tbody tr').first().locator('td').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-label')))).toEqual([
      'Time', 'Type', 'Asset', 'Amount', 'Fee', 'DOGE-eq', 'Baseline', 'Ledger id',
    ]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'dashboard-recon-absent-375');
    // A roll-forward that is null (no baseline yet) says so instead.
    srv.setStatus(rich((f) => void (f.balance_recon.roll_forward = null)));
    await expect.poll(() => page.locator('#rf-chart').innerText(), { timeout: 8000 }).toBe('No roll-forward yet: it starts with the first baseline.');
    expect(rec.errors).toEqual([]);
    await page.close();
  });

  it('survives malformed new fields and a malformed report without an exception', async () => {
    const s = withReconFields(makeStatus());
    const bad = s as unknown as { balances: Record<string, unknown>; balance_recon: Record<string, unknown>; external_flows: { recent_flows: Record<string, unknown>[] } };
    Object.assign(bad.balances, { wallets: { spot: 'x', F: null, '': { doge: 'a' }, ['__proto__']: { doge: 1 } }, pool: 'spot' });
    Object.assign(bad.balance_recon, {
      income_doge_eq: 'NaN', income_count: {}, unclassified: { rows: '3', types: ['a'] }, ledger_trading_doge_eq: {}, roll_forward: { baseline: 'x' }, bot_pnl: 'ledger',
    });
    bad.external_flows.recent_flows[0]!['category'] = 5;
    bad.external_flows.recent_flows[0]!['wallet'] = null;
    const report = { period_sec: 'day', tz: 5, summary: 'x', periods: [null, 5, { start_ts: 1e20, open: true, start_usd: 'x', complete: 'no' }] } as unknown as ReportBody;
    const { page, rec } = await open(s, { report, width: 375 });
    await page.locator('#reports-table tbody tr').first().waitFor();
    expect(await page.locator('#reports-table tbody tr').count()).toBe(1);
    expect(await page.locator('#period-chart').innerText()).toMatch(/no complete balances yet/);
    expect(await page.locator('#rf-chart').innerText()).toBe('This sidecar does not report a roll-forward yet.');
    expect(await page.locator('#unclassified').isVisible()).toBe(false);
    expect(await page.locator('#recon-metrics').innerText()).not.toContain('Income');
    expect(await page.locator('#wallets tbody tr').count()).toBe(4);
    await page.click('#flows summary');
    expect(await page.locator('#flow-list tbody tr').count()).toBe(s.external_flows.recent_flows.length);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(rec.errors).toEqual([]);
    await page.close();
  });

  it('opened as /?token=...: the session cookie alone carries /report, and the CSV links hold no token', async () => {
    const TOKEN = 'page-t0ken-Secret';
    const guarded = await startTestServer({ token: TOKEN, status: rich() });
    try {
      const page = await browser.newPage();
      const rec = recordPage(page);
      const sent: { auth: string | undefined; cookie: string | undefined }[] = [];
      const body = JSON.stringify(makeReport(Math.floor(Date.now() / 1000)));
      await page.route('**/report', (route) => {
        const h = route.request().headers();
        sent.push({ auth: h['authorization'], cookie: h['cookie'] });
        return route.fulfill({ status: 200, contentType: 'application/json', body });
      });
      await page.goto(`${guarded.url}?token=${TOKEN}`);
      await page.locator('#rf-chart svg.waterfall').waitFor();
      await page.locator('#period-chart svg.waterfall').waitFor();
      expect(page.url()).not.toContain(TOKEN);
      const hrefs = await page.locator('#reports-downloads a').evaluateAll((as: Element[]) => as.map((a) => a.getAttribute('href')));
      expect(hrefs).toEqual(['report.csv', 'flows.csv', 'equity.csv']);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.auth).toBeUndefined();
      expect(sent[0]?.cookie).toMatch(/sidecar_session=/);
      expect(sent[0]?.cookie).not.toContain(TOKEN);
      expect(rec.errors).toEqual([]);
      await page.close();
    } finally {
      await guarded.close();
    }
  });

  it('keeps hostile type, wallet and zone names as text', async () => {
    const s = rich((f) => {
      f.balance_recon.unclassified.types = { [XSS]: 2, '<b>bold</b>': 1 };
      f.balances.wallets = { ...f.balances.wallets, [XSS]: { doge: 1, usd: 2 } };
    });
    const report = makeReport(s.ts);
    report.tz = XSS;
    const { page, rec } = await open(s, { report });
    await page.locator('#reports-table tbody tr').first().waitFor();
    expect(await page.locator('#unclassified').innerText()).toContain(XSS);
    expect(await page.locator('#unclassified').innerText()).toContain('<b>bold</b>');
    expect(await page.locator('#wallets').innerText()).toContain(XSS);
    expect(await page.locator('#reports-meta').textContent()).toContain(XSS);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('main b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(rec.errors).toEqual([]);
    await page.close();
  });

  it('never shows −0.00 (or +0.00) for zero amounts', async () => {
    const base = makeStatus({ external_flows: { deposits_doge_eq: 0, withdrawals_doge_eq: 0, cumulative_doge_eq: -0.0001, recent_flows: [] } });
    const s = withReconFields(base, (f) => {
      f.balance_recon.income_doge_eq = 0;
      f.balance_recon.roll_forward = { baseline: 40_000, pool_changes: 0, flows: -0.0001, income: 0, bot_pnl: -0.004, unexplained: 0.001, current: 39_999.9969 };
      f.recent_flows = [];
    });
    const report = makeReport(s.ts);
    Object.assign(report.periods.at(-1)!, { deposits_usd: 0, withdrawals_usd: 0, unexplained_usd: -0.001, end_usd: report.periods.at(-1)!.end_usd! - 0.001 });
    const { page, rec } = await open(s, { report });
    await page.locator('#period-chart svg.waterfall').waitFor();
    await page.locator('#rf-chart svg.waterfall').waitFor();
    const text = await page.evaluate(() => document.body.textContent ?? '');
    expect(text).not.toMatch(/[\u2212-]0\.00(?!\d)/);
    expect(text).not.toMatch(/\+0\.00(?!\d)/);
    expect(await page.locator('#recon-metrics').innerText()).toMatch(/Withdrawals\s+0\.00/);
    expect(rec.errors).toEqual([]);
    await page.close();
  });

  it('saves screenshots at 1280 and 375 px, light and dark, with no horizontal overflow', async () => {
    const s = rich((f) => {
      const rf = f.balance_recon.roll_forward!;
      rf.baseline += rf.unexplained + 135.25 + 2_500; // a pool change and an unexplained loss: every kind of step
      rf.pool_changes = -2_500;
      rf.unexplained = -135.25;
    });
    Object.assign(s.balance_recon, { adjusted_drift_doge: -135.25, adjusted_drift_pct: -0.338, adjusted_status: 'ok' }); // the headline agrees
    const report = makeReport(s.ts);
    for (const [width, scheme] of [[1280, 'light'], [1280, 'dark'], [375, 'light'], [375, 'dark']] as const) {
      const { page, rec } = await open(s, { width, scheme, report });
      await page.locator('#period-chart svg.waterfall').waitFor();
      await page.click('#flows summary');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      for (const id of ['rf-chart', 'period-chart']) expectNoCollisions(await readWaterfall(page, id), width);
      const name = `dashboard-recon-${width}${scheme === 'dark' ? '-dark' : ''}`;
      await screenshot(page, name);
      // The two cards on their own, small enough to look at closely.
      await page.locator('section.recon').screenshot({ path: join(ARTIFACTS_DIR, `${name}-card.png`) });
      await page.locator('section.reports-card').screenshot({ path: join(ARTIFACTS_DIR, `${name}-reports.png`) });
      await page.locator('section.flows-card').screenshot({ path: join(ARTIFACTS_DIR, `${name}-flows.png`) });
      expect(rec.errors).toEqual([]);
      await page.close();
    }
  });
});
