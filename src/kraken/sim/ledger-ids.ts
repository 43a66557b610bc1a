import type { Rng } from './rng.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * Kraken-looking ids (`LQWXVB-ZWRTY-4UVOPF`: prefix + 5, 5 and 6 chars of [A-Z0-9]) drawn from the sim's
 * seeded RNG, so a run with the same seed and the same script produces the same ids.
 */
export class LedgerIdGenerator {
  private readonly used = new Set<string>();

  constructor(private readonly rng: Rng) {}

  /** Ledger entry id, `L` prefix. */
  ledgerId(): string {
    return this.unique('L');
  }

  /** Reference id: `T` for trades (Kraken's trade ids), `Q` for the rest (funding references). */
  refid(type: string): string {
    return this.unique(type === 'trade' ? 'T' : 'Q');
  }

  /** Remember an id chosen by the caller so a generated one never collides with it. */
  reserve(id: string): void {
    this.used.add(id);
  }

  has(id: string): boolean {
    return this.used.has(id);
  }

  private unique(prefix: string): string {
    for (;;) {
      const id = `${prefix}${this.chars(5)}-${this.chars(5)}-${this.chars(6)}`;
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }

  private chars(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += ALPHABET[Math.floor(this.rng() * ALPHABET.length)] ?? 'A';
    return out;
  }
}

/** The shape Kraken uses for ledger ids; exported for tests and for clients' sanity checks. */
export const LEDGER_ID_PATTERN = /^L[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{6}$/;
