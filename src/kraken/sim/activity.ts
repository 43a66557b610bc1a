import Big from 'big.js';
import type { Account } from './account.js';
import { formatAmount, parseDecimal, quantize } from './amounts.js';
import { AutoEarn } from './auto-earn.js';
import { spendingLegs } from './funding.js';
import type { FundFrom } from './funding.js';
import type { AutoEarnOptions, AutoEarnForm } from './auto-earn.js';
import { walletCode } from './wallet-codes.js';
import type { SimWallet } from './wallet-codes.js';
import type { LedgerRow, LedgerRowInput, SimPairSpec } from './types.js';

type Amount = string | number;

/** Every activity method takes an optional time (unix seconds, default the sim clock now). */
export interface At {
  time?: number | undefined;
}

/** The rows one activity wrote (Auto Earn allocations it triggered included), oldest first, and its refid. */
export interface ActivityResult {
  refid: string;
  rows: LedgerRow[];
}

export type { FundFrom } from './funding.js';

export interface TradeInput extends At {
  side: 'buy' | 'sell';
  /** Base volume, rounded down to the pair's lot decimals. */
  volume: Amount;
  price: Amount;
  /** Fee on the quote leg; default `feeRate` × cost rounded up. */
  fee?: Amount | undefined;
  /** Default 0.0026 (Kraken's starter taker fee). */
  feeRate?: number | undefined;
  from?: FundFrom | undefined;
}

export interface SwapInput extends At {
  spend: string;
  spendAmount: Amount;
  /** Fee on the spending leg. Default 0. */
  fee?: Amount | undefined;
  receive: string;
  receiveAmount: Amount;
}

export type RewardType = 'earn' | 'staking' | 'reward';

interface Withdrawal {
  asset: string;
  amount: Big;
  fee: Big;
  subtype: string;
  reversed: boolean;
}

const ZERO = new Big(0);

/**
 * The kinds of rows a real Kraken account writes, each as one method that keeps Balance and the ledger in
 * step: Auto Earn, earn moves and rewards, deposits and withdrawals (and failed ones), app purchases,
 * futures and staking transfers, adjustments, credits, the bot's trades (funded from spot and `.F`, one row
 * per wallet under one refid), trades on another pair, and rows of a type nobody documents.
 */
export class AccountActivity {
  private readonly autoEarn: AutoEarn;
  private readonly withdrawals = new Map<string, Withdrawal>();
  private capture: LedgerRow[] | undefined;

  constructor(
    private readonly account: Account,
    private readonly pair: SimPairSpec,
    private readonly nowSec: () => number,
  ) {
    // Capture first, so a row is collected before the Auto Earn pair it triggers.
    account.onRow((row) => this.capture?.push(row));
    this.autoEarn = new AutoEarn(account);
  }

  // --- Auto Earn and earn moves ------------------------------------------------------------------------

  /** Switch Auto Earn for a spot code (ZUSD, XXDG); on by default allocates the spot balance already there. */
  setAutoEarn(spotCode: string, on: boolean, opts: AutoEarnOptions = {}): LedgerRow[] {
    return this.record(() => {
      this.autoEarn.set(spotCode, on, { ...opts, time: opts.time ?? this.nowSec() });
    }).rows;
  }

  autoEarnStatus(): Record<string, AutoEarnForm> {
    return this.autoEarn.status();
  }

  /** `earn`/`allocation`: spot −amount, `.F` +amount, one refid. */
  allocate(spotCode: string, amount: Amount, at: At = {}): ActivityResult {
    return this.pairMove('allocation', spotCode, walletCode(spotCode, 'F'), amount, at);
  }

  /** `earn`/`deallocation`: `.F` −amount, spot +amount, one refid. */
  deallocate(spotCode: string, amount: Amount, at: At = {}): ActivityResult {
    return this.pairMove('deallocation', walletCode(spotCode, 'F'), spotCode, amount, at);
  }

