import { KrakenError } from '../errors.js';

/**
 * What the feed does about a refusal:
 * - `fatal`: stop retrying and tell a human (the key cannot be used for this, like a rejected REST key);
 * - `new-token`: the token is stale or unknown: fetch a fresh one and subscribe again;
 * - `rate`: Kraken's message-rate throttle: back off;
 * - `retry`: anything else: back off and reconnect.
 */
export type RefusalAction = 'fatal' | 'new-token' | 'rate' | 'retry';

const FATAL_PREFIXES = ['eapi:invalid key', 'eapi:invalid signature', 'egeneral:permission denied', 'eaccount:invalid permissions', 'eauth:'];
const TOKEN_PREFIXES = ['eapi:invalid token', 'esession:invalid session'];

/** An `error` string of a WebSocket v2 answer (`success:false`). */
export function classifyWsError(text: string): RefusalAction {
  const t = text.trim().toLowerCase();
  if (FATAL_PREFIXES.some((p) => t.startsWith(p))) return 'fatal';
  if (TOKEN_PREFIXES.some((p) => t.startsWith(p))) return 'new-token';
  if (t.includes('exceeded msg rate') || t.includes('rate limit')) return 'rate';
  return 'retry';
}

/** Close 1008 (policy violation) is terminal, as in Kraken's SDK; every other code (1006 included) reconnects. */
export function isTerminalClose(code: number): boolean {
  return code === 1008;
}

/**
 * A failed token call: a KrakenError's kind decides (`rate`: the key's REST budget is spent or locked, so quick
 * retries would only prolong it); any other Error is transient.
 */
export function classifyTokenFailure(err: unknown): 'fatal' | 'rate' | 'retry' {
  if (!(err instanceof KrakenError)) return 'retry';
  if (err.kind === 'fatal') return 'fatal';
  return err.kind === 'rate_limited' || err.kind === 'throttled' || err.kind === 'locked_out' ? 'rate' : 'retry';
}

/** One short line naming a failure, never a token: the KrakenError code, else the message cut short. */
export function describeFailure(err: unknown): string {
  if (err instanceof KrakenError) return err.code;
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 120 ? `${message.slice(0, 117)}...` : message;
}
