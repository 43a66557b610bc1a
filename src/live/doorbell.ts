import type { Logger } from 'pino';
import type { LiveStatus } from '../bot/live-status.js';
import { bellServed, bellWakeAt, cadence, pollReasonText, pushHolds, type Cadence, type FeedView } from './cadence.js';

/** A pushed message that says the account moved (DESIGN.md section 19): a snapshot or N ledger entries. */
export interface Bell {
  readonly kind: 'snapshot' | 'update';
  readonly entries: number;
  readonly sequence: number | null;
  readonly gap: boolean;
}

export interface FeedHealthView extends FeedView {
  readonly reconnects: number;
  readonly lastMessageTs: number | null;
}

/** The socket as the loop sees it (src/kraken/ws/balances-feed.ts). */
export interface LiveFeed {
  start(): void;
  stop(): Promise<void>;
  health(): FeedHealthView;
}

export type LiveFeedFactory = (handlers: { onBell: (bell: Bell) => void; onHealth: () => void }) => LiveFeed;

export interface DoorbellOptions {
  readonly wsOff: boolean;
  readonly safetyIntervalSec: number;
  readonly pollIntervalSec: number;
  /** Doorbell ticks come no closer than this (LOOP_INTERVAL_SEC): push never costs more than polling. */
  readonly spacingSec: number;
  readonly nowSec: () => number;
  readonly log: Logger;
}

/** What the reader reports after a tick, to tell whether the owed doorbell was served. */
export interface ReadMarks {
  readonly balanceReadBeganSec: number | null;
  readonly pollCompletedBeganSec: number | null;
  readonly lastPollTs: number | null;
  readonly ledgerApplies: boolean;
}

/**
 * The loop's side of live mode: which mode holds and why, what a tick reads, and waking the loop when the
 * socket rings. The socket itself (connection, token, health) lives in src/kraken/ws.
 */
export class Doorbell {
  private feed: LiveFeed | null = null;
  /** When the latest doorbell not yet served rang. */
  private owedSince: number | null = null;
  private lastServedRoundSec: number | null = null;
  private wake: AbortController | null = null;
  private mode: 'push' | 'poll' = 'poll';
  private modeSince: number;
  private bells = 0;
  /** The mode changed since the last tick began: the next tick comes at once, so /status says so. */
  private modeChanged = false;

  constructor(private readonly opts: DoorbellOptions) {
    this.modeSince = opts.nowSec();
  }

  /** Opens the socket (unless KRAKEN_WS=off or no factory is given). */
  start(factory: LiveFeedFactory | undefined): void {
    if (this.opts.wsOff || factory === undefined || this.feed !== null) return;
    this.feed = factory({ onBell: (bell) => this.ring(bell), onHealth: () => this.observe() });
    this.feed.start();
  }

  async stop(): Promise<void> {
    this.wake?.abort();
    await this.feed?.stop();
  }

  ring(bell: Bell): void {
    this.bells++;
    // The latest bell counts: one that rings while a tick reads is served by a read that begins after it.
    this.owedSince = this.opts.nowSec();
    if (bell.gap) this.opts.log.info({ sequence: bell.sequence }, 'balances channel skipped a sequence number: the ledger is read at once');
    this.wake?.abort();
  }

  /** Doorbells rung since start. */
  get rung(): number {
    return this.bells;
  }

  /** What this tick reads; a tick that starts with a doorbell owed serves it. */
  plan(lastBalanceSec: number | null, lastPollTs: number | null): Cadence {
    this.observe();
    const now = this.opts.nowSec();
    if (this.owedSince !== null || this.modeChanged) this.lastServedRoundSec = now;
    this.modeChanged = false;
    return cadence({
      push: this.mode === 'push',
      now,
      owedSince: this.owedSince,
      lastBalanceSec,
      lastPollTs,
      safetyIntervalSec: this.opts.safetyIntervalSec,
      pollIntervalSec: this.opts.pollIntervalSec,
    });
  }

  /** After the tick's reads: the doorbell is served when both reads began after it rang. */
  settle(marks: ReadMarks): void {
    if (this.owedSince === null) return;
    if (bellServed(this.owedSince, marks.balanceReadBeganSec, marks.pollCompletedBeganSec, marks.ledgerApplies)) this.owedSince = null;
  }

  /**
   * Sleeps until `deadlineMs` (the next scheduled tick) or until an owed doorbell may start one, whichever
   * comes first. `sleep` is the loop's own (the demo's actors run in it).
   */
  async waitForNext(deadlineMs: number, clockMs: () => number, stop: AbortSignal, sleep: (ms: number, signal: AbortSignal) => Promise<void>): Promise<void> {
    while (!stop.aborted) {
      // A changed mode wakes the loop like a bell (and with the same spacing, so a flapping socket costs nothing).
      const pending = this.owedSince ?? (this.modeChanged ? this.modeSince : null);
      const bellAt = bellWakeAt(pending, this.lastServedRoundSec, this.opts.spacingSec);
      const until = bellAt === null ? deadlineMs : Math.min(deadlineMs, bellAt * 1000);
      const now = clockMs();
      if (until <= now) return;
      const wake = new AbortController();
      this.wake = wake;
      await sleep(until - now, AbortSignal.any([stop, wake.signal])).catch(() => undefined);
      this.wake = null;
      if (!wake.signal.aborted) return;
    }
  }

  status(): LiveStatus {
    this.observe();
    const h = this.feed?.health() ?? null;
    const now = this.opts.nowSec();
    return {
      mode: this.mode,
      connected: h?.connected ?? false,
      since: this.modeSince,
      reason: this.mode === 'push' ? null : pollReasonText(h, this.opts.wsOff),
      reconnects: h?.reconnects ?? 0,
      last_message_age_sec: h === null || h.lastMessageTs === null ? null : Math.max(0, Math.round((now - h.lastMessageTs) * 10) / 10),
      system: h?.system ?? null,
    };
  }

  /** Follows the socket's health into the loop's mode; logs each change once. */
  private observe(): void {
    const h = this.feed?.health() ?? null;
    const mode = pushHolds(h) ? 'push' : 'poll';
    if (mode === this.mode) return;
    this.mode = mode;
    this.modeSince = this.opts.nowSec();
    this.modeChanged = true;
    this.wake?.abort();
    if (mode === 'push') this.opts.log.info({ safety_interval_sec: this.opts.safetyIntervalSec }, 'live: Kraken pushes ledger entries; REST Balance falls back to the safety interval');
    else this.opts.log.warn({ reason: pollReasonText(h, this.opts.wsOff) }, 'live: socket not usable; polling REST every tick');
  }
}
