/** How a balances message's `sequence` relates to what this subscription has seen. */
export type SequenceVerdict = 'next' | 'gap' | 'duplicate' | 'late' | 'none';

const REMEMBERED = 256;

/**
 * Sequence numbers of one subscription (Kraken's are per subscription; only gaps within one are meaningful).
 * A jump forward is a gap (updates were lost: the caller polls REST); a number already seen is a duplicate (no
 * second bell); an older number not yet seen arrived late (rings, no gap: its gap was reported when it was skipped).
 */
export class SequenceTracker {
  private last: number | null = null;
  private readonly seen = new Set<number>();
  private readonly order: number[] = [];

  /** A new subscription: forget the old numbers. */
  reset(): void {
    this.last = null;
    this.seen.clear();
    this.order.length = 0;
  }

  observe(sequence: number | null): SequenceVerdict {
    if (sequence === null) return 'none';
    if (this.seen.has(sequence)) return 'duplicate';
    this.remember(sequence);
    const last = this.last;
    if (last === null) {
      this.last = sequence;
      return 'next';
    }
    if (sequence < last) return 'late';
    this.last = sequence;
    return sequence === last + 1 ? 'next' : 'gap';
  }

  private remember(sequence: number): void {
    this.seen.add(sequence);
    this.order.push(sequence);
    if (this.order.length > REMEMBERED) this.seen.delete(this.order.shift() ?? sequence);
  }
}
