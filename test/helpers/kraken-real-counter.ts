/**
 * A stand-in for Kraken's own per-key counter, next to which the RateBudget model is checked: continuous
 * decay c = max(0, c − decay·Δt) on its own clock, +cost per accepted call, and a call that would push it
 * over `max` is rejected and adds nothing (as the simulator does). Times are unix seconds.
 */
export class RealCounter {
  private value = 0;
  private at: number;
  /** Highest level ever reached right after a charge. */
  peak = 0;
  accepted = 0;
  rejected = 0;

  constructor(
    readonly max: number,
    readonly decayPerSec: number,
    start: number,
  ) {
    this.at = start;
  }

  level(t: number): number {
    return Math.max(0, this.value - this.decayPerSec * Math.max(0, t - this.at));
  }

  /** Kraken's verdict on a call arriving at `t`: true = accepted and charged, false = rate limit exceeded. */
  charge(t: number, cost: number): boolean {
    const before = this.level(t);
    this.value = before;
    this.at = Math.max(this.at, t);
    if (before + cost > this.max + 1e-9) {
      this.rejected++;
      return false;
    }
    this.value = before + cost;
    this.peak = Math.max(this.peak, this.value);
    this.accepted++;
    return true;
  }

  /** Charge without the ceiling check, to see how far the model would have pushed a real counter. */
  forceCharge(t: number, cost: number): void {
    this.value = this.level(t) + cost;
    this.at = Math.max(this.at, t);
    this.peak = Math.max(this.peak, this.value);
  }
}
