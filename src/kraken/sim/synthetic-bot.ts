import Big from 'big.js';
import { normalizeAsset } from '../assets.js';
import { startPnlServer } from './pnl-server.js';
import type { PnlServer } from './pnl-server.js';
import { createRng, gaussian } from './rng.js';
import type { Rng } from './rng.js';
import type { KrakenSim } from './server.js';
import type { LedgerRow } from './types.js';
import { walletCode } from './wallet-codes.js';

const YEAR_SEC = 365 * 24 * 3600;

export interface SyntheticBotOptions {
  /** Seed of the bot's own RNG (ignored when `rng` is given). Default 7. */
  seed?: number | undefined;
  rng?: Rng | undefined;
  /** ms clock for row times; default the sim's clock. */
  now?: (() => number) | undefined;
  /** Per-step probabilities. */
  tradeProbability?: number | undefined;
  depositProbability?: number | undefined;
  withdrawalProbability?: number | undefined;
  failedWithdrawalProbability?: number | undefined;
  /** Relative standard deviation of the price per step. Default 0.002. */
  volatility?: number | undefined;
  /** A trade uses up to this fraction of the spending balance. Default 0.05. */
  maxTradeFraction?: number | undefined;
  /** Taker fee on the quote leg. Default 0.0026. */
  feeRate?: number | undefined;
  /** Steps until a failed withdrawal is reversed. Default 5. */
  reversalDelaySteps?: number | undefined;
  /** Withdrawal fees by Kraken asset code. Default base 4, quote 5. */
  withdrawalFees?: Readonly<Record<string, string>> | undefined;
  /**
   * Earn rewards: every `rewardIntervalMs` of the clock, `earn`/`reward` rows pay `rewardApr` (a yearly
   * rate, 0 = off, the default) on each `.F` balance of the pair's assets, into that `.F` wallet.
   */
  rewardApr?: number | undefined;
  rewardIntervalMs?: number | undefined;
}

export type BotEvent =
  | { kind: 'trade'; side: 'buy' | 'sell'; refid: string; volume: string; cost: string; fee: string; price: string }
  | {
      kind: 'deposit' | 'withdrawal' | 'failed-withdrawal' | 'reversal' | 'reward';
      refid: string;
      asset: string;
      amount: string;
      fee: string;
    };

interface PendingReversal {
  dueStep: number;
  refid: string;
}

/**
 * A synthetic trading bot acting on a KrakenSim account for the demo. Each step moves the price by a
 * random walk (mildly pulled back to the start price) and, by chance, trades, deposits, withdraws, or
 * makes a withdrawal that fails and is reversed `reversalDelaySteps` later.
 *
 * Rows it writes (balances never go negative):
 * - trade: two `trade` rows sharing a `T…` refid; buy = quote −cost (fee 0.26% of cost) and base +volume
 *   (fee 0); sell = base −volume (fee 0) and quote +cost (fee on this row).
 * - deposit: one `deposit` row, positive, fee 0. withdrawal: one `withdrawal` row, negative, with a fee.
 * - failed withdrawal: a normal-looking `withdrawal` row (−amount, fee f); its reversal later is a
 *   `withdrawal` row with +amount, fee −f, subtype "" and the same refid, so the pair nets to zero.
 *
 * - with Auto Earn on (sim.activity.setAutoEarn), trades and withdrawals draw on spot first, then `.F`
 *   (a trade then writes one row per wallet under one refid), and incoming amounts are auto-allocated.
 * - rewards (`rewardApr` > 0): `earn`/`reward` rows into the `.F` wallets, paid by the clock.
 *
 * Its P&L is trades only, marked to market: Σ trade rows (Δbase·P_now + Δquote incl. fees).
 */
export class SyntheticBot {
  private readonly rng: Rng;
  private readonly clock: () => number;
  private readonly startPrice: Big;
  private readonly pending: PendingReversal[] = [];
  private tradeBase = new Big(0);
  private tradeQuote = new Big(0);
  private flowBase = new Big(0);
  private flowQuote = new Big(0);
  private incomeBase = new Big(0);
  private incomeQuote = new Big(0);
  private lastRewardMs: number;
  private steps = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly o: Required<{ [K in keyof SyntheticBotOptions]: Exclude<SyntheticBotOptions[K], undefined> }>;

