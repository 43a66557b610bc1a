// Report samples built from one base account and overrides: each test tells one story.
import { Big } from '../../src/recon/decimal.js';
import type { ReportConfig, ReportSample, SideTotals } from '../../src/reports/index.js';

export const DAY = 86_400;
/** 2026-12-01T00:00:00Z */
export const T0 = Date.UTC(2026, 11, 1) / 1000;
export const UTC_DAYS: ReportConfig = { periodSec: DAY, tz: 'UTC', retentionDays: 90 };

const Z: SideTotals = { base: '0', quote: '0' };

/** 10 000 DOGE + 1 000 USD at 0.10: 2 000 USD. */
export function sample(over: Partial<ReportSample> = {}): ReportSample {
  return {
    ts: T0,
    price: 0.1,
    base: '10000',
    quote: '1000',
    epoch: T0 - DAY,
    flows_in: Z,
    flows_out: Z,
    pool_changes: Z,
    income: Z,
    trading: Z,
    bot_pnl_usd: null,
    ...over,
  };
}

export function sides(base: string | number, quote: string | number): SideTotals {
  return { base: new Big(base).toString(), quote: new Big(quote).toString() };
}

/** end − (start + price effect + deposits − withdrawals + income + bot + unexplained), in big.js. */
export function identityGap(r: {
  start_usd: number | null;
  end_usd: number | null;
  price_effect_usd: number | null;
  deposits_usd: number | null;
  withdrawals_usd: number | null;
  income_usd: number | null;
  bot_pnl_usd: number | null;
  unexplained_usd: number | null;
}): number {
  const n = (v: number | null): InstanceType<typeof Big> => new Big(v ?? NaN);
  return Math.abs(
    n(r.end_usd)
      .minus(n(r.start_usd).plus(n(r.price_effect_usd)).plus(n(r.deposits_usd)).minus(n(r.withdrawals_usd)).plus(n(r.income_usd)).plus(n(r.bot_pnl_usd)).plus(n(r.unexplained_usd)))
      .toNumber(),
  );
}
