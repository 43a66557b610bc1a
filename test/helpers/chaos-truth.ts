import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Big from 'big.js';
import { decodeSeries } from '../../src/equity/codec.js';
import { normalizeAsset } from '../../src/kraken/assets.js';
import type { KrakenSim } from '../../src/kraken/sim/index.js';
import type { LedgerRow } from '../../src/kraken/sim/types.js';
import { parseLedgerRow } from '../../src/recon/ledger-row.js';
import { EQUITY_KEY, LOCAL_FILE, type StoreKey } from '../../src/store/keys.js';
import type { PostgrestDouble } from './postgrest-double.js';
import type { EarnOp, ScriptRow } from './chaos-script.js';

/**
 * Ground truth of the chaos run: every row the simulator stored, as it stored it (exact decimal strings and
 * times), and what the sidecar must have made of them.
 */
export interface BookedRow {
  row: LedgerRow;
  label: string;
}

const PAIR = { base: 'DOGE', quote: 'USD' };
/** EQUITY_WALLETS default. */
const POOL_WALLETS = new Set(['spot', 'F']);

/**
 * DESIGN.md section 15 by hand, for the row kinds the chaos script writes (the truth must not use the
 * classifier it checks): earn moves between spot and `.F` are internal, rewards, staking and credits are
 * income, deposits, withdrawals and other transfers are external, trades are the bot's, anything else is
 * unclassified.
 */
export type TruthCategory = 'external' | 'income' | 'trading' | 'internal' | 'unclassified';
const EARN_MOVES = new Set(['autoallocate', 'autoallocation', 'allocation', 'deallocation', 'migration']);
function categoryOf(row: LedgerRow): TruthCategory {
  if ((row.type === 'transfer' || row.type === 'earn') && EARN_MOVES.has(row.subtype)) return 'internal';
  if (row.type === 'trade') return 'trading';
  if (row.type === 'earn' || row.type === 'staking' || row.type === 'credit') return 'income';
  if (row.type === 'deposit' || row.type === 'withdrawal' || row.type === 'transfer') return 'external';
  return 'unclassified';
}

export interface Sides {
  base: Big;
  quote: Big;
}

/** What the sidecar must show for the rows after the import floor, by category. */
export interface CategoryTruth {
  external: LedgerRow[];
  income: LedgerRow[];
  trading: Sides;
  unclassified: Sides & { rows: number; types: Record<string, number> };
  incomeSum: Sides;
  externalSum: Sides;
  /** Refid groups of earn moves inside the pool. */
  internalMoves: number;
  skips: { other_asset: number; earn_wallet: number; malformed: number };
}

export class ChaosTruth {
  readonly booked: BookedRow[] = [];
  readonly raw: Array<{ id: string; time: number; label: string }> = [];

  constructor(private readonly sim: KrakenSim) {}

  /** Adds a script row to the simulator now and records what it stored. */
  add(r: ScriptRow): void {
    const nowSec = this.sim.now() / 1000;
    if (r.kind === 'row') {
      this.booked.push({ row: this.sim.addLedgerRow(r.input), label: r.label });
      return;
    }
    if (r.kind === 'earn') {
      for (const row of this.earn(r.op, nowSec)) this.booked.push({ row, label: r.label });
      return;
    }
    const row = withTime(r.row, nowSec);
    const check = parseLedgerRow(r.id, JSON.parse(JSON.stringify(row)) as unknown);
    if (check.ok) throw new Error(`script bug: raw row ${r.label} is valid`);
    this.sim.addRawLedgerRow(r.id, row, nowSec);
    this.raw.push({ id: r.id, time: nowSec, label: r.label });
  }

  private earn(op: EarnOp, time: number): LedgerRow[] {
    const a = this.sim.activity;
    switch (op.op) {
      case 'auto-earn':
        return a.setAutoEarn('ZUSD', op.on, { allocateExisting: false, time });
      case 'allocate':
        return a.allocate('ZUSD', op.amount, { time }).rows;
      case 'deallocate':
        return a.deallocate('ZUSD', op.amount, { time }).rows;
      case 'reward':
        return a.reward(op.asset, op.amount, { type: op.type, wallet: op.wallet, time }).rows;
      case 'credit':
        return a.credit('ZUSD', op.amount, { time }).rows;
      case 'unknown':
        return a.unknownRow(op.asset, op.amount, { type: op.type, time }).rows;
    }
  }

