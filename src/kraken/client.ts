import { request, type Dispatcher } from 'undici';
import { KrakenError, fromKrakenErrorStrings, isKrakenWarning } from './errors.js';
import type { NonceSource } from './nonce.js';
import { signRequest } from './signing.js';

export interface KrakenCredentials {
  readonly key: string;
  readonly secret: string;
}

export interface KrakenClientOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  /** Without credentials only public calls work; private calls fail as `fatal`. */
  readonly credentials?: KrakenCredentials | undefined;
  readonly nonces: NonceSource;
  /** Tests hand in a MockAgent or an Agent pointed at the simulator. */
  readonly dispatcher?: Dispatcher | undefined;
}

export interface LedgersParams {
  readonly asset?: string;
  readonly type?: string;
  readonly start?: number;
  readonly end?: number;
  readonly ofs?: number;
  readonly without_count?: boolean;
}

export interface LedgersPage {
  /** Ledger id → raw row as Kraken sent it; validated later by the recon core. */
  readonly ledger: Readonly<Record<string, unknown>>;
  readonly count: number | null;
}

/** GetWebSocketsToken's answer: a token for one authenticated WebSocket connection, `expires` in seconds (900). */
export interface WebSocketsToken {
  readonly token: string;
  readonly expires: number;
}

export interface AssetPairInfo {
  /** The key Kraken files the pair under in `result` (e.g. XXBTZUSD for altname XBTUSD); Ticker answers use it too. */
  readonly key?: string;
  readonly altname: string;
  /** Kraken's codes for the pair's assets (e.g. XXDG, ZUSD). */
  readonly base: string;
  readonly quote: string;
}

/**
 * The narrow interface the loop needs from Kraken. Each call is one HTTP request with its own timeout;
 * every failure comes out as a KrakenError with a stable code. Budgeting and retries live in the caller.
 */
export interface KrakenApi {
  balance(signal?: AbortSignal): Promise<Readonly<Record<string, string>>>;
  ledgers(params: LedgersParams, signal?: AbortSignal): Promise<LedgersPage>;
  ticker(pair: string, signal?: AbortSignal): Promise<string>;
  assetPairs(pair: string, signal?: AbortSignal): Promise<AssetPairInfo>;
  /** Kraken's clock, unix seconds (public Time endpoint). */
  serverTime(signal?: AbortSignal): Promise<number>;
  /** A token for the authenticated WebSocket (private call, cost 1; the key needs the WebSocket permission). */
  webSocketsToken(signal?: AbortSignal): Promise<WebSocketsToken>;
}

const USER_AGENT = 'kraken-balance-sidecar';

export class KrakenClient implements KrakenApi {
  private readonly baseUrl: string;
  /** Pair name (altname, wsname or as asked, upper case) → Kraken's key for it, learned from AssetPairs. */
  private readonly pairKeys = new Map<string, string>();

