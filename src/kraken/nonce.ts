/**
 * Strictly increasing nonces for one API key. Seeded with a floor that the caller persists, so nonces stay
 * increasing across a restart even if the clock stepped back. Millisecond resolution, as Kraken's example.
 */
export class NonceSource {
  private last: number;

  constructor(
    private readonly nowMs: () => number,
    floor = 0,
  ) {
    this.last = Math.floor(floor);
  }

  next(): string {
    this.last = Math.max(Math.floor(this.nowMs()), this.last + 1);
    return String(this.last);
  }

  /** The highest nonce handed out so far; persist it and pass it back as `floor` on restart. */
  get floor(): number {
    return this.last;
  }
}
