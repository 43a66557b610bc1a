import { z } from 'zod';
import type { ReportView } from '../reports/types.js';

/** `GET /report` (ReportView of src/reports, DESIGN.md section 17); the check below keeps the two equal. */
const n = z.number().nullable();

export const reportRowSchema = z.object({
  start_ts: z.number(),
  end_ts: z.number(),
  open: z.boolean(),
  complete: z.boolean().meta({ description: 'Both boundary samples are known: the figures are real. False: they are null.' }),
  start_price: n,
  end_price: n,
  start_usd: n,
  end_usd: n,
  start_doge_eq: n,
  end_doge_eq: n,
  deposits_usd: n,
  withdrawals_usd: n,
  income_usd: n,
  bot_pnl_usd: n,
  unexplained_usd: n,
  price_effect_usd: n,
  return_ex_flows_pct: n,
  bot_return_pct: n,
});

const windowSchema = z.object({
  periods: z.number(),
  return_ex_flows_pct: n,
  deposits_usd: z.number(),
  withdrawals_usd: z.number(),
  income_usd: z.number(),
  bot_pnl_usd: z.number(),
  unexplained_usd: z.number(),
  price_effect_usd: z.number(),
});

export const reportViewSchema = z.object({
  period_sec: z.number(),
  tz: z.string(),
  periods: z.array(reportRowSchema).readonly().meta({ description: 'Oldest first; the last one is the open period.' }),
  summary: z.object({ '7d': windowSchema, '30d': windowSchema }),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same: Same<z.infer<typeof reportViewSchema>, ReportView> = true;
void same;
