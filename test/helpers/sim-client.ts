import { signRequest } from '../../src/kraken/signing.js';
import type { KrakenSim } from '../../src/kraken/sim/index.js';

/** A hand-driven ms clock for the sim's counter and row times. */
export function fakeClock(startMs = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = startMs;
  return { now: () => t, advance: (ms) => (t += ms) };
}

export interface Creds {
  key: string;
  secret: string;
}

export interface KrakenReply {
  status: number;
  body: { error: string[]; result?: Record<string, unknown> };
}

let lastNonce = Date.now() * 1000;

/** Strictly increasing nonces across the test process. */
export function nextNonce(): string {
  lastNonce += 1;
  return String(lastNonce);
}

/** Build and send a signed private call the way the real client must. */
export async function privateCall(
  sim: KrakenSim,
  creds: Creds,
  endpoint: 'Balance' | 'BalanceEx' | 'Ledgers' | 'GetWebSocketsToken',
  params: Record<string, string> = {},
  opts: { nonce?: string; signWith?: string; signal?: AbortSignal } = {},
): Promise<KrakenReply> {
  const path = `/0/private/${endpoint}`;
  const nonce = opts.nonce ?? nextNonce();
  const body = new URLSearchParams({ nonce, ...params }).toString();
  const res = await fetch(sim.url + path, {
    method: 'POST',
    headers: {
      'API-Key': creds.key,
      'API-Sign': signRequest(path, nonce, body, opts.signWith ?? creds.secret),
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { status: res.status, body: (await res.json()) as KrakenReply['body'] };
}

export async function publicCall(sim: KrakenSim, endpoint: string, query: Record<string, string> = {}): Promise<KrakenReply> {
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${sim.url}/0/public/${endpoint}${qs ? `?${qs}` : ''}`);
  return { status: res.status, body: (await res.json()) as KrakenReply['body'] };
}

/** Ledgers result with the ledger map typed loosely for assertions. */
export function ledgerOf(reply: KrakenReply): { ledger: Record<string, Record<string, unknown>>; count?: number } {
  return reply.body.result as { ledger: Record<string, Record<string, unknown>>; count?: number };
}
