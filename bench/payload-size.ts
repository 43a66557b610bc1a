// Sizes at 7 days and 1000 flows, from the real daemon (bench/lib/stage4.ts): the /status body as createApp
// serves it (raw and gzip; the 24 h markers only, the whole list paged at /flows), the week of /flows pages the
// page fetches for 7 d, and the stored `__equity_ts__` copy as the store wrote it, each against the raw JSON of its data.
import { gzipSync } from 'node:zlib';
import { newestFirst, flowsPage } from '../src/dashboard/flow-pages.js';
import { fmt, ratio, type BenchResult } from './lib/report.js';
import { stage4Fixture } from './lib/stage4.js';

const KiB = 1024;
const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v), 'utf8');

export async function payloadSize(): Promise<Omit<BenchResult, 'seconds'>> {
  const fx = await stage4Fixture();
  const s = fx.status;
  const body = Buffer.from(JSON.stringify(s), 'utf8');
  const gz = gzipSync(body).length;
  const eh = s.equity_history;
  const markers = eh.flow_markers;
  const external = fx.flows.filter((f) => f.category === 'external');
  const inRange = external.filter((f) => f.time >= eh.flow_markers_from).length; // /status: the 24 h markers
  // What the page fetches on the 7 d toggle: /flows?category=external&since=<7 d ago>&limit=500, page by page.
  const list = newestFirst(fx.flows);
  const weekPages: Buffer[] = [];
  let before: number | undefined;
  for (;;) {
    const page = flowsPage(list, { limit: 500, category: 'external', since: s.ts - 7 * 86_400, ...(before === undefined ? {} : { before }) });
    weekPages.push(Buffer.from(JSON.stringify(page), 'utf8'));
    if (page.next_before === null) break;
    before = page.next_before;
  }
  const weekRaw = weekPages.reduce((a, b) => a + b.length, 0);
  const weekGz = weekPages.reduce((a, b) => a + gzipSync(b).length, 0);
  // Raw data behind the payload: the points and the flows it summarises, as plain JSON.
  const rawPoints = bytes(fx.points);
  const blocks = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, bytes(v)]));
  const history = Object.fromEntries(Object.entries(eh).map(([k, v]) => [k, bytes(v)]));
  const first = markers[0];
  const perField = first === undefined ? {} : Object.fromEntries(Object.keys(first).map((k) => [k, markers.reduce((a, m) => a + bytes((m as unknown as Record<string, unknown>)[k]) + k.length + 4, 0)]));
  const stored = fx.storedSeries.length;
  return {
    bench: 'payload-size',
    figures: [
      {
        id: 'size.status',
        name: `/status body, 7 d + ${external.length} flows (${markers.length} markers in 24 h)`,
        figure: { value: body.length / KiB, unit: 'KiB' },
        baseline: { value: rawPoints / KiB, unit: 'KiB', label: `raw JSON of the ${fx.points.length} points` },
        ratio: ratio(body.length, rawPoints),
        target: '≤ 64 KiB',
        pass: body.length <= 64 * KiB && markers.length === inRange,
        details: {
          bytes: body.length,
          gzip_bytes: gz,
          markers: markers.length,
          flows_in_range: inRange,
          blocks,
          equity_history: history,
          flow_markers_by_field: perField,
          bytes_per_marker: markers.length === 0 ? 0 : bytes(markers) / markers.length,
          source: fx.how,
        },
        note: `gzip ${fmt(gz / KiB)} KiB; flow_markers are ${fmt((100 * (history['flow_markers'] ?? 0)) / body.length)}% of the body (${fmt(bytes(markers) / Math.max(1, markers.length))} B each), markers = external flows in the last 24 h: ${markers.length === inRange}`,
      },
      {
        id: 'size.status_gzip',
        name: '/status body, gzip (what a poller downloads per tick)',
        figure: { value: gz / KiB, unit: 'KiB' },
        baseline: { value: body.length / KiB, unit: 'KiB', label: 'raw body' },
        ratio: ratio(gz, body.length),
        target: 'reported',
        pass: null,
        details: { gzip_bytes: gz, raw_bytes: body.length },
      },
      {
        id: 'size.flows_week',
        name: `/flows pages for the 7 d toggle (${weekPages.length} × ≤ 500 flows)`,
        figure: { value: weekRaw / KiB, unit: 'KiB' },
        baseline: { value: body.length / KiB, unit: 'KiB', label: '/status body' },
        ratio: ratio(weekRaw, body.length),
        target: 'reported (fetched once per toggle, then 304s)',
        pass: null,
        details: { pages: weekPages.length, raw_bytes: weekRaw, gzip_bytes: weekGz },
        note: `gzip ${fmt(weekGz / KiB)} KiB`,
      },
      {
        id: 'size.equity_ts',
        name: `stored __equity_ts__, 7 d at ${fx.points.length > 1 ? (fx.points[1] as { ts: number }).ts - (fx.points[0] as { ts: number }).ts : '?'} s`,
        figure: { value: stored / KiB, unit: 'KiB' },
        baseline: { value: rawPoints / KiB, unit: 'KiB', label: 'raw JSON of the points' },
        ratio: ratio(stored, rawPoints),
        target: '≤ 50% of raw',
        pass: stored <= 0.5 * rawPoints,
        details: { stored_bytes: stored, raw_bytes: rawPoints, points: fx.points.length, stored_gzip_bytes: gzipSync(fx.storedSeries).length },
        note: 'the local file equity_ts.json as written by the store (the same encoded value goes to Supabase)',
      },
    ],
  };
}
