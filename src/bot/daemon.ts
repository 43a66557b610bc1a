import type { Logger } from 'pino';
import { isKnownWallet, normalizeAsset } from '../kraken/assets.js';
import { RateBudget } from '../kraken/budget.js';
import type { AssetPairInfo, KrakenApi } from '../kraken/client.js';
import { KrakenError } from '../kraken/errors.js';
import { carryRejection, keyFingerprint, REJECTION_ERROR_MAX } from '../kraken/key-rejection.js';
import { NonceSource } from '../kraken/nonce.js';
import { callPrivate, DEFAULT_RETRY, type RetryPolicy } from '../kraken/private-calls.js';
import { anchorPnlSource, applyUnappliedFlows, setInitialBaseline } from '../recon/baseline.js';
import { baseEquivalent, toNumber } from '../recon/decimal.js';
import { rowsCoverRead, type BalanceRead } from '../recon/alignment.js';
import { applyLedgerPage, beginPoll, completePoll, failPoll, releaseHeld, type FlowPolicy } from '../recon/flow-poll.js';
import { accountedAfterPoll, balanceFingerprint, pollReason } from '../recon/poll-trigger.js';
import { applyPoolChange } from '../recon/pool-change.js';
import { ledgerPnlUsd, reconcile, type ReconFigures } from '../recon/reconcile.js';
import { emptyReconState, type ReconState } from '../recon/state.js';
import { restoreReconState, serializeReconState } from '../recon/state-codec.js';
import type { Store } from '../store/store.js';
import { TIERS, type Config } from './config.js';
import { EquityRecorder } from './equity-recorder.js';
import { captureLastKnown } from './last-known.js';
import { logBookChanges } from './ledger-log.js';
import { balanceRead, poolBalances, type PoolBalances } from './pool-balances.js';
import type { PnlTracker } from './pnl-source.js';
import { ReportFeed } from './report-feed.js';
import { buildStatus } from './status-builder.js';
import { logThrottle } from './throttle-log.js';
import type { StatusPayload } from './status-types.js';
import { pollOnly, type LiveStatus } from './live-status.js';

const LEASE_RENEW_SEC = 60;
/** Offsets from Kraken's Time endpoint smaller than this are noise of its whole-second answers. */
const CLOCK_OFFSET_RESOLUTION_SEC = 2;
/** After Kraken denies the ledger permission, flow polling tries again this much later. */
const FLOW_PERMISSION_RETRY_SEC = 15 * 60;

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

interface Observed<T> {
  value: T | null;
  ts: number | null;
  ok: boolean;
  error: string | null;
}

/** Pair assets: Kraken's codes for the wire and plain codes for the recon core. */
interface PairAssets {
  readonly info: AssetPairInfo;
  readonly base: string;
  readonly quote: string;
}

/**
 * The sidecar's single loop. One tick = one pass in the order of DESIGN.md section 5; no error escapes a tick.
 * The pure core (src/recon, src/equity) does the accounting; this class does the I/O around it.
 */
export class Daemon {
  readonly budget: RateBudget;
  readonly equity: EquityRecorder;
  readonly reports: ReportFeed;
  readonly nonces: NonceSource;
  readonly kraken: KrakenApi;
  state: ReconState;
  status: StatusPayload | null = null;
  figures: ReconFigures | null = null;

  readonly price: Observed<number> = { value: null, ts: null, ok: false, error: null };
  readonly balances: Observed<{ base: string; quote: string }> = { value: null, ts: null, ok: false, error: null };
  /** This tick's Balance answer by wallet (pool and not); `balances.value` holds the pool totals. */
  wallets: PoolBalances | null = null;
  /** When the balances were read, on Kraken's clock, with each asset-wallet's amount (ledger alignment). */
  private balanceReadAt: BalanceRead | null = null;
  /** The tick whose Balance call succeeded last: fresh balances drive a poll when they changed. */
  private balancesTick = -1;
  private readonly loggedWallets = new Set<string>();
  /** Rows first seen in the poll in progress, and whether a row-less balance change was polled once more. */
  private pollFreshRows = 0;
  private lagRetried = false;
  /** Since when the tick's figures are held back for rows not read yet (see figuresOfTick). */
  private figuresHeldSince: number | null = null;
  pair: PairAssets | null = null;
  pairError: string | null = null;

