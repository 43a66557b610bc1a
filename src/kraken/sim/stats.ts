import type { EndpointStats, RequestLogEntry, SimEndpoint, SimStats } from './types.js';

const ENDPOINTS: readonly SimEndpoint[] = ['Balance', 'BalanceEx', 'Ledgers', 'GetWebSocketsToken', 'Ticker', 'AssetPairs', 'Assets', 'Time'];

/** Counts and a bounded request log, for assertions in tests and benchmarks. */
export class StatsRecorder {
  private readonly endpoints = Object.fromEntries(
    ENDPOINTS.map((e) => [e, { calls: 0, accepted: 0, rejected: 0 }]),
  ) as Record<SimEndpoint, EndpointStats>;
  private readonly log: RequestLogEntry[] = [];
  private rateLimitRejections = 0;
  private lockoutRejections = 0;
  private faultsServed = 0;
  private costCharged = 0;

  constructor(private readonly logMax: number) {}

  record(entry: RequestLogEntry): void {
    const e = this.endpoints[entry.endpoint];
    e.calls += 1;
    if (entry.outcome === 'ok') e.accepted += 1;
    else e.rejected += 1;
    if (entry.fault !== undefined) this.faultsServed += 1;
    if (entry.outcome === 'error' && entry.error === 'EAPI:Rate limit exceeded') this.rateLimitRejections += 1;
    if (entry.outcome === 'error' && entry.error === 'EGeneral:Temporary lockout') this.lockoutRejections += 1;
    this.costCharged += entry.cost;
    this.log.push(entry);
    if (this.log.length > this.logMax) this.log.splice(0, this.log.length - this.logMax);
  }

  snapshot(counters: Record<string, number>): SimStats {
    const endpoints = Object.fromEntries(ENDPOINTS.map((e) => [e, { ...this.endpoints[e] }])) as Record<
      SimEndpoint,
      EndpointStats
    >;
    const sum = (field: keyof EndpointStats): number => ENDPOINTS.reduce((s, e) => s + endpoints[e][field], 0);
    return {
      endpoints,
      calls: sum('calls'),
      accepted: sum('accepted'),
      rejected: sum('rejected'),
      rateLimitRejections: this.rateLimitRejections,
      lockoutRejections: this.lockoutRejections,
      faultsServed: this.faultsServed,
      costCharged: this.costCharged,
      counters,
      requests: this.log.map((r) => ({ ...r, params: { ...r.params } })),
    };
  }
}
