// A `GET /report` body (CONTRACT "Reports shape", DESIGN 17) for page tests: daily periods, oldest first,
// the last one open; every row sums exactly and starts where the previous one ended.

export interface ReportRow {
  start_ts: number;
  end_ts: number;
  open: boolean;
  complete?: boolean;
  start_price: number | null;
  end_price: number | null;
  start_usd: number | null;
  end_usd: number | null;
  start_doge_eq: number | null;
  end_doge_eq: number | null;
  deposits_usd: number | null;
  withdrawals_usd: number | null;
  income_usd: number | null;
  bot_pnl_usd: number | null;
  unexplained_usd: number | null;
  price_effect_usd: number | null;
  return_ex_flows_pct: number | null;
  bot_return_pct: number | null;
}

export interface ReportSummary {
  periods: number;
  return_ex_flows_pct: number | null;
  deposits_usd: number;
  withdrawals_usd: number;
  income_usd: number;
  bot_pnl_usd: number;
  unexplained_usd: number;
  price_effect_usd: number;
}

export interface ReportBody {
  period_sec: number;
  tz: string;
  periods: ReportRow[];
  summary: { '7d': ReportSummary; '30d': ReportSummary };
}

const DAY = 86_400;
const round2 = (v: number): number => Math.round(v * 100) / 100;

/** `count` daily periods ending with the open one that contains `now` (UTC midnights). */
export function makeReport(now: number, count = 9): ReportBody {
  const today = Math.floor(now / DAY) * DAY;
  const periods: ReportRow[] = [];
  let start = 7_800;
  let price = 0.15;
  for (let i = count - 1; i >= 0; i -= 1) {
    const t0 = today - i * DAY;
    const open = i === 0;
    const endPrice = round2((price + 0.004 * Math.sin(i * 1.7)) * 1000) / 1000;
    const deposits = i % 3 === 0 ? 250 : 0;
    const withdrawals = i % 4 === 1 ? 120 : 0;
    const income = round2(0.4 + 0.05 * i);
    const bot = round2(18 * Math.cos(i));
    const unexplained = i === 2 ? -7.5 : 0;
    const priceEffect = round2(30_000 * (endPrice - price));
    const end = round2(start + priceEffect + deposits - withdrawals + income + bot + unexplained);
    periods.push({
      start_ts: t0, end_ts: open ? now : t0 + DAY, open,
      start_price: price, end_price: endPrice, start_usd: start, end_usd: end,
      start_doge_eq: round2(start / price), end_doge_eq: round2(end / endPrice),
      deposits_usd: deposits, withdrawals_usd: withdrawals, income_usd: income, bot_pnl_usd: bot, unexplained_usd: unexplained,
      price_effect_usd: priceEffect,
      return_ex_flows_pct: (100 * (end - start - deposits + withdrawals)) / start,
      bot_return_pct: (100 * bot) / start,
    });
    start = end;
    price = endPrice;
  }
  const sum = (k: keyof ReportRow, rows: ReportRow[]): number => rows.reduce((s, r) => s + ((r[k] as number | null) ?? 0), 0);
  const summary = (n: number): ReportSummary => {
    const rows = periods.slice(-n);
    return {
      periods: rows.length,
      return_ex_flows_pct: 100 * (rows.reduce((g, r) => g * (1 + (r.return_ex_flows_pct ?? 0) / 100), 1) - 1),
      deposits_usd: sum('deposits_usd', rows), withdrawals_usd: sum('withdrawals_usd', rows), income_usd: sum('income_usd', rows),
      bot_pnl_usd: sum('bot_pnl_usd', rows), unexplained_usd: sum('unexplained_usd', rows), price_effect_usd: sum('price_effect_usd', rows),
    };
  };
  return { period_sec: DAY, tz: 'UTC', periods, summary: { '7d': summary(7), '30d': summary(30) } };
}

/** A row whose balances were missing (an outage spanned it): it says so and invents no figure. */
export function incompleteRow(row: ReportRow): ReportRow {
  return {
    ...row, complete: false, start_usd: null, end_usd: null, start_doge_eq: null, end_doge_eq: null, deposits_usd: null, withdrawals_usd: null,
    income_usd: null, bot_pnl_usd: null, unexplained_usd: null, price_effect_usd: null, return_ex_flows_pct: null, bot_return_pct: null,
  };
}
