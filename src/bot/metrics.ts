import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { alertsStatus } from '../alerts/status.js';
import type { AlertsStatus } from '../alerts/types.js';
import type { Daemon } from './daemon.js';

const PREFIX = 'kraken_sidecar_';

/** Sets a counter to a running total kept elsewhere (the daemon's own counts survive in /status too). */
function totalCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name: PREFIX + name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function labelledTotals(registry: Registry, name: string, help: string, label: string, read: () => Record<string, number>): void {
  new Counter({
    name: PREFIX + name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, n] of Object.entries(read())) this.inc({ [label]: value }, n);
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number | null): void {
  new Gauge({
    name: PREFIX + name,
    help,
    registers: [registry],
    collect() {
      const v = read();
      if (v === null) this.reset();
      else this.set(v);
    },
  });
}

export interface SidecarMetrics {
  /** Called by the loop after every tick. */
  observeTick(durationMs: number): void;
  render(): Promise<{ contentType: string; body: string }>;
}

/** Prometheus metrics for GET /metrics, read from the daemon at scrape time (plus the process defaults). */
export function createMetrics(getDaemon: () => Daemon | null): SidecarMetrics {
  const registry = new Registry();
  // Standard unprefixed names (process_*, nodejs_*), so stock Node.js dashboards work as they are.
  collectDefaultMetrics({ register: registry });
  const d = (): Daemon | null => getDaemon();
  const status = () => d()?.status ?? null;
  // Figures shown stale after a restart (last known, from disk) are not exported as current values.
  const recon = () => (status()?.balance_recon.stale === true ? null : (status()?.balance_recon ?? null));

  gauge(registry, 'drift_ratio', 'Legacy balance drift against the baseline, as a ratio (drift_pct / 100).', () => ratio(recon()?.drift_pct));
  gauge(registry, 'adjusted_drift_ratio', 'Unexplained drift (flows removed), as a ratio (adjusted_drift_pct / 100).', () => ratio(recon()?.adjusted_drift_pct));
  gauge(registry, 'equity_base_asset', 'Current equity in base-asset units (DOGE-eq).', () => recon()?.current_doge_eq ?? null);
  gauge(registry, 'price', 'Last trade price of the pair.', () => (status()?.price.stale === true ? null : (status()?.price.last ?? null)));
  gauge(registry, 'last_ledger_poll_age_seconds', 'Seconds since the last complete ledger poll.', () => {
    const last = d()?.state.poll.last_poll_ts ?? null;
    const daemon = d();
    return last === null || daemon === null ? null : daemon.nowSec() - last;
  });
  gauge(registry, 'last_tick_age_seconds', 'Seconds since the last loop tick ended.', () => d()?.health().last_tick_age_sec ?? null);
  // Not `..._counter`: it is a gauge, and Prometheus names must not name a type.
  gauge(registry, 'rate_budget_used', "The model's estimate of Kraken's private-call counter for this key, in points.", () => {
    const daemon = d();
    return daemon === null ? null : daemon.budget.counterAt(daemon.nowSec());
  });
  gauge(registry, 'rate_budget_max', "The tier's counter ceiling.", () => d()?.budget.opts.max ?? null);
  gauge(registry, 'drift_threshold_ratio', 'BALANCE_RECON_DRIFT_PCT as a ratio: |adjusted_drift_ratio| above it is a warning.', () => {
    const pct = d()?.config.BALANCE_RECON_DRIFT_PCT;
    return pct === undefined ? null : pct / 100;
  });
  gauge(registry, 'loop_interval_seconds', 'LOOP_INTERVAL_SEC: the configured tick period.', () => d()?.config.LOOP_INTERVAL_SEC ?? null);
  gauge(registry, 'kraken_key_rejected', '1 while Kraken rejects the API key or a permission (a human must act), else 0.', () => {
    const daemon = d();
    return daemon === null ? null : daemon.fatalError === null ? 0 : 1;
  });
  gauge(registry, 'supabase_write_pending', '1 while the latest state or series has not reached Supabase (writes failing), else 0; absent without Supabase.', () => {
    const sb = status()?.persistence.supabase;
    return sb === undefined || !sb.configured ? null : sb.pending ? 1 : 0;
  });

  totalCounter(registry, 'flows_total', 'External flows (deposits, withdrawals) detected since the baseline.', () => d()?.state.totals.count ?? 0);
  totalCounter(registry, 'baseline_adjustments_total', 'Times the baseline was moved by a flow.', () => d()?.state.totals.adjustments ?? 0);
  labelledTotals(registry, 'skipped_ledger_rows_total', 'Ledger rows skipped, by kind (malformed, other asset, earn wallet).', 'kind', () => ({ ...(d()?.state.skipped_rows ?? {}) }));
  totalCounter(registry, 'private_calls_total', 'Private Kraken calls sent.', () => d()?.budget.calls ?? 0);
  totalCounter(registry, 'rate_budget_deferrals_total', 'Private calls deferred because they did not fit the budget.', () => d()?.budget.deferrals ?? 0);
  totalCounter(registry, 'rate_limit_errors_total', 'Rate-limit answers from Kraken.', () => d()?.budget.rateLimitErrors ?? 0);
  labelledTotals(registry, 'kraken_errors_total', 'Kraken failures by stable code.', 'code', () => ({ ...(d()?.budget.errorsByCode ?? {}) }));
  gauge(registry, 'postgres_write_pending', '1 while the latest state or series has not reached Postgres (writes failing), else 0; absent without DATABASE_URL.', () => {
    const pgs = status()?.persistence.postgres;
    return pgs === undefined || !pgs.configured ? null : pgs.pending ? 1 : 0;
  });
  gauge(registry, 'store_read_only', '1 while another sidecar holds the write lease on a remote store (this one serves read-only figures), else 0.', () => {
    const p = status()?.persistence;
    return p === undefined ? null : p.supabase.read_only || p.postgres.read_only ? 1 : 0;
  });
  totalCounter(registry, 'postgres_write_failures_total', 'Postgres writes that failed or could not be attempted.', () => status()?.persistence.postgres.write_failures ?? 0);
  totalCounter(registry, 'supabase_write_failures_total', 'Supabase writes that failed or could not be attempted.', () => status()?.persistence.supabase.write_failures ?? 0);
  totalCounter(registry, 'local_write_failures_total', 'Local state file writes that failed.', () => status()?.persistence.local.write_failures ?? 0);
  // alerts
  const alerts = (): AlertsStatus | null => {
    const daemon = d();
    return daemon === null ? null : alertsStatus(daemon.config.ALERT_WEBHOOK_URL !== undefined, daemon.config.ALERT_WEBHOOK_FORMAT, daemon.state.alerts);
  };
  totalCounter(registry, 'alerts_sent_total', 'Webhook alerts delivered (2xx), kept across restarts.', () => alerts()?.sent ?? 0);
  totalCounter(registry, 'alerts_failed_total', 'Webhook alerts given up (refused, or undelivered after 10 minutes of retries), kept across restarts.', () => alerts()?.failed ?? 0);
  gauge(registry, 'alerts_pending', 'Webhook alerts queued or being retried.', () => alerts()?.pending ?? null);
  totalCounter(registry, 'tick_errors_total', 'Loop ticks that ended in an unexpected error.', () => d()?.tickErrors ?? 0);

  const tickSeconds = new Histogram({
    name: `${PREFIX}tick_duration_seconds`,
    help: 'Duration of one loop tick.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  return {
    observeTick: (ms) => tickSeconds.observe(ms / 1000),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

function ratio(pct: number | null | undefined): number | null {
  return pct === null || pct === undefined ? null : pct / 100;
}
