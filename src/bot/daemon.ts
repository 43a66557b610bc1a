import type { Logger } from 'pino';
import { RateBudget } from '../kraken/budget.js';
import type { KrakenApi } from '../kraken/client.js';
import { carryRejection, keyFingerprint, REJECTION_ERROR_MAX } from '../kraken/key-rejection.js';
import { NonceSource } from '../kraken/nonce.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../kraken/private-calls.js';
import { PrivateLane } from '../kraken/private-lane.js';
import { Doorbell, type LiveFeedFactory } from '../live/doorbell.js';
import { anchorPnlSource, applyUnappliedFlows, setInitialBaseline } from '../recon/baseline.js';
import { applyPoolChange } from '../recon/pool-change.js';
import { emptyReconState, type ReconState } from '../recon/state.js';
import { restoreReconState, serializeReconState } from '../recon/state-codec.js';
import type { Store } from '../store/store.js';
import { AccountReader, type Observed, type PairAssets } from './account-reader.js';
import { TIERS, type Config } from './config.js';
import { EquityRecorder } from './equity-recorder.js';
import { KrakenFaults } from './kraken-faults.js';
import { captureLastKnown } from './last-known.js';
import type { LiveStatus } from './live-status.js';
import type { PnlTracker } from './pnl-source.js';
import type { PoolBalances } from './pool-balances.js';
import * as probes from './probes.js';
import { readPublic } from './public-reads.js';
import { ReportFeed } from './report-feed.js';
import { buildStatus } from './status-builder.js';
import type { StatusPayload } from './status-types.js';
import { botPnlUsd, TickFigures } from './tick-figures.js';

const LEASE_RENEW_SEC = 60;

export interface DaemonDeps {
  readonly config: Config;
  /** Builds the Kraken client once the saved nonce floor is known. */
  readonly kraken: (nonces: NonceSource) => KrakenApi;
  readonly store: Store;
  readonly pnl: PnlTracker;
  readonly logger: Logger;
  /** Wall clock in milliseconds; tests pass a fake. */
  readonly clock: () => number;
  readonly version: string;
  readonly retry?: RetryPolicy;
  /** Called after every tick with its duration (metrics). */
  readonly onTick?: (durationMs: number) => void;
  /** Called with each tick's snapshot once it is published (alerts). */
  readonly onStatus?: (status: StatusPayload) => void;
}

/**
 * The sidecar's single loop. One tick = one pass in the order of DESIGN.md section 5; no error escapes a tick.
 * The pure core (src/recon, src/equity) does the accounting; the reader does the private calls, the doorbell
 * says when to make them; this class runs the steps in order.
 */
export class Daemon {
  readonly budget: RateBudget;
  readonly equity: EquityRecorder;
  readonly reports: ReportFeed;
  readonly nonces: NonceSource;
  readonly kraken: KrakenApi;
  readonly lane: PrivateLane;
  readonly faults: KrakenFaults;
  readonly reader: AccountReader;
  readonly doorbell: Doorbell;
  state: ReconState;
  status: StatusPayload | null = null;
  readonly tickFigures = new TickFigures();

  readonly price: Observed<number> = { value: null, ts: null, ok: false, error: null };
  pair: PairAssets | null = null;
  pairError: string | null = null;

  ticks = 0;
  tickErrors = 0;
  lastTickTs: number | null = null;
  lastTickDurationMs: number | null = null;
  lastTickError: string | null = null;
  readonly startedTs: number;
  /** Kraken's clock minus ours, in seconds (from the public Time endpoint each tick). */
  krakenClockOffsetSec = 0;

  readonly config: Config;
  readonly log: Logger;
  private dirty = false;
  private lastSaveTs: number | null = null;
  private tickRunning: Promise<void> | null = null;