  constructor(
    private readonly sim: KrakenSim,
    opts: SyntheticBotOptions = {},
  ) {
    const base = sim.pair.base;
    const quote = sim.pair.quote;
    this.o = {
      seed: opts.seed ?? 7,
      rng: opts.rng ?? createRng(opts.seed ?? 7),
      now: opts.now ?? (() => sim.now()),
      tradeProbability: opts.tradeProbability ?? 0.35,
      depositProbability: opts.depositProbability ?? 0.02,
      withdrawalProbability: opts.withdrawalProbability ?? 0.02,
      failedWithdrawalProbability: opts.failedWithdrawalProbability ?? 0.005,
      volatility: opts.volatility ?? 0.002,
      maxTradeFraction: opts.maxTradeFraction ?? 0.05,
      feeRate: opts.feeRate ?? 0.0026,
      reversalDelaySteps: opts.reversalDelaySteps ?? 5,
      withdrawalFees: opts.withdrawalFees ?? { [base]: '4', [quote]: '5' },
      rewardApr: opts.rewardApr ?? 0,
      rewardIntervalMs: opts.rewardIntervalMs ?? 60_000,
    };
    this.rng = this.o.rng;
    this.clock = this.o.now;
    // The first reward is due at the first step, so a demo shows income at once.
    this.lastRewardMs = this.clock() - this.o.rewardIntervalMs;
    this.startPrice = new Big(sim.getPrice());
  }

  /** One simulated moment: price move, then each kind of activity by its probability. */
  step(): BotEvent[] {
    this.steps += 1;
    this.movePrice();
    const events: BotEvent[] = [];
    const push = (e: BotEvent | undefined): void => {
      if (e) events.push(e);
    };
    if (this.rng() < this.o.tradeProbability) push(this.trade());
    if (this.rng() < this.o.depositProbability) push(this.deposit());
    if (this.rng() < this.o.withdrawalProbability) push(this.withdraw(false));
    if (this.rng() < this.o.failedWithdrawalProbability) push(this.withdraw(true));
    for (const r of this.pending.filter((p) => p.dueStep <= this.steps)) push(this.reverse(r));
    if (this.o.rewardApr > 0) events.push(...this.payRewards());
    return events;
  }

