import { Big } from './decimal.js';
import { groupKey } from './ledger-book.js';
import { walletKey } from './pool.js';
import type { PollHealth } from './state.js';
import type { LedgerRow } from './types.js';

/**
 * The balances a tick's figures rest on: when they were read (Kraken's clock, unix seconds) and each
 * asset-wallet's amount (`DOGE.spot`, `USD.F`; a missing key is zero).
 */
export interface BalanceRead {
  /** When the read most likely happened (the call's midpoint, Kraken's clock): row times are compared with it. */
  readonly ts: number;
  /**
   * The latest moment the answer can reflect (its arrival, Kraken's clock; default `ts`). Rows cover the read only
   * if they were read up to here: the midpoint alone let a slow call's deposit count as covered while unread.
   */
  readonly latest?: number;
  readonly amounts: ReadonlyMap<string, string>;
}

/** Row times within this of the read are too close to tell by time alone (clock offsets under 2 s are noise). */
export const TIE_SEC = 2;

/**
 * DESIGN.md section 15, alignment: splits rows into those the balances already contain (`ready`) and
 * those Kraken wrote after the balances were read (`wait`, for the next tick's balances). Rows clearly
 * before or after the read go by time; near the read, each asset-wallet's rows go by their `balance`
 * field: the read contains a row exactly when its amount is the row's resulting balance or a later one's.
 * A refid group waits whole when any of its rows waits. `read` null (no balances yet): every row waits.
 */
export function splitByBalanceRead(rows: readonly LedgerRow[], read: BalanceRead | null): { ready: LedgerRow[]; wait: LedgerRow[] } {
  if (read === null) return { ready: [], wait: [...rows] };
  const waits = new Set<string>();
  const near = new Map<string, LedgerRow[]>();
  for (const r of rows) {
    if (r.time > read.ts + TIE_SEC) waits.add(r.id);
    else if (r.time >= read.ts - TIE_SEC) {
      const k = walletKey(r.asset, r.wallet);
      near.set(k, [...(near.get(k) ?? []), r]);
    }
  }
  for (const [k, list] of near) {
    const snapshot = read.amounts.get(k);
    for (const id of waitingNearRead(list, snapshot, read.ts)) waits.add(id);
  }
  for (const id of undecidedOfWaitingBookings([...near.values()].flat(), waits)) waits.add(id);
  const waitingGroups = new Set(rows.filter((r) => waits.has(r.id)).map(groupKey));
  const ready: LedgerRow[] = [];
  const wait: LedgerRow[] = [];
  for (const r of rows) (waitingGroups.has(groupKey(r)) ? wait : ready).push(r);
  return { ready, wait };
}

function waitingNearRead(list: readonly LedgerRow[], snapshot: string | undefined, readTs: number): string[] {
  const sorted = [...list].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byTime = (): string[] => sorted.filter((r) => r.time > readTs).map((r) => r.id);
  if (snapshot === undefined && sorted.every((r) => r.balance === null)) return byTime();
  const amount = new Big(snapshot ?? '0');
  let lastIn = -1;
  sorted.forEach((r, i) => {
    if (r.balance !== null && new Big(r.balance).eq(amount)) lastIn = i;
  });
  // Rows of one time are one booking (a deposit and the Auto Earn sweep it set off): the read holds all or none
  // of them. Their order by id is arbitrary, so a match inside the run stands for the whole run.
  while (lastIn >= 0 && lastIn + 1 < sorted.length && sorted[lastIn + 1]?.time === sorted[lastIn]?.time) lastIn++;
  if (lastIn >= 0) return sorted.slice(lastIn + 1).map((r) => r.id);
  const first = sorted[0];
  if (first !== undefined && first.balance !== null) {
    const before = new Big(first.balance).minus(first.amount).plus(first.fee);
    if (before.eq(amount)) return sorted.map((r) => r.id); // the read was taken before all of them
  }
  return byTime();
}

/**
 * Rows of one asset and one time are one booking across wallets too: a deposit on spot and the Auto Earn sweep
 * it set off, whose .F leg is on the other wallet. A wallet whose rows of that time net to zero (the deposit in,
 * the sweep out) reads the same before and after them, so its balance cannot tell; when a wallet that moved
 * shows the booking is not in the read, the undecided wallet's rows wait with it.
 */
function undecidedOfWaitingBookings(near: readonly LedgerRow[], waits: ReadonlySet<string>): string[] {
  const bookings = new Map<string, LedgerRow[]>();
  for (const r of near) {
    const k = `${r.asset}@${r.time}`;
    bookings.set(k, [...(bookings.get(k) ?? []), r]);
  }
  const out: string[] = [];
  for (const rows of bookings.values()) {
    const wallets = new Map<string, LedgerRow[]>();
    for (const r of rows) wallets.set(r.wallet, [...(wallets.get(r.wallet) ?? []), r]);
    if (wallets.size < 2) continue;
    const moves = (list: readonly LedgerRow[]): boolean => !list.reduce((sum, r) => sum.plus(r.amount).minus(r.fee), new Big(0)).eq(0);
    const movedAndWaits = [...wallets.values()].some((list) => moves(list) && list.some((r) => waits.has(r.id)));
    if (!movedAndWaits) continue;
    for (const list of wallets.values()) if (!moves(list)) out.push(...list.map((r) => r.id));
  }
  return out;
}

/**
 * Whether the ledger rows read so far cover everything up to the balance read at `readTs`, so a tick's figures
 * compare one moment (DESIGN.md section 15, alignment). With no poll in progress: balances unchanged since the
 * last complete poll accounted for them, or that poll ended at or after the read. With one in progress (its pages
 * come newest first): it ends at or after the read and has paged back to rows the previous poll had read.
 */
export function rowsCoverRead(poll: Pick<PollHealth, 'pending' | 'last_end'>, readTs: number, balancesUnchanged: boolean): boolean {
  const p = poll.pending;
  // last_end is the last complete poll's `end` less its open second (see completePoll).
  if (p === null) return balancesUnchanged || (poll.last_end !== null && poll.last_end + 1 >= readTs);
  if (p.end < readTs || p.pages === 0) return false;
  return p.oldest !== undefined && p.oldest !== null && poll.last_end !== null && p.oldest <= poll.last_end;
}
