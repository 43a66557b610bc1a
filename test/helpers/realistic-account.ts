import Big from 'big.js';
import { walletCode } from '../../src/kraken/sim/index.js';
import type { ActivityResult, KrakenSim, LedgerRow } from '../../src/kraken/sim/index.js';

/**
 * A realistic Kraken account on a KrakenSim (issue 10): Auto Earn on USD holding USD.F, an earn reward, an
 * app purchase, a futures transfer, a staking move, bot trades funded from spot, from USD.F and from both,
 * a trade on another pair (XBT/USD), a trade whose fiat leg rounds away, a withdrawal and a failed one,
 * an adjustment, a credit and one row of an undocumented type, together with the TRUTH by category of
 * DESIGN.md section 15, computed by construction: each step says what it is, and Auto Earn's own moves
 * (which the sim writes by itself) are internal. It uses no code of the sidecar's accounting.
 */

export type TruthCategory = 'external' | 'income' | 'trading' | 'unclassified';

export interface BaseQuote {
  base: string;
  quote: string;
}

export interface RealisticTruth {
  /** Net effect (amount − fee) on the pool, native units, decimal strings. */
  external: BaseQuote;
  income: BaseQuote;
  trading: BaseQuote;
  unclassified: BaseQuote & { rows: number; types: Record<string, number> };
  /** Refid groups of earn moves inside the pool (Auto Earn pairs, allocations, deallocations), and their rows. */
  internal_moves: number;
  internal_rows: number;
  /** Rows on other assets (XXBT) or on wallets outside the pool (XDG.S). */
  skipped_rows: number;
  /** Pool totals (spot + F of the pair's assets) before the first step and after the last. */
  pool_start: BaseQuote;
  pool_end: BaseQuote;
  /** Rows the scenario wrote, by category (internal and skipped included). */
  rows: number;
}

export interface RealisticStep {
  name: string;
  /** `internal`: a step whose every row is an earn move (switching Auto Earn on or off). */
  category: TruthCategory | 'internal';
  refid: string;
  rows: LedgerRow[];
  /** Pool totals just before the step ran. */
  pool_before: BaseQuote;
}

export interface RealisticAccountOptions {
  /** Called before each step (advance a clock, run a daemon tick, restart one, ...). */
  before?: ((step: string, index: number) => void | Promise<void>) | undefined;
  /** Unix seconds of each step's rows. Default: the sim clock when the step runs. */
  time?: (() => number) | undefined;
  /** The undocumented row's type. Default `giftcard`. */
  unknownType?: string | undefined;
}

export interface RealisticAccount {
  truth: RealisticTruth;
  steps: RealisticStep[];
}

/** The wallets of the pool (EQUITY_WALLETS default `spot,F`), as the sim spells their codes. */
export function poolCodes(sim: KrakenSim): { base: string[]; quote: string[] } {
  const { base, quote } = sim.pair;
  return { base: [base, walletCode(base, 'F')], quote: [quote, walletCode(quote, 'F')] };
}

/** Earn moves between spot and `.F` (DESIGN 15's `internal` row kinds). */
const EARN_MOVE_SUBTYPES = new Set(['autoallocate', 'autoallocation', 'allocation', 'deallocation', 'migration']);

function isInternal(row: LedgerRow): boolean {
  return (row.type === 'transfer' || row.type === 'earn') && EARN_MOVE_SUBTYPES.has(row.subtype);
}