  /**
   * Every row the simulator holds after the floor, by category: the script's rows and the allocation pairs
   * Auto Earn wrote by itself after each USD increase while it was on.
   */
  byCategory(importFloor: number): CategoryTruth {
    const zero = (): Sides => ({ base: new Big(0), quote: new Big(0) });
    const t: CategoryTruth = {
      external: [], income: [], trading: zero(), unclassified: { ...zero(), rows: 0, types: {} },
      incomeSum: zero(), externalSum: zero(), internalMoves: 0, skips: { other_asset: 0, earn_wallet: 0, malformed: this.raw.length },
    };
    const internal = new Set<string>();
    for (const row of this.after(importFloor)) {
      const side = classify(row.asset);
      if (side === 'other') {
        t.skips.other_asset++;
        continue;
      }
      if (side === 'outside') {
        t.skips.earn_wallet++;
        continue;
      }
      const net = new Big(row.amount).minus(row.fee);
      const add = (sums: Sides): void => {
        sums[side] = sums[side].plus(net);
      };
      switch (categoryOf(row)) {
        case 'internal':
          internal.add(row.refid);
          break;
        case 'trading':
          add(t.trading);
          break;
        case 'external':
          t.external.push(row);
          add(t.externalSum);
          break;
        case 'income':
          t.income.push(row);
          add(t.incomeSum);
          break;
        case 'unclassified':
          add(t.unclassified);
          t.unclassified.rows++;
          t.unclassified.types[row.type] = (t.unclassified.types[row.type] ?? 0) + 1;
          break;
      }
    }
    t.internalMoves = internal.size;
    return t;
  }

  /** Rows after the import floor that are external flows of the pool. */
  expectedFlows(importFloor: number): LedgerRow[] {
    return this.byCategory(importFloor).external;
  }

  /** Rows after the floor that must be skipped (outside the pool, malformed), by reason. */
  expectedSkips(importFloor: number): { other_asset: number; earn_wallet: number; malformed: number } {
    return this.byCategory(importFloor).skips;
  }

  /** Baseline after applying every external flow and income row to the starting one (auto-adjust), exactly. */
  expectedBaseline(start: { doge: string; usd: string }, importFloor: number): { doge: Big; usd: Big } {
    const c = this.byCategory(importFloor);
    return {
      doge: new Big(start.doge).plus(c.externalSum.base).plus(c.incomeSum.base),
      usd: new Big(start.usd).plus(c.externalSum.quote).plus(c.incomeSum.quote),
    };
  }

  /** Inflows and outflows (as magnitudes) per side, exactly. */
  expectedTotals(importFloor: number): { baseIn: Big; baseOut: Big; quoteIn: Big; quoteOut: Big } {
    const t = { baseIn: new Big(0), baseOut: new Big(0), quoteIn: new Big(0), quoteOut: new Big(0) };
    for (const r of this.expectedFlows(importFloor)) {
      const net = new Big(r.amount).minus(r.fee);
      const base = classify(r.asset) === 'base';
      if (net.gte(0)) {
        if (base) t.baseIn = t.baseIn.plus(net);
        else t.quoteIn = t.quoteIn.plus(net);
      } else if (base) t.baseOut = t.baseOut.plus(net.abs());
      else t.quoteOut = t.quoteOut.plus(net.abs());
    }
    return t;
  }

  /** Every well-formed row the simulator stored after the floor (the sim writes Auto Earn's pairs itself). */
  private after(importFloor: number): LedgerRow[] {
    const raw = new Set(this.raw.map((r) => r.id));
    return this.sim
      .ledgerRows()
      .filter((e) => !raw.has(e.id) && e.time > importFloor)
      .map((e) => ({ ...(e.row as Omit<LedgerRow, 'id'>), id: e.id }))
      .reverse();
  }
}

/** A pool side, or why a row is outside the pool. */
function classify(asset: string): 'base' | 'quote' | 'other' | 'outside' {
  const a = normalizeAsset(asset);
  if (a.asset !== PAIR.base && a.asset !== PAIR.quote) return 'other';
  if (!POOL_WALLETS.has(a.wallet)) return 'outside';
  return a.asset === PAIR.base ? 'base' : 'quote';
}

/** Pool totals from the simulator's Balance (spot + `.F` of the pair's assets), exactly. */
export function poolBalances(sim: KrakenSim): { doge: Big; usd: Big } {
  let doge = new Big(0);
  let usd = new Big(0);
  for (const [code, v] of Object.entries(sim.getBalances())) {
    const side = classify(code);
    if (side === 'base') doge = doge.plus(v);
    else if (side === 'quote') usd = usd.plus(v);
  }
  return { doge, usd };
}

/** Malformed rows are built with `time: 0` as "now" (a row with a broken time sets its own). */
function withTime(row: unknown, nowSec: number): unknown {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return row;
  const r = row as Record<string, unknown>;
  return r['time'] === 0 ? { ...r, time: Math.round(nowSec * 10_000) / 10_000 } : row;
}

/** The persisted copies the operator would find: local files and the double's rows. */
export async function readLocal(dataDir: string, key: StoreKey): Promise<unknown> {
  try {
    return JSON.parse(await readFile(join(dataDir, LOCAL_FILE[key]), 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/** Timestamps of the equity points held by the local file and by the double right now. */
export async function equityTimestamps(dataDir: string, db: PostgrestDouble): Promise<{ local: number[]; remote: number[] }> {
  const local = decodeSeries(await readLocal(dataDir, EQUITY_KEY)) ?? [];
  const remoteValue = db.value(EQUITY_KEY);
  const remote = remoteValue === undefined ? [] : (decodeSeries(remoteValue) ?? []);
  return { local: local.map((p) => p.ts), remote: remote.map((p) => p.ts) };
}
