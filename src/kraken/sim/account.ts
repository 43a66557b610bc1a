import Big from 'big.js';
import { formatAmount, parseDecimal, quantize, roundTime } from './amounts.js';
import type { LedgerIdGenerator } from './ledger-ids.js';
import type { LedgerRow, LedgerRowInput } from './types.js';

/**
 * One entry of the ledger store. `row` is what Ledgers serves: a well-formed LedgerRow for rows added
 * through addRow, or any object for injected raw rows. `time` is the sort/filter time.
 */
export interface StoredEntry {
  readonly id: string;
  readonly time: number;
  readonly seq: number;
  readonly row: Readonly<Record<string, unknown>>;
  /** The type/asset used by the Ledgers filters; undefined for raw rows lacking them. */
  readonly type: string | undefined;
  readonly asset: string | undefined;
}

/**
 * Balances and the ledger of the simulated account. Every addRow moves the balance by amount − fee and
 * records the new balance in the row, so Balance and Ledgers always agree (setBalance excepted: it is
 * the tool for simulating unexplained drift).
 */
export class Account {
  private readonly balances = new Map<string, Big>();
  /** Oldest first by (time, seq); newest rows are appended in the common case. */
  private readonly entries: StoredEntry[] = [];
  private readonly listeners: Array<(row: LedgerRow) => void> = [];
  private seq = 0;

  constructor(
    private readonly ids: LedgerIdGenerator,
    private readonly nowSec: () => number,
    initial: Readonly<Record<string, string | number>>,
  ) {
    for (const [code, amount] of Object.entries(initial)) this.setBalance(code, amount);
  }

  /** Called after every addRow (not raw rows, not setBalance), e.g. by Auto Earn. */
  onRow(listener: (row: LedgerRow) => void): void {
    this.listeners.push(listener);
  }

  setBalance(code: string, amount: string | number): void {
    this.balances.set(code, quantize(code, parseDecimal(amount, `balance ${code}`)));
  }

  balance(code: string): Big | undefined {
    return this.balances.get(code);
  }

  /** Kraken asset code → decimal string, in the order assets first appeared. */
  formattedBalances(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [code, value] of this.balances) out[code] = formatAmount(code, value);
    return out;
  }

  /** Every code in Balance or on a well-formed ledger row, in the order first seen. */
  knownCodes(): string[] {
    const codes = new Set(this.balances.keys());
    for (const entry of this.entries) if (entry.asset !== undefined && entry.type !== undefined) codes.add(entry.asset);
    return [...codes];
  }

  addRow(input: LedgerRowInput): LedgerRow {
    if (!input.type) throw new TypeError('ledger row needs a type');
    if (!input.asset) throw new TypeError('ledger row needs an asset');
    const amount = quantize(input.asset, parseDecimal(input.amount, 'amount'));
    const fee = quantize(input.asset, parseDecimal(input.fee ?? '0', 'fee'));
    const time = roundTime(input.time ?? this.nowSec());
    if (!Number.isFinite(time)) throw new TypeError(`ledger row time not finite: ${input.time}`);
    const id = this.claimId(input.id);
    const previous = this.balances.get(input.asset);
    const balance = (previous ?? new Big(0)).plus(amount).minus(fee);
    this.balances.set(input.asset, balance);
    const row: LedgerRow = {
      id,
      refid: input.refid ?? this.ids.refid(input.type),
      time,
      type: input.type,
      subtype: input.subtype ?? '',
      aclass: 'currency',
      asset: input.asset,
      amount: formatAmount(input.asset, amount),
      fee: formatAmount(input.asset, fee),
      balance: formatAmount(input.asset, balance),
    };
    const { id: _id, ...wire } = row;
    this.insert({ id, time, seq: this.seq++, row: wire, type: row.type, asset: row.asset });
    for (const listener of this.listeners) listener(row);
    return row;
  }

  /**
   * Store an arbitrary object as a ledger row, balances untouched. Sort time: `time` if given, else the
   * row's own `time` when it is a finite number or numeric string, else the sim clock now (so a row
   * without a usable time shows up as the newest).
   */
  addRawRow(id: string, raw: unknown, time?: number): void {
    this.claimId(id);
    const record = (raw !== null && typeof raw === 'object' ? raw : { value: raw }) as Record<string, unknown>;
    const sortTime = time ?? usableTime(record['time']) ?? roundTime(this.nowSec());
    this.insert({
      id,
      time: sortTime,
      seq: this.seq++,
      row: record,
      type: typeof record['type'] === 'string' ? record['type'] : undefined,
      asset: typeof record['asset'] === 'string' ? record['asset'] : undefined,
    });
  }

  /** Newest first; ties in time go to the later insertion. */
  *newestFirst(): Generator<StoredEntry> {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i];
      if (entry) yield entry;
    }
  }

  get size(): number {
    return this.entries.length;
  }

  private claimId(id: string | undefined): string {
    if (id === undefined) return this.ids.ledgerId();
    if (this.ids.has(id)) throw new Error(`ledger id already used: ${id}`);
    this.ids.reserve(id);
    return id;
  }

  private insert(entry: StoredEntry): void {
    // Upper bound on time keeps insertion order among equal times (seq grows monotonically).
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid]?.time ?? 0) <= entry.time) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, entry);
  }
}

function usableTime(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
