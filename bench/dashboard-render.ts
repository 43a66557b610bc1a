// First full render of the dashboard in headless Chromium (playwright-core, Debian's chromium): the real
// createApp serving the stage-4 payload (7 days, 1000 flow markers) vs the same app serving a stage-0 payload.
// Time = performance.now() (ms since navigation start) when the page's DOM first holds the finished render,
// seen by a MutationObserver installed before any page script runs; runs alternate, fresh context each.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { pino } from 'pino';
import type { StatusPayload } from '../src/bot/status-types.js';
import { createApp } from '../src/dashboard/index.js';
import { emptyStatus } from './lib/empty-status.js';
import { fmt, ratio, type BenchResult } from './lib/report.js';
import { stage4Fixture } from './lib/stage4.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const RUNS = 5;

/**
 * Runs in the page before its own scripts: records when the render is complete, and the frame after. Plain
 * JavaScript text, not a function: tsx would compile a function with helpers the page does not have.
 */
const probe = (expected: number): string => `(() => {
  const expected = ${expected};
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

function serve(status: StatusPayload): Promise<{ server: Server; url: string }> {
  const app = createApp({ getStatus: () => status, health: () => ({ ok: true }), logger: pino({ level: 'silent' }) });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }));
  });
}

interface Run {
  done: number;
  frame: number;
  markers: number;
}

async function load(browser: Browser, url: string, expected: number): Promise<Run> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await ctx.newPage();
    await page.addInitScript({ content: probe(expected) });
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __frame?: number }).__frame !== undefined, undefined, { timeout: 15_000 });
    return (await page.evaluate('({ done: window.__done, frame: window.__frame, markers: window.__markers })')) as Run;
  } finally {
    await ctx.close();
  }
}

/** The 7 d toggle redraws with every marker: time of the click handler plus the layout it causes. */
async function toggle7d(browser: Browser, url: string, expected: number): Promise<{ ms: number; markers: number }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await ctx.newPage();
    await page.addInitScript({ content: probe(expected) });
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __frame?: number }).__frame !== undefined, undefined, { timeout: 15_000 });
    // The click handler redraws synchronously; reading offsetHeight forces style and layout of the new SVG.
    return (await page.evaluate(`(() => {
      const t = performance.now();
      document.querySelector('button[data-range="7d"]').click();
      void document.body.offsetHeight;
      return { ms: performance.now() - t, markers: document.querySelectorAll('#chart svg .marker').length };
    })()`)) as { ms: number; markers: number };
  } finally {
    await ctx.close();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

export async function dashboardRender(): Promise<Omit<BenchResult, 'seconds'>> {
  const fx = await stage4Fixture();
  const big = fx.status;
  const empty = await emptyStatus();
  const markers = big.equity_history.flow_markers;
  const in24h = markers.filter((m) => m.ts >= big.ts - 86_400 && m.ts <= big.ts).length;
  const in7d = markers.filter((m) => m.ts >= big.ts - 604_800 && m.ts <= big.ts).length;
  const [a, b] = await Promise.all([serve(big), serve(empty)]);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    await load(browser, a.url, in24h); // warm-up: browser process, code caches
    await load(browser, b.url, 0);
    const full: Run[] = [];
    const bare: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      full.push(await load(browser, a.url, in24h));
      bare.push(await load(browser, b.url, 0));
    }
    const t7 = [];
    for (let i = 0; i < 3; i++) t7.push(await toggle7d(browser, a.url, in24h));
    const fullMs = median(full.map((r) => r.done));
    const bareMs = median(bare.map((r) => r.done));
    const toggleMs = median(t7.map((r) => r.ms));
    const markerOk = full.every((r) => r.markers === in24h) && t7.every((r) => r.markers === in7d);
    return {
      bench: 'dashboard-render',
      figures: [
        {
          id: 'render.first_full',
          name: `dashboard first full render (24 h view, ${in24h} of ${markers.length} markers)`,
          figure: { value: fullMs, unit: 'ms' },
          baseline: { value: bareMs, unit: 'ms', label: 'stage-0 page, same app' },
          ratio: ratio(fullMs, bareMs),
          target: '≤ 100 ms',
          pass: markerOk && fullMs <= 100,
          details: {
            runs: RUNS,
            full_done_ms: full.map((r) => r.done),
            full_next_frame_ms: full.map((r) => r.frame),
            empty_done_ms: bare.map((r) => r.done),
            empty_next_frame_ms: bare.map((r) => r.frame),
            payload_bytes: Buffer.byteLength(JSON.stringify(big)),
            empty_payload_bytes: Buffer.byteLength(JSON.stringify(empty)),
          },
          note: `from navigation start to the finished DOM (next frame: ${fmt(median(full.map((r) => r.frame)))} ms, empty ${fmt(median(bare.map((r) => r.frame)))} ms); the page opens on the 24 h range`,
        },
        {
          id: 'render.toggle_7d',
          name: `7 d toggle redraw (all ${in7d} markers)`,
          figure: { value: toggleMs, unit: 'ms' },
          baseline: { value: fullMs, unit: 'ms', label: 'first full render' },
          ratio: ratio(toggleMs, fullMs),
          target: '≤ 100 ms',
          pass: markerOk && toggleMs <= 100,
          details: { toggle_ms: t7.map((r) => r.ms) },
          note: 'click → SVG rebuilt with every marker, style and layout forced (synchronous in the page)',
        },
      ],
    };
  } finally {
    await browser.close();
    a.server.close();
    b.server.close();
    a.server.closeAllConnections();
    b.server.closeAllConnections();
  }
}
