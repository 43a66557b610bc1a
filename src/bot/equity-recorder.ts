import { appendPoint, isSampleDue, mergeSeries, trimSeries } from '../equity/index.js';
import type { EquityPoint } from '../equity/types.js';
import { baseEquivalent, toNumber } from '../recon/decimal.js';
import type { Store } from '../store/store.js';

/** What an equity point is made of at one tick. */
export interface EquityInputs {
  readonly balances: { readonly base: string; readonly quote: string } | null;
  readonly price: number | null;
  readonly botPnlUsd: number;
  readonly flowsCumulativeDogeEq: number;
}

const DAY_SEC = 86_400;

export interface EquityRecorderOptions {
  readonly sampleIntervalSec: number;
  readonly flushIntervalSec: number;
  /** EQUITY_TS_ENABLED: keep the retention window and persist it; otherwise 24 h in memory only. */
  readonly persistent: boolean;
  readonly retentionDays: number;
}

/**
 * The loop's equity series: sampled on the loop's cadence (never by /status requests), trimmed to 24 h in
 * memory or to the retention window when persistent, flushed on its own cadence.
 */
export class EquityRecorder {
  points: EquityPoint[] = [];
  lastSampleTs: number | null = null;
  lastFlushTs: number | null = null;
  lastFlushOk: boolean | null = null;
  lastFlushError: string | null = null;
  /** Points sampled since the last successful flush. */
  unflushed = 0;

  constructor(readonly opts: EquityRecorderOptions) {}

  get retentionSec(): number {
    return this.opts.persistent ? this.opts.retentionDays * DAY_SEC : DAY_SEC;
  }

  restore(points: readonly EquityPoint[], now: number): void {
    this.points = trimSeries(mergeSeries(this.points, points), now, this.retentionSec);
    const last = this.points.at(-1);
    if (last !== undefined) this.lastSampleTs = last.ts;
  }

  /** Adds a sample when due; returns whether it did. */
  maybeSample(now: number, makePoint: () => EquityPoint | null): boolean {
    if (!isSampleDue(this.lastSampleTs, now, this.opts.sampleIntervalSec)) return false;
    const point = makePoint();
    if (point === null) return false;
    this.points = trimSeries(appendPoint(this.points, point), now, this.retentionSec);
    this.lastSampleTs = point.ts;
    this.unflushed++;
    return true;
  }

  isFlushDue(now: number): boolean {
    if (!this.opts.persistent || this.unflushed === 0) return false;
    return this.lastFlushTs === null || now - this.lastFlushTs >= this.opts.flushIntervalSec;
  }

  recordFlush(now: number, ok: boolean, error: string | null): void {
    this.lastFlushTs = now;
    this.lastFlushOk = ok;
    this.lastFlushError = error;
    if (ok) this.unflushed = 0;
  }

  /** Samples a point of the tick's figures when due (DESIGN.md section 8). */
  sample(now: number, inputs: () => EquityInputs): boolean {
    return this.maybeSample(now, () => {
      const { balances: b, price: p, botPnlUsd, flowsCumulativeDogeEq } = inputs();
      if (b === null || p === null) return null;
      return {
        ts: Math.floor(now),
        doge_eq: toNumber(baseEquivalent(b.base, b.quote, p)),
        usd: toNumber(b.quote),
        doge: toNumber(b.base),
        price: p,
        bot_pnl_usd: botPnlUsd,
        flows_cumulative_doge_eq: flowsCumulativeDogeEq,
      };
    });
  }

  /** Writes the series when due (or forced); the store answers with what it holds after merging the remote copy. */
  async flush(store: Pick<Store, 'saveSeries' | 'status'>, now: number, force = false): Promise<void> {
    if (!this.opts.persistent || (!force && !this.isFlushDue(now))) return;
    const persisted = await store.saveSeries(this.points);
    if (persisted.length !== this.points.length) this.restore(persisted, now);
    const p = store.status();
    const remoteOk = (t: typeof p.supabase): boolean => !t.configured || t.ok === true;
    const ok = p.local.ok !== false && remoteOk(p.supabase) && remoteOk(p.postgres);
    this.recordFlush(now, ok, ok ? null : (p.supabase.last_error ?? p.postgres.last_error ?? p.local.last_error));
  }
}