/** Build the account step by step (the sim's pair must be XDG/USD-like: base crypto, quote USD). */
export async function buildRealisticAccount(sim: KrakenSim, opts: RealisticAccountOptions = {}): Promise<RealisticAccount> {
  const a = sim.activity;
  const { base, quote } = sim.pair;
  const at = (): { time: number } => ({ time: opts.time?.() ?? sim.now() / 1000 });
  const price = (): string => sim.getPrice();
  /** A DOGE volume worth `usd` at the current price. */
  const worth = (usd: string): string => new Big(usd).div(price()).round(8, Big.roundDown).toString();
  const asResult = (rows: LedgerRow[]): ActivityResult => ({ refid: rows[0]?.refid ?? '', rows });
  let withdrawalRefid = '';

  const script: Array<[string, TruthCategory | 'internal', () => ActivityResult]> = [
    ['deposit DOGE', 'external', () => a.deposit(base, '20000', at())],
    ['deposit USD', 'external', () => a.deposit(quote, '2000', at())],
    ['bot buys from spot', 'trading', () => a.trade({ side: 'buy', volume: worth('250'), price: price(), ...at() })],
    ['Auto Earn on for USD', 'internal', () => asResult(a.setAutoEarn(quote, true, at()))],
    ['bot sells from spot (proceeds auto-allocated)', 'trading', () => a.trade({ side: 'sell', volume: '3000', price: price(), ...at() })],
    ['bot buys from USD.F', 'trading', () => a.trade({ side: 'buy', volume: worth('180'), price: price(), ...at() })],
    ['earn reward into USD.F', 'income', () => a.reward(quote, '0.5123', at())],
    ['Auto Earn off for USD', 'internal', () => asResult(a.setAutoEarn(quote, false))],
    ['deposit USD while Auto Earn is off', 'external', () => a.deposit(quote, '30', at())],
    ['Auto Earn on again, later form', 'internal', () => asResult(a.setAutoEarn(quote, true, { form: 'earn', allocateExisting: false, ...at() }))],
    ['bot buys from spot and USD.F', 'trading', () => a.trade({ side: 'buy', volume: worth('100'), price: price(), ...at() })],
    ['app purchase', 'external', () => a.appPurchase({ spend: quote, spendAmount: '29.55', fee: '0.45', receive: base, receiveAmount: '200', ...at() })],
    ['futures transfer', 'external', () => a.futuresTransfer(base, '500', 'to', at())],
    ['staking move', 'external', () => a.stakingMove(base, '1000', 'to', at())],
    ['staking reward outside the pool', 'income', () => a.reward(base, '1.5', { type: 'staking', wallet: 'S', ...at() })],
    ['trade on XBT/USD', 'external', () => a.otherPairTrade({ spend: quote, spendAmount: '50', fee: '0.13', receive: 'XXBT', receiveAmount: '0.0005', ...at() })],
    ['withdrawal', 'external', () => a.withdraw(base, '1000', { fee: '4', ...at() })],
    ['failed withdrawal', 'external', () => {
      const r = a.withdraw(quote, '100', { fee: '5', ...at() });
      withdrawalRefid = r.refid;
      return r;
    }],
    ['bot sells from spot', 'trading', () => a.trade({ side: 'sell', volume: '1200', price: price(), ...at() })],
    ['withdrawal reversed', 'external', () => a.reverseWithdrawal(withdrawalRefid, at())],
    ['adjustment', 'external', () => a.adjustment(base, '0.00000054', at())],
    ['credit', 'income', () => a.credit(quote, '1.25', at())],
    ['undocumented row', 'unclassified', () => a.unknownRow(base, '2', { type: opts.unknownType ?? 'giftcard', ...at() })],
    ['trade whose fiat leg rounds away', 'trading', () => a.trade({ side: 'sell', volume: worth('0.00004'), price: price(), ...at() })],
  ];

  const startPool = poolTotals(sim);
  const steps: RealisticStep[] = [];
  for (const [index, [name, category, run]] of script.entries()) {
    await opts.before?.(name, index);
    const pool_before = poolTotals(sim);
    const result = run();
    steps.push({ name, category, refid: result.refid, rows: result.rows, pool_before });
  }
  return { truth: truthOfSteps(sim, steps, startPool), steps };
}

/**
 * The truth of a run of steps, e.g. `steps.slice(k)` for a daemon whose baseline was taken before step k:
 * `pool_start` is the pool before the first of them, `pool_end` the sim's pool now.
 */
export function truthOfSteps(
  sim: KrakenSim,
  steps: readonly RealisticStep[],
  start: BaseQuote = steps[0]?.pool_before ?? poolTotals(sim),
): RealisticTruth {
  const pool = poolCodes(sim);
  const zero = (): { base: Big; quote: Big } => ({ base: new Big(0), quote: new Big(0) });
  const sums: Record<TruthCategory, { base: Big; quote: Big }> = {
    external: zero(), income: zero(), trading: zero(), unclassified: zero(),
  };
  const types: Record<string, number> = {};
  const internalGroups = new Set<string>();
  let internalRows = 0;
  let skipped = 0;
  let unclassifiedRows = 0;
  let rows = 0;
  for (const step of steps) {
    for (const row of step.rows) {
      rows += 1;
      const side = pool.base.includes(row.asset) ? 'base' : pool.quote.includes(row.asset) ? 'quote' : undefined;
      if (side === undefined) {
        skipped += 1;
        continue;
      }
      if (isInternal(row)) {
        internalGroups.add(row.refid);
        internalRows += 1;
        continue;
      }
      if (step.category === 'internal') throw new Error(`step "${step.name}" wrote a row that is not an earn move`);
      const net = new Big(row.amount).minus(row.fee);
      sums[step.category][side] = sums[step.category][side].plus(net);
      if (step.category === 'unclassified') {
        unclassifiedRows += 1;
        types[row.type] = (types[row.type] ?? 0) + 1;
      }
    }
  }
  const str = (v: { base: Big; quote: Big }): BaseQuote => ({ base: v.base.toString(), quote: v.quote.toString() });
  return {
    external: str(sums.external),
    income: str(sums.income),
    trading: str(sums.trading),
    unclassified: { ...str(sums.unclassified), rows: unclassifiedRows, types },
    internal_moves: internalGroups.size,
    internal_rows: internalRows,
    skipped_rows: skipped,
    pool_start: start,
    pool_end: poolTotals(sim),
    rows,
  };
}

/** Pool totals from the sim's Balance. */
export function poolTotals(sim: KrakenSim): BaseQuote {
  const balances = sim.getBalances();
  const pool = poolCodes(sim);
  const sum = (codes: string[]): string => codes.reduce((acc, c) => acc.plus(balances[c] ?? '0'), new Big(0)).toString();
  return { base: sum(pool.base), quote: sum(pool.quote) };
}

/** A truth part in DOGE-eq at `price` (quote per base): base + quote / price, as a decimal string. */
export function dogeEq(part: BaseQuote, price: string): string {
  return new Big(part.base).plus(new Big(part.quote).div(price)).toString();
}
