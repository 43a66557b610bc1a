import Big from 'big.js';
import { formatAmount } from './amounts.js';
import type { LedgerRowInput } from './types.js';

/** Where a spending leg is drawn from: spot, the `.F` earn wallet, or spot first then `.F` (`auto`). */
export type FundFrom = 'auto' | 'spot' | 'earn';

export interface Wallets {
  /** The spot code and its `.F` code, e.g. ZUSD and USD.F, with their balances. */
  spot: { code: string; balance: Big };
  earn: { code: string; balance: Big };
}

/**
 * The `trade` rows spending `amount` plus `fee`: one row on one wallet, or (`auto`, when spot holds more
 * than the fee but less than the whole) spot's balance less the fee with the fee on that row, and the rest
 * from `.F`. Throws a RangeError when the wallet(s) asked for cannot fund it.
 */
export function spendingLegs(w: Wallets, amount: Big, fee: Big, from: FundFrom): LedgerRowInput[] {
  const leg = (asset: string, a: Big, f: Big): LedgerRowInput => ({
    type: 'trade', asset, amount: a.neg().toString(), fee: f.toString(),
  });
  const need = amount.plus(fee);
  const check = (have: Big, where: string): void => {
    if (have.lt(need)) throw new RangeError(`insufficient ${where}: ${formatAmount(where, have)} < ${formatAmount(where, need)}`);
  };
  const spot = w.spot.balance;
  if (from === 'spot' || (from === 'auto' && spot.gte(need))) {
    check(spot, w.spot.code);
    return [leg(w.spot.code, amount, fee)];
  }
  if (from === 'auto' && spot.gt(fee) && spot.plus(w.earn.balance).gte(need)) {
    const fromSpot = spot.minus(fee);
    return [leg(w.spot.code, fromSpot, fee), leg(w.earn.code, amount.minus(fromSpot), new Big(0))];
  }
  check(w.earn.balance, w.earn.code);
  return [leg(w.earn.code, amount, fee)];
}
