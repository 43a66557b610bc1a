// First full render of the dashboard in headless Chromium (playwright-core, Debian's chromium): the real
// createApp serving the stage-4 payload (7 days, 1000 flows; /status holds the 24 h markers) vs an empty HTML
// page served by bare express, in the same browser. Time = performance.now() (ms since navigation start) at the
// frame after the page is complete (the dashboard: its DOM holds the finished render, seen by a MutationObserver
// installed before any page script runs; the empty page: DOMContentLoaded). Runs alternate, fresh context each.
// The 7 d toggle is measured as script time (Chromium's ScriptDuration over click → every marker of the week
// drawn, the /flows fetch included), and as wall time.
// Three more pages in the same runs bound what any page can reach: one line of text in the page's font, the
// page's own skeleton (index.html with its CSS inline, no script, no data), and the finished page itself (the
// dashboard's DOM once rendered, served as static HTML with its CSS inline and no script: what drawing every card
// and the chart on the server would send). An empty page lays out no text; the first text a fresh renderer lays
// out pays for its fonts, the skeleton for its layout, and the finished page for laying out its content.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { pino } from 'pino';
import express from 'express';
import type { StatusPayload } from '../src/bot/status-types.js';
import type { FlowRecord } from '../src/recon/types.js';
import { createApp } from '../src/dashboard/index.js';
import { findPublicDir } from '../src/dashboard/public-dir.js';
import { fmt, ratio, type BenchResult } from './lib/report.js';
import { stage4Fixture } from './lib/stage4.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const RUNS = 5;

/**
 * Runs in the page before its own scripts: records when the render is complete, and the frame after. Plain
 * JavaScript text, not a function: tsx would compile a function with helpers the page does not have.
 */
const probe = (expected: number | null): string => `(() => {
  const expected = ${expected === null ? 'null' : expected};
  if (expected === null) {
    // The empty page and the floors: complete at DOMContentLoaded.
    document.addEventListener('DOMContentLoaded', () => {
      window.__done = performance.now();
      window.__markers = 0;
      requestAnimationFrame(() => setTimeout(() => (window.__frame = performance.now()), 0));
    });
    return;
  }
  const done = () => {
    if ((document.getElementById('footer-stage')?.textContent ?? '') === '') return false; // renderAll ends with the footer
    const n = document.querySelectorAll('#chart svg .marker').length;
    window.__markers = n;
    return expected === 0 ? true : n === expected && document.querySelector('#chart svg path.line-eq') !== null;
  };
  const obs = new MutationObserver(() => {
    if (window.__done !== undefined || !done()) return;
    window.__done = performance.now();
    obs.disconnect();
    requestAnimationFrame(() => setTimeout(() => (window.__frame = performance.now()), 0));
  });
  obs.observe(document, { childList: true, subtree: true, characterData: true });
})();`;

function serve(status: StatusPayload, flows: readonly FlowRecord[]): Promise<{ server: Server; url: string }> {
  return listen(createApp({ getStatus: () => status, flows: () => flows, health: () => ({ ok: true }), logger: pino({ level: 'silent' }) }));
}

const EMPTY_PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>empty</title></head><body></body></html>';

const CSS = readFileSync(join(findPublicDir(), 'dashboard.css'), 'utf8');

/** The page's HTML as a static page: no script, no module preloads, its stylesheet inline. */
const staticHtml = (html: string): string =>
  html
    .replace(/<script\b[\s\S]*?<\/script>/g, '')
    .replace(/<link rel="modulepreload"[^>]*>/g, '')
    .replace(/<link rel="stylesheet"[^>]*>/, () => `<style>${CSS}</style>`);

/** Loads `url` in a fresh context with the probe and, once its frame after completion has come, reads from it. */
async function loaded<T>(browser: Browser, url: string, expected: number | null, read: (page: Page, ctx: BrowserContext) => Promise<T>): Promise<T> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await ctx.newPage();
    await page.addInitScript({ content: probe(expected) });
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __frame?: number }).__frame !== undefined, undefined, { timeout: 15_000 });
    return await read(page, ctx);
  } finally {
    await ctx.close();
  }
}

/** The finished dashboard (its DOM once the render is complete), taken from a full load of the page. */
const finishedPage = (browser: Browser, url: string, expected: number): Promise<string> =>
  loaded(browser, url, expected, async (page) => staticHtml(`<!doctype html>${(await page.evaluate('document.documentElement.outerHTML')) as string}`));

/**
 * The baseline (bare express answering an empty HTML page) at `/`, and the floors: one line of text in the
 * page's font at `/text`, the page's skeleton at `/skeleton`, the finished page at `/finished`.
 */
function serveBare(finished: string): Promise<{ server: Server; url: string }> {
  const app = express();
  const font = /font: ([^;]+);/.exec(CSS)?.[1] ?? '14px sans-serif';
  const text = EMPTY_PAGE.replace('<body>', `<body style="font: ${font}">Balance sidecar`);
  const skeleton = staticHtml(readFileSync(join(findPublicDir(), 'index.html'), 'utf8'));
  app.get('/', (_req, res) => void res.type('html').send(EMPTY_PAGE));
  app.get('/text', (_req, res) => void res.type('html').send(text));
  app.get('/skeleton', (_req, res) => void res.type('html').send(skeleton));
  app.get('/finished', (_req, res) => void res.type('html').send(finished));
  return listen(app);
}

function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }));
  });
}

interface Run {
  done: number;
  frame: number;
  markers: number;
}

const load = (browser: Browser, url: string, expected: number | null): Promise<Run> =>
  loaded(browser, url, expected, async (page) => (await page.evaluate('({ done: window.__done, frame: window.__frame, markers: window.__markers })')) as Run);

