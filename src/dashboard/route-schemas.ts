import { z } from 'zod';
import { flowJsonSchema } from '../bot/status-types.js';

/**
 * The query parameters and bodies of the routes other than /status, as zod schemas: the routes validate with
 * them and `GET /openapi.json` publishes them, so the contract and the checks cannot drift apart.
 */

export const FLOWS_LIMIT_MAX = 500;
export const FLOWS_LIMIT_DEFAULT = 100;

export const flowsQuerySchema = z.strictObject({
  before: z.number().meta({ description: 'Ledger time (unix seconds, exclusive): only flows booked before it. Omitted: from the newest.' }).optional(),
  limit: z.int().min(1).max(FLOWS_LIMIT_MAX).default(FLOWS_LIMIT_DEFAULT).meta({ description: `Page size, 1..${FLOWS_LIMIT_MAX}.` }),
  since: z.number().meta({ description: 'Ledger time (unix seconds, inclusive): only flows booked at or after it.' }).optional(),
  category: z.enum(['external', 'income']).meta({ description: "Only the owner's deposits/withdrawals (`external`) or only rewards (`income`)." }).optional(),
});
export type FlowsQuery = z.infer<typeof flowsQuerySchema>;

export const flowsPageSchema = z.object({
  flows: z.array(flowJsonSchema).meta({ description: 'Newest first (by ledger time).' }),
  next_before: z.number().nullable().meta({ description: 'Pass as `before` for the next page; null when this page is the last.' }),
  total: z.number().meta({ description: 'Flows matching `since` and `category` (all pages).' }),
});
export type FlowsPage = z.infer<typeof flowsPageSchema>;

/** Not strict: links to the chart may carry a cache-buster, which it has always ignored. */
export const chartQuerySchema = z.object({
  range: z.enum(['24h', '7d']).default('24h'),
  theme: z.enum(['light', 'dark']).default('light'),
});

export const errorSchema = z.object({ error: z.string() });

/** Probes: `ok` decides the status code; the other fields describe the loop and may grow. */
export const probeSchema = z.looseObject({ ok: z.boolean() });

/**
 * Query values arrive as strings: numeric ones become numbers here (a malformed one stays a string, so the
 * schema names it), `token` (the credential, checked before any route) is not a parameter of the route.
 */
export function parseQuery<T extends z.ZodType>(schema: T, query: unknown, numeric: readonly string[]): { ok: true; value: z.infer<T> } | { ok: false; error: string } {
  const raw: Record<string, unknown> = { ...(query as Record<string, unknown>) };
  delete raw['token'];
  for (const k of numeric) {
    const v = raw[k];
    if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) raw[k] = Number(v);
  }
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const issues = r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'query'}: ${i.message}`);
  return { ok: false, error: `bad query: ${issues.join('; ')}` };
}