  private constructor(
    readonly deps: DaemonDeps,
    state: ReconState,
  ) {
    this.config = deps.config;
    this.log = deps.logger;
    this.state = state;
    const now = this.nowSec();
    this.startedTs = now;
    const tier = TIERS[this.config.KRAKEN_TIER];
    this.budget = new RateBudget(
      { max: tier.max, decayPerSec: tier.decayPerSec, reserve: this.config.KRAKEN_BUDGET_RESERVE, perLoop: this.config.PRIVATE_CALLS_PER_LOOP },
      now,
      state.budget ?? undefined,
    );
    this.nonces = new NonceSource(deps.clock, state.nonce_floor);
    this.kraken = deps.kraken(this.nonces);
    this.lane = new PrivateLane(this.budget, () => this.nowSec(), deps.retry ?? DEFAULT_RETRY);
    this.faults = new KrakenFaults(this.budget, this.log, () => this.nowSec());
    this.equity = new EquityRecorder({
      sampleIntervalSec: this.config.EQUITY_SNAPSHOT_INTERVAL_SEC,
      flushIntervalSec: this.config.EQUITY_SNAPSHOT_FLUSH_SEC,
      persistent: this.config.EQUITY_TS_ENABLED,
      retentionDays: this.config.EQUITY_TS_RETENTION_DAYS,
    });
    this.reports = new ReportFeed(this.config, this.log);
    this.reader = new AccountReader(this, this.log, {
      flowTypes: this.config.FLOW_TYPES,
      lookbackSec: this.config.FLOW_LOOKBACK_SEC,
      pollIntervalSec: this.config.FLOW_POLL_INTERVAL_SEC,
      autoAdjust: this.config.FLOW_BASELINE_AUTO_ADJUST,
      historyMax: this.config.FLOW_HISTORY_MAX,
      categories: this.config.ledgerCategories,
      wallets: this.config.EQUITY_WALLETS,
    });
    this.doorbell = new Doorbell({
      wsOff: this.config.KRAKEN_WS === 'off',
      safetyIntervalSec: this.config.BALANCE_SAFETY_INTERVAL_SEC,
      pollIntervalSec: this.config.FLOW_POLL_INTERVAL_SEC,
      spacingSec: this.config.LOOP_INTERVAL_SEC,
      nowSec: () => this.nowSec(),
      log: this.log,
    });
  }

  /** Restores saved state and series, then builds the daemon. Never fails on a bad saved state. */
  static async create(deps: DaemonDeps): Promise<Daemon> {
    const raw = await deps.store.loadReconState();
    const { state, repairs } = raw === null ? { state: emptyReconState(), repairs: [] } : restoreReconState(raw, deps.config.FLOW_HISTORY_MAX);
    for (const r of repairs) deps.logger.warn({ repair: r }, 'saved recon state repaired on load');
    // A rejected key is remembered across a restart (the pause it caused is); another key starts afresh.
    const carried = carryRejection(state.budget, deps.config.KRAKEN_API_KEY);
    state.budget = carried.budget;
    const daemon = new Daemon(deps, state);
    daemon.faults.fatalError = carried.rejected;
    if (deps.config.EQUITY_TS_ENABLED) {
      const points = await deps.store.loadSeries();
      daemon.equity.restore(points, daemon.nowSec());
    }
    if (state.baseline !== null) {
      deps.logger.info({ baseline_ts: state.baseline.ts, cursor: state.cursor, flows: state.totals.count }, 'restored reconciliation state');
    }
    // The last figures on disk are served (marked stale) from the start, not only after the first tick.
    if ((state.last_known ?? null) !== null) daemon.status = buildStatus(daemon);
    return daemon;
  }

  /** Opens the WebSocket doorbell (live mode, DESIGN.md section 19) unless KRAKEN_WS=off. */
  startLive(factory: LiveFeedFactory): void {
    this.doorbell.start(factory);
  }

  nowSec(): number {
    return this.deps.clock() / 1000;
  }

  /** Now on Kraken's clock (unix seconds). */
  krakenNow(): number {
    return this.nowSec() + this.krakenClockOffsetSec;
  }

  get balances(): Observed<{ base: string; quote: string }> {
    return this.reader.balances;
  }

  get wallets(): PoolBalances | null {
    return this.reader.wallets;
  }

  /** Set when Kraken rejected the key: shown until a private call succeeds again. */
  get fatalError(): string | null {
    return this.faults.fatalError;
  }

  markDirty(): void {
    this.dirty = true;
  }

