// The /status fields of DESIGN 15 (real Kraken accounts) for page tests: wallets and the pool, income,
// unclassified rows, the ledger's trading P&L, the roll-forward, and each flow's category and wallet.
// `withoutReconFields` gives the payload of an older sidecar that has none of them.
import type { FlowJson, StatusPayload } from '../../src/bot/status-types.js';

export interface ReconFields {
  balances: Pick<StatusPayload['balances'], 'wallets' | 'pool'>;
  balance_recon: Pick<
    StatusPayload['balance_recon'],
    'income_doge_eq' | 'income_count' | 'unclassified' | 'internal_moves' | 'ledger_trading_doge_eq' | 'roll_forward'
  >;
}

export const INCOME_DOGE_EQ = 120.5;

/** Two reward rows, as recent_flows lists them beside the external flows. */
export function incomeFlows(now: number, price: number): FlowJson[] {
  return [
    {
      ledger_id: 'LRWD1-AAAAA-RRRRRR', refid: 'RRWD1-AAAAA-RRRRRR', time: now - 5 * 3600, type: 'earn', subtype: 'reward', asset: 'USD',
      amount: 0.85, fee: 0, net: 0.85, price, doge_eq: Math.round((0.85 / price) * 100) / 100, applied: true, category: 'income', wallet: 'F',
    },
    {
      ledger_id: 'LRWD2-BBBBB-RRRRRR', refid: 'RRWD2-BBBBB-RRRRRR', time: now - 30 * 3600, type: 'staking', subtype: '', asset: 'DOGE',
      amount: 12.5, fee: 0, net: 12.5, price, doge_eq: 12.5, applied: true, category: 'income', wallet: 'F',
    },
  ];
}

/** The new fields for a base payload, consistent with it: the roll-forward sums to current_doge_eq. */
export function reconFields(s: StatusPayload): ReconFields & { recent_flows: FlowJson[] } {
  const br = s.balance_recon;
  const ef = s.external_flows;
  const current = br.current_doge_eq ?? 0;
  const flows = ef.cumulative_doge_eq;
  const bot = br.bot_pnl_doge_eq;
  const unexplained = br.adjusted_drift_doge ?? 0;
  const baseline = current - flows - INCOME_DOGE_EQ - bot - unexplained;
  const external: FlowJson[] = ef.recent_flows.map((f) => ({ ...f, category: 'external', wallet: 'spot' }));
  const recent = [...external, ...incomeFlows(s.ts, s.price.last ?? 0.16)].sort((a, b) => b.time - a.time);
  return {
    balances: {
      wallets: { spot: { doge: 20_120.5, usd: 220.37 }, F: { doge: 15_000, usd: 1_200 }, S: { doge: 500, usd: 0 }, HOLD: { doge: 0, usd: 12.5 } },
      pool: ['spot', 'F'],
    },
    balance_recon: {
      income_doge_eq: INCOME_DOGE_EQ,
      income_count: 9,
      unclassified: { rows: 3, doge_eq: -12.4, types: { nfttransfer: 2, 'margin call': 1 } },
      internal_moves: 34,
      ledger_trading_doge_eq: 248.7,
      roll_forward: { baseline, pool_changes: 0, flows, income: INCOME_DOGE_EQ, bot_pnl: bot, unexplained, current },
    },
    recent_flows: recent,
  };
}

/** Merges the new fields into a payload (arrays replace). */
export function withReconFields(s: StatusPayload, over: (f: ReturnType<typeof reconFields>) => void = () => undefined): StatusPayload {
  const f = reconFields(s);
  over(f);
  const out = structuredClone(s) as unknown as Record<string, Record<string, unknown>>;
  Object.assign(out['balances']!, f.balances);
  Object.assign(out['balance_recon']!, f.balance_recon);
  out['external_flows']!['recent_flows'] = f.recent_flows;
  out['balance_recon']!['last_flow'] = f.recent_flows[0] ?? null;
  return out as unknown as StatusPayload;
}

/** The payload of a sidecar from before DESIGN 15: none of the new fields. */
export function withoutReconFields(s: StatusPayload): StatusPayload {
  const out = structuredClone(s) as unknown as Record<string, Record<string, unknown>>;
  for (const k of ['wallets', 'pool']) delete out['balances']![k];
  for (const k of ['income_doge_eq', 'income_count', 'unclassified', 'internal_moves', 'ledger_trading_doge_eq', 'roll_forward']) delete out['balance_recon']![k];
  const strip = (f: unknown) => {
    const { category: _c, wallet: _w, ...rest } = f as Record<string, unknown>;
    return rest;
  };
  const ef = out['external_flows']!;
  ef['recent_flows'] = (ef['recent_flows'] as unknown[]).map(strip).filter((f) => (f as { ledger_id: string }).ledger_id.startsWith('LRWD') === false);
  if (out['balance_recon']!['last_flow']) out['balance_recon']!['last_flow'] = strip(out['balance_recon']!['last_flow']);
  return out as unknown as StatusPayload;
}
