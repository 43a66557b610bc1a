/**
 * DESIGN.md section 15, when to poll: a tick polls the ledger when a poll is in progress, when the interval
 * has passed since the last complete one, or when its fresh balances differ from those the last complete
 * poll accounted for, or when asked to (a pushed ledger entry). A quiet account thus costs its balance
 * refreshes alone between intervals.
 */
export interface PollTriggerInput {
  readonly pending: boolean;
  readonly lastPollTs: number | null;
  readonly now: number;
  readonly intervalSec: number;
  /** Fingerprint of this tick's fresh pool balances; null when this tick has none. */
  readonly fresh: string | null;
  /** Fingerprint of the balances the last complete poll accounted for. */
  readonly accounted: string | null;
  /** Something outside the balances says the ledger moved (a pushed ledger entry): poll whatever they say. */
  readonly requested?: boolean;
}

export type PollReason = 'in_progress' | 'requested' | 'interval' | 'balances_changed' | null;

export function pollReason(i: PollTriggerInput): PollReason {
  if (i.pending) return 'in_progress';
  if (i.requested === true) return 'requested';
  if (i.lastPollTs === null || i.now - i.lastPollTs >= i.intervalSec) return 'interval';
  if (i.fresh !== null && i.fresh !== i.accounted) return 'balances_changed';
  return null;
}

/** A canonical text of the pool balances (wallet → base, quote), equal exactly when the amounts are. */
export function balanceFingerprint(wallets: Readonly<Record<string, { readonly base: string; readonly quote: string }>>, pool: readonly string[]): string {
  return [...pool]
    .sort()
    .map((w) => `${w}:${canonical(wallets[w]?.base)}:${canonical(wallets[w]?.quote)}`)
    .join('|');
}

function canonical(v: string | undefined): string {
  if (v === undefined) return '0';
  const n = v.trim();
  // Trailing zeros do not change an amount: 1.50 and 1.5 are the same balance.
  return n.includes('.') ? n.replace(/0+$/, '').replace(/\.$/, '') || '0' : n;
}

/**
 * What the last complete poll accounted for, after a poll completes with `fresh` balances. A poll that the
 * balances' change triggered but that found no new row leaves the old value once: Kraken may write the row a
 * tick after the balance moves, so the next tick polls again (then the balances count as accounted).
 */
export function accountedAfterPoll(previous: string | null, fresh: string | null, newRows: number, retried: boolean): { accounted: string | null; retried: boolean } {
  if (fresh === null) return { accounted: previous, retried };
  if (fresh !== previous && newRows === 0 && !retried && previous !== null) return { accounted: previous, retried: true };
  return { accounted: fresh, retried: false };
}
