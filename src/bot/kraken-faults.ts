import type { Logger } from 'pino';
import type { RateBudget } from '../kraken/budget.js';
import { KrakenError } from '../kraken/errors.js';
import { logThrottle } from './throttle-log.js';

/** After Kraken denies the ledger permission, flow polling tries again this much later. */
const FLOW_PERMISSION_RETRY_SEC = 15 * 60;

/**
 * What Kraken's failures mean for the loop (DESIGN.md sections 4 and 18): a rejected key stops private calls
 * until one succeeds again, a denied ledger permission pauses flow polling alone, the rest is logged.
 */
export class KrakenFaults {
  /** Set when Kraken rejected the key: shown until a private call succeeds again. */
  fatalError: string | null = null;
  /** Set when Kraken denied the ledger permission: flow polling waits until then, balances go on. */
  flowsPausedUntil: number | null = null;

  constructor(
    private readonly budget: RateBudget,
    private readonly log: Logger,
    private readonly nowSec: () => number,
  ) {}

  flowsEnabled(): boolean {
    return this.flowsPausedUntil === null || this.nowSec() >= this.flowsPausedUntil;
  }

  /** A private call succeeded: the key works. */
  cleared(): void {
    this.fatalError = null;
  }

  /** Logs and classifies a failed call; returns the line `/status` shows for it. */
  note(err: unknown, endpoint: string): string {
    const e = err instanceof KrakenError ? err : null;
    const message = e?.message ?? `${endpoint}: ${err instanceof Error ? err.message : String(err)}`;
    const now = this.nowSec();
    if (e !== null && endpoint !== 'Balance' && endpoint !== 'Ledgers') this.budget.countError(e.code);
    if (e?.kind === 'fatal' && endpoint === 'Ledgers' && e.code === 'EGeneral:Permission denied') {
      // The key can read balances but not the ledger: only flow detection stops (DESIGN.md section 4).
      if (this.flowsPausedUntil === null || this.flowsPausedUntil <= now) {
        this.log.error({ code: e.code, endpoint }, 'Kraken denied "Query Ledger Entries" to this key: flow detection pauses for 15 minutes; balances go on');
      }
      this.flowsPausedUntil = now + FLOW_PERMISSION_RETRY_SEC;
    } else if (e?.kind === 'fatal') {
      if (this.fatalError === null) this.log.error({ code: e.code, endpoint }, 'Kraken rejected the API key: private calls stop until it is fixed (check key, secret, permissions, and that no other program uses this key)');
      this.fatalError = message;
      this.budget.onFatal(now);
    } else if (e?.kind === 'throttled' && (endpoint === 'Balance' || endpoint === 'Ledgers')) {
      logThrottle(this.log, this.budget.lastThrottle, endpoint, message);
    } else {
      this.log.warn({ code: e?.code ?? 'unknown', kind: e?.kind ?? 'unknown', endpoint }, message);
    }
    return message;
  }
}