  ticks = 0;
  tickErrors = 0;
  lastTickTs: number | null = null;
  lastTickDurationMs: number | null = null;
  lastTickError: string | null = null;
  readonly startedTs: number;
  /** Set when Kraken denied the ledger permission: flow polling waits until then, balances go on. */
  flowsPausedUntil: number | null = null;
  /** Kraken's clock minus ours, in seconds (from the public Time endpoint each tick). */
  krakenClockOffsetSec = 0;
  /** Set when Kraken rejected the key: shown until a private call succeeds again. */
  fatalError: string | null = null;

  readonly config: Config;
  private readonly log: Logger;
  private readonly policy: Omit<FlowPolicy, 'pair'>;
  /** Set when a ledger page lost to a balance refresh for budget: the next contended tick is the poll's. */
  private ledgerFirst = false;
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
    this.equity = new EquityRecorder({
      sampleIntervalSec: this.config.EQUITY_SNAPSHOT_INTERVAL_SEC,
      flushIntervalSec: this.config.EQUITY_SNAPSHOT_FLUSH_SEC,
      persistent: this.config.EQUITY_TS_ENABLED,
      retentionDays: this.config.EQUITY_TS_RETENTION_DAYS,
    });
    this.reports = new ReportFeed(this.config, this.log);
    this.policy = {
      flowTypes: this.config.FLOW_TYPES,
      lookbackSec: this.config.FLOW_LOOKBACK_SEC,
      pollIntervalSec: this.config.FLOW_POLL_INTERVAL_SEC,
      autoAdjust: this.config.FLOW_BASELINE_AUTO_ADJUST,
      historyMax: this.config.FLOW_HISTORY_MAX,
      categories: this.config.ledgerCategories,
      wallets: this.config.EQUITY_WALLETS,
    };
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
    daemon.fatalError = carried.rejected;
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

