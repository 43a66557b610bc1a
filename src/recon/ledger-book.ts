import { isKnownWallet } from '../kraken/assets.js';
import { applyFlowToBaseline, pushAudit } from './baseline.js';
import { withOverrides, type CategoryMap } from './categories.js';
import { Big, toNumber } from './decimal.js';
import { classifyGroup, type GroupContext, type RowVerdict } from './groups.js';
import type { LedgerGroup } from './ledger-book-types.js';
import { outsidePool, sideOf, type PoolSpec } from './pool.js';
import type { ReconState } from './state.js';
import type { FlowRecord, LedgerRow } from './types.js';

/** What the accounting needs to know about the configuration. */
export interface BookPolicy {
  readonly flowTypes: readonly string[];
  readonly pair: { readonly base: string; readonly quote: string };
  readonly autoAdjust: boolean;
  readonly historyMax: number;
  /** The category table after overrides (config time); default: the table with FLOW_TYPES forced external. */
  readonly categories?: CategoryMap;
  /** EQUITY_WALLETS; default spot and F. */
  readonly wallets?: readonly string[];
}

/** What one batch of rows changed, for the loop's logs. */
export interface BookChanges {
  readonly newFlows: FlowRecord[];
  /** Types seen unclassified for the first time (log once per type). */
  readonly newUnclassifiedTypes: string[];
  /** Skip kinds seen for the first time, with the wallet suffix for an unseen one. */
  readonly newSkipKinds: string[];
  /** Rows whose category changed because a later leg of their group arrived. */
  reclassified: number;
}

export function emptyChanges(): BookChanges {
  return { newFlows: [], newUnclassifiedTypes: [], newSkipKinds: [], reclassified: 0 };
}

type Sums = Record<'trading' | 'unclassified', { base: InstanceType<typeof Big> | null; quote: InstanceType<typeof Big> | null }>;

/** Trading and unclassified amounts of one batch, summed as decimals and written to the totals once. */
function newSums(): Sums {
  return { trading: { base: null, quote: null }, unclassified: { base: null, quote: null } };
}

function flushSums(state: ReconState, sums: Sums): void {
  for (const k of ['trading', 'unclassified'] as const) {
    for (const side of ['base', 'quote'] as const) {
      const d = sums[k][side];
      if (d !== null) state.totals[k][side] = new Big(state.totals[k][side]).plus(d).toString();
    }
  }
}

const contexts = new WeakMap<BookPolicy, GroupContext>();

export function groupContext(policy: BookPolicy): GroupContext {
  let ctx = contexts.get(policy);
  if (ctx === undefined) {
    const pool: PoolSpec = { base: policy.pair.base, quote: policy.pair.quote, wallets: policy.wallets ?? ['spot', 'F'] };
    ctx = { categories: policy.categories ?? withOverrides({}, policy.flowTypes), pool, knownWallet: isKnownWallet };
    contexts.set(policy, ctx);
  }
  return ctx;
}

export function groupKey(row: LedgerRow): string {
  return row.refid.trim() === '' ? `#${row.id}` : row.refid;
}

/**
 * Adds rows (new, deduplicated, aligned with the balances) to their refid groups and applies what changed:
 * a group's categories are recomputed from all its rows, and only the difference moves the totals, so
 * the same rows give the same totals in any paging, order, poll split or restart.
 */
export function bookRows(state: ReconState, rows: readonly LedgerRow[], price: number, now: number, policy: BookPolicy, changes: BookChanges): void {
  const ctx = groupContext(policy);
  const touched = new Set<string>();
  for (const row of rows) {
    const skip = outsidePool(row, ctx.pool, ctx.knownWallet);
    if (skip !== null) countSkip(state, skip === 'unknown_wallet' ? `unknown_wallet:${row.wallet}` : skip, changes);
    const key = groupKey(row);
    const g = state.ledger.groups.get(key) ?? { rows: [], verdict: [], internal: false, newest: row.time };
    g.rows.push(row);
    g.newest = Math.max(g.newest, row.time);
    state.ledger.groups.set(key, g);
    touched.add(key);
  }
  const sums = newSums();
  for (const key of touched) {
    const g = state.ledger.groups.get(key);
    if (g !== undefined) settle(state, g, ctx, false, price, now, policy, changes, sums);
  }
  flushSums(state, sums);
}

/** Groups the poll window has passed can gain no more legs: their final verdict is applied, then they are dropped. */
export function finalizeGroups(state: ReconState, horizon: number, price: number, now: number, policy: BookPolicy, changes: BookChanges): void {
  const ctx = groupContext(policy);
  const sums = newSums();
  for (const [key, g] of state.ledger.groups) {
    if (g.newest > horizon) continue;
    // Only a group still awaiting legs can change when it becomes final.
    if (g.verdict.includes('awaiting')) settle(state, g, ctx, true, price, now, policy, changes, sums);
    state.ledger.groups.delete(key);
  }
  flushSums(state, sums);
}

function settle(state: ReconState, g: LedgerGroup, ctx: GroupContext, final: boolean, price: number, now: number, policy: BookPolicy, changes: BookChanges, sums: Sums): void {
  const v = classifyGroup(g.rows, ctx, final);
  for (let i = 0; i < g.rows.length; i++) {
    const row = g.rows[i] as LedgerRow;
    const before = g.verdict[i];
    const after = v.rows[i] ?? 'skipped';
    if (before === after) continue;
    if (before !== undefined) {
      changes.reclassified += before === 'awaiting' ? 0 : 1;
      contribute(state, row, before, -1, price, now, policy, ctx.pool, changes, sums);
    }
    contribute(state, row, after, 1, price, now, policy, ctx.pool, changes, sums);
    g.verdict[i] = after;
  }
  if (v.internal !== g.internal) state.totals.internal_moves += v.internal ? 1 : -1;
  g.internal = v.internal;
}