/**
 * The 7 d toggle: click → the chart redrawn at once with the markers at hand, then with the week's fetched from
 * /flows. Script time is Chromium's own ScriptDuration counter (CDP Performance) over that span.
 */
function toggle7d(browser: Browser, url: string, expected24h: number, expected7d: number): Promise<{ scriptMs: number; wallMs: number; markers: number }> {
  return loaded(browser, url, expected24h, async (page, ctx) => {
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable');
    const script = async (): Promise<number> => {
      const m = (await cdp.send('Performance.getMetrics')).metrics;
      return (m.find((x) => x.name === 'ScriptDuration')?.value ?? NaN) * 1000;
    };
    const before = await script();
    const t0 = (await page.evaluate('performance.now()')) as number;
    await page.evaluate(`document.querySelector('button[data-range="7d"]').click()`);
    await page.waitForFunction((n) => document.querySelectorAll('#chart svg .marker').length === n, expected7d, { timeout: 15_000, polling: 'raf' });
    const wall = ((await page.evaluate('(void document.body.offsetHeight, performance.now())')) as number) - t0;
    const after = await script();
    const markers = (await page.evaluate(`document.querySelectorAll('#chart svg .marker').length`)) as number;
    return { scriptMs: after - before, wallMs: wall, markers };
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

export async function dashboardRender(): Promise<Omit<BenchResult, 'seconds'>> {
  const fx = await stage4Fixture();
  const big = fx.status;
  const external = fx.flows.filter((f) => f.category === 'external');
  const in24h = big.equity_history.flow_markers.length;
  const in7d = external.filter((f) => f.time >= big.ts - 604_800 && f.time <= big.ts).length;
  const a = await serve(big, fx.flows);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  let b: { server: Server; url: string } | undefined;
  try {
    b = await serveBare(await finishedPage(browser, a.url, in24h));
    await load(browser, a.url, in24h); // warm-up: browser process, code caches
    await load(browser, b.url, null);
    const full: Run[] = [];
    const bare: Run[] = [];
    const text: Run[] = [];
    const skeleton: Run[] = [];
    const finished: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      full.push(await load(browser, a.url, in24h));
      bare.push(await load(browser, b.url, null));
      text.push(await load(browser, `${b.url}text`, null));
      skeleton.push(await load(browser, `${b.url}skeleton`, null));
      finished.push(await load(browser, `${b.url}finished`, null));
    }
    const t7 = [];
    for (let i = 0; i < 5; i++) t7.push(await toggle7d(browser, a.url, in24h, in7d));
    const fullMs = median(full.map((r) => r.frame));
    const bareMs = median(bare.map((r) => r.frame));
    const textMs = median(text.map((r) => r.frame));
    const skeletonMs = median(skeleton.map((r) => r.frame));
    const finishedMs = median(finished.map((r) => r.frame));
    const toggleScript = median(t7.map((r) => r.scriptMs));
    const toggleWall = median(t7.map((r) => r.wallMs));
    const markerOk = full.every((r) => r.markers === in24h) && t7.every((r) => r.markers === in7d);
    return {
      bench: 'dashboard-render',
      figures: [
        {
          id: 'render.first_full',
          name: `dashboard first full render (24 h view, ${in24h} markers of ${external.length} flows)`,
          figure: { value: fullMs, unit: 'ms' },
          baseline: { value: bareMs, unit: 'ms', label: 'empty HTML page, bare express, same browser' },
          ratio: ratio(fullMs, bareMs),
          target: '≤ 1.5× the empty page',
          pass: markerOk && fullMs <= 1.5 * bareMs,
          details: {
            runs: RUNS,
            full_done_ms: full.map((r) => r.done),
            full_next_frame_ms: full.map((r) => r.frame),
            empty_done_ms: bare.map((r) => r.done),
            empty_next_frame_ms: bare.map((r) => r.frame),
            text_line_next_frame_ms: text.map((r) => r.frame),
            skeleton_next_frame_ms: skeleton.map((r) => r.frame),
            text_line_ratio: ratio(textMs, bareMs),
            skeleton_ratio: ratio(skeletonMs, bareMs),
            finished_static_next_frame_ms: finished.map((r) => r.frame),
            finished_static_ratio: ratio(finishedMs, bareMs),
            payload_bytes: Buffer.byteLength(JSON.stringify(big)),
          },
          note:
            `navigation start → the frame after the finished DOM (DOM done at ${fmt(median(full.map((r) => r.done)))} ms; empty page DOMContentLoaded ${fmt(median(bare.map((r) => r.done)))} ms). ` +
            `Floors in the same runs: one line of text in the page's font ${fmt(textMs)} ms (${fmt(textMs / bareMs)}×), ` +
            `the page's skeleton with no script and no data ${fmt(skeletonMs)} ms (${fmt(skeletonMs / bareMs)}×), ` +
            `the finished page as static HTML with no script ${fmt(finishedMs)} ms (${fmt(finishedMs / bareMs)}×)`,
        },
        {
          id: 'render.toggle_7d',
          name: `7 d toggle, script time (all ${in7d} markers, fetched from /flows)`,
          figure: { value: toggleScript, unit: 'ms' },
          baseline: { value: toggleWall, unit: 'ms', label: 'wall time, click → last marker drawn' },
          ratio: ratio(toggleScript, toggleWall),
          target: '≤ 50 ms of script time',
          pass: markerOk && toggleScript <= 50,
          details: { script_ms: t7.map((r) => r.scriptMs), wall_ms: t7.map((r) => r.wallMs) },
          note: "Chromium's ScriptDuration over click → redraw with the markers at hand → /flows pages → redraw with the week",
        },
      ],
    };
  } finally {
    await browser.close();
    a.server.close();
    b?.server.close();
    a.server.closeAllConnections();
    b?.server.closeAllConnections();
  }
}
