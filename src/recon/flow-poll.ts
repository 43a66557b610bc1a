import { createHash } from 'node:crypto';
import { classifyRow, type PairAssets } from './classify.js';
import { applyFlowToBaseline } from './baseline.js';
import { Big, toNumber } from './decimal.js';
import { parseLedgerRow } from './ledger-row.js';
import type { PendingPoll, ReconState } from './state.js';
import type { FlowRecord, LedgerRow } from './types.js';

/** Kraken's Ledgers page size: a page shorter than this is the last one. */
export const LEDGER_PAGE_SIZE = 50;

export interface FlowPolicy {
  readonly flowTypes: readonly string[];
  readonly pair: PairAssets;
  readonly lookbackSec: number;
  readonly pollIntervalSec: number;
  readonly autoAdjust: boolean;
  readonly historyMax: number;
}

/**
 * The exclusive `start` of the next poll window: `lookback` behind the later of the cursor and the end of the
 * last complete poll. Rows up to `lookback` late are caught either way; starting from the last poll's end
 * (not only the newest row) keeps a quiet account from re-reading an old burst of rows on every poll.
 */
export function windowStart(state: Pick<ReconState, 'cursor' | 'poll'>, lookbackSec: number): number {
  const anchor = Math.max(state.cursor ?? -Infinity, state.poll.last_end ?? -Infinity);
  return Math.floor(anchor - lookbackSec);
}

/** A poll is due when one is in progress, or the interval has passed since the last complete one. */
export function isPollDue(state: ReconState, now: number, intervalSec: number): boolean {
  if (state.poll.pending !== null) return true;
  const last = state.poll.last_poll_ts;
  return last === null || now - last >= intervalSec;
}

/**
 * Starts a poll (or returns the one in progress). Without a saved cursor the sidecar bootstraps at
 * max(baseline time, now − poll interval) and never imports anything at or before it.
 */
export function beginPoll(state: ReconState, now: number, policy: FlowPolicy): PendingPoll {
  if (state.poll.pending !== null) return state.poll.pending;
  if (state.cursor === null) {
    const baselineTs = state.baseline?.ts ?? now;
    state.cursor = Math.max(baselineTs, now - policy.pollIntervalSec);
    state.import_floor = state.cursor;
  }
  const pending: PendingPoll = {
    start: windowStart(state, policy.lookbackSec),
    end: Math.floor(now),
    ofs: 0,
    pages: 0,
    newest: null,
  };
  state.poll.pending = pending;
  return pending;
}

export interface PageResult {
  readonly rows: number;
  readonly newFlows: readonly FlowRecord[];
  /** Malformed or skipped kinds seen for the first time in this page (log once per kind). */
  readonly newSkipKinds: readonly string[];
  /** True when this page ended the poll (short or empty). */
  readonly complete: boolean;
}

/**
 * Applies one Ledgers page to the state: dedups by id, classifies, records flows (moving the baseline when
 * auto-adjust is on), counts skipped rows, and advances the poll's offset. `price` values the flows.
 */
export function applyLedgerPage(
  state: ReconState,
  ledger: Readonly<Record<string, unknown>>,
  price: number,
  now: number,
  policy: FlowPolicy,
  /** Kraken's `count` of rows in the window (reliable with type=all): lets a full last page end the poll. */
  count: number | null = null,
): PageResult {
  const pending = state.poll.pending;
  if (pending === null) throw new Error('applyLedgerPage called without a poll in progress');
  const ids = Object.keys(ledger);
  // Kraken sends newest first; apply oldest first so the audit trail reads in time order.
  const parsed: LedgerRow[] = [];
  const newSkipKinds: string[] = [];
  const skip = (kind: string): void => {
    if ((state.skipped_rows[kind] ?? 0) === 0) newSkipKinds.push(kind);
    state.skipped_rows[kind] = (state.skipped_rows[kind] ?? 0) + 1;
  };

  for (const id of ids) {
    const raw = ledger[id];
    const result = parseLedgerRow(id, raw);
    if (!result.ok) {
      // Remember malformed rows too (by content when the id is missing) so overlapping polls count them once.
      const key = id.trim() === '' ? `#${contentHash(raw)}` : id;
      if (!state.seen.has(key)) {
        state.seen.set(key, pending.end);
        skip(result.kind);
      }
      continue;
    }
    pending.newest = pending.newest === null ? result.row.time : Math.max(pending.newest, result.row.time);
    parsed.push(result.row);
  }
  parsed.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const newFlows: FlowRecord[] = [];
  for (const row of parsed) {
    if (state.seen.has(row.id)) continue;
    if (state.import_floor !== null && row.time <= state.import_floor) continue;
    state.seen.set(row.id, row.time);
    const c = classifyRow(row, policy.flowTypes, policy.pair);
    if (c.kind === 'not_flow') continue;
    if (c.kind === 'skip') {
      skip(c.reason);
      continue;
    }
    let flow: FlowRecord;
    try {
      flow = recordFlow(state, row, c.side, price, now, policy);
    } catch {
      // Validation should make this unreachable; if a row still cannot be read as a decimal, it must not
      // stall every later poll: skip and count it (recordFlow reads the amounts before it changes anything).
      skip('malformed_unreadable');
      continue;
    }
    newFlows.push(flow);
  }

  pending.ofs += ids.length;
  pending.pages += 1;
  const complete = ids.length < LEDGER_PAGE_SIZE || (count !== null && pending.ofs >= count);
  return { rows: ids.length, newFlows, newSkipKinds, complete };
}