  constructor(private readonly opts: KrakenClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  async balance(signal?: AbortSignal): Promise<Readonly<Record<string, string>>> {
    const result = await this.privateCall('Balance', {}, signal);
    const out: Record<string, string> = {};
    for (const [code, value] of Object.entries(result)) {
      if (typeof value === 'string') out[code] = value;
    }
    return out;
  }

  async ledgers(params: LedgersParams, signal?: AbortSignal): Promise<LedgersPage> {
    const form: Record<string, string> = {};
    if (params.asset !== undefined) form.asset = params.asset;
    if (params.type !== undefined) form.type = params.type;
    if (params.start !== undefined) form.start = String(params.start);
    if (params.end !== undefined) form.end = String(params.end);
    if (params.ofs !== undefined) form.ofs = String(params.ofs);
    if (params.without_count !== undefined) form.without_count = String(params.without_count);
    const result = await this.privateCall('Ledgers', form, signal);
    const ledger = result.ledger;
    // A missing `ledger` is not an empty page: taking it as one would mark the whole window as read.
    if (typeof ledger !== 'object' || ledger === null || Array.isArray(ledger)) {
      throw new KrakenError('transient', 'BODY:malformed', 'Ledgers: result.ledger is missing or not an object', 'Ledgers');
    }
    const count = typeof result.count === 'number' && Number.isFinite(result.count) ? result.count : null;
    return { ledger: ledger as Record<string, unknown>, count };
  }

  async webSocketsToken(signal?: AbortSignal): Promise<WebSocketsToken> {
    const result = await this.privateCall('GetWebSocketsToken', {}, signal);
    const { token, expires } = result;
    if (typeof token !== 'string' || token === '' || typeof expires !== 'number' || !Number.isFinite(expires) || expires <= 0) {
      throw new KrakenError('transient', 'BODY:malformed', 'GetWebSocketsToken: no token/expires in answer', 'GetWebSocketsToken');
    }
    return { token, expires };
  }

  async ticker(pair: string, signal?: AbortSignal): Promise<string> {
    const result = await this.publicCall('Ticker', { pair }, signal);
    const entry = this.entryFor(result, pair) as { c?: unknown } | undefined;
    if (entry === undefined) throw noEntry('Ticker', pair, result);
    const last = Array.isArray(entry.c) ? entry.c[0] : undefined;
    if (typeof last !== 'string' || !(Number(last) > 0)) {
      throw new KrakenError('transient', 'BODY:malformed', 'Ticker: no last trade price in answer', 'Ticker');
    }
    return last;
  }

  async assetPairs(pair: string, signal?: AbortSignal): Promise<AssetPairInfo> {
    const result = await this.publicCall('AssetPairs', { pair }, signal);
    const entry = this.entryFor(result, pair) as { altname?: unknown; wsname?: unknown; base?: unknown; quote?: unknown } | undefined;
    if (entry === undefined) throw noEntry('AssetPairs', pair, result);
    if (typeof entry.base !== 'string' || typeof entry.quote !== 'string') {
      throw new KrakenError('transient', 'BODY:malformed', 'AssetPairs: no base/quote in answer', 'AssetPairs');
    }
    const key = Object.keys(result).find((k) => result[k] === entry) ?? pair;
    // Ticker answers file the pair under this key, which may differ from the name asked (XBTUSD → XXBTZUSD).
    for (const name of [pair, entry.altname, entry.wsname]) if (typeof name === 'string') this.pairKeys.set(name.toUpperCase(), key);
    return { key, altname: typeof entry.altname === 'string' ? entry.altname : pair, base: entry.base, quote: entry.quote };
  }

  /**
   * The entry of `result` for the pair asked: by its key (as asked, or as learned from AssetPairs), else the one
   * whose altname or wsname is the name asked. Never just the first entry: that could be another pair.
   */
  private entryFor(result: Record<string, unknown>, pair: string): unknown {
    const asked = pair.toUpperCase();
    const learned = this.pairKeys.get(asked);
    for (const key of Object.keys(result)) {
      if (key.toUpperCase() === asked || key === learned) return result[key];
    }
    for (const value of Object.values(result)) {
      const v = value as { altname?: unknown; wsname?: unknown } | null;
      if (typeof v !== 'object' || v === null) continue;
      if ((typeof v.altname === 'string' && v.altname.toUpperCase() === asked) || (typeof v.wsname === 'string' && v.wsname.toUpperCase() === asked)) return value;
    }
    return undefined;
  }

  async serverTime(signal?: AbortSignal): Promise<number> {
    const result = await this.publicCall('Time', {}, signal);
    const t = result.unixtime;
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) {
      throw new KrakenError('transient', 'BODY:malformed', 'Time: no unixtime in answer', 'Time');
    }
    return t;
  }

  private async publicCall(endpoint: string, query: Record<string, string>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const qs = new URLSearchParams(query).toString();
    return this.send(endpoint, { method: 'GET', path: `/0/public/${endpoint}${qs ? `?${qs}` : ''}` }, signal);
  }

  private async privateCall(endpoint: string, form: Record<string, string>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const creds = this.opts.credentials;
    if (creds === undefined) {
      throw new KrakenError('fatal', 'CONFIG:no-credentials', `${endpoint}: no API key configured`, endpoint);
    }
    const path = `/0/private/${endpoint}`;
    const nonce = this.opts.nonces.next();
    const body = new URLSearchParams({ nonce, ...form }).toString();
    const headers = {
      'API-Key': creds.key,
      'API-Sign': signRequest(path, nonce, body, creds.secret),
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
    };
    return this.send(endpoint, { method: 'POST', path, body, headers }, signal);
  }

