// GET /status under 50 connections (autocannon in a child process) against the real createApp serving the
// stage-4 payload, vs a bare express route answering the same bytes, in alternating rounds.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { pino } from 'pino';
import { createApp } from '../src/dashboard/index.js';
import { cannon, type CannonResult } from './lib/cannon.js';
import { fmt, ratio, type BenchResult, type Figure } from './lib/report.js';
import { stage4Fixture } from './lib/stage4.js';

const CONNECTIONS = 50;
/** Short alternating rounds, each real run paired with the bare run just before it (the machine's load drifts). */
const ROUNDS = 5;
const SECONDS = 3;

function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/status` });
    });
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export async function statusThroughput(): Promise<Omit<BenchResult, 'seconds'>> {
  const fx = await stage4Fixture();
  const status = fx.status;
  const bytes = Buffer.from(JSON.stringify(status), 'utf8');

  const real = createApp({ getStatus: () => status, health: () => ({ ok: true }), logger: pino({ level: 'info' }, { write: () => undefined }) });
  const gzipped = gzipSync(bytes, { level: 6 });
  const bare = express();
  bare.set('etag', false); // as the real app: hashing a large body per request would make the baseline weaker
  bare.get('/status', (req, res) => {
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.type('application/json').send(gzipped);
      return;
    }
    res.type('application/json').send(bytes);
  });
  const a = await listen(real);
  const b = await listen(bare);
  try {
    // Same bytes on the wire, or the comparison means nothing.
    const [ra, rb] = await Promise.all([fetch(a.url).then((r) => r.arrayBuffer()), fetch(b.url).then((r) => r.arrayBuffer())]);
    if (!Buffer.from(ra).equals(bytes) || !Buffer.from(rb).equals(bytes)) throw new Error('the two servers answer different bytes');

    await cannon(a.url, { connections: CONNECTIONS, seconds: 1 }); // warm both up (JIT, sockets)
    await cannon(b.url, { connections: CONNECTIONS, seconds: 1 });
    const realRuns: CannonResult[] = [];
    const bareRuns: CannonResult[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      bareRuns.push(await cannon(b.url, { connections: CONNECTIONS, seconds: SECONDS }));
      realRuns.push(await cannon(a.url, { connections: CONNECTIONS, seconds: SECONDS }));
    }
    // One connection: the time to serve one request with no queue in front of it.
    const realOne = await cannon(a.url, { connections: 1, seconds: SECONDS });
    const bareOne = await cannon(b.url, { connections: 1, seconds: SECONDS });
    // What a browser or a poller that accepts gzip gets: the same JSON in about a quarter of the bytes.
    const GZIP = { 'accept-encoding': 'gzip' };
    const realGz: CannonResult[] = [];
    const bareGz: CannonResult[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      bareGz.push(await cannon(b.url, { connections: CONNECTIONS, seconds: SECONDS, headers: GZIP }));
      realGz.push(await cannon(a.url, { connections: CONNECTIONS, seconds: SECONDS, headers: GZIP }));
    }
    const bad = [...realRuns, ...bareRuns, realOne, bareOne, ...realGz, ...bareGz].reduce((s, r) => s + r.errors + r.non2xx, 0);
    const gzRatios = realGz.map((r, i) => r.rps / (bareGz[i] as CannonResult).rps);
    const gzP99 = median(realGz.map((r) => r.p99));
    const rps = median(realRuns.map((r) => r.rps));
    const baseRps = median(bareRuns.map((r) => r.rps));
    const pairRatios = realRuns.map((r, i) => r.rps / (bareRuns[i] as CannonResult).rps);
    const rpsRatio = median(pairRatios);
    const p99 = median(realRuns.map((r) => r.p99));
    const baseP99 = median(bareRuns.map((r) => r.p99));
    const details = {
      payload_bytes: bytes.length,
      payload_source: fx.how,
      rounds: ROUNDS,
      seconds_per_round: SECONDS,
      connections: CONNECTIONS,
      real: realRuns,
      bare: bareRuns,
      errors_or_non2xx: bad,
    };
    const figures: Figure[] = [
      {
        id: 'status.rps',
        name: `/status req/s, ${CONNECTIONS} conns (${Math.round(bytes.length / 1024)} KiB body)`,
        figure: { value: rps, unit: 'req/s' },
        baseline: { value: baseRps, unit: 'req/s', label: 'bare express, same bytes' },
        ratio: ratio(rpsRatio, 1),
        ratio_of: 'median of per-round real/bare ratios',
        target: '≥ 0.8× baseline',
        pass: bad === 0 && rpsRatio >= 0.8,
        details: { ...details, pair_ratios: pairRatios },
        note: `median of ${ROUNDS} alternating ${SECONDS} s rounds; per-round ratios ${pairRatios.map((r) => fmt(r)).join(', ')}`,
      },
      {
        id: 'status.p99',
        name: `/status p99 latency, ${CONNECTIONS} conns`,
        figure: { value: p99, unit: 'ms' },
        baseline: { value: baseP99, unit: 'ms', label: 'bare express p99' },
        ratio: ratio(p99, baseP99),
        // A saturating closed loop measures queueing (bare express queues the same): reported, not a target.
        target: 'info: ratio to bare express',
        pass: null,
        note: `saturating closed loop: latency ≈ ${CONNECTIONS} conns / throughput (p50 ${median(realRuns.map((r) => r.p50))} ms, bare ${median(bareRuns.map((r) => r.p50))} ms); autocannon resolution 1 ms`,
      },
      {
        id: 'status.rps_gzip',
        name: `/status req/s, ${CONNECTIONS} conns, gzip (${Math.round(gzipped.length / 1024)} KiB on the wire)`,
        figure: { value: median(realGz.map((r) => r.rps)), unit: 'req/s' },
        baseline: { value: median(bareGz.map((r) => r.rps)), unit: 'req/s', label: 'bare express, same gzip bytes' },
        ratio: ratio(median(gzRatios), 1),
        ratio_of: 'median of per-round real/bare ratios',
        target: '≥ 0.8× baseline',
        pass: bad === 0 && median(gzRatios) >= 0.8,
        note: `Accept-Encoding: gzip; per-round ratios ${gzRatios.map((r) => fmt(r)).join(', ')}`,
      },
      {
        id: 'status.p99_gzip',
        name: `/status p99 latency, ${CONNECTIONS} conns, gzip`,
        figure: { value: gzP99, unit: 'ms' },
        baseline: { value: median(bareGz.map((r) => r.p99)), unit: 'ms', label: 'bare express p99, gzip' },
        ratio: ratio(gzP99, median(bareGz.map((r) => r.p99))),
        target: 'info: ratio to bare express',
        pass: null,
        note: `p50 ${median(realGz.map((r) => r.p50))} ms`,
      },
      {
        id: 'status.rtt_one_conn',
        name: '/status round trip, 1 connection',
        figure: { value: 1000 / realOne.rps, unit: 'ms' },
        baseline: { value: 1000 / bareOne.rps, unit: 'ms', label: 'bare express, 1 conn' },
        ratio: ratio(bareOne.rps, realOne.rps),
        target: 'info: ratio to bare express, same run',
        pass: null,
        details: { real: realOne, bare: bareOne },
        note: `one request at a time (1000 / req·s; autocannon's histogram has 1 ms resolution): the cost that 50 connections queue behind`,
      },
    ];
    return { bench: 'status-throughput', figures };
  } finally {
    a.server.close();
    b.server.close();
    a.server.closeAllConnections();
    b.server.closeAllConnections();
  }
}