  /**
   * A reward into a wallet of the asset (default `.F`): `earn`/`reward`, or `staking` / `reward` with an
   * empty subtype.
   */
  reward(spotCode: string, amount: Amount, opts: At & { type?: RewardType | undefined; wallet?: SimWallet | undefined } = {}): ActivityResult {
    const type = opts.type ?? 'earn';
    const asset = walletCode(spotCode, opts.wallet ?? 'F');
    return this.single({ type, subtype: type === 'earn' ? 'reward' : '', asset, amount: String(amount), time: opts.time });
  }

  // --- the owner's money -------------------------------------------------------------------------------

  deposit(code: string, amount: Amount, opts: At & { fee?: Amount | undefined } = {}): ActivityResult {
    return this.single({ type: 'deposit', asset: code, amount: String(amount), fee: str(opts.fee), time: opts.time });
  }

  /** A withdrawal from spot; when spot is short, the rest is first deallocated from `.F`. */
  withdraw(code: string, amount: Amount, opts: At & { fee?: Amount | undefined } = {}): ActivityResult {
    const value = this.decimal(code, amount);
    const fee = this.decimal(code, opts.fee ?? 0);
    this.requireFunds(code, value.plus(fee), true);
    return this.record((time) => {
      this.ensureSpot(code, value.plus(fee), time);
      const row = this.account.addRow({
        type: 'withdrawal', asset: code, amount: value.neg().toString(), fee: fee.toString(), time,
      });
      this.withdrawals.set(row.refid, { asset: code, amount: value, fee, subtype: row.subtype, reversed: false });
      return row.refid;
    }, opts.time);
  }

  /** Kraken's reversal of a failed withdrawal: same refid, type and subtype, opposite amount and fee. */
  reverseWithdrawal(refid: string, at: At = {}): ActivityResult {
    const w = this.withdrawals.get(refid);
    if (!w) throw new RangeError(`no withdrawal with refid ${refid}`);
    if (w.reversed) throw new RangeError(`withdrawal ${refid} is already reversed`);
    w.reversed = true;
    return this.record((time) => {
      this.account.addRow({
        type: 'withdrawal', subtype: w.subtype, asset: w.asset, amount: w.amount.toString(),
        fee: w.fee.neg().toString(), refid, time,
      });
      return refid;
    }, at.time);
  }

  /** A withdrawal and its reversal (at `reversalTime`, default the same time). */
  failedWithdrawal(code: string, amount: Amount, opts: At & { fee?: Amount | undefined; reversalTime?: number | undefined } = {}): ActivityResult {
    const out = this.withdraw(code, amount, opts);
    const back = this.reverseWithdrawal(out.refid, { time: opts.reversalTime ?? out.rows[out.rows.length - 1]?.time });
    return { refid: out.refid, rows: [...out.rows, ...back.rows] };
  }

  /** An app purchase ("Buy Crypto"): `spend` (with the fee) and `receive` sharing a refid. */
  appPurchase(input: SwapInput): ActivityResult {
    const spent = this.decimal(input.spend, input.spendAmount);
    const fee = this.decimal(input.spend, input.fee ?? 0);
    this.requireFunds(input.spend, spent.plus(fee), true);
    return this.record((time) => {
      this.ensureSpot(input.spend, spent.plus(fee), time);
      const spend = this.account.addRow({
        type: 'spend', asset: input.spend, amount: spent.neg().toString(), fee: fee.toString(), time,
      });
      this.account.addRow({
        type: 'receive', asset: input.receive, amount: String(input.receiveAmount), time, refid: spend.refid,
      });
      return spend.refid;
    }, input.time);
  }

  /** `transfer` `spottofutures` (−) or `spotfromfutures` (+): money leaving or entering spot. */
  futuresTransfer(code: string, amount: Amount, direction: 'to' | 'from', at: At = {}): ActivityResult {
    const value = this.decimal(code, amount);
    if (direction === 'to') this.requireFunds(code, value, true);
    return this.record((time) => {
      if (direction === 'to') this.ensureSpot(code, value, time);
      const subtype = direction === 'to' ? 'spottofutures' : 'spotfromfutures';
      const signed = direction === 'to' ? value.neg() : value;
      return this.account.addRow({ type: 'transfer', subtype, asset: code, amount: signed.toString(), time }).refid;
    }, at.time);
  }