  nowSec(): number {
    return this.deps.clock() / 1000;
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
      await this.refreshPair(signal);
      await this.refreshPrice(signal);
      await this.refreshKrakenClock(signal);
      const pnlRefresh = this.deps.pnl.refresh(() => this.nowSec(), signal);
      await this.privateCalls(signal);
      await pnlRefresh;
      this.maybeSetBaseline();
      this.releaseAlignedRows();
      this.applyAutoAdjustCatchUp();
      this.figures = this.figuresOfTick();
      this.reports.record(this.state, this.nowSec(), this.price, this.balances, this.deps.pnl.value === null ? null : this.botPnlUsd(), this.figuresHeldSince === null);
      this.sampleEquity();
      await this.flushEquityIfDue();
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

  private async refreshPair(signal?: AbortSignal): Promise<void> {
    if (this.pair !== null) return;
    try {
      const info = await this.kraken.assetPairs(this.config.KRAKEN_PAIR, signal);
      const base = normalizeAsset(info.base).asset;
      const quote = normalizeAsset(info.quote).asset;
      this.pair = { info, base, quote };
      this.pairError = null;
      this.log.info({ pair: info.altname, base, quote }, 'pair resolved');
    } catch (err) {
      this.pairError = this.noteKrakenError(err, 'AssetPairs');
    }
  }

  /**
   * Ledger row times are Kraken's clock. Every time compared with them (the baseline's time, a poll's
   * bootstrap and `end`) is taken on Kraken's clock too, so a skewed host clock cannot hide or double a flow.
   */
  private async refreshKrakenClock(signal?: AbortSignal): Promise<void> {
    try {
      const before = this.nowSec();
      const server = await this.kraken.serverTime(signal);
      // Kraken answers whole seconds, so an offset under ~2 s is below what Time can tell from in-sync clocks;
      // adopting it would move the baseline's time by up to a second and misplace a flow at that edge.
      const estimate = server + 0.5 - (before + this.nowSec()) / 2;
      this.krakenClockOffsetSec = Math.abs(estimate) < CLOCK_OFFSET_RESOLUTION_SEC ? 0 : estimate;
      this.budget.clockOffsetSec = this.krakenClockOffsetSec; // for the times Kraken names in Throttled answers
    } catch (err) {
      this.noteKrakenError(err, 'Time'); // keep the last known offset
    }
  }

  /** Now on Kraken's clock (unix seconds). */
  krakenNow(): number {
    return this.nowSec() + this.krakenClockOffsetSec;
  }

  private async refreshPrice(signal?: AbortSignal): Promise<void> {
    try {
      const last = Number(await this.kraken.ticker(this.config.KRAKEN_PAIR, signal));
      this.price.value = last;
      this.price.ts = this.nowSec();
      this.price.ok = true;
      this.price.error = null;
    } catch (err) {
      this.price.ok = false;
      this.price.error = this.noteKrakenError(err, 'Ticker');
    }
  }

  /** Balance and ledger pages within the budget; when only one fits, they take turns so neither starves. */
  private async privateCalls(signal?: AbortSignal): Promise<void> {
    if (this.pair === null) return;
    const flowsWanted = (): boolean =>
      this.config.FLOW_DETECTION_ENABLED &&
      this.flowsEnabledNow() &&
      this.state.baseline !== null &&
      this.price.value !== null &&
      pollReason({
        pending: this.state.poll.pending !== null,
        lastPollTs: this.state.poll.last_poll_ts,
        now: this.nowSec(),
        intervalSec: this.config.FLOW_POLL_INTERVAL_SEC,
        fresh: this.freshFingerprint(),
        accounted: this.state.ledger.accounted,
      }) !== null;
    const contended = flowsWanted() && this.budget.whyNot(3, this.nowSec()) !== null;
    if (contended && this.ledgerFirst) {
      // The poll's turn: if its page does not fit the counter, balances wait too, so the counter decays until
      // it does. A failed page does not hold balances back.
      const outcome = await this.pollLedger(signal);
      if (outcome === 'deferred') return;
      this.ledgerFirst = false;
      await this.refreshBalances(signal);
      return;
    }
    await this.refreshBalances(signal);
    // The first balances set the baseline before the first poll, so that poll starts exactly at it.
    this.maybeSetBaseline();
    this.maybeChangePool();
    // Poll on change (section 15): fresh balances that differ from the last complete poll's trigger a poll.
    if (flowsWanted()) {
      // Balances went first this tick, so a page that did not fit has the next turn, whether the poll was
      // wanted at the start of the tick or only once the fresh balances had changed.
      const outcome = await this.pollLedger(signal);
      if (outcome === 'deferred') this.ledgerFirst = true;
    }
  }

  /** Fingerprint of this tick's fresh pool balances, or null when this tick has none. */
  private freshFingerprint(): string | null {
    return this.balancesTick === this.ticks && this.wallets !== null ? balanceFingerprint(this.wallets.wallets, this.config.EQUITY_WALLETS) : null;
  }

  /** Flow polling pauses alone when Kraken denies the key the ledger permission (balances go on). */
  private flowsEnabledNow(): boolean {
    return this.flowsPausedUntil === null || this.nowSec() >= this.flowsPausedUntil;
  }

  private async refreshBalances(signal?: AbortSignal): Promise<void> {
    const pair = this.pair;
    if (pair === null) return;
    const readStartKraken = this.krakenNow();
    const out = await callPrivate('Balance', this.budget, () => this.nowSec(), (s) => this.kraken.balance(s), this.deps.retry ?? DEFAULT_RETRY, signal);
    this.dirty = true; // nonce floor and budget moved
    if (!out.ok) {
      if ('error' in out) {
        this.balances.ok = false;
        this.balances.error = this.noteKrakenError(out.error, 'Balance');
      }
      return;
    }
    this.fatalError = null;
    const wallets = poolBalances(out.value, pair, this.config.EQUITY_WALLETS, isKnownWallet);
    for (const w of wallets.unseenWallets) {
      if (this.loggedWallets.has(w)) continue;
      this.loggedWallets.add(w);
      this.log.warn({ wallet: w }, 'Balance lists a wallet suffix no documentation names: shown in balances.wallets, outside the pool');
    }
    this.wallets = wallets;
    this.balances.value = wallets.pool;
    this.balances.ts = this.nowSec();
    // The read happened while the call was in flight: its midpoint on Kraken's clock (ties settle by row balance).
    this.balanceReadAt = balanceRead(wallets, pair, (readStartKraken + this.krakenNow()) / 2);
    this.balancesTick = this.ticks;
    this.balances.ok = true;
    this.balances.error = null;
  }

  /**
   * Fetches ledger pages of the poll in progress. `progress` when at least one page arrived, `deferred` when the
   * first page did not fit the budget, `failed` when it failed (the same window resumes next tick either way).
   */
  private async pollLedger(signal?: AbortSignal): Promise<'progress' | 'deferred' | 'failed'> {
    const pair = this.pair;
    const price = this.price.value;
    if (pair === null || price === null) return 'failed';
    const policy: FlowPolicy = { ...this.policy, pair: { base: pair.base, quote: pair.quote } };
    const pending = beginPoll(this.state, this.krakenNow(), policy);
    this.dirty = true;
    this.state.poll.last_attempt_ts = this.nowSec();
    let pagesThisTick = 0;
    while (this.state.poll.pending !== null && pagesThisTick < this.config.FLOW_MAX_PAGES_PER_POLL) {
      const params = { type: 'all', start: pending.start, end: pending.end, ofs: pending.ofs };
      const out = await callPrivate('Ledgers', this.budget, () => this.nowSec(), (s) => this.kraken.ledgers(params, s), this.deps.retry ?? DEFAULT_RETRY, signal);
      if (!out.ok) {
        if (pagesThisTick > 0) {
          if ('error' in out) failPoll(this.state, this.noteKrakenError(out.error, 'Ledgers'));
          return 'progress';
        }
        if ('error' in out) {
          failPoll(this.state, this.noteKrakenError(out.error, 'Ledgers'));
          return 'failed';
        }
        return 'deferred';
      }
      this.fatalError = null;
      pagesThisTick++;
      const page = applyLedgerPage(this.state, out.value.ledger, price, this.nowSec(), policy, out.value.count, this.balanceReadAt);
      logBookChanges(this.log, { ...page, reclassified: 0 });
      this.pollFreshRows += page.fresh;
      if (page.countChanged !== null) {
        this.log.warn(page.countChanged, 'Ledgers count changed between pages: poll stopped incomplete; it starts over next tick');
        return 'progress';
      }
      if (page.complete) {
        logBookChanges(this.log, completePoll(this.state, this.nowSec(), policy, price));
        // A poll whose window ended before this tick's balance read has not accounted for those balances: the
        // next tick polls again (rows booked after its end are not read yet).
        const coversRead = this.balanceReadAt === null || pending.end >= this.balanceReadAt.ts;
        const next = accountedAfterPoll(this.state.ledger.accounted, coversRead ? this.freshFingerprint() : null, this.pollFreshRows, this.lagRetried);
        this.state.ledger.accounted = next.accounted;
        this.lagRetried = next.retried;
        this.pollFreshRows = 0;
        return 'progress';
      }
    }
    return 'progress';
  }

  /** Rows held because Kraken wrote them after the balances were read: booked once the balances contain them. */
  private releaseAlignedRows(): void {
    const price = this.price.value;
    if (this.pair === null || price === null || this.state.ledger.held.length === 0) return;
    const policy: FlowPolicy = { ...this.policy, pair: { base: this.pair.base, quote: this.pair.quote } };
    logBookChanges(this.log, releaseHeld(this.state, this.balanceReadAt, price, this.nowSec(), policy));
    this.dirty = true;
  }

  /** EQUITY_WALLETS changed since the baseline was set (or an older spot-only state): move the baseline, never drift. */
  private maybeChangePool(): void {
    if (this.state.baseline === null || this.pair === null || this.wallets === null || this.balancesTick !== this.ticks) return;
    const { entered, left } = applyPoolChange(this.state, this.wallets.wallets, this.config.EQUITY_WALLETS, this.krakenNow(), this.config.FLOW_HISTORY_MAX, { base: this.pair.base, quote: this.pair.quote });
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

  /** `/status.live`: REST polling until the WebSocket doorbell is wired. */
  liveStatus(): LiveStatus {
    return pollOnly(this.config.KRAKEN_WS === 'off' ? 'off' : 'connecting', this.startedTs);
  }

  botPnlUsd(): number {
    if (this.config.BOT_PNL_SOURCE === 'ledger') return ledgerPnlUsd(this.state.totals.trading, this.price.value);
    const at = this.state.baseline?.pnl_source_at_baseline;
    const now = this.deps.pnl.value;
    return at === null || at === undefined || now === null ? 0 : now - at;
  }

  /**
   * While the rows read lag the balances (a poll still paging, or one whose end came before this tick's read),
   * the tick keeps the figures of the last moment both covered: a trade whose row is not read yet is not drift.
   * At most for one poll interval; a ledger stuck longer shows what the balances say.
   */
  private figuresOfTick(): ReconFigures {
    const read = this.balanceReadAt;
    const fresh = this.freshFingerprint();
    const lagging =
      this.figures !== null &&
      read !== null &&
      this.state.baseline !== null &&
      this.config.FLOW_DETECTION_ENABLED &&
      this.flowsEnabledNow() &&
      !rowsCoverRead(this.state.poll, read.ts, fresh === null || fresh === this.state.ledger.accounted);
    if (!lagging) {
      this.figuresHeldSince = null;
      return this.reconcileNow();
    }
    const now = this.nowSec();
    this.figuresHeldSince ??= now;
    return now - this.figuresHeldSince < this.config.FLOW_POLL_INTERVAL_SEC && this.figures !== null ? this.figures : this.reconcileNow();
  }

  private reconcileNow(): ReconFigures {
    return reconcile({
      price: this.price.value,
      balances: this.balances.value,
      baseline: this.state.baseline,
      botPnlUsd: this.botPnlUsd(),
      totals: this.state.totals,
      unapplied: this.state.unapplied,
      thresholdPct: this.config.BALANCE_RECON_DRIFT_PCT,
      firstBaseline: this.state.ledger.first_baseline,
      pnlFromLedger: this.config.BOT_PNL_SOURCE === 'ledger',
    });
  }

  private sampleEquity(): void {
    const now = this.nowSec();
    this.equity.maybeSample(now, () => {
      const b = this.balances.value;
      const p = this.price.value;
      if (b === null || p === null) return null;
      return {
        ts: Math.floor(now),
        doge_eq: toNumber(baseEquivalent(b.base, b.quote, p)),
        usd: toNumber(b.quote),
        doge: toNumber(b.base),
        price: p,
        bot_pnl_usd: this.botPnlUsd(),
        flows_cumulative_doge_eq: this.figures?.external_flows_doge_eq ?? 0,
      };
    });
  }

  private async flushEquityIfDue(force = false): Promise<void> {
    const now = this.nowSec();
    if (!this.config.EQUITY_TS_ENABLED || (!force && !this.equity.isFlushDue(now))) return;
    const persisted = await this.deps.store.saveSeries(this.equity.points);
    if (persisted.length !== this.equity.points.length) this.equity.restore(persisted, now);
    const p = this.deps.store.status();
    const ok = p.local.ok !== false && (!p.supabase.configured || p.supabase.ok === true);
    this.equity.recordFlush(now, ok, ok ? null : (p.supabase.last_error ?? p.local.last_error));
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

  /** Shutdown: wait for a running tick, then flush the series and the state once more. */
  async shutdown(): Promise<void> {
    if (this.tickRunning !== null) await this.tickRunning;
    // Both at once: each writes its local file first, so both local copies land before any remote I/O waits.
    await Promise.all([this.flushEquityIfDue(this.equity.unflushed > 0), this.saveStateIfDirty(true)]);
  }

  /** Healthy while ticks are fresh: the last one ended less than three intervals ago. */
  health(): { ok: boolean; last_tick_ts: number | null; last_tick_age_sec: number | null; ticks: number } {
    const now = this.nowSec();
    const age = this.lastTickTs === null ? null : now - this.lastTickTs;
    const limit = 3 * this.config.LOOP_INTERVAL_SEC;
    return { ok: age !== null && age < limit, last_tick_ts: this.lastTickTs, last_tick_age_sec: age, ticks: this.ticks };
  }

  /** Alive: the loop is not wedged (a tick ended within ten intervals, plus a minute for slow requests). */
  liveness(): { ok: boolean; last_tick_age_sec: number | null } {
    const now = this.nowSec();
    const since = now - (this.lastTickTs ?? this.startedTs);
    return { ok: since < 10 * this.config.LOOP_INTERVAL_SEC + 60, last_tick_age_sec: this.lastTickTs === null ? null : now - this.lastTickTs };
  }

  /** Ready: ticks are fresh and the figures rest on a price, balances and a baseline. */
  readiness(): { ok: boolean; fresh: boolean; has_data: boolean } {
    const fresh = this.health().ok;
    const hasData = this.price.value !== null && this.balances.value !== null && this.state.baseline !== null;
    return { ok: fresh && hasData, fresh, has_data: hasData };
  }

  private noteKrakenError(err: unknown, endpoint: string): string {
    const e = err instanceof KrakenError ? err : null;
    const message = e?.message ?? `${endpoint}: ${err instanceof Error ? err.message : String(err)}`;
    if (e !== null && endpoint !== 'Balance' && endpoint !== 'Ledgers') this.budget.countError(e.code);
    if (e?.kind === 'fatal' && endpoint === 'Ledgers' && e.code === 'EGeneral:Permission denied') {
      // The key can read balances but not the ledger: only flow detection stops (DESIGN.md section 4).
      if (this.flowsPausedUntil === null || this.flowsPausedUntil <= this.nowSec()) {
        this.log.error({ code: e.code, endpoint }, 'Kraken denied "Query Ledger Entries" to this key: flow detection pauses for 15 minutes; balances go on');
      }
      this.flowsPausedUntil = this.nowSec() + FLOW_PERMISSION_RETRY_SEC;
    } else if (e?.kind === 'fatal') {
      if (this.fatalError === null) this.log.error({ code: e.code, endpoint }, 'Kraken rejected the API key: private calls stop until it is fixed (check key, secret, permissions, and that no other program uses this key)');
      this.fatalError = message;
      this.budget.onFatal(this.nowSec());
    } else if (e?.kind === 'throttled' && (endpoint === 'Balance' || endpoint === 'Ledgers')) {
      logThrottle(this.log, this.budget.lastThrottle, endpoint, message);
    } else {
      this.log.warn({ code: e?.code ?? 'unknown', kind: e?.kind ?? 'unknown', endpoint }, message);
    }
    return message;
  }

  /**
   * Runs ticks until `stop` aborts; the interval is measured from tick start to tick start. A stop lets the
   * running tick finish; `cutTick` (aborted later by the caller) cuts its requests if it takes too long.
   */
  async run(stop: AbortSignal, sleep: (ms: number, signal: AbortSignal) => Promise<void>, cutTick?: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      const start = this.deps.clock();
      await this.tick(cutTick);
      const wait = this.config.LOOP_INTERVAL_SEC * 1000 - (this.deps.clock() - start);
      await sleep(Math.max(0, wait), stop).catch(() => undefined);
    }
  }
}