  private async send(
    endpoint: string,
    req: { method: 'GET' | 'POST'; path: string; body?: string; headers?: Record<string, string> },
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    let status: number;
    let text: string;
    try {
      const res = await request(this.baseUrl + req.path, {
        method: req.method,
        headers: { 'User-Agent': USER_AGENT, Accept: 'application/json', ...req.headers },
        ...(req.body !== undefined ? { body: req.body } : {}),
        signal: combined,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
        ...(this.opts.dispatcher !== undefined ? { dispatcher: this.opts.dispatcher } : {}),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      if (signal?.aborted === true) throw err;
      const timedOut = timeout.aborted || (err as { code?: string }).code?.includes('TIMEOUT') === true;
      throw new KrakenError(
        'transient',
        timedOut ? 'NET:timeout' : 'NET:error',
        `${endpoint}: ${timedOut ? `no answer within ${this.opts.timeoutMs} ms` : `network error (${(err as Error).message})`}`,
        endpoint,
      );
    }
    return parseEnvelope(endpoint, status, text);
  }
}

/** Kraken answers `{error: [...], result: {...}}`; a non-empty `error` array is a failure even with HTTP 200. */
export function parseEnvelope(endpoint: string, status: number, text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (status === 429) throw new KrakenError('rate_limited', 'HTTP:429', `${endpoint}: HTTP 429`, endpoint);
    const code = status >= 400 ? `HTTP:${status}` : 'BODY:malformed';
    throw new KrakenError('transient', code, `${endpoint}: ${status >= 400 ? `HTTP ${status}` : 'malformed JSON'} (non-JSON body)`, endpoint);
  }
  const envelope = body as { error?: unknown; errors?: unknown; result?: unknown } | null;
  const texts = errorStrings(envelope);
  // Every string counts; warnings (`W...`) alone do not fail an answer that carries a result.
  if (texts.some((t) => !isKrakenWarning(t))) throw fromKrakenErrorStrings(texts, endpoint);
  if (status === 429) throw new KrakenError('rate_limited', 'HTTP:429', `${endpoint}: HTTP 429`, endpoint);
  if (status >= 400) throw new KrakenError('transient', `HTTP:${status}`, `${endpoint}: HTTP ${status}`, endpoint);
  const result = envelope?.result;
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new KrakenError('transient', 'BODY:malformed', `${endpoint}: answer has no result object`, endpoint);
  }
  return result as Record<string, unknown>;
}

/**
 * The error strings of an answer: the classic `error: string[]`, or the structured form of Kraken's newer
 * examples (`errors: [{severity: 'E', errorClass: 'API', type: 'Invalid key'}]`), read as `EAPI:Invalid key`.
 */
function errorStrings(envelope: { error?: unknown; errors?: unknown } | null): string[] {
  const out: string[] = [];
  if (Array.isArray(envelope?.error)) {
    for (const e of envelope.error) out.push(typeof e === 'string' ? e : (JSON.stringify(e) ?? ''));
  }
  if (Array.isArray(envelope?.errors)) {
    for (const e of envelope.errors as unknown[]) {
      const o = e as { severity?: unknown; errorClass?: unknown; type?: unknown } | null;
      if (typeof o?.errorClass === 'string' && typeof o.type === 'string') {
        out.push(`${typeof o.severity === 'string' ? o.severity : 'E'}${o.errorClass}:${o.type}`);
      } else out.push(typeof e === 'string' ? e : (JSON.stringify(e) ?? ''));
    }
  }
  return out;
}

function noEntry(endpoint: string, pair: string, result: Record<string, unknown>): KrakenError {
  const got = Object.keys(result).slice(0, 3).join(', ');
  return new KrakenError('transient', 'BODY:no-pair', `${endpoint}: no entry for pair ${pair} in answer (got: ${got === '' ? 'none' : got})`, endpoint);
}