  /**
   * A staking move between spot and the `.S` wallet, two legs under one refid: to staking writes spot
   * `spottostaking` −x and `.S` `stakingfromspot` +x; from staking `.S` `stakingtospot` −x and spot
   * `spotfromstaking` +x.
   */
  stakingMove(code: string, amount: Amount, direction: 'to' | 'from', at: At = {}): ActivityResult {
    const value = this.decimal(code, amount);
    const staked = walletCode(code, 'S');
    this.requireFunds(direction === 'to' ? code : staked, value, direction === 'to');
    return this.record((time) => {
      if (direction === 'to') this.ensureSpot(code, value, time);
      const [from, to, outSub, inSub] =
        direction === 'to'
          ? [code, staked, 'spottostaking', 'stakingfromspot']
          : [staked, code, 'stakingtospot', 'spotfromstaking'];
      const out = this.account.addRow({ type: 'transfer', subtype: outSub, asset: from, amount: value.neg().toString(), time });
      this.account.addRow({ type: 'transfer', subtype: inSub, asset: to, amount: value.toString(), time, refid: out.refid });
      return out.refid;
    }, at.time);
  }

  /** Kraken's own corrections: delisting conversions, tiny rounding credits. */
  adjustment(code: string, amount: Amount, at: At = {}): ActivityResult {
    return this.single({ type: 'adjustment', asset: code, amount: String(amount), time: at.time });
  }

  credit(code: string, amount: Amount, at: At = {}): ActivityResult {
    return this.single({ type: 'credit', asset: code, amount: String(amount), time: at.time });
  }

  /** A well-formed row of a type no documentation lists (default `giftcard`); it moves the balance. */
  unknownRow(code: string, amount: Amount, opts: At & { type?: string | undefined; subtype?: string | undefined } = {}): ActivityResult {
    return this.single({
      type: opts.type ?? 'giftcard', subtype: opts.subtype ?? '', asset: code, amount: String(amount), time: opts.time,
    });
  }

  // --- trades ------------------------------------------------------------------------------------------

  /**
   * A trade on the simulated pair. The spending side is drawn from spot first, then `.F` (`from: 'auto'`),
   * one `trade` row per wallet under one refid; the fee sits on a quote row. The incoming side lands on
   * spot (where Auto Earn may pick it up). A quote leg that rounds to 0 is not written (Kraken writes no
   * fiat leg that rounds away), so such a trade is a one-row group.
   */
  trade(input: TradeInput): ActivityResult {
    const { base, quote, lotDecimals } = this.pair;
    const volume = parseDecimal(input.volume, 'volume').round(lotDecimals, Big.roundDown);
    const price = parseDecimal(input.price, 'price');
    if (volume.lte(0) || price.lte(0)) throw new RangeError('trade needs a positive volume and price');
    const cost = quantize(quote, volume.times(price));
    const fee = input.fee === undefined
      ? cost.times(input.feeRate ?? 0.0026).round(4, Big.roundUp)
      : this.decimal(quote, input.fee);
    const from = input.from ?? 'auto';
    return this.record((time) => {
      const legs: LedgerRowInput[] =
        input.side === 'buy'
          ? [...this.draw(quote, cost, fee, from), { type: 'trade', asset: base, amount: volume.toString() }]
          : [...this.draw(base, volume, ZERO, from), { type: 'trade', asset: quote, amount: cost.toString(), fee: fee.toString() }];
      return this.writeGroup(legs.filter((l) => !isZeroLeg(l)), time);
    }, input.time);
  }

  /** The owner trading another pair (e.g. XBT/USD): one leg on a pool asset, one outside the pair. */
  otherPairTrade(input: SwapInput & { from?: FundFrom | undefined }): ActivityResult {
    const spent = this.decimal(input.spend, input.spendAmount);
    const fee = this.decimal(input.spend, input.fee ?? 0);
    return this.record((time) => {
      const legs = [
        ...this.draw(input.spend, spent, fee, input.from ?? 'auto'),
        { type: 'trade', asset: input.receive, amount: String(input.receiveAmount) },
      ];
      return this.writeGroup(legs, time);
    }, input.time);
  }

