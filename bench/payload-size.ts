// Sizes at 7 days and 1000 flows, from the real daemon (bench/lib/stage4.ts): the /status body as createApp
// serves it, and the stored `__equity_ts__` copy as the store wrote it, each against the raw JSON of its data.
import { gzipSync } from 'node:zlib';
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
  const inRange = s.external_flows.flow_count; // every flow of the fixture lies inside the 7-day window
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
        name: `/status body, 7 d + ${markers.length} markers`,
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
        note: `gzip ${fmt(gz / KiB)} KiB; flow_markers are ${fmt((100 * (history['flow_markers'] ?? 0)) / body.length)}% of the body (${fmt(bytes(markers) / Math.max(1, markers.length))} B each), markers = flows in range: ${markers.length === inRange}`,
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
