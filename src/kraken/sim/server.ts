import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Big from 'big.js';
import { Account } from './account.js';
import type { StoredEntry } from './account.js';
import { AccountActivity } from './activity.js';
import { parseDecimal, quantize } from './amounts.js';
import { assetsResult, extendedBalances } from './assets-info.js';
import { KeyStore } from './auth.js';
import { FaultQueue } from './faults.js';
import { BodyTooLargeError, envelope, errorEnvelope, parseParams, readBody, sendJson } from './http-io.js';
import { LedgerIdGenerator } from './ledger-ids.js';
import { INVALID_ARGUMENTS, queryLedgers } from './ledger-query.js';
import { assetPairEntry, DEFAULT_PAIR, resolvePairs, tickerEntry } from './market.js';
import type { MarketState } from './market.js';
import { RateCounters, TIER_LIMITS } from './rate-counter.js';
import { createRng } from './rng.js';
import { deliver, errorReply, faultReply, okReply } from './replies.js';
import type { Handled } from './replies.js';
import { handleScripting } from './scripting.js';
import { StatsRecorder } from './stats.js';
import { walletCode } from './wallet-codes.js';
import { TokenStore } from './ws-tokens.js';
import { SimWsEndpoint, WS_PATH } from './ws-server.js';
import type {
  InjectOptions,
  LedgerRow,
  LedgerRowInput,
  PrivateEndpoint,
  SimEndpoint,
  SimFault,
  SimKey,
  SimLogger,
  SimOptions,
  SimPairSpec,
  SimPermission,
  SimStats,
} from './types.js';

const ENDPOINT_BY_PATH: Readonly<Record<string, SimEndpoint>> = {
  '/0/private/Balance': 'Balance',
  '/0/private/BalanceEx': 'BalanceEx',
  '/0/private/Ledgers': 'Ledgers',
  '/0/private/GetWebSocketsToken': 'GetWebSocketsToken',
  '/0/public/Ticker': 'Ticker',
  '/0/public/AssetPairs': 'AssetPairs',
  '/0/public/Assets': 'Assets',
  '/0/public/Time': 'Time',
};

/** Counter cost and required key permission of each private endpoint. */
const PRIVATE: Readonly<Record<PrivateEndpoint, { cost: number; permission: SimPermission }>> = {
  Balance: { cost: 1, permission: 'query_funds' },
  BalanceEx: { cost: 1, permission: 'query_funds' },
  Ledgers: { cost: 2, permission: 'query_ledger' },
  GetWebSocketsToken: { cost: 1, permission: 'websocket' },
};

const RATE_LIMIT = 'EAPI:Rate limit exceeded';

/**
 * The simulated Kraken: a real node:http server on loopback speaking Balance, Ledgers, Ticker and
 * AssetPairs with Kraken's envelope, auth, per-key rate counter and error strings, plus a scripting API.
 */
export class KrakenSim {
  readonly url: string;
  readonly port: number;
  readonly pair: SimPairSpec;
  /** Scripting of a real account's activity: Auto Earn, rewards, purchases, transfers, trades, ... */
  readonly activity: AccountActivity;
  /** The WebSocket v2 auth endpoint (`balances`), e.g. ws://127.0.0.1:PORT/v2: what KRAKEN_WS_URL points at. */
  readonly wsUrl: string;
  /** Its scripting: faults, actions, system status, stats. */
  readonly ws: SimWsEndpoint;

  private readonly keys: KeyStore;
  /** GetWebSocketsToken's tokens, checked by the WebSocket endpoint. */
  readonly tokens: TokenStore;
  private readonly counters: RateCounters;
  private readonly faults = new FaultQueue();
  private readonly account: Account;
  private readonly recorder: StatsRecorder;
  private readonly market: MarketState;
  private readonly holds = new Map<string, Big>();
  private ledgerLagMs = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly clock: () => number;
  private readonly logger: SimLogger | undefined;
  private readonly scriptingEnabled: boolean;
  private server: Server | undefined;

