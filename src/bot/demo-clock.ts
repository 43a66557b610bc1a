/**
 * The demo's one clock (milliseconds), shared by the simulated Kraken (its rate counter, lockouts and row
 * times), the synthetic bot, the daemon (its budget model, nonces, series) and the local store.
 *
 * It starts in the past and is moved forward by hand while the demo fast-forwards its simulated week; it
 * never runs ahead of the real clock. `goLive()` hands over to the real clock: from then on `now()` is the
 * real time. Because the simulator's counter and the daemon's budget read the same clock, both see the same
 * elapsed time in either phase, so the hand-over cannot create a phantom rate limit.
 */
export class DemoClock {
  private virtualMs: number;
  private live = false;

  constructor(
    startMs: number,
    private readonly realNow: () => number = Date.now,
  ) {
    this.virtualMs = Math.min(startMs, realNow());
  }

  /** The current time in ms (bound so it can be passed around as a plain function). */
  readonly now = (): number => (this.live ? this.realNow() : this.virtualMs);

  /** The real clock, whatever the phase. */
  real(): number {
    return this.realNow();
  }

  get isLive(): boolean {
    return this.live;
  }

  /** Moves the simulated time forward to `ms`, never backwards and never past the real clock. Returns the new time. */
  advanceTo(ms: number): number {
    if (this.live) throw new Error('DemoClock: already live');
    this.virtualMs = Math.max(this.virtualMs, Math.min(ms, this.realNow()));
    return this.virtualMs;
  }

  /** Hands over to the real clock. Time stays monotonic: the simulated time never passed the real one. */
  goLive(): void {
    this.live = true;
  }
}