function contribute(state: ReconState, row: LedgerRow, verdict: RowVerdict, sign: 1 | -1, price: number, now: number, policy: BookPolicy, pool: PoolSpec, changes: BookChanges, sums: Sums): void {
  if (verdict === 'internal' || verdict === 'awaiting' || verdict === 'skipped') return; // nothing moves
  const side = sideOf(row.asset, pool);
  const t = state.totals;
  switch (verdict) {
    case 'trading':
    case 'unclassified': {
      const net = netOf(row);
      const s = sums[verdict];
      s[side] = (s[side] ?? new Big(0)).plus(sign > 0 ? net : net.neg());
      if (verdict === 'trading') return;
      const u = t.unclassified;
      u.rows += sign;
      const n = (u.types[row.type] ?? 0) + sign;
      if (sign > 0 && n === 1 && !changes.newUnclassifiedTypes.includes(row.type)) changes.newUnclassifiedTypes.push(row.type);
      if (n <= 0) delete u.types[row.type];
      else u.types[row.type] = n;
      return;
    }
    case 'external':
    case 'income':
      if (sign > 0) changes.newFlows.push(recordFlow(state, row, verdict, side, price, now, policy));
      else unrecordFlow(state, row, now, policy);
      return;
  }
}

/** amount − fee; most rows carry a zero fee, which needs no decimal subtraction. */
export function netOf(row: Pick<LedgerRow, 'amount' | 'fee'>): InstanceType<typeof Big> {
  const amount = new Big(row.amount);
  return ZERO.test(row.fee) ? amount : amount.minus(row.fee);
}
const ZERO = /^-?0*\.?0*$/;

function countSkip(state: ReconState, kind: string, changes: BookChanges): void {
  if ((state.skipped_rows[kind] ?? 0) === 0) changes.newSkipKinds.push(kind);
  state.skipped_rows[kind] = (state.skipped_rows[kind] ?? 0) + 1;
}

function addTotals(state: ReconState, category: 'external' | 'income', side: 'base' | 'quote', net: InstanceType<typeof Big>, sign: 1 | -1): void {
  const t = state.totals;
  if (category === 'income') {
    t.income[side] = new Big(t.income[side]).plus(sign > 0 ? net : net.neg()).toString();
    t.income.count += sign;
    return;
  }
  t.count += sign;
  const magnitude = sign > 0 ? net.abs() : net.abs().neg();
  // A reversal row adds to the account: it counts as an inflow (DESIGN.md section 7).
  const key = `${side}_${net.gte(0) ? 'in' : 'out'}` as const;
  t[key] = new Big(t[key]).plus(magnitude).toString();
}

function recordFlow(state: ReconState, row: LedgerRow, category: 'external' | 'income', side: 'base' | 'quote', price: number, now: number, policy: BookPolicy): FlowRecord {
  const net = netOf(row);
  const flow: FlowRecord = {
    ledger_id: row.id,
    refid: row.refid,
    time: row.time,
    type: row.type,
    subtype: row.subtype,
    asset: row.asset,
    category,
    wallet: row.wallet,
    side,
    amount: row.amount,
    fee: row.fee,
    net: net.toString(),
    price,
    // The value at detection is a display figure (markers, lists): a float division at the JSON edge is enough.
    doge_eq: price > 0 ? (side === 'base' ? toNumber(net) : toNumber(net) / price) : 0,
    detected_ts: now,
    applied: false,
  };
  addTotals(state, category, side, net, 1);
  if (policy.autoAdjust && state.baseline !== null) applyFlowToBaseline(state, flow, now, flowReason(flow), policy.historyMax, false);
  else state.unapplied[side] = new Big(state.unapplied[side]).plus(net).toString();
  state.flows.push(flow);
  if (state.flows.length > policy.historyMax) state.flows.splice(0, state.flows.length - policy.historyMax);
  return flow;
}

/** A later leg changed this row's category: take back its flow (and its baseline move, with an audit entry). */
function unrecordFlow(state: ReconState, row: LedgerRow, now: number, policy: BookPolicy): void {
  const i = state.flows.findIndex((f) => f.ledger_id === row.id);
  const flow = i >= 0 ? state.flows[i] : undefined;
  if (flow === undefined) return;
  state.flows.splice(i, 1);
  const net = new Big(flow.net);
  addTotals(state, flow.category, flow.side, net, -1);
  if (!flow.applied || state.baseline === null) {
    state.unapplied[flow.side] = new Big(state.unapplied[flow.side]).minus(net).toString();
    return;
  }
  const field = flow.side === 'base' ? 'doge' : 'usd';
  const before = state.baseline[field];
  const after = new Big(before).minus(net).toString();
  state.baseline = { ...state.baseline, [field]: after };
  pushAudit(state, { ledger_id: flow.ledger_id, asset: flow.asset, net: net.times(-1).toString(), before, after, ts: now, reason: `${flow.type}: reclassified when another leg of refid ${flow.refid} arrived` }, policy.historyMax);
}

function flowReason(flow: FlowRecord): string {
  if (flow.category === 'income') return `${flow.type} (income)`;
  return new Big(flow.net).gte(0) ? `${flow.type} (inflow)` : `${flow.type} (outflow)`;
}