  private constructor(opts: SimOptions, server: Server) {
    this.server = server;
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${host}:${address.port}`;
    this.wsUrl = `ws://${host}:${address.port}${WS_PATH}`;
    this.port = address.port;
    this.scriptingEnabled = opts.scripting === true;
    this.clock = opts.now ?? Date.now;
    this.logger = opts.logger;
    this.pair = { ...DEFAULT_PAIR, ...stripUndefined(opts.pair ?? {}) };
    const tier = TIER_LIMITS[opts.tier ?? 'starter'];
    this.counters = new RateCounters(
      {
        max: opts.maxCounter ?? tier.max,
        decayPerSec: opts.decayPerSec ?? tier.decayPerSec,
        lockoutAfterViolations: opts.lockoutAfterViolations ?? 0,
        lockoutSec: opts.lockoutSec ?? 900,
      },
      this.clock,
    );
    this.keys = new KeyStore(opts.keys ?? []);
    this.tokens = new TokenStore(this.clock);
    const ids = new LedgerIdGenerator(createRng(opts.seed ?? 1));
    const initial = opts.initialBalances ?? { [this.pair.base]: '0', [this.pair.quote]: '0' };
    this.account = new Account(ids, () => this.clock() / 1000, initial);
    this.activity = new AccountActivity(this.account, this.pair, () => this.clock() / 1000);
    this.recorder = new StatsRecorder(opts.requestLogMax ?? 1000);
    const account = this.account;
    this.ws = new SimWsEndpoint({
      server,
      tokens: this.tokens,
      balances: () => account.formattedBalances(),
      onRow: (listener) => account.onRow(listener),
      clock: this.clock,
      heartbeatMs: opts.wsHeartbeatMs ?? 1000,
      logger: this.logger,
    });
    const price = parseDecimal(opts.price ?? '0.1', 'price').round(this.pair.pairDecimals, Big.roundHalfUp);
    this.market = { price, open: price, low: price, high: price };
  }

