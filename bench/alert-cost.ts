// Alert evaluation cost per tick, against the tick's own duration in the same run: the real daemon on the
// simulator (stage 4), alerts wired as sidecar.ts wires them, a loopback webhook receiving what is sent.
// Ticks include deposits and a drift that flaps (messages queued and coalesced) and quiet ticks; a second
// figure evaluates the worst case the bounds allow (20 listed flows, a full 100-message queue, held events).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { evaluate } from '../src/alerts/evaluate.js';
import { createAlertService } from '../src/alerts/service.js';
import { emptyAlertState, QUEUE_MAX, type AlertState } from '../src/alerts/state.js';
import { ALERT_EVENT_NAMES } from '../src/alerts/types.js';
import type { StatusPayload } from '../src/bot/status-types.js';
import { fmt, ratio, type BenchResult } from './lib/report.js';
import { STAGE4_ENV, startRig } from './lib/rig.js';

const TICKS = 300;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

async function receiver(): Promise<{ url: string; count: () => number; server: Server }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, count: () => n, server };
}

export async function alertCost(): Promise<Omit<BenchResult, 'seconds'>> {
  const hook = await receiver();
  const rig = await startRig({ env: { ...STAGE4_ENV, FLOW_POLL_INTERVAL_SEC: '60', ALERT_WEBHOOK_URL: hook.url, ALERT_EVENTS: ALERT_EVENT_NAMES.join(',') } });
  try {
    const d = rig.daemon;
    const alerts = createAlertService({
      config: rig.config,
      logger: pino({ level: 'silent' }),
      clock: rig.clock.now,
      getState: () => d.state.alerts,
      setState: (s) => (d.state.alerts = s),
      persist: () => d.saveNow(),
    });
    if (alerts === null) throw new Error('alerts not configured');
    const tickMs: number[] = [];
    const evalMs: number[] = [];
    for (let i = 0; i < TICKS; i++) {
      if (i % 25 === 5) rig.sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '50.00000000', fee: '0' });
      // Every 40 ticks, 400 DOGE vanish for 5 ticks and come back: drift_warn, then drift_ok.
      if (i % 40 === 10) rig.sim.setBalance('XXDG', (Number(rig.sim.getBalances()['XXDG'] ?? '0') - 400).toFixed(8));
      if (i % 40 === 15) rig.sim.setBalance('XXDG', (Number(rig.sim.getBalances()['XXDG'] ?? '0') + 400).toFixed(8));
      const t0 = performance.now();
      await rig.step();
      const t1 = performance.now();
      alerts.onSnapshot(d.status as StatusPayload);
      const t2 = performance.now();
      tickMs.push(t1 - t0);
      evalMs.push(t2 - t1);
    }
    await alerts.idle();
    await alerts.stop();
    const evalMedian = quantile(evalMs, 0.5);
    const tickMedian = quantile(tickMs, 0.5);

    // Worst case within the bounds: every listed flow new, a full queue, every kind held.
    const status = d.status as StatusPayload;
    const flows = Array.from({ length: 20 }, (_, k) => ({ ...(status.external_flows.recent_flows[0] ?? fakeFlow()), ledger_id: `LWORST-${k}` }));
    const worstSnap: StatusPayload = { ...status, external_flows: { ...status.external_flows, recent_flows: flows, flow_count: status.external_flows.flow_count + 20 } };
    let full: AlertState = { ...(d.state.alerts ?? emptyAlertState()) };
    full = { ...full, seen: full.seen === null ? null : { ...full.seen, flow_ids: [] } };
    full.queue = Array.from({ length: QUEUE_MAX }, (_, k) => ({ id: `q${k}`, event: 'flow', ts: 1, first_ts: 1, count: 1, created_ts: 1, attempts: 0, sending: false, facts: {} }));
    full.held = ALERT_EVENT_NAMES.map((event) => ({ event, ts: status.ts, first_ts: status.ts, count: 3, facts: {} }));
    const policy = { events: ALERT_EVENT_NAMES, minIntervalSec: 300 };
    const worst: number[] = [];
    for (let k = 0; k < 2000; k++) {
      const t = performance.now();
      evaluate(full, worstSnap, policy);
      worst.push(performance.now() - t);
    }
    const worstMedian = quantile(worst, 0.5);
    return {
      bench: 'alert-cost',
      figures: [
        {
          id: 'alerts.eval_per_tick',
          name: 'alert evaluation per tick (median)',
          figure: { value: evalMedian * 1000, unit: 'µs' },
          baseline: { value: tickMedian * 1000, unit: 'µs', label: 'the tick itself, median' },
          ratio: ratio(evalMedian, tickMedian),
          ratio_of: 'evaluation / tick',
          target: '≤ 1% of the tick',
          pass: evalMedian <= 0.01 * tickMedian,
          details: { ticks: TICKS, eval_p99_us: quantile(evalMs, 0.99) * 1000, eval_max_us: Math.max(...evalMs) * 1000, tick_p99_ms: quantile(tickMs, 0.99), sent: d.state.alerts?.sent ?? 0, received: hook.count() },
          note: `${TICKS} stage-4 ticks with deposits and a flapping drift; p99 ${fmt(quantile(evalMs, 0.99) * 1000)} µs; ${hook.count()} messages delivered in the background (never inside a tick)`,
        },
        {
          id: 'alerts.eval_worst',
          name: 'alert evaluation, worst case of the bounds',
          figure: { value: worstMedian * 1000, unit: 'µs' },
          baseline: { value: tickMedian * 1000, unit: 'µs', label: 'the tick itself, median' },
          ratio: ratio(worstMedian, tickMedian),
          ratio_of: 'evaluation / tick',
          target: '≤ 1% of the tick',
          pass: worstMedian <= 0.01 * tickMedian,
          details: { listed_new_flows: 20, queue: QUEUE_MAX, held_kinds: ALERT_EVENT_NAMES.length, runs: worst.length, p99_us: quantile(worst, 0.99) * 1000 },
          note: 'state is bounded (queue 100, remembered flow ids 200, one held entry per kind), so this does not grow with history',
        },
      ],
    };
  } finally {
    await rig.close();
    hook.server.closeAllConnections();
    await new Promise<void>((r) => hook.server.close(() => r()));
  }
}

function fakeFlow(): StatusPayload['external_flows']['recent_flows'][number] {
  return { ledger_id: 'L', refid: 'R', time: 1, type: 'deposit', subtype: '', asset: 'DOGE', amount: 1, fee: 0, net: 1, price: 0.1, doge_eq: 1, applied: true, category: 'external', wallet: 'spot' };
}
