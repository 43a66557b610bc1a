import { request, type Dispatcher } from 'undici';
import { KrakenError, fromKrakenErrorString } from './errors.js';
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

export interface AssetPairInfo {
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
}

const USER_AGENT = 'kraken-balance-sidecar';

export class KrakenClient implements KrakenApi {
  private readonly baseUrl: string;

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

  async ticker(pair: string, signal?: AbortSignal): Promise<string> {
    const result = await this.publicCall('Ticker', { pair }, signal);
    const entry = firstValue(result) as { c?: unknown } | undefined;
    const last = Array.isArray(entry?.c) ? entry.c[0] : undefined;
    if (typeof last !== 'string' || !(Number(last) > 0)) {
      throw new KrakenError('transient', 'BODY:malformed', 'Ticker: no last trade price in answer', 'Ticker');
    }
    return last;
  }

  async assetPairs(pair: string, signal?: AbortSignal): Promise<AssetPairInfo> {
    const result = await this.publicCall('AssetPairs', { pair }, signal);
    const entry = firstValue(result) as { altname?: unknown; base?: unknown; quote?: unknown } | undefined;
    if (typeof entry?.base !== 'string' || typeof entry.quote !== 'string') {
      throw new KrakenError('transient', 'BODY:malformed', 'AssetPairs: no base/quote in answer', 'AssetPairs');
    }
    return { altname: typeof entry.altname === 'string' ? entry.altname : pair, base: entry.base, quote: entry.quote };
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
  const envelope = body as { error?: unknown; result?: unknown } | null;
  if (Array.isArray(envelope?.error) && envelope.error.length > 0) {
    const first: unknown = envelope.error[0];
    throw fromKrakenErrorString(typeof first === 'string' ? first : JSON.stringify(first) ?? '', endpoint);
  }
  if (status === 429) throw new KrakenError('rate_limited', 'HTTP:429', `${endpoint}: HTTP 429`, endpoint);
  if (status >= 400) throw new KrakenError('transient', `HTTP:${status}`, `${endpoint}: HTTP ${status}`, endpoint);
  const result = envelope?.result;
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new KrakenError('transient', 'BODY:malformed', `${endpoint}: answer has no result object`, endpoint);
  }
  return result as Record<string, unknown>;
}

function firstValue(obj: Record<string, unknown>): unknown {
  for (const key in obj) return obj[key];
  return undefined;
}
