/**
 * The last figures a tick published, kept in `__recon_state_v1__` as `last_known` so that after a restart
 * `/status` and the page can show them, marked stale with their age, until Kraken answers again.
 * Blocks are the `/status` JSON as published (numbers, strings, booleans, null), so the saved form follows the
 * payload without a second schema. Pure: no clock, no I/O.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface LastKnown {
  /** `price` block as published (`last`, `ts`, ...); `last` and `ts` are checked on restore. */
  price: JsonObject | null;
  /** `balances` block as published (`doge`, `usd`, `ts`, ...). */
  balances: JsonObject | null;
  /** `balance_recon` block as published: the reconciliation figures. */
  balance_recon: JsonObject | null;
  /** When these figures were current: the older of the price and balance times. */
  ts: number;
}

/** A saved block larger than this (serialized) is dropped: `last_known` must stay a small part of the state. */
export const LAST_KNOWN_BLOCK_MAX_BYTES = 32 * 1024;
const MAX_DEPTH = 6;

/** Sanitises a saved `last_known` (any version, any damage); null when nothing usable is left. Never throws. */
export function restoreLastKnown(raw: unknown): LastKnown | null {
  if (!isRecord(raw) || !isFiniteNumber(raw.ts)) return null;
  const price = block(raw.price, (b) => isFiniteNumber(b.last) && b.last > 0 && isFiniteNumber(b.ts));
  const balances = block(raw.balances, (b) => isFiniteNumber(b.doge) && isFiniteNumber(b.usd) && isFiniteNumber(b.ts));
  const recon = block(raw.balance_recon, (b) => b.current_doge_eq === null || isFiniteNumber(b.current_doge_eq));
  if (price === null && balances === null && recon === null) return null;
  return { price, balances, balance_recon: recon, ts: raw.ts };
}

function block(v: unknown, valid: (b: JsonObject) => boolean): JsonObject | null {
  const json = jsonOnly(v, 0);
  if (json === undefined || json === null || typeof json !== 'object' || Array.isArray(json) || !valid(json)) return null;
  return JSON.stringify(json).length <= LAST_KNOWN_BLOCK_MAX_BYTES ? json : null;
}

/** A deep copy holding only JSON values (finite numbers); undefined for anything else or too deep. */
function jsonOnly(v: unknown, depth: number): JsonValue | undefined {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const item of v) {
      const j = jsonOnly(item, depth + 1);
      if (j !== undefined) out.push(j);
    }
    return out;
  }
  if (!isRecord(v)) return undefined;
  const out: JsonObject = {};
  for (const [k, item] of Object.entries(v)) {
    if (k === '__proto__') continue;
    const j = jsonOnly(item, depth + 1);
    if (j !== undefined) out[k] = j;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
