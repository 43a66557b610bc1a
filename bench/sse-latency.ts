// /status → browser: how long after /status holds a new flow the dashboard in headless Chromium shows it, pushed
// through GET /events, against the same page polling /status (the stream refused) in the same run. The real
// createApp serves the stage-4 payload; each round publishes a payload with one more flow at the front of
// recent_flows. Both clocks are the machine's (Date.now in Node and in the page).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { pino } from 'pino';
import type { StatusPayload } from '../src/bot/status-types.js';
import { createApp } from '../src/dashboard/index.js';
import { createStatusFeed, type StatusFeed } from '../src/dashboard/status-feed.js';
import { fmt, ratio, type BenchResult } from './lib/report.js';
import { stage4Fixture } from './lib/stage4.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];
const ROUNDS = 6;

interface Rig {
  server: Server;
  url: string;
  feed: StatusFeed;
  set(s: StatusPayload): void;
}

function serve(first: StatusPayload, maxStreams: number): Promise<Rig> {
  let status = first;
  const feed = createStatusFeed();
  const app = createApp({ getStatus: () => status, health: () => ({ ok: true }), logger: pino({ level: 'silent' }), feed, eventsMaxStreams: maxStreams });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, feed, set: (s) => ((status = s), feed.publish(s)) }),
    );
  });
}

/** Publishes ROUNDS new flows, each after the page showed the previous one; returns ms from /status to the page. */
async function rounds(browser: Browser, rig: Rig, base: StatusPayload, transport: 'stream' | 'poll'): Promise<number[]> {
  const page = await browser.newPage();
  try {
    await page.goto(rig.url);
    await page.waitForFunction((t) => document.getElementById('live')?.dataset['transport'] === t && document.getElementById('footer-stage')?.textContent !== '', transport, { timeout: 20_000 });
    await page.click('#flows summary');
    const out: number[] = [];
    let s = base;
    for (let i = 0; i < ROUNDS; i++) {
      const id = `LBENCH-${transport}-${i}`;
      const first = s.external_flows.recent_flows[0];
      if (first === undefined) throw new Error('stage-4 payload without flows');
      const flow = { ...first, ledger_id: id, time: s.ts + 1 };
      s = { ...s, ts: s.ts + 1, external_flows: { ...s.external_flows, recent_flows: [flow, ...s.external_flows.recent_flows.slice(0, 19)] } };
      // A short random wait first: a poller's phase must not line up with the rounds.
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
      const t0 = Date.now();
      rig.set(s);
      const seen = await page.waitForFunction((want) => ((document.getElementById('flow-list')?.textContent ?? '').includes(want) ? Date.now() : 0), id, { timeout: 20_000, polling: 'raf' });
      out.push(((await seen.jsonValue()) as number) - t0);
    }
    return out;
  } finally {
    await page.close();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

export async function sseLatency(): Promise<Omit<BenchResult, 'seconds'>> {
  const base = (await stage4Fixture()).status;
  const [pushed, polled] = await Promise.all([serve(base, 32), serve(base, 0)]);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const sse = await rounds(browser, pushed, base, 'stream');
    const poll = await rounds(browser, polled, base, 'poll');
    const worst = Math.max(...sse);
    return {
      bench: 'sse-latency',
      figures: [
        {
          id: 'latency.status_to_browser_sse',
          name: `/status → browser via /events (median of ${ROUNDS}, stage-4 payload)`,
          figure: { value: median(sse), unit: 'ms' },
          baseline: { value: median(poll), unit: 'ms', label: 'same page polling /status (stream refused)' },
          ratio: ratio(median(sse), median(poll)),
          target: '≤ 1000 ms (worst round)',
          pass: worst <= 1000,
          details: { sse_ms: sse, poll_ms: poll, worst_sse_ms: worst },
          note: `worst SSE round ${fmt(worst)} ms; polling every 4 s: worst ${fmt(Math.max(...poll))} ms`,
        },
      ],
    };
  } finally {
    await browser.close();
    for (const r of [pushed, polled]) {
      r.feed.close();
      r.server.close();
      r.server.closeAllConnections();
    }
  }
}