  // --- internals -----------------------------------------------------------------------------------------

  /** Spending legs of `amount` (+ `fee`) of a spot code, from spot, `.F`, or spot first then `.F`. */
  private draw(code: string, amount: Big, fee: Big, from: FundFrom): LedgerRowInput[] {
    const earn = walletCode(code, 'F');
    const wallets = { spot: { code, balance: this.balanceOf(code) }, earn: { code: earn, balance: this.balanceOf(earn) } };
    return spendingLegs(wallets, amount, fee, from);
  }

  private writeGroup(legs: LedgerRowInput[], time: number): string {
    const [first, ...rest] = legs;
    if (!first) throw new RangeError('a trade needs at least one leg');
    const head = this.account.addRow({ ...first, time });
    for (const leg of rest) this.account.addRow({ ...leg, time, refid: head.refid });
    return head.refid;
  }

  /** Throw (before anything is written) unless `code` (plus its `.F` wallet when `withEarn`) holds `need`. */
  private requireFunds(code: string, need: Big, withEarn: boolean): void {
    const have = this.balanceOf(code).plus(withEarn ? this.balanceOf(walletCode(code, 'F')) : ZERO);
    if (have.lt(need)) {
      throw new RangeError(`insufficient ${code}${withEarn ? ' (spot + .F)' : ''}: ${formatAmount(code, have)} < ${formatAmount(code, need)}`);
    }
  }

  /** Deallocate from `.F` what spot lacks for an outgoing `need`, when `.F` holds it. */
  private ensureSpot(code: string, need: Big, time: number): void {
    const short = need.minus(this.balanceOf(code));
    if (short.lte(0)) return;
    const available = this.balanceOf(walletCode(code, 'F'));
    const amount = short.lt(available) ? short : available;
    if (amount.gt(0)) this.pairMoveRows('deallocation', walletCode(code, 'F'), code, amount, time);
  }

  private pairMove(subtype: string, from: string, to: string, amount: Amount, at: At): ActivityResult {
    const value = this.decimal(from, amount);
    this.requireFunds(from, value, false);
    return this.record((time) => this.pairMoveRows(subtype, from, to, value, time), at.time);
  }

  private pairMoveRows(subtype: string, from: string, to: string, amount: Big, time: number): string {
    const out = this.account.addRow({ type: 'earn', subtype, asset: from, amount: amount.neg().toString(), time });
    this.account.addRow({ type: 'earn', subtype, asset: to, amount: amount.toString(), time, refid: out.refid });
    return out.refid;
  }

  private single(input: LedgerRowInput): ActivityResult {
    return this.record((time) => this.account.addRow({ ...input, time }).refid, input.time);
  }

  /** Run `write` at one time and collect every row it caused (Auto Earn's included). */
  private record(write: (time: number) => string | void, time: number | undefined = undefined): ActivityResult {
    const outer = this.capture;
    const rows: LedgerRow[] = [];
    this.capture = rows;
    let refid: string | void;
    try {
      refid = write(time ?? this.nowSec());
    } finally {
      this.capture = outer;
      outer?.push(...rows);
    }
    return { refid: refid ?? rows[0]?.refid ?? '', rows };
  }

  private balanceOf(code: string): Big {
    return this.account.balance(code) ?? ZERO;
  }

  private decimal(code: string, amount: Amount): Big {
    const value = quantize(code, parseDecimal(amount, `amount of ${code}`));
    if (value.lt(0)) throw new RangeError(`amount must not be negative: ${String(amount)}`);
    return value;
  }
}

function str(v: Amount | undefined): string | undefined {
  return v === undefined ? undefined : String(v);
}

function isZeroLeg(leg: LedgerRowInput): boolean {
  return new Big(leg.amount).eq(0) && new Big(leg.fee ?? '0').eq(0);
}
