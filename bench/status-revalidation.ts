// Bytes on the wire per steady-state poll of /status, with and without revalidation, in one run: the real
// createApp serving the stage-4 payload, a page-like poller (every 4 s, ticks every 30 s, gzip accepted) on
// raw sockets, counting every byte of each response (status line, headers, body).
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { StatusPayload } from '../src/bot/status-types.js';
import { createApp } from '../src/dashboard/index.js';
import { fmt, ratio, type BenchResult } from './lib/report.js';
import { stage4Fixture } from './lib/stage4.js';

const POLL_SEC = 4; // public/dashboard.js POLL_MS
const TICK_SEC = 30; // LOOP_INTERVAL_SEC default
const TICKS = 20;
const KiB = 1024;

interface Wire {
  status: number;
  etag: string | undefined;
  bytes: number;
}

function poll(port: number, headers: readonly string[]): Promise<Wire> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => socket.write(['GET /status HTTP/1.1', 'Host: 127.0.0.1', 'Accept-Encoding: gzip, deflate, br', ...headers, 'Connection: close', '', ''].join('\r\n')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const head = all.subarray(0, all.indexOf('\r\n\r\n')).toString('latin1');
      resolve({ status: Number(head.slice(9, 12)), etag: /\r\netag: *([^\r]*)/i.exec(head)?.[1], bytes: all.length });
    });
  });
}

export async function statusRevalidation(): Promise<Omit<BenchResult, 'seconds'>> {
  const fx = await stage4Fixture();
  let current: StatusPayload = fx.status;
  const app = createApp({ getStatus: () => current, health: () => ({ ok: true }), logger: pino({ level: 'silent' }) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  try {
    let plainBytes = 0;
    let revalBytes = 0;
    let polls = 0;
    let notModified = 0;
    let full200 = 0;
    let last304 = 0;
    let etag: string | undefined;
    // Simulated time: a new payload object at each tick (what the loop publishes), polls in between.
    for (let t = 0; t < TICKS * TICK_SEC; t += POLL_SEC) {
      const tick = Math.floor(t / TICK_SEC);
      if (tick !== Math.floor((t - POLL_SEC) / TICK_SEC)) current = { ...fx.status, ts: fx.status.ts + tick * TICK_SEC };
      const plain = await poll(port, []);
      const reval = await poll(port, etag === undefined ? [] : [`If-None-Match: ${etag}`]);
      if (plain.status !== 200 || (reval.status !== 200 && reval.status !== 304)) throw new Error(`unexpected ${plain.status}/${reval.status}`);
      plainBytes += plain.bytes;
      revalBytes += reval.bytes;
      polls++;
      if (reval.status === 304) {
        notModified++;
        last304 = reval.bytes;
      } else {
        full200 = reval.bytes;
      }
      etag = reval.etag;
    }
    const perPlain = plainBytes / polls;
    const perReval = revalBytes / polls;
    return {
      bench: 'status-revalidation',
      figures: [
        {
          id: 'poll.steady',
          name: `/status bytes per steady-state poll (every ${POLL_SEC} s, ticks every ${TICK_SEC} s, gzip)`,
          figure: { value: perReval / KiB, unit: 'KiB' },
          baseline: { value: perPlain / KiB, unit: 'KiB', label: 'same polls without If-None-Match' },
          ratio: ratio(perReval, perPlain),
          target: `≤ 25% of no revalidation`,
          pass: perReval <= 0.25 * perPlain,
          details: { polls, ticks: TICKS, not_modified: notModified, bytes_revalidating: revalBytes, bytes_plain: plainBytes, full_200_bytes: full200, not_modified_bytes: last304 },
          note: `${notModified} of ${polls} revalidating polls were 304 (${last304} B each, headers only); a full gzip answer is ${fmt(full200 / KiB)} KiB`,
        },
        {
          id: 'poll.in_tick',
          name: 'a /status poll inside one tick (304)',
          figure: { value: last304, unit: 'B' },
          baseline: { value: full200, unit: 'B', label: 'the same poll without If-None-Match (gzip)' },
          ratio: ratio(last304, full200),
          target: '≤ 1 KiB',
          pass: last304 > 0 && last304 <= KiB,
        },
      ],
    };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
