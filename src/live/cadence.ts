/**
 * Live mode's decisions (DESIGN.md section 19), pure: data in, data out, `now` passed in. The socket is a
 * doorbell: it says when to read REST, never what to book.
 */

/** While push holds, the ledger is read at least this often (or FLOW_POLL_INTERVAL_SEC, if longer). */
export const PUSH_LEDGER_INTERVAL_SEC = 3600;

/** What the loop knows of the socket. */
export interface FeedView {
  readonly connected: boolean;
  readonly reason: string | null;
  readonly fatal: string | null;
  readonly system: string | null;
}

/** Systems in which Kraken's documents do not say `balances` keeps streaming: poll REST meanwhile. */
const HALTED_SYSTEMS = new Set(['maintenance', 'cancel_only']);

/** Push holds while the socket is subscribed, fresh, not refused, and the engine is not halted. */
export function pushHolds(feed: FeedView | null): boolean {
  return feed !== null && feed.connected && feed.fatal === null && !HALTED_SYSTEMS.has(feed.system ?? '');
}

/** Why the loop polls REST every tick, one short line (null while push holds). */
export function pollReasonText(feed: FeedView | null, wsOff: boolean): string | null {
  if (wsOff) return 'off (KRAKEN_WS=off)';
  if (feed === null) return 'socket not started';
  if (feed.fatal !== null) return `refused: ${feed.fatal}`;
  if (feed.connected && HALTED_SYSTEMS.has(feed.system ?? '')) return `system ${feed.system ?? ''}`;
  if (feed.connected) return null;
  return feed.reason ?? 'not connected';
}

export interface CadenceInput {
  readonly push: boolean;
  readonly now: number;
  /** When the latest doorbell not yet served rang (null: none owed). */
  readonly owedSince: number | null;
  /** When the last successful Balance read began. */
  readonly lastBalanceSec: number | null;
  /** When the last complete ledger poll ended. */
  readonly lastPollTs: number | null;
  readonly safetyIntervalSec: number;
  readonly pollIntervalSec: number;
}

export interface Cadence {
  readonly balance: boolean;
  readonly ledgerRequested: boolean;
  readonly pollIntervalSec: number;
}

/**
 * Polling: Balance every tick, the ledger on change or its interval, as without a socket. Push: Balance only for
 * a doorbell, the safety interval, or the (longer) ledger interval, which reads both so rows and balances meet.
 */
export function cadence(i: CadenceInput): Cadence {
  const owed = i.owedSince !== null;
  if (!i.push) return { balance: true, ledgerRequested: owed, pollIntervalSec: i.pollIntervalSec };
  const interval = Math.max(i.pollIntervalSec, PUSH_LEDGER_INTERVAL_SEC);
  const ledgerDue = i.lastPollTs === null || i.now - i.lastPollTs >= interval;
  const safetyDue = i.lastBalanceSec === null || i.now - i.lastBalanceSec >= i.safetyIntervalSec;
  return { balance: owed || safetyDue || ledgerDue, ledgerRequested: owed, pollIntervalSec: interval };
}

/**
 * A doorbell is served once a Balance read and (when the ledger is read at all) a complete poll both began after
 * it rang: what Kraken booked before the bell is then in the figures.
 */
export function bellServed(owedSince: number, balanceBeganSec: number | null, pollBeganSec: number | null, ledgerApplies: boolean): boolean {
  if (balanceBeganSec === null || balanceBeganSec < owedSince) return false;
  return !ledgerApplies || (pollBeganSec !== null && pollBeganSec >= owedSince);
}

/**
 * When an owed doorbell may start a tick: at once, but no sooner than `spacingSec` after the last tick that
 * served one, so a bot trading every second costs no more than polling every tick would.
 */
export function bellWakeAt(owedSince: number | null, lastServedRoundSec: number | null, spacingSec: number): number | null {
  if (owedSince === null) return null;
  return lastServedRoundSec === null ? owedSince : Math.max(owedSince, lastServedRoundSec + spacingSec);
}
