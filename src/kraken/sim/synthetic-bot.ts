import Big from 'big.js';
import { startPnlServer } from './pnl-server.js';
import type { PnlServer } from './pnl-server.js';
import { createRng, gaussian } from './rng.js';
import type { Rng } from './rng.js';
import type { KrakenSim } from './server.js';

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
}

export type BotEvent =
  | { kind: 'trade'; side: 'buy' | 'sell'; refid: string; volume: string; cost: string; fee: string; price: string }
  | {
      kind: 'deposit' | 'withdrawal' | 'failed-withdrawal' | 'reversal';
      refid: string;
      asset: string;
      amount: string;
      fee: string;
    };

interface PendingReversal {
  dueStep: number;
  refid: string;
  asset: string;
  amount: Big;
  fee: Big;
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
    };
    this.rng = this.o.rng;
    this.clock = this.o.now;
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
  totals(): { tradeBase: string; tradeQuote: string; flowBase: string; flowQuote: string } {
    return {
      tradeBase: this.tradeBase.toString(),
      tradeQuote: this.tradeQuote.toString(),
      flowBase: this.flowBase.toString(),
      flowQuote: this.flowQuote.toString(),
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
        ? this.balance(quote).times(fraction).div(price).round(lotDecimals, Big.roundDown)
        : this.balance(base).times(fraction).round(lotDecimals, Big.roundDown);
    const cost = volume.times(price).round(4, Big.roundHalfUp);
    const fee = cost.times(this.o.feeRate).round(4, Big.roundUp);
    if (volume.lte(0) || cost.lte(fee)) return undefined;
    if (side === 'buy' && cost.plus(fee).gt(this.balance(quote))) return undefined;
    if (side === 'sell' && volume.gt(this.balance(base))) return undefined;

    const time = this.clock() / 1000;
    const first = this.sim.addLedgerRow(
      side === 'buy'
        ? { type: 'trade', asset: quote, amount: cost.neg().toString(), fee: fee.toString(), time }
        : { type: 'trade', asset: base, amount: volume.neg().toString(), time },
    );
    const second = side === 'buy'
      ? { type: 'trade', asset: base, amount: volume.toString(), time, refid: first.refid }
      : { type: 'trade', asset: quote, amount: cost.toString(), fee: fee.toString(), time, refid: first.refid };
    this.sim.addLedgerRow(second);
    this.tradeBase = this.tradeBase.plus(side === 'buy' ? volume : volume.neg());
    this.tradeQuote = this.tradeQuote.plus(side === 'buy' ? cost.neg() : cost).minus(fee);
    return {
      kind: 'trade',
      side,
      refid: first.refid,
      volume: volume.toString(),
      cost: cost.toString(),
      fee: fee.toString(),
      price: price.toString(),
    };
  }

  private deposit(): BotEvent {
    const asset = this.pickAsset();
    const floor = asset === this.sim.pair.base ? new Big(500) : new Big(50);
    const scale = this.balance(asset).times(0.1);
    const amount = (scale.gt(floor) ? scale : floor).times(0.2 + 0.8 * this.rng()).round(2, Big.roundDown);
    const row = this.sim.addLedgerRow({ type: 'deposit', asset, amount: amount.toString(), time: this.clock() / 1000 });
    this.addFlow(asset, amount);
    return { kind: 'deposit', refid: row.refid, asset, amount: row.amount, fee: row.fee };
  }

  private withdraw(fails: boolean): BotEvent | undefined {
    const asset = this.pickAsset();
    const fee = new Big(this.o.withdrawalFees[asset] ?? '0');
    const amount = this.balance(asset).times(0.05 * (0.2 + 0.8 * this.rng())).round(2, Big.roundDown);
    if (amount.lte(fee) || amount.plus(fee).gt(this.balance(asset))) return undefined;
    const row = this.sim.addLedgerRow({
      type: 'withdrawal',
      asset,
      amount: amount.neg().toString(),
      fee: fee.toString(),
      time: this.clock() / 1000,
    });
    this.addFlow(asset, amount.neg().minus(fee));
    if (fails) {
      this.pending.push({ dueStep: this.steps + this.o.reversalDelaySteps, refid: row.refid, asset, amount, fee });
    }
    const kind = fails ? 'failed-withdrawal' : 'withdrawal';
    return { kind, refid: row.refid, asset, amount: row.amount, fee: row.fee };
  }

  private reverse(r: PendingReversal): BotEvent {
    this.pending.splice(this.pending.indexOf(r), 1);
    const row = this.sim.addLedgerRow({
      type: 'withdrawal',
      subtype: '',
      asset: r.asset,
      amount: r.amount.toString(),
      fee: r.fee.neg().toString(),
      refid: r.refid,
      time: this.clock() / 1000,
    });
    this.addFlow(r.asset, r.amount.plus(r.fee));
    return { kind: 'reversal', refid: r.refid, asset: r.asset, amount: row.amount, fee: row.fee };
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
}