  static async start(opts: SimOptions = {}): Promise<KrakenSim> {
    let sim: KrakenSim | undefined;
    const server = createServer((req, res) => {
      if (!sim) return sendJson(res, 503, errorEnvelope('EService:Unavailable'));
      const self = sim;
      self.handle(req, res).catch((err: unknown) => {
        self.logger?.error({ err }, 'kraken sim: request handler failed');
        sendJson(res, 500, errorEnvelope('EGeneral:Internal error'));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    try {
      sim = new KrakenSim(opts, server);
    } catch (err) {
      server.close();
      throw err;
    }
    sim.logger?.info({ url: sim.url }, 'kraken sim listening');
    return sim;
  }

  /** A random key pair shaped like Kraken's: 56-char key, 64-byte base64 secret. */
  static generateKey(): { key: string; secret: string } {
    return { key: randomBytes(42).toString('base64'), secret: randomBytes(64).toString('base64') };
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await this.ws.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // --- scripting API -------------------------------------------------------------------------------

  /** Sim clock in ms (the injected `now`). */
  now(): number {
    return this.clock();
  }

  addKey(key: SimKey): void {
    this.keys.add(key);
  }

  /** Append a ledger row (any time, also in the past) and move the balance by amount − fee. */
  addLedgerRow(input: LedgerRowInput): LedgerRow {
    return this.account.addRow(input);
  }

  /** Store any object as a ledger row under `id`, balances untouched (see Account.addRawRow for its time). */
  addRawLedgerRow(id: string, raw: unknown, time?: number): void {
    this.account.addRawRow(id, raw, time);
  }

  /** Ledger entries newest first, as Ledgers would list them unfiltered. */
  ledgerRows(): Array<{ id: string; time: number; row: Readonly<Record<string, unknown>> }> {
    return [...this.account.newestFirst()].map((e) => ({ id: e.id, time: e.time, row: e.row }));
  }

  setPrice(price: string | number): void {
    const p = parseDecimal(price, 'price').round(this.pair.pairDecimals, Big.roundHalfUp);
    if (p.lte(0)) throw new RangeError(`price must be positive: ${price}`);
    this.market.price = p;
    if (p.lt(this.market.low)) this.market.low = p;
    if (p.gt(this.market.high)) this.market.high = p;
  }

  /** The last price exactly as Ticker serves it in `c[0]`. */
  getPrice(): string {
    return this.market.price.toFixed(this.pair.pairDecimals);
  }

  /** Set a balance without a ledger row: by design this is unexplained drift. */
  setBalance(code: string, amount: string | number): void {
    this.account.setBalance(code, amount);
  }

  getBalances(): Record<string, string> {
    return this.account.formattedBalances();
  }

  /** BalanceEx's `hold_trade` of a code (what open orders hold); default 0. Balances are untouched. */
  setHoldTrade(code: string, amount: string | number): void {
    this.holds.set(code, quantize(code, parseDecimal(amount, `hold ${code}`)));
  }

  /**
   * Ledgers hides a row until the clock is `ms` past its `time`, while Balance already shows its effect
   * (Kraken may write a row a little after the balance moved). Default 0.
   */
  setLedgerLag(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`ledger lag must be ≥ 0 ms: ${ms}`);
    this.ledgerLagMs = ms;
  }

  private *visibleEntries(): Generator<StoredEntry> {
    const cutoffSec = (this.clock() - this.ledgerLagMs) / 1000;
    for (const entry of this.account.newestFirst()) if (this.ledgerLagMs === 0 || entry.time <= cutoffSec) yield entry;
  }

  /** Every code the sim knows (Balance, the pair, well-formed ledger rows): what Assets lists. */
  knownAssets(): string[] {
    const { base, quote } = this.pair;
    const codes = new Set([base, quote, walletCode(base, 'F'), walletCode(quote, 'F'), ...this.account.knownCodes()]);
    return [...codes];
  }

  inject(fault: SimFault, options: InjectOptions = {}): void {
    this.faults.inject(fault, options);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  pendingFaults(): number {
    return this.faults.size;
  }

  counter(key: string): number {
    return this.counters.counter(key);
  }

  lastNonce(key: string): string | undefined {
    return this.keys.lastNonce(key);
  }

  stats(): SimStats {
    const counters: Record<string, number> = {};
    for (const key of this.keys.keyNames()) counters[key] = this.counters.counter(key);
    return this.recorder.snapshot(counters);
  }

  // --- HTTP ----------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, errorEnvelope(INVALID_ARGUMENTS));
      throw err;
    }
    if (url.pathname.startsWith('/_sim/')) {
      const out = this.scriptingEnabled
        ? handleScripting(this, req.method ?? 'GET', url.pathname, rawBody)
        : { status: 404, payload: errorEnvelope('EGeneral:Unknown method') };
      return sendJson(res, out.status, out.payload);
    }
    const endpoint = ENDPOINT_BY_PATH[url.pathname];
    if (!endpoint) return sendJson(res, 404, errorEnvelope('EGeneral:Unknown method'));

    const fault = this.faults.take(endpoint);
    const handled =
      isPrivate(endpoint)
        ? this.handlePrivate(endpoint, req, url.pathname, rawBody, fault)
        : this.handlePublic(endpoint, req, url, rawBody, fault);
    this.recorder.record(handled.entry);
    this.logger?.debug({ endpoint, outcome: handled.entry.outcome, error: handled.entry.error }, 'kraken sim call');

    if (fault?.kind === 'delay') {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        deliver(res, handled.reply);
      }, fault.ms);
      this.timers.add(timer);
      return;
    }
    deliver(res, handled.reply);
  }

  /**
   * Order: key, nonce, signature (the nonce is consumed from here on), injected fault, lockout,
   * permission, counter, then the call. Injected faults never charge the counter, except that an injected
   * `EAPI:Rate limit exceeded` fills the key's counter so the sim keeps agreeing with what it said.
   */
  private handlePrivate(
    endpoint: PrivateEndpoint,
    req: IncomingMessage,
    path: string,
    rawBody: string,
    fault: SimFault | undefined,
  ): Handled {
    let params: Record<string, string> = {};
    let badBody = false;
    try {
      params = parseParams(rawBody, req.headers['content-type']);
    } catch {
      badBody = true;
    }
    const auth = this.keys.authenticate({
      path,
      apiKey: header(req, 'api-key'),
      apiSign: header(req, 'api-sign'),
      rawBody,
      nonce: params['nonce'],
    });
    const base = {
      endpoint,
      params,
      time: this.clock(),
      cost: 0,
      ...(auth.key === undefined ? {} : { key: auth.key }),
      ...(fault ? { fault: fault.kind } : {}),
    };
    const fail = (error: string): Handled => errorReply(error, base);

    if (fault && fault.kind !== 'delay') {
      if (fault.kind === 'error' && fault.error === RATE_LIMIT && auth.ok) this.counters.fill(auth.key);
      return faultReply(fault, base);
    }
    if (!auth.ok) return fail(auth.error);
    if (badBody) return fail(INVALID_ARGUMENTS);
    const spec = PRIVATE[endpoint];
    if (this.counters.isLockedOut(auth.key)) return fail('EGeneral:Temporary lockout');
    if (!this.keys.hasPermission(auth.key, spec.permission)) return fail('EGeneral:Permission denied');
    const charge = this.counters.charge(auth.key, spec.cost);
    if (!charge.ok) return fail(charge.reason === 'lockout' ? 'EGeneral:Temporary lockout' : RATE_LIMIT);

    const charged = { ...base, cost: spec.cost };
    if (endpoint === 'Balance') {
      return okReply(envelope(this.account.formattedBalances()), charged);
    }
    if (endpoint === 'BalanceEx') {
      return okReply(envelope(extendedBalances(this.account.formattedBalances(), this.holds)), charged);
    }
    if (endpoint === 'GetWebSocketsToken') return okReply(envelope(this.tokens.issue(auth.key)), charged);
    const query = queryLedgers(this.visibleEntries(), params);
    return query.ok ? okReply(envelope(query.result), charged) : errorReply(query.error, charged);
  }

  private handlePublic(
    endpoint: SimEndpoint,
    req: IncomingMessage,
    url: URL,
    rawBody: string,
    fault: SimFault | undefined,
  ): Handled {
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if (req.method === 'POST') {
      try {
        Object.assign(params, parseParams(rawBody, req.headers['content-type']));
      } catch {
        // A broken body on a public call is ignored: the query string is what matters.
      }
    }
    const base = { endpoint, params, time: this.clock(), cost: 0, ...(fault ? { fault: fault.kind } : {}) };
    if (fault && fault.kind !== 'delay') return faultReply(fault, base);
    if (endpoint === 'Time') {
      const now = this.clock() / 1000;
      return okReply(envelope({ unixtime: Math.floor(now), rfc1123: new Date(now * 1000).toUTCString() }), base);
    }
    if (endpoint === 'Assets') {
      const assets = assetsResult(this.knownAssets(), params['asset']);
      return assets.ok ? okReply(envelope(assets.result), base) : errorReply(assets.error, base);
    }
    const pairs = resolvePairs(this.pair, params['pair']);
    if (!pairs.ok) return errorReply(pairs.error, base);
    const entry = endpoint === 'Ticker' ? tickerEntry(this.pair, this.market) : assetPairEntry(this.pair);
    return okReply(envelope({ [this.pair.altname]: entry }), base);
  }
}

function isPrivate(endpoint: SimEndpoint): endpoint is PrivateEndpoint {
  return endpoint in PRIVATE;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

function stripUndefined<T extends object>(obj: T): Defined<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Defined<T>;
}
