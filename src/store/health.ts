import type { PersistenceTargetStatus } from '../bot/status-types.js';
import type { StoreKey } from './keys.js';

/**
 * Health of one persistence target as /status shows it. `ok` is the outcome of the latest operation
 * (read or write; null before the first); `pending` holds keys whose latest value has not reached the
 * target yet (retried with the next save of that key). `last_error` stays until every key is written again.
 */
export class TargetHealth {
  ok: boolean | null = null;
  lastWriteTs: number | null = null;
  lastError: string | null = null;
  readonly pending = new Set<StoreKey>();
  /** Failed writes since start (a metric: each retry that fails counts again). */
  writeFailures = 0;

  constructor(readonly configured: boolean) {}

  /** Records a failure; returns true when this is news (the target was not already failing), to log once per outage. */
  failed(message: string, key?: StoreKey): boolean {
    const news = this.ok !== false;
    this.ok = false;
    this.lastError = message;
    if (key !== undefined) {
      this.pending.add(key);
      this.writeFailures++;
    }
    return news;
  }

  /** A write that could not be attempted (the read before it failed): pending, and counted as a failed write. */
  skippedWrite(key: StoreKey): void {
    this.pending.add(key);
    this.writeFailures++;
  }

  /** Records a successful read; returns true when it ends a failure. */
  readOk(): boolean {
    const recovered = this.ok === false;
    this.ok = true;
    if (this.pending.size === 0) this.lastError = null;
    return recovered;
  }

  /** Records a successful write of `key` at `nowSec`; returns true when it ends a failure. */
  wrote(key: StoreKey, nowSec: number): boolean {
    const recovered = this.ok === false;
    this.ok = true;
    this.lastWriteTs = nowSec;
    this.pending.delete(key);
    if (this.pending.size === 0) this.lastError = null;
    return recovered;
  }

  snapshot(): PersistenceTargetStatus {
    return {
      configured: this.configured,
      ok: this.ok,
      last_write_ts: this.lastWriteTs,
      last_error: this.lastError,
      pending: this.pending.size > 0,
      write_failures: this.writeFailures,
    };
  }
}