  /** Call step() every `intervalMs` until stop(). */
  run(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => this.step(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Trade P&L in quote currency at the sim's current price. */
  pnlUsd(): number {
    return Number(this.pnlUsdExact());
  }

  pnlUsdExact(): string {
    return this.tradeBase.times(this.sim.getPrice()).plus(this.tradeQuote).toFixed(8);
  }

  /** Net effect (amount − fee) of the bot's trades and of its external flows, per side. */
  totals(): {
    tradeBase: string; tradeQuote: string; flowBase: string; flowQuote: string; incomeBase: string; incomeQuote: string;
  } {
    return {
      tradeBase: this.tradeBase.toString(),
      tradeQuote: this.tradeQuote.toString(),
      flowBase: this.flowBase.toString(),
      flowQuote: this.flowQuote.toString(),
      incomeBase: this.incomeBase.toString(),
      incomeQuote: this.incomeQuote.toString(),
    };
  }

  pendingReversals(): number {
    return this.pending.length;
  }

  startPnlServer(opts: { host?: string | undefined; port?: number | undefined } = {}): Promise<PnlServer> {
    return startPnlServer({ pnlUsd: () => this.pnlUsd(), nowMs: () => this.clock() }, opts);
  }

  private movePrice(): void {
    const p = Number(this.sim.getPrice());
    const pull = -0.01 * Math.log(p / this.startPrice.toNumber());
    const next = p * Math.exp(this.o.volatility * gaussian(this.rng) + pull);
    const floor = 10 ** -this.sim.pair.pairDecimals * 10;
    this.sim.setPrice(Math.max(next, floor).toFixed(this.sim.pair.pairDecimals));
  }

  private trade(): BotEvent | undefined {
    const { base, quote, lotDecimals } = this.sim.pair;
    const price = new Big(this.sim.getPrice());
    const side = this.rng() < 0.5 ? 'buy' : 'sell';
    const fraction = this.o.maxTradeFraction * (0.2 + 0.8 * this.rng());
    const volume =
      side === 'buy'
        ? this.spendable(quote).times(fraction).div(price).round(lotDecimals, Big.roundDown)
        : this.spendable(base).times(fraction).round(lotDecimals, Big.roundDown);
    const cost = volume.times(price).round(4, Big.roundHalfUp);
    const fee = cost.times(this.o.feeRate).round(4, Big.roundUp);
    if (volume.lte(0) || cost.lte(fee)) return undefined;
    if (side === 'buy' && cost.plus(fee).gt(this.spendable(quote))) return undefined;
    if (side === 'sell' && volume.gt(this.spendable(base))) return undefined;

    const time = this.clock() / 1000;
    const result = this.sim.activity.trade({ side, volume: volume.toString(), price: price.toString(), fee: fee.toString(), time });
    for (const row of result.rows.filter((r) => r.type === 'trade' && r.refid === result.refid)) {
      const net = new Big(row.amount).minus(row.fee);
      if (this.isBase(row)) this.tradeBase = this.tradeBase.plus(net);
      else this.tradeQuote = this.tradeQuote.plus(net);
    }
    return {
      kind: 'trade',
      side,
      refid: result.refid,
      volume: volume.toString(),
      cost: cost.toString(),
      fee: fee.toString(),
      price: price.toString(),
    };
  }

  private deposit(): BotEvent {
    const asset = this.pickAsset();
    const floor = asset === this.sim.pair.base ? new Big(500) : new Big(50);
    const scale = this.spendable(asset).times(0.1);
    const amount = (scale.gt(floor) ? scale : floor).times(0.2 + 0.8 * this.rng()).round(2, Big.roundDown);
    const row = this.sim.addLedgerRow({ type: 'deposit', asset, amount: amount.toString(), time: this.clock() / 1000 });
    this.addFlow(asset, amount);
    return { kind: 'deposit', refid: row.refid, asset, amount: row.amount, fee: row.fee };
  }

  private withdraw(fails: boolean): BotEvent | undefined {
    const asset = this.pickAsset();
    const fee = new Big(this.o.withdrawalFees[asset] ?? '0');
    const amount = this.spendable(asset).times(0.05 * (0.2 + 0.8 * this.rng())).round(2, Big.roundDown);
    if (amount.lte(fee) || amount.plus(fee).gt(this.spendable(asset))) return undefined;
    const result = this.sim.activity.withdraw(asset, amount.toString(), { fee: fee.toString(), time: this.clock() / 1000 });
    const row = result.rows.find((r) => r.type === 'withdrawal');
    if (!row) return undefined;
    this.addFlow(asset, amount.neg().minus(fee));
    if (fails) this.pending.push({ dueStep: this.steps + this.o.reversalDelaySteps, refid: row.refid });
    const kind = fails ? 'failed-withdrawal' : 'withdrawal';
    return { kind, refid: row.refid, asset, amount: row.amount, fee: row.fee };
  }

  private reverse(r: PendingReversal): BotEvent {
    this.pending.splice(this.pending.indexOf(r), 1);
    const result = this.sim.activity.reverseWithdrawal(r.refid, { time: this.clock() / 1000 });
    const row = result.rows[0] as LedgerRow;
    this.addFlow(row.asset, new Big(row.amount).minus(row.fee));
    return { kind: 'reversal', refid: r.refid, asset: row.asset, amount: row.amount, fee: row.fee };
  }

  /** Rewards on the `.F` balances for the clock time since the last payment, once an interval has passed. */
  private payRewards(): BotEvent[] {
    const now = this.clock();
    const elapsedMs = now - this.lastRewardMs;
    if (elapsedMs < this.o.rewardIntervalMs) return [];
    this.lastRewardMs = now;
    const events: BotEvent[] = [];
    for (const asset of [this.sim.pair.base, this.sim.pair.quote]) {
      const earning = this.balance(walletCode(asset, 'F'));
      const amount = earning.times(this.o.rewardApr).times(elapsedMs / 1000 / YEAR_SEC).round(4, Big.roundDown);
      if (amount.lte(0)) continue;
      const row = this.sim.activity.reward(asset, amount.toString(), { time: now / 1000 }).rows[0] as LedgerRow;
      if (asset === this.sim.pair.base) this.incomeBase = this.incomeBase.plus(row.amount);
      else this.incomeQuote = this.incomeQuote.plus(row.amount);
      events.push({ kind: 'reward', refid: row.refid, asset: row.asset, amount: row.amount, fee: row.fee });
    }
    return events;
  }

  private pickAsset(): string {
    return this.rng() < 0.5 ? this.sim.pair.base : this.sim.pair.quote;
  }

  private addFlow(asset: string, net: Big): void {
    if (asset === this.sim.pair.base) this.flowBase = this.flowBase.plus(net);
    else this.flowQuote = this.flowQuote.plus(net);
  }

  private balance(code: string): Big {
    return new Big(this.sim.getBalances()[code] ?? '0');
  }

  /** Spot plus the `.F` earn wallet: what an order or a withdrawal may draw on. */
  private spendable(code: string): Big {
    return this.balance(code).plus(this.balance(walletCode(code, 'F')));
  }

  private isBase(row: LedgerRow): boolean {
    return normalizeAsset(row.asset).asset === normalizeAsset(this.sim.pair.base).asset;
  }
}
