import type { Logger } from 'pino';
import { isKnownWallet } from '../kraken/assets.js';
import type { RateBudget } from '../kraken/budget.js';
import type { AssetPairInfo, KrakenApi } from '../kraken/client.js';
import type { PrivateLane } from '../kraken/private-lane.js';
import type { BalanceRead } from '../recon/alignment.js';
import { applyLedgerPage, beginPoll, completePoll, failPoll, releaseHeld, type FlowPolicy } from '../recon/flow-poll.js';
import { accountedAfterPoll, balanceFingerprint, pollReason } from '../recon/poll-trigger.js';
import type { ReconState } from '../recon/state.js';
import type { Config } from './config.js';
import type { KrakenFaults } from './kraken-faults.js';
import { logBookChanges } from './ledger-log.js';
import { balanceRead, poolBalances, type PoolBalances } from './pool-balances.js';

/** A Balance call and a Ledgers page together: what a tick spends when both are wanted. */
const BALANCE_AND_PAGE = 3;

export interface Observed<T> {
  value: T | null;
  ts: number | null;
  ok: boolean;
  error: string | null;
}

/** Pair assets: Kraken's codes for the wire and plain codes for the recon core. */
export interface PairAssets {
  readonly info: AssetPairInfo;
  readonly base: string;
  readonly quote: string;
}

/** What one tick reads from Kraken's private endpoints. */
export interface ReadPlan {
  /** Read Balance (polling: every tick; push: a doorbell, the safety interval, a ledger interval). */
  readonly balance: boolean;
  /** A doorbell asks for a ledger poll whatever the balances say. */
  readonly ledgerRequested: boolean;
  /** The longest gap between ledger polls in the current mode. */
  readonly pollIntervalSec: number;
}

/** The loop's side of the reader: its state and the steps that run between the balance read and the poll. */
export interface ReaderHost {
  readonly config: Config;
  readonly kraken: KrakenApi;
  readonly lane: PrivateLane;
  readonly budget: RateBudget;
  readonly faults: KrakenFaults;
  readonly state: ReconState;
  readonly pair: PairAssets | null;
  readonly price: Observed<number>;
  readonly ticks: number;
  nowSec(): number;
  krakenNow(): number;
  markDirty(): void;
  /** Fresh balances just arrived: the baseline and a pool change come before the poll that follows. */
  afterBalances(): void;
}

/**
 * The private half of a tick: Balance and ledger pages within the budget. When only one of them fits, they take
 * turns so neither starves (DESIGN.md section 5); the poll runs on change, on its interval, or when asked.
 */
export class AccountReader {
  readonly balances: Observed<{ base: string; quote: string }> = { value: null, ts: null, ok: false, error: null };
  /** The last Balance answer by wallet (pool and not); `balances.value` holds the pool totals. */
  wallets: PoolBalances | null = null;
  /** When the balances were read, on Kraken's clock, with each asset-wallet's amount (ledger alignment). */
  readAt: BalanceRead | null = null;
  /** Our clock when the last successful Balance read began, and when the last complete poll began. */
  balanceReadBeganSec: number | null = null;
  pollCompletedBeganSec: number | null = null;
  private pollBeganSec: number | null = null;
  /** The tick whose Balance call succeeded last: fresh balances drive a poll when they changed. */
  private balancesTick = -1;
  private readonly loggedWallets = new Set<string>();
  /** Rows first seen in the poll in progress, and whether a row-less balance change was polled once more. */
  private pollFreshRows = 0;
  private lagRetried = false;
  /** Set when a ledger page lost to a balance refresh for budget: the next contended tick is the poll's. */
  private ledgerFirst = false;

  constructor(
    private readonly host: ReaderHost,
    private readonly log: Logger,
    private readonly policy: Omit<FlowPolicy, 'pair'>,
  ) {}

  async read(plan: ReadPlan, signal?: AbortSignal): Promise<void> {
    const h = this.host;
    if (h.pair === null) return;
    const flowsWanted = (): boolean =>
      h.config.FLOW_DETECTION_ENABLED &&
      h.faults.flowsEnabled() &&
      h.state.baseline !== null &&
      h.price.value !== null &&
      pollReason({
        pending: h.state.poll.pending !== null,
        lastPollTs: h.state.poll.last_poll_ts,
        now: h.nowSec(),
        intervalSec: plan.pollIntervalSec,
        fresh: this.freshFingerprint(),
        accounted: h.state.ledger.accounted,
        requested: plan.ledgerRequested,
      }) !== null;
    const contended = plan.balance && flowsWanted() && h.budget.whyNot(BALANCE_AND_PAGE, h.nowSec()) !== null;
    if (contended && this.ledgerFirst) {
      // The poll's turn: if its page does not fit the counter, balances wait too, so the counter decays until
      // it does. A failed page does not hold balances back.
      const outcome = await this.pollLedger(signal);
      if (outcome === 'deferred') return;
      this.ledgerFirst = false;
      await this.refreshBalances(signal);
      return;
    }
    if (plan.balance) await this.refreshBalances(signal);
    // The first balances set the baseline before the first poll, so that poll starts exactly at it.
    h.afterBalances();
    // Poll on change (section 15): fresh balances that differ from the last complete poll's trigger a poll.
    if (flowsWanted()) {
      // Balances went first this tick, so a page that did not fit has the next turn, whether the poll was
      // wanted at the start of the tick or only once the fresh balances had changed.
      const outcome = await this.pollLedger(signal);
      if (outcome === 'deferred' && plan.balance) this.ledgerFirst = true;
    }
  }

