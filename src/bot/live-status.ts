/**
 * `/status.live` (DESIGN.md section 19): whether the WebSocket doorbell holds (`push`: the REST Balance
 * cadence falls back to the safety interval) or the loop polls REST every tick (`poll`), and why.
 */
export interface LiveStatus {
  mode: 'push' | 'poll';
  /** Subscribed to `balances` and hearing from Kraken. */
  connected: boolean;
  /** Unix seconds since the current mode holds. */
  since: number | null;
  /** Why the mode holds: `off` (KRAKEN_WS=off), `connecting`, a close, a stall, a refused key, ... */
  reason: string | null;
  /** Connections opened after the first. */
  reconnects: number;
  last_message_age_sec: number | null;
  /** The `status` channel's engine state: `online`, `maintenance`, `cancel_only`, `post_only`. */
  system: string | null;
}

/** The live block of a daemon that polls REST only. */
export function pollOnly(reason: string, since: number | null): LiveStatus {
  return { mode: 'poll', connected: false, since, reason, reconnects: 0, last_message_age_sec: null, system: null };
}
