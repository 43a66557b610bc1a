import { createHash } from 'node:crypto';
import { splitByBalanceRead, TIE_SEC, type BalanceRead } from './alignment.js';
import type { PairAssets } from './pool.js';
import { bookRows, emptyChanges, finalizeGroups, type BookChanges, type BookPolicy } from './ledger-book.js';
import { parseLedgerRow } from './ledger-row.js';
import type { PendingPoll, ReconState } from './state.js';
import type { FlowRecord, LedgerRow } from './types.js';

/** Kraken's Ledgers page size: a page shorter than this is the last one. */
export const LEDGER_PAGE_SIZE = 50;

export interface FlowPolicy extends BookPolicy {
  readonly pair: PairAssets;
  readonly lookbackSec: number;
  readonly pollIntervalSec: number;
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
  const open = state.poll.pending;
  if (open !== null && open.pages > 0) return open;
  if (open !== null) {
    // No page of it has been read yet (it was deferred or failed), so no offset depends on its end: it reads
    // up to now, so the one poll covers the rows booked meanwhile instead of a second poll after it.
    const extended: PendingPoll = { ...open, end: Math.max(open.end, Math.ceil(now)) };
    state.poll.pending = extended;
    return extended;
  }
  if (state.cursor === null) {
    const baselineTs = state.baseline?.ts ?? now;
    state.cursor = Math.max(baselineTs, now - policy.pollIntervalSec);
    state.import_floor = state.cursor;
  }
  const pending: PendingPoll = {
    start: windowStart(state, policy.lookbackSec),
    // Whole seconds for Kraken, rounded up so the window holds every row up to now (the balances just read
    // may contain a row of this very second); the next window starts a second earlier to cover the rest.
    end: Math.ceil(now),
    ofs: 0,
    pages: 0,
    newest: null,
    count: null,
  };
  state.poll.pending = pending;
  return pending;
}

export interface PageResult {
  readonly rows: number;
  /** Rows seen for the first time (not dedup hits, not before the import floor). */
  readonly fresh: number;
  /** External flows and income rows recorded (this page's rows and any group they completed). */
  readonly newFlows: readonly FlowRecord[];
  /** Malformed or skipped kinds seen for the first time in this page (log once per kind). */
  readonly newSkipKinds: readonly string[];
  /** Ledger types counted unclassified for the first time (log once per type). */
  readonly newUnclassifiedTypes: readonly string[];
  /** True when this page ended the poll (short or empty). */
  readonly complete: boolean;
  /** Set when Kraken's `count` changed between pages: the poll stopped incomplete and starts over next tick. */
  readonly countChanged: { readonly from: number; readonly to: number } | null;
}

/**
 * Applies one Ledgers page to the state: dedups by id, books the rows by refid group (recording flows and
 * income, moving the baseline when auto-adjust is on), counts skipped rows, and advances the poll's
 * offset. `price` values the flows. `read` aligns rows with the balances (section 15): rows written after
 * the balances were read are held for the next tick (`releaseHeld`); undefined books every row now.
 */