/** Ends a complete poll: the cursor moves forward to the newest row, and ids that can no longer come back are forgotten. */
export function completePoll(state: ReconState, now: number, policy: FlowPolicy): void {
  const pending = state.poll.pending;
  if (pending !== null && pending.newest !== null && state.cursor !== null) {
    state.cursor = Math.max(state.cursor, pending.newest);
  }
  state.poll.pending = null;
  if (pending !== null) state.poll.last_end = Math.max(state.poll.last_end ?? -Infinity, pending.end);
  state.poll.last_poll_ts = now;
  state.poll.ok = true;
  state.poll.last_error = null;
  state.poll.polls += 1;
  if (state.cursor !== null) {
    const start = windowStart(state, policy.lookbackSec);
    pruneSeen(state, start);
    // Forgotten ids must never be imported again, even if a later start (say, a longer lookback) reaches them.
    state.import_floor = Math.max(state.import_floor ?? -Infinity, start);
  }
}

/** Records a failed page request; the poll in progress resumes from the same offset next tick. */
export function failPoll(state: ReconState, message: string): void {
  state.poll.ok = false;
  state.poll.last_error = message;
}

/** Rows at or before `start` are never returned by a window starting there (start is exclusive). */
function pruneSeen(state: ReconState, start: number): void {
  for (const [id, time] of state.seen) {
    if (time <= start) state.seen.delete(id);
  }
}

function recordFlow(
  state: ReconState,
  row: LedgerRow,
  side: 'base' | 'quote',
  price: number,
  now: number,
  policy: FlowPolicy,
): FlowRecord {
  const net = new Big(row.amount).minus(row.fee);
  const flow: FlowRecord = {
    ledger_id: row.id,
    refid: row.refid,
    time: row.time,
    type: row.type,
    subtype: row.subtype,
    asset: row.asset,
    side,
    amount: row.amount,
    fee: row.fee,
    net: net.toString(),
    price,
    doge_eq: toNumber(side === 'base' ? net : net.div(price)),
    detected_ts: now,
    applied: false,
  };
  const t = state.totals;
  t.count += 1;
  const magnitude = net.abs().toString();
  if (side === 'base') {
    if (net.gte(0)) t.base_in = new Big(t.base_in).plus(magnitude).toString();
    else t.base_out = new Big(t.base_out).plus(magnitude).toString();
  } else if (net.gte(0)) t.quote_in = new Big(t.quote_in).plus(magnitude).toString();
  else t.quote_out = new Big(t.quote_out).plus(magnitude).toString();

  state.unapplied[side] = new Big(state.unapplied[side]).plus(net).toString();
  if (policy.autoAdjust) applyFlowToBaseline(state, flow, now, flowReason(flow), policy.historyMax);
  state.flows.push(flow);
  if (state.flows.length > policy.historyMax) state.flows.splice(0, state.flows.length - policy.historyMax);
  return flow;
}

function flowReason(flow: FlowRecord): string {
  return new Big(flow.net).gte(0) ? `${flow.type} (inflow)` : `${flow.type} (outflow)`;
}

function contentHash(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = String(raw);
  }
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}
