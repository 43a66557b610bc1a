import Big from 'big.js';
import type { Account } from './account.js';
import { isSpotCode, walletCode } from './wallet-codes.js';
import type { LedgerRow } from './types.js';

/**
 * How an allocation pair is written: `transfer`/`autoallocate` (the 2024 API form, rotki issue 7927) or
 * `earn`/`autoallocation` (later exports).
 */
export type AutoEarnForm = 'transfer' | 'earn';

const AUTO_SUBTYPE: Readonly<Record<AutoEarnForm, string>> = { transfer: 'autoallocate', earn: 'autoallocation' };

/** Subtypes of the rows that move an asset between its spot and earn wallets. */
const EARN_MOVES = new Set(['autoallocate', 'autoallocation', 'allocation', 'deallocation', 'migration']);

export function isEarnMove(row: { type: string; subtype: string }): boolean {
  return (row.type === 'transfer' || row.type === 'earn') && EARN_MOVES.has(row.subtype);
}

export interface AutoEarnOptions {
  form?: AutoEarnForm | undefined;
  /** Allocate the spot balance already there when switching on. Default true. */
  allocateExisting?: boolean | undefined;
  /** Unix seconds of that first allocation. Default the sim clock. */
  time?: number | undefined;
}

/**
 * Kraken's Auto Earn, one switch per spot asset code. While it is on, every increase of that spot balance
 * (a deposit, a trade's incoming leg, a reversal, a receive, ...) is moved at once into the `.F` wallet by a
 * two-leg pair with one refid and one time: spot −x, `.F` +x. Earn moves themselves never trigger it.
 */
export class AutoEarn {
  private readonly enabled = new Map<string, AutoEarnForm>();

  constructor(private readonly account: Account) {
    account.onRow((row) => this.afterRow(row));
  }

  /** Switch Auto Earn for a spot code; returns the allocation rows written by switching it on. */
  set(spotCode: string, on: boolean, opts: AutoEarnOptions = {}): LedgerRow[] {
    if (!isSpotCode(spotCode)) throw new RangeError(`Auto Earn takes a spot asset code, not ${spotCode}`);
    if (!on) {
      this.enabled.delete(spotCode);
      return [];
    }
    this.enabled.set(spotCode, opts.form ?? this.enabled.get(spotCode) ?? 'transfer');
    if (opts.allocateExisting === false) return [];
    const balance = this.account.balance(spotCode) ?? new Big(0);
    return balance.gt(0) ? this.allocate(spotCode, balance, opts.time) : [];
  }

  /** Spot code → form, for the codes with Auto Earn on. */
  status(): Record<string, AutoEarnForm> {
    return Object.fromEntries(this.enabled);
  }

  isOn(spotCode: string): boolean {
    return this.enabled.has(spotCode);
  }

  /** Write one allocation pair (spot −amount, `.F` +amount) in this code's current form. */
  allocate(spotCode: string, amount: Big, time?: number): LedgerRow[] {
    const subtype = AUTO_SUBTYPE[this.enabled.get(spotCode) ?? 'transfer'];
    const type = subtype === 'autoallocate' ? 'transfer' : 'earn';
    const out = this.account.addRow({ type, subtype, asset: spotCode, amount: amount.neg().toString(), time });
    const into = this.account.addRow({
      type,
      subtype,
      asset: walletCode(spotCode, 'F'),
      amount: amount.toString(),
      time: out.time,
      refid: out.refid,
    });
    return [out, into];
  }

  private afterRow(row: LedgerRow): void {
    if (!this.enabled.has(row.asset) || isEarnMove(row)) return;
    const net = new Big(row.amount).minus(row.fee);
    const balance = new Big(row.balance);
    const amount = net.lt(balance) ? net : balance;
    if (amount.gt(0)) this.allocate(row.asset, amount, row.time);
  }
}