  /** One pass of the loop. Never throws; a second call while one runs waits for it instead of overlapping. */
  async tick(signal?: AbortSignal): Promise<void> {
    if (this.tickRunning !== null) return this.tickRunning;
    this.tickRunning = this.runTick(signal).finally(() => {
      this.tickRunning = null;
    });
    return this.tickRunning;
  }

  private async runTick(signal?: AbortSignal): Promise<void> {
    const startMs = this.deps.clock();
    try {
      this.budget.beginTick();
      await readPublic(this, signal);
      const pnlRefresh = this.deps.pnl.refresh(() => this.nowSec(), signal);
      await this.reader.read(this.doorbell.plan(this.reader.balanceReadBeganSec, this.state.poll.last_poll_ts), signal);
      this.doorbell.settle({
        balanceReadBeganSec: this.reader.balanceReadBeganSec,
        pollCompletedBeganSec: this.reader.pollCompletedBeganSec,
        lastPollTs: this.state.poll.last_poll_ts,
        ledgerApplies: this.config.FLOW_DETECTION_ENABLED && this.faults.flowsEnabled() && this.state.baseline !== null,
      });
      await pnlRefresh;
      this.maybeSetBaseline();
      this.reader.releaseAligned();
      this.applyAutoAdjustCatchUp();
      this.tickFigures.next({
        config: this.config,
        state: this.state,
        price: this.price.value,
        balances: this.balances.value,
        botPnlUsd: this.botPnlUsd(),
        read: this.reader.readAt,
        fresh: this.reader.freshFingerprint(),
        flowsEnabled: this.faults.flowsEnabled(),
        now: this.nowSec(),
      });
      this.reports.record(this.state, this.nowSec(), this.price, this.balances, this.deps.pnl.value === null ? null : this.botPnlUsd(), !this.tickFigures.holding);
      const figures = this.tickFigures.figures;
      this.equity.sample(this.nowSec(), () => ({ balances: this.balances.value, price: this.price.value, botPnlUsd: this.botPnlUsd(), flowsCumulativeDogeEq: figures?.external_flows_doge_eq ?? 0 }));
      await this.equity.flush(this.deps.store, this.nowSec());
      await this.saveStateIfDirty();
      this.lastTickError = null;
    } catch (err) {
      // A bug, not an outage: outages are handled where they happen. Keep looping and say so.
      this.tickErrors++;
      this.lastTickError = err instanceof Error ? err.message : String(err);
      this.log.error({ err }, 'tick failed');
    } finally {
      this.ticks++;
      this.lastTickTs = this.nowSec();
      this.lastTickDurationMs = this.deps.clock() - startMs;
      try {
        this.deps.onTick?.(this.lastTickDurationMs);
        this.status = buildStatus(this);
        this.deps.onStatus?.(this.status);
      } catch (err) {
        this.log.error({ err }, 'building /status failed');
      }
      try {
        this.reports.publish(this.state, this.equity.points);
      } catch (err) {
        this.log.error({ err }, 'building the report failed');
      }
    }
  }

  /** Between a balance read and the poll: the first baseline, and a change of EQUITY_WALLETS. */
  afterBalances(): void {
    this.maybeSetBaseline();
    this.maybeChangePool();
  }

  /** EQUITY_WALLETS changed since the baseline was set (or an older spot-only state): move the baseline, never drift. */
  private maybeChangePool(): void {
    const wallets = this.reader.wallets;
    if (this.state.baseline === null || this.pair === null || wallets === null || !this.reader.freshThisTick()) return;
    const { entered, left } = applyPoolChange(this.state, wallets.wallets, this.config.EQUITY_WALLETS, this.krakenNow(), this.config.FLOW_HISTORY_MAX, { base: this.pair.base, quote: this.pair.quote });
    if (entered.length + left.length === 0) return;
    this.dirty = true;
    this.log.info({ entered, left, pool: this.config.EQUITY_WALLETS }, 'reconciled pool changed: the baseline moved by those wallets\' balances (an audit entry, not drift)');
  }

