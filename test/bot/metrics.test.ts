// @ts-expect-error: the parser ships without type declarations
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/bot/metrics.js';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';

interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string>; buckets?: Record<string, string> }>;
}
const parse = parsePrometheusTextFormat as (text: string) => Family[];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('/metrics', () => {
  it('exposes the sidecar figures in Prometheus text format with its own prefix and Prometheus naming', async () => {
    h = await startHarness({ env: { FLOW_DETECTION_ENABLED: 'true', FLOW_BASELINE_AUTO_ADJUST: 'true', FLOW_POLL_INTERVAL_SEC: '60' } });
    const metrics = createMetrics(() => h?.daemon ?? null);
    await h.step();
    metrics.observeTick(h.daemon.lastTickDurationMs ?? 0);
    h.clock.advanceSec(5);
    h.sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '10.00000000', fee: '0' });
    h.sim.addRawLedgerRow('LBROKEN-00000-000000', { type: 'deposit', asset: 'XXDG', amount: 'ten', fee: '0', time: h.clock.now() / 1000 });
    h.sim.inject({ kind: 'error', error: 'EService:Unavailable' }, { endpoint: 'Balance', count: 2 });
    await h.step(60);
    metrics.observeTick(h.daemon.lastTickDurationMs ?? 0);
    h.sim.setBalance('XXDG', '10005.00000000'); // after the 10 DOGE deposit, 5 DOGE vanish: −5 / 20010 of the adjusted baseline
    await h.step(60);

    const { body, contentType } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = new Map(parse(body).map((f) => [f.name, f]));
    const value = (name: string, labels?: Record<string, string>): number => {
      const f = families.get(name);
      const m = f?.metrics.find((x) => labels === undefined || Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
      return Number(m?.value);
    };
    for (const f of families.values()) {
      // The process defaults keep their standard names (stock Node.js dashboards); everything else is ours.
      expect(f.name.startsWith('kraken_sidecar_') || /^(process|nodejs)_/.test(f.name)).toBe(true);
      expect(f.help.length).toBeGreaterThan(0);
      if (f.type === 'COUNTER') expect(f.name.endsWith('_total')).toBe(true);
    }
    expect(value('kraken_sidecar_adjusted_drift_ratio')).toBeCloseTo(-5 / 20010, 9);
    expect(value('kraken_sidecar_flows_total')).toBe(1);
    expect(value('kraken_sidecar_skipped_ledger_rows_total', { kind: 'malformed_amount' })).toBe(1);
    expect(value('kraken_sidecar_kraken_errors_total', { code: 'EService:Unavailable' })).toBe(2);
    expect(value('kraken_sidecar_rate_budget_used')).toBeGreaterThan(0);
    expect(families.has('kraken_sidecar_rate_budget_counter')).toBe(false); // renamed: a gauge must not be named counter
    expect(value('kraken_sidecar_last_ledger_poll_age_seconds')).toBe(0); // the last tick polled
    h.clock.advanceSec(42);
    expect(Number(parse((await metrics.render()).body).find((f) => f.name === 'kraken_sidecar_last_ledger_poll_age_seconds')?.metrics[0]?.value)).toBe(42);
    expect(families.get('kraken_sidecar_tick_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(families.has('process_resident_memory_bytes')).toBe(true);
    expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(families.has('kraken_sidecar_process_resident_memory_bytes')).toBe(false);
    expect(value('kraken_sidecar_drift_threshold_ratio')).toBe(0.01);
    expect(value('kraken_sidecar_kraken_key_rejected')).toBe(0);
    expect(value('kraken_sidecar_alerts_sent_total')).toBe(0);
    expect(families.has('kraken_sidecar_supabase_write_failures_total')).toBe(true);
  });
});
