import Big from 'big.js';
import type { KrakenSim } from '../../src/kraken/sim/index.js';

export interface LedgerSumsCheck {
  /** Code → initial + Σ(amount − fee) over the ledger, as a decimal string. */
  sums: Record<string, string>;
  /** Human-readable differences: a row whose `balance` is not its code's running sum, or a Balance off its sum. */
  mismatches: string[];
}

/**
 * Walk the sim's ledger oldest first (insertion order, which is time order when rows were written with a
 * clock that never goes back) and check that each row's `balance` is its asset-wallet code's running sum and
 * that Balance equals the sums, code by code. Raw rows (no `balance` string) are skipped.
 */
export function checkLedgerSums(sim: KrakenSim, initial: Readonly<Record<string, string>> = {}): LedgerSumsCheck {
  const running = new Map<string, Big>(Object.entries(initial).map(([c, v]) => [c, new Big(v)]));
  const mismatches: string[] = [];
  for (const { id, row } of [...sim.ledgerRows()].reverse()) {
    const { asset, amount, fee, balance } = row as Record<string, unknown>;
    if (typeof asset !== 'string' || typeof amount !== 'string' || typeof fee !== 'string' || typeof balance !== 'string') continue;
    const next = (running.get(asset) ?? new Big(0)).plus(amount).minus(fee);
    running.set(asset, next);
    if (!next.eq(balance)) mismatches.push(`${id} ${asset}: balance ${balance}, running sum ${next.toString()}`);
  }
  const balances = sim.getBalances();
  for (const code of new Set([...Object.keys(balances), ...running.keys()])) {
    const have = new Big(balances[code] ?? '0');
    const sum = running.get(code) ?? new Big(0);
    if (!have.eq(sum)) mismatches.push(`Balance ${code} ${have.toString()} != ledger sum ${sum.toString()}`);
  }
  return { sums: Object.fromEntries([...running].map(([c, v]) => [c, v.toString()])), mismatches };
}
