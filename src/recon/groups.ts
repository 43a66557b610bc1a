import { categoryOf, MOVE_TYPES, type Category, type CategoryMap } from './categories.js';
import { Big } from './decimal.js';
import { outsidePool, type PoolSpec } from './pool.js';
import type { LedgerRow } from './types.js';

/** A row's verdict inside its refid group: a category, outside the pool, or waiting for the group's other legs. */
export type RowVerdict = Category | 'skipped' | 'awaiting';

export interface GroupVerdict {
  /** Ledger id → verdict, for every row of the group. */
  readonly rows: ReadonlyMap<string, RowVerdict>;
  /** The group is one internal move (counts once in `internal_moves`). */
  readonly internal: boolean;
}

export interface GroupContext {
  readonly categories: CategoryMap;
  readonly pool: PoolSpec;
  readonly knownWallet: (wallet: string) => boolean;
}

/**
 * DESIGN.md section 15: the category of each row of one refid group, a pure function of the group's rows
 * (never of the order or the page they came in). `final` says no more legs can arrive: an earn move still
 * waiting for its other leg is then an external flow (the balance left or entered the pool).
 *
 * - Trading rows (`trade`, `margin`, ...) are `trading` when every trading leg of the group is in the pool,
 *   else their pool legs are `external` (the owner trading another pair). One leg alone is still trading.
 * - Move rows (`transfer`, `earn` moves) are `internal` when the moves are all in the pool, on one asset,
 *   two legs or more, netting to zero. Earn moves that do not (yet) are `awaiting` until final.
 * - Everything else takes its table category. Rows outside the pool are `skipped`.
 */
export function classifyGroup(rows: readonly LedgerRow[], ctx: GroupContext, final: boolean): GroupVerdict {
  const out = new Map<string, RowVerdict>();
  const cat = new Map<string, Category>();
  for (const r of rows) cat.set(r.id, categoryOf(ctx.categories, r.type, r.subtype));
  const inPool = (r: LedgerRow): boolean => outsidePool(r, ctx.pool, ctx.knownWallet) === null;

  const trading = rows.filter((r) => cat.get(r.id) === 'trading');
  const tradingInPool = trading.every(inPool);
  for (const r of trading) out.set(r.id, !inPool(r) ? 'skipped' : tradingInPool ? 'trading' : 'external');

  const moves = rows.filter((r) => MOVE_TYPES.includes(r.type) && (cat.get(r.id) === 'internal' || cat.get(r.id) === 'external'));
  const internal = moves.length >= 2 && moves.every(inPool) && new Set(moves.map((r) => r.asset)).size === 1 && sumNet(moves).eq(0);
  const waiting = !internal && !final && moves.some((r) => cat.get(r.id) === 'internal');
  for (const r of moves) {
    if (!inPool(r)) out.set(r.id, 'skipped');
    else out.set(r.id, internal ? 'internal' : waiting ? 'awaiting' : 'external');
  }

  for (const r of rows) {
    if (out.has(r.id)) continue;
    const c = cat.get(r.id) ?? 'unclassified';
    // An operator override to `internal` means "ignore this type": it moves nothing and counts as a move.
    out.set(r.id, !inPool(r) ? 'skipped' : c);
  }
  return { rows: out, internal: internal || [...out.values()].includes('internal') };
}

function sumNet(rows: readonly LedgerRow[]): InstanceType<typeof Big> {
  let s = new Big(0);
  for (const r of rows) s = s.plus(r.amount).minus(r.fee);
  return s;
}
