import { LEDGER_PAGE_SIZE, type FlowPolicy } from '../../src/recon/flow-poll.js';

export interface RawRow {
  refid: string;
  time: number;
  type: string;
  subtype: string;
  aclass: string;
  asset: string;
  amount: string;
  fee: string;
  balance: string;
}

let refids = 0;

/**
 * A Kraken-shaped ledger row with overrides (one scenario = base fixture + what matters to it). Each row
 * gets its own refid unless the scenario gives one (rows sharing a refid are one group, DESIGN.md 15).
 */
export function rawRow(overrides: Partial<RawRow> = {}): RawRow {
  return {
    refid: `QREF-${++refids}`,
    time: 1_700_000_100,
    type: 'deposit',
    subtype: '',
    aclass: 'currency',
    asset: 'XXDG',
    amount: '100.00000000',
    fee: '0.00000000',
    balance: '0',
    ...overrides,
  };
}

export const POLICY: FlowPolicy = {
  flowTypes: ['deposit', 'withdrawal'],
  pair: { base: 'DOGE', quote: 'USD' },
  lookbackSec: 900,
  pollIntervalSec: 300,
  autoAdjust: true,
  historyMax: 1000,
};

/**
 * An in-memory Kraken ledger with the Ledgers paging semantics (newest first, 50 a page, `start` exclusive,
 * `end` inclusive, `ofs`), for pure tests of the poller.
 */
export class FakeLedger {
  readonly rows: Array<{ id: string; row: unknown; time: number }> = [];

  add(id: string, row: unknown, time: number): void {
    this.rows.push({ id, row, time });
  }

  page(start: number, end: number, ofs: number): Record<string, unknown> {
    return this.query(start, end, ofs).ledger;
  }

  /** A page and Kraken's `count` of all rows in the window. */
  query(start: number, end: number, ofs: number): { ledger: Record<string, unknown>; count: number } {
    const matching = this.rows
      .map((r, i) => ({ ...r, i }))
      .filter((r) => r.time > start && r.time <= end)
      .sort((a, b) => b.time - a.time || b.i - a.i);
    const out: Record<string, unknown> = {};
    for (const r of matching.slice(ofs, ofs + LEDGER_PAGE_SIZE)) out[r.id] = r.row;
    return { ledger: out, count: matching.length };
  }
}

import { setInitialBaseline } from '../../src/recon/baseline.js';
import { applyLedgerPage, beginPoll, completePoll } from '../../src/recon/flow-poll.js';
import { emptyReconState, type ReconState } from '../../src/recon/state.js';
import type { FlowRecord } from '../../src/recon/types.js';

/** A state with a baseline of 1000 DOGE and 100 USD at price 0.1, set at `ts`. */
export function stateWithBaseline(ts = 1_700_000_000): ReconState {
  const state = emptyReconState();
  setInitialBaseline(state, { base: '1000', quote: '100' }, 0.1, ts, null);
  return state;
}

/** Runs one poll (or the rest of one) against the fake ledger; stops after `maxPages` pages. */
export function runPoll(
  state: ReconState,
  ledger: FakeLedger,
  now: number,
  opts: { price?: number; policy?: FlowPolicy; maxPages?: number; useCount?: boolean } = {},
): { flows: FlowRecord[]; complete: boolean; pages: number } {
  const policy = opts.policy ?? POLICY;
  const pending = beginPoll(state, now, policy);
  const flows: FlowRecord[] = [];
  let pages = 0;
  while (pages < (opts.maxPages ?? Infinity)) {
    const q = ledger.query(pending.start, pending.end, pending.ofs);
    const page = applyLedgerPage(state, q.ledger, opts.price ?? 0.1, now, policy, opts.useCount === true ? q.count : null);
    pages++;
    flows.push(...page.newFlows);
    if (page.complete) {
      completePoll(state, now, policy);
      return { flows, complete: true, pages };
    }
  }
  return { flows, complete: false, pages };
}