export function applyLedgerPage(
  state: ReconState,
  ledger: Readonly<Record<string, unknown>>,
  price: number,
  now: number,
  policy: FlowPolicy,
  /** Kraken's `count` of rows in the window (reliable with type=all): lets a full last page end the poll. */
  count: number | null = null,
  read?: BalanceRead | null,
): PageResult {
  const pending = state.poll.pending;
  if (pending === null) throw new Error('applyLedgerPage called without a poll in progress');
  const ids = Object.keys(ledger);
  const changes = emptyChanges();
  if (count !== null && pending.count !== undefined && pending.count !== null && pending.count !== count) {
    // Rows were added inside the window between pages: offsets no longer line up. Stop; the window is read
    // again from the start next tick (dedup by id keeps every row counted once).
    const from = pending.count;
    state.poll.pending = null;
    failPoll(state, `Ledgers: count changed between pages (${from} → ${count}); the poll restarts`);
    return { rows: 0, fresh: 0, newFlows: [], newSkipKinds: [], newUnclassifiedTypes: [], complete: false, countChanged: { from, to: count } };
  }
  if (count !== null) pending.count = count;
  const parsed: LedgerRow[] = [];
  const skip = (kind: string): void => {
    if ((state.skipped_rows[kind] ?? 0) === 0) changes.newSkipKinds.push(kind);
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
    pending.oldest = Math.min(pending.oldest ?? Infinity, result.row.time);
    parsed.push(result.row);
  }
  // Kraken sends newest first; book oldest first so the audit trail reads in time order.
  parsed.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const fresh: LedgerRow[] = [];
  const atFloor: LedgerRow[] = [];
  for (const row of parsed) {
    if (state.seen.has(row.id)) continue;
    if (state.import_floor !== null && row.time <= state.import_floor) {
      if (read !== undefined && read !== null && state.poll.polls === 0 && row.time >= state.import_floor - TIE_SEC) atFloor.push(row);
      continue;
    }
    state.seen.set(row.id, row.time);
    fresh.push(row);
  }
  for (const row of bootstrapRowsAfterRead(atFloor, read)) {
    state.seen.set(row.id, row.time);
    fresh.push(row);
  }
  state.ledger.held.push(...fresh);
  releaseHeldInto(state, read, price, now, policy, changes);

  pending.ofs += ids.length;
  pending.pages += 1;
  const complete = ids.length < LEDGER_PAGE_SIZE || (count !== null && pending.ofs >= count);
  return { rows: ids.length, fresh: fresh.length, newFlows: changes.newFlows, newSkipKinds: changes.newSkipKinds, newUnclassifiedTypes: changes.newUnclassifiedTypes, complete, countChanged: null };
}

/**
 * Until the first poll completes, the import floor is the baseline's time (local clock), and a row of that
 * very second, or one whose Kraken time is behind the local clock by under TIE_SEC, may have been written
 * after the balances were read. Among the rows at or just before the floor, those the tick's balances do
 * not contain cannot be in the baseline (taken at or before this read) and are imported; the rest are in it.
 */
function bootstrapRowsAfterRead(rows: readonly LedgerRow[], read: BalanceRead | null | undefined): LedgerRow[] {
  if (rows.length === 0 || read === undefined || read === null) return [];
  return splitByBalanceRead(rows, read).wait;
}

/** Books the held rows the balances now contain (each tick, after fresh balances). */
export function releaseHeld(state: ReconState, read: BalanceRead | null | undefined, price: number, now: number, policy: BookPolicy): BookChanges {
  const changes = emptyChanges();
  releaseHeldInto(state, read, price, now, policy, changes);
  return changes;
}

function releaseHeldInto(state: ReconState, read: BalanceRead | null | undefined, price: number, now: number, policy: BookPolicy, changes: BookChanges): void {
  if (state.ledger.held.length === 0) return;
  const { ready, wait } = read === undefined ? { ready: state.ledger.held, wait: [] } : splitByBalanceRead(state.ledger.held, read);
  state.ledger.held = wait;
  if (ready.length > 0) bookRows(state, ready, price, now, policy, changes);
}

/**
 * Ends a complete poll: the cursor moves forward to the newest row, ids that can no longer come back are
 * forgotten, and refid groups the window has passed take their final verdict (`price` values any flow that
 * creates; default the baseline's price).
 */
export function completePoll(state: ReconState, now: number, policy: FlowPolicy, price?: number): BookChanges {
  const changes = emptyChanges();
  const pending = state.poll.pending;
  if (pending !== null && pending.newest !== null && state.cursor !== null) {
    state.cursor = Math.max(state.cursor, pending.newest);
  }
  state.poll.pending = null;
  if (pending !== null) state.poll.last_end = Math.max(state.poll.last_end ?? -Infinity, pending.end - 1);
  state.poll.last_poll_ts = now;
  state.poll.ok = true;
  state.poll.last_error = null;
  state.poll.polls += 1;
  if (state.cursor !== null) {
    const start = windowStart(state, policy.lookbackSec);
    pruneSeen(state, start);
    // Forgotten ids must never be imported again, even if a later start (say, a longer lookback) reaches them.
    state.import_floor = Math.max(state.import_floor ?? -Infinity, start);
    finalizeGroups(state, start, price ?? state.baseline?.price ?? 0, now, policy, changes);
  }
  return changes;
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

function contentHash(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = String(raw);
  }
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}
