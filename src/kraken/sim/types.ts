/**
 * Public types of the simulated Kraken. Optional input fields accept `undefined` explicitly so callers
 * (and zod-parsed scripting bodies) can pass through values they did not set.
 */

export type SimEndpoint = 'Balance' | 'BalanceEx' | 'Ledgers' | 'GetWebSocketsToken' | 'Ticker' | 'AssetPairs' | 'Assets' | 'Time';
export type PrivateEndpoint = 'Balance' | 'BalanceEx' | 'Ledgers' | 'GetWebSocketsToken';

/**
 * Kraken key permissions the sim checks: "Query Funds" for Balance/BalanceEx, "Query Ledger Entries" for Ledgers,
 * "WebSocket interface" for GetWebSocketsToken.
 */
export type SimPermission = 'query_funds' | 'query_ledger' | 'websocket';

export type SimTier = 'starter' | 'intermediate' | 'pro';

export interface SimLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
}

export interface SimKey {
  key: string;
  /** Base64 of the HMAC secret, as Kraken hands it out. */
  secret: string;
  /** Default: both query permissions and the WebSocket one. */
  permissions?: readonly SimPermission[] | undefined;
}

export interface SimPairSpec {
  /** Altname and result key, e.g. XDGUSD. */
  altname: string;
  wsname: string;
  /** Kraken asset codes, e.g. XXDG, ZUSD. */
  base: string;
  quote: string;
  pairDecimals: number;
  lotDecimals: number;
}

export interface SimOptions {
  host?: string | undefined;
  port?: number | undefined;
  keys?: readonly SimKey[] | undefined;
  tier?: SimTier | undefined;
  /** Override the tier's counter ceiling (tests use a tighter one). */
  maxCounter?: number | undefined;
  /** Override the tier's decay, points per second. */
  decayPerSec?: number | undefined;
  /** After this many rate-limit rejections of one key within 60 s, lock it out. Default off. */
  lockoutAfterViolations?: number | undefined;
  lockoutSec?: number | undefined;
  /** Milliseconds clock used for the counter, lockouts, default row times and the request log. */
  now?: (() => number) | undefined;
  /** Seed of the RNG behind ledger ids and refids. Default 1. */
  seed?: number | undefined;
  pair?: Partial<SimPairSpec> | undefined;
  /** By Kraken asset code, e.g. { XXDG: '1000', ZUSD: '250' }. Default XXDG and ZUSD at 0. */
  initialBalances?: Readonly<Record<string, string | number>> | undefined;
  /** Last trade price of the pair. Default 0.1. */
  price?: string | number | undefined;
  /** Serve the /_sim/ scripting routes. Default false. */
  scripting?: boolean | undefined;
  /** Bound of the request log in stats(). Default 1000. */
  requestLogMax?: number | undefined;
  logger?: SimLogger | undefined;
  /** The WebSocket endpoint's heartbeat interval on an idle subscription, ms. Default 1000 (Kraken's ~1/s). */
  wsHeartbeatMs?: number | undefined;
}

/** A fault served instead of (or, for `delay`, in addition to) the normal answer. */
export type SimFault =
  | { kind: 'error'; error: string }
  | { kind: 'http'; status: number; body?: string | undefined; contentType?: string | undefined }
  | { kind: 'delay'; ms: number }
  | { kind: 'malformed-json' }
  | { kind: 'reset' };

export interface InjectOptions {
  /** Omitted: the fault hits the next call to any endpoint. */
  endpoint?: SimEndpoint | undefined;
  /** Number of calls the fault applies to. Default 1. */
  count?: number | undefined;
}

export interface LedgerRowInput {
  type: string;
  /** Kraken asset code, e.g. XXDG, ZUSD, XXBT, XDG.S. */
  asset: string;
  /** Signed decimal; rounded to the asset's wire decimals. */
  amount: string;
  /** Default "0". Balance effect is amount − fee. */
  fee?: string | undefined;
  /** Unix seconds, up to 4 decimals kept. Default: the sim clock now. */
  time?: number | undefined;
  subtype?: string | undefined;
  refid?: string | undefined;
  id?: string | undefined;
}

/** A ledger row exactly as Ledgers serves it, plus its id. */
export interface LedgerRow {
  id: string;
  refid: string;
  time: number;
  type: string;
  subtype: string;
  aclass: 'currency';
  asset: string;
  amount: string;
  fee: string;
  balance: string;
}

export type RequestOutcome = 'ok' | 'error' | 'fault';

export interface RequestLogEntry {
  endpoint: SimEndpoint;
  /** Request parameters (query string or form body); the signature is never logged. */
  params: Record<string, string>;
  key?: string;
  /** Sim clock, ms. */
  time: number;
  outcome: RequestOutcome;
  /** The Kraken error string returned, when outcome is `error` (or an injected `error` fault). */
  error?: string;
  /** The injected fault kind, when one was served. */
  fault?: SimFault['kind'];
  /** Counter points charged for this call. */
  cost: number;
}

export interface EndpointStats {
  calls: number;
  accepted: number;
  rejected: number;
}

export interface SimStats {
  endpoints: Record<SimEndpoint, EndpointStats>;
  /** Sum over endpoints. `rejected` includes Kraken errors and injected faults (delay excepted). */
  calls: number;
  accepted: number;
  rejected: number;
  /** Genuine counter rejections (not injected ones). */
  rateLimitRejections: number;
  lockoutRejections: number;
  faultsServed: number;
  /** Private counter points charged in total. */
  costCharged: number;
  /** Each key's counter at the time of the call. */
  counters: Record<string, number>;
  /** Most recent last, bounded by `requestLogMax`. */
  requests: RequestLogEntry[];
}
