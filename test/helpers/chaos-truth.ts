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
import type { ScriptRow } from './chaos-script.js';

/**
 * Ground truth of the chaos run: every row the simulator stored, as it stored it (exact decimal strings and
 * times), and what the sidecar must have made of them.
 */
export interface BookedRow {
  row: LedgerRow;
  label: string;
}

const FLOW_TYPES = new Set(['deposit', 'withdrawal']);
const PAIR = { base: 'DOGE', quote: 'USD' };

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
    const row = withTime(r.row, nowSec);
    const check = parseLedgerRow(r.id, JSON.parse(JSON.stringify(row)) as unknown);
    if (check.ok) throw new Error(`script bug: raw row ${r.label} is valid`);
    this.sim.addRawLedgerRow(r.id, row, nowSec);
    this.raw.push({ id: r.id, time: nowSec, label: r.label });
  }

  /** Rows after the import floor that are external flows of the pair's spot assets. */
  expectedFlows(importFloor: number): LedgerRow[] {
    return this.after(importFloor).filter((r) => FLOW_TYPES.has(r.type) && classify(r.asset) !== null);
  }

  /** Flow-typed rows after the floor that must be skipped, by reason. */
  expectedSkips(importFloor: number): { other_asset: number; earn_wallet: number; malformed: number } {
    const flowTyped = this.after(importFloor).filter((r) => FLOW_TYPES.has(r.type));
    let other = 0;
    let earn = 0;
    for (const r of flowTyped) {
      const a = normalizeAsset(r.asset);
      if (a.asset !== PAIR.base && a.asset !== PAIR.quote) other++;
      else if (a.wallet !== 'spot') earn++;
    }
    return { other_asset: other, earn_wallet: earn, malformed: this.raw.length };
  }

  /** Baseline after applying every expected flow to the starting one, exactly. */
  expectedBaseline(start: { doge: string; usd: string }, importFloor: number): { doge: Big; usd: Big } {
    let doge = new Big(start.doge);
    let usd = new Big(start.usd);
    for (const r of this.expectedFlows(importFloor)) {
      const net = new Big(r.amount).minus(r.fee);
      if (classify(r.asset) === 'base') doge = doge.plus(net);
      else usd = usd.plus(net);
    }
    return { doge, usd };
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

  private after(importFloor: number): LedgerRow[] {
    return this.booked.map((b) => b.row).filter((r) => r.time > importFloor);
  }
}

function classify(asset: string): 'base' | 'quote' | null {
  const a = normalizeAsset(asset);
  if (a.wallet !== 'spot') return null;
  return a.asset === PAIR.base ? 'base' : a.asset === PAIR.quote ? 'quote' : null;
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