  private maybeSetBaseline(): void {
    if (this.state.baseline !== null) {
      if (this.deps.pnl.value !== null) anchorPnlSource(this.state, this.deps.pnl.value);
      return;
    }
    const balances = this.balances.value;
    const price = this.price.value;
    if (balances === null || price === null) return;
    setInitialBaseline(this.state, balances, price, this.krakenNow(), this.deps.pnl.value, this.config.EQUITY_WALLETS);
    this.dirty = true;
    this.log.info({ doge: balances.base, usd: balances.quote, price }, 'reconciliation baseline set from first balances and price');
  }

  /** Auto-adjust switched on (by a restart with the flag): apply the flows observed while it was off. */
  private applyAutoAdjustCatchUp(): void {
    if (!this.config.FLOW_BASELINE_AUTO_ADJUST || this.state.baseline === null || this.pair === null) return;
    if (!this.state.flows.some((f) => !f.applied) && this.state.unapplied.base === '0' && this.state.unapplied.quote === '0') return;
    const n = applyUnappliedFlows(this.state, this.nowSec(), this.config.FLOW_HISTORY_MAX, { base: this.pair.base, quote: this.pair.quote });
    if (n > 0) {
      this.dirty = true;
      this.log.info({ applied: n }, 'auto-adjust on: applied flows observed while it was off');
    }
  }

  /** `/status.live`: push through the doorbell or REST polling, and why. */
  liveStatus(): LiveStatus {
    return this.doorbell.status();
  }

  botPnlUsd(): number {
    return botPnlUsd(this.config, this.state, this.price.value, this.deps.pnl.value);
  }

  private async saveStateIfDirty(force = false): Promise<void> {
    const now = this.nowSec();
    // Saving at least once a minute also renews the Supabase write lease held inside the state.
    const renewDue = this.lastSaveTs === null || now - this.lastSaveTs >= LEASE_RENEW_SEC;
    if (!this.dirty && !force && !renewDue) return;
    this.lastSaveTs = now;
    await this.saveNow();
    this.dirty = false;
  }

  /** Saves the state now; also outside the tick's own saves (alerts, before a webhook request). */
  async saveNow(): Promise<void> {
    const now = this.nowSec();
    this.state.nonce_floor = this.nonces.floor;
    const rejected = this.fatalError === null ? null : { error: this.fatalError.slice(0, REJECTION_ERROR_MAX), key: keyFingerprint(this.config.KRAKEN_API_KEY) };
    this.state.budget = { ...this.budget.snapshot(now), rejected };
    this.state.last_known = captureLastKnown(this.status) ?? this.state.last_known ?? null;
    await this.deps.store.saveReconState(serializeReconState(this.state, now));
  }

  /** Shutdown: close the socket, wait for a running tick, then flush the series and the state once more. */
  async shutdown(): Promise<void> {
    await this.doorbell.stop();
    if (this.tickRunning !== null) await this.tickRunning;
    // Both at once: each writes its local file first, so both local copies land before any remote I/O waits.
    await Promise.all([this.equity.flush(this.deps.store, this.nowSec(), this.equity.unflushed > 0), this.saveStateIfDirty(true)]);
  }

  private probeInput(): probes.ProbeInput {
    const hasData = this.price.value !== null && this.balances.value !== null && this.state.baseline !== null;
    return { now: this.nowSec(), lastTickTs: this.lastTickTs, startedTs: this.startedTs, ticks: this.ticks, intervalSec: this.config.LOOP_INTERVAL_SEC, hasData };
  }

  health(): ReturnType<typeof probes.health> {
    return probes.health(this.probeInput());
  }

  liveness(): ReturnType<typeof probes.liveness> {
    return probes.liveness(this.probeInput());
  }

  readiness(): ReturnType<typeof probes.readiness> {
    return probes.readiness(this.probeInput());
  }

  /**
   * Runs ticks until `stop` aborts; the interval is measured from tick start to tick start, and a doorbell
   * starts the next tick early. A stop lets the running tick finish; `cutTick` (aborted later by the caller)
   * cuts its requests if it takes too long.
   */
  async run(stop: AbortSignal, sleep: (ms: number, signal: AbortSignal) => Promise<void>, cutTick?: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      const start = this.deps.clock();
      await this.tick(cutTick);
      await this.doorbell.waitForNext(start + this.config.LOOP_INTERVAL_SEC * 1000, this.deps.clock, stop, sleep);
    }
  }
}
