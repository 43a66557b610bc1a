import { categoryOf, MOVE_TYPES, type Category, type CategoryMap } from './categories.js';
import { Big } from './decimal.js';
import { outsidePool, type PoolSpec } from './pool.js';
import type { LedgerRow } from './types.js';

/** A row's verdict inside its refid group: a category, outside the pool, or waiting for the group's other legs. */
export type RowVerdict = Category | 'skipped' | 'awaiting';

export interface GroupVerdict {
  /** Verdict of each row, in the order of the rows given. */
  readonly rows: readonly RowVerdict[];
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
 *   two legs or more, netting to zero. Earn moves that do not yet, but still could, are `awaiting` until final.
 * - Everything else takes its table category (an override to `internal` means "ignore this type").
 *   Rows outside the pool are `skipped`.
 */
export function classifyGroup(rows: readonly LedgerRow[], ctx: GroupContext, final: boolean): GroupVerdict {
  const n = rows.length;
  const cat: Category[] = new Array<Category>(n);
  const pool: boolean[] = new Array<boolean>(n);
  let tradingAllInPool = true;
  let moves = 0;
  let movesAllInPool = true;
  let moveAsset: string | null = null;
  let oneAsset = true;
  let earnMove = false;
  for (let i = 0; i < n; i++) {
    const r = rows[i] as LedgerRow;
    const c = categoryOf(ctx.categories, r.type, r.subtype);
    const p = outsidePool(r, ctx.pool, ctx.knownWallet) === null;
    cat[i] = c;
    pool[i] = p;
    if (c === 'trading') tradingAllInPool &&= p;
    else if (isMove(r, c)) {
      moves++;
      movesAllInPool &&= p;
      if (moveAsset === null) moveAsset = r.asset;
      else if (moveAsset !== r.asset) oneAsset = false;
      if (c === 'internal') earnMove = true;
    }
  }
  const internalMove = moves >= 2 && movesAllInPool && oneAsset && netsToZero(rows, cat);
  // Only a group that can still become one internal move waits: a move leg outside the pool, or on a second
  // asset, rules that out whatever legs come later, so the pool legs are external at once.
  const waiting = !internalMove && !final && earnMove && movesAllInPool && oneAsset;
  const out: RowVerdict[] = new Array<RowVerdict>(n);
  let internal = internalMove;
  for (let i = 0; i < n; i++) {
    const r = rows[i] as LedgerRow;
    const c = cat[i] as Category;
    let v: RowVerdict;
    if (!pool[i]) v = 'skipped';
    else if (c === 'trading') v = tradingAllInPool ? 'trading' : 'external';
    else if (isMove(r, c)) v = internalMove ? 'internal' : waiting ? 'awaiting' : 'external';
    else v = c;
    if (v === 'internal') internal = true;
    out[i] = v;
  }
  return { rows: out, internal };
}

function isMove(r: LedgerRow, c: Category): boolean {
  return (c === 'internal' || c === 'external') && MOVE_TYPES.includes(r.type);
}

function netsToZero(rows: readonly LedgerRow[], cat: readonly Category[]): boolean {
  let s = new Big(0);
  rows.forEach((r, i) => {
    if (isMove(r, cat[i] as Category)) s = s.plus(r.amount).minus(r.fee);
  });
  return s.eq(0);
}
