/**
 * Faults of the simulated WebSocket endpoint. A `SimWsFault` waits in a FIFO for the connection (or subscribe) it
 * hits; a `SimWsAction` acts at once on every open connection.
 */
export type SimWsFault =
  /** TCP accepted, the HTTP upgrade never answered. */
  | { kind: 'hang-handshake' }
  /** WebSocket open, then nothing ever: no status, no ack, no heartbeat, no pong. */
  | { kind: 'silent' }
  /** Close with `code` (e.g. 1008) `afterMs` after the socket opened (default 0). */
  | { kind: 'close'; code: number; reason?: string | undefined; afterMs?: number | undefined }
  /** Terminate the TCP connection `afterMs` after the socket opened (default 0). */
  | { kind: 'drop'; afterMs?: number | undefined }
  /** Go quiet (socket open, nothing sent) `afterMs` after the subscription (default 0). */
  | { kind: 'stall'; afterMs?: number | undefined }
  /** Refuse the subscribe with this error (`EAPI:Invalid token`, `Exceeded msg rate`, `EAPI:Invalid key`, ...). */
  | { kind: 'subscribe-error'; error: string }
  /** The snapshot lists each asset with `"wallets": []`. */
  | { kind: 'empty-wallets' };

export type SimWsAction =
  | { kind: 'drop' }
  | { kind: 'stall' }
  | { kind: 'close'; code: number; reason?: string | undefined }
  /** Frames that are not JSON objects (broken JSON, an array, a string, binary bytes, an empty frame). */
  | { kind: 'garbage' }
  /** This exact text as one frame. */
  | { kind: 'raw'; text: string }
  /** Send the last balances message again, same sequence. */
  | { kind: 'duplicate' }
  /** The next balances message's sequence jumps by `by` (default 1: one number skipped). */
  | { kind: 'gap'; by?: number | undefined }
  /** The next two balances messages go out swapped. */
  | { kind: 'reorder' }
  /** Rows booked in the same turn (both legs of a trade) go out as one update holding several entries. */
  | { kind: 'batch' }
  /** An unknown channel, a balances message of unknown type, and an update entry of unknown type and category. */
  | { kind: 'unknown' }
  /** An update whose amount and balance exceed double precision. */
  | { kind: 'huge-numbers' };

const STAGE = {
  'hang-handshake': 'upgrade',
  silent: 'open',
  close: 'open',
  drop: 'open',
  stall: 'open',
  'subscribe-error': 'subscribe',
  'empty-wallets': 'subscribe',
} as const satisfies Record<SimWsFault['kind'], string>;

export type WsFaultStage = (typeof STAGE)[keyof typeof STAGE];

/** FIFO of scripted connection faults; each stage takes the oldest one of its own. */
export class WsFaultQueue {
  private pending: Array<{ fault: SimWsFault; remaining: number }> = [];

  inject(fault: SimWsFault, count = 1): void {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`fault count must be a positive integer: ${count}`);
    if (fault.kind === 'close' && (!Number.isInteger(fault.code) || fault.code < 1000 || fault.code > 4999)) {
      throw new RangeError(`close code out of range: ${fault.code}`);
    }
    if (fault.kind === 'subscribe-error' && fault.error.trim() === '') throw new TypeError('subscribe-error needs an error string');
    this.pending.push({ fault, remaining: count });
  }

  take(stage: WsFaultStage): SimWsFault | undefined {
    const index = this.pending.findIndex((p) => STAGE[p.fault.kind] === stage);
    const hit = this.pending[index];
    if (hit === undefined) return undefined;
    hit.remaining -= 1;
    if (hit.remaining <= 0) this.pending.splice(index, 1);
    return hit.fault;
  }

  clear(): void {
    this.pending = [];
  }

  get size(): number {
    return this.pending.reduce((sum, p) => sum + p.remaining, 0);
  }
}