  /** Fingerprint of this tick's fresh pool balances, or null when this tick has none. */
  freshFingerprint(): string | null {
    return this.balancesTick === this.host.ticks && this.wallets !== null ? balanceFingerprint(this.wallets.wallets, this.host.config.EQUITY_WALLETS) : null;
  }

  /** True when this tick read the balances. */
  freshThisTick(): boolean {
    return this.balancesTick === this.host.ticks;
  }

  /** Rows held because Kraken wrote them after the balances were read: booked once the balances contain them. */
  releaseAligned(): void {
    const h = this.host;
    const price = h.price.value;
    if (h.pair === null || price === null || h.state.ledger.held.length === 0) return;
    logBookChanges(this.log, releaseHeld(h.state, this.readAt, price, h.nowSec(), this.flowPolicy(h.pair)));
    h.markDirty();
  }

  private flowPolicy(pair: PairAssets): FlowPolicy {
    return { ...this.policy, pair: { base: pair.base, quote: pair.quote } };
  }

  private async refreshBalances(signal?: AbortSignal): Promise<void> {
    const h = this.host;
    const pair = h.pair;
    if (pair === null) return;
    const began = h.nowSec();
    let readStartKraken = h.krakenNow();
    const out = await h.lane.call(
      'Balance',
      (s) => {
        readStartKraken = h.krakenNow(); // the call starts when the lane is free, not when it was queued
        return h.kraken.balance(s);
      },
      signal,
    );
    h.markDirty(); // nonce floor and budget moved
    if (!out.ok) {
      if ('error' in out) {
        this.balances.ok = false;
        this.balances.error = h.faults.note(out.error, 'Balance');
      }
      return;
    }
    h.faults.cleared();
    const wallets = poolBalances(out.value, pair, h.config.EQUITY_WALLETS, isKnownWallet);
    for (const w of wallets.unseenWallets) {
      if (this.loggedWallets.has(w)) continue;
      this.loggedWallets.add(w);
      this.log.warn({ wallet: w }, 'Balance lists a wallet suffix no documentation names: shown in balances.wallets, outside the pool');
    }
    this.wallets = wallets;
    this.balances.value = wallets.pool;
    this.balances.ts = h.nowSec();
    // The read happened while the call was in flight: its midpoint on Kraken's clock (ties settle by row balance);
    // it can reflect rows booked up to the answer's arrival, so coverage is judged against that.
    const arrived = h.krakenNow();
    this.readAt = balanceRead(wallets, pair, (readStartKraken + arrived) / 2, arrived);
    this.balancesTick = h.ticks;
    this.balanceReadBeganSec = began;
    this.balances.ok = true;
    this.balances.error = null;
  }

  /**
   * Fetches ledger pages of the poll in progress. `progress` when at least one page arrived, `deferred` when the
   * first page did not fit the budget, `failed` when it failed (the same window resumes next tick either way).
   */
  private async pollLedger(signal?: AbortSignal): Promise<'progress' | 'deferred' | 'failed'> {
    const h = this.host;
    const pair = h.pair;
    const price = h.price.value;
    if (pair === null || price === null) return 'failed';
    const policy = this.flowPolicy(pair);
    // A poll with no page read yet reads up to now: it covers everything booked before this moment.
    if (h.state.poll.pending === null || h.state.poll.pending.pages === 0) this.pollBeganSec = h.nowSec();
    const pending = beginPoll(h.state, h.krakenNow(), policy);
    h.markDirty();
    h.state.poll.last_attempt_ts = h.nowSec();
    let pagesThisTick = 0;
    while (h.state.poll.pending !== null && pagesThisTick < h.config.FLOW_MAX_PAGES_PER_POLL) {
      const params = { type: 'all', start: pending.start, end: pending.end, ofs: pending.ofs };
      const out = await h.lane.call('Ledgers', (s) => h.kraken.ledgers(params, s), signal);
      if (!out.ok) {
        if ('error' in out) failPoll(h.state, h.faults.note(out.error, 'Ledgers'));
        if (pagesThisTick > 0) return 'progress';
        return 'error' in out ? 'failed' : 'deferred';
      }
      h.faults.cleared();
      pagesThisTick++;
      const page = applyLedgerPage(h.state, out.value.ledger, price, h.nowSec(), policy, out.value.count, this.readAt);
      logBookChanges(this.log, { ...page, reclassified: 0 });
      this.pollFreshRows += page.fresh;
      if (page.countChanged !== null) {
        this.log.warn(page.countChanged, 'Ledgers count changed between pages: poll stopped incomplete; it starts over next tick');
        return 'progress';
      }
      if (page.complete) {
        logBookChanges(this.log, completePoll(h.state, h.nowSec(), policy, price));
        // A poll whose window ended before this tick's balance read has not accounted for those balances: the
        // next tick polls again (rows booked after its end are not read yet).
        const coversRead = this.readAt === null || pending.end >= (this.readAt.latest ?? this.readAt.ts);
        const next = accountedAfterPoll(h.state.ledger.accounted, coversRead ? this.freshFingerprint() : null, this.pollFreshRows, this.lagRetried);
        h.state.ledger.accounted = next.accounted;
        this.lagRetried = next.retried;
        this.pollFreshRows = 0;
        this.pollCompletedBeganSec = this.pollBeganSec;
        return 'progress';
      }
    }
    return 'progress';
  }
}
