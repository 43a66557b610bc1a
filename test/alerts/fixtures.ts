import type { FlowJson, StatusPayload } from '../../src/bot/status-types.js';
import type { AlertPolicy } from '../../src/alerts/evaluate.js';
import { ALERT_EVENT_NAMES } from '../../src/alerts/types.js';
import { makeStatus, type DeepPartial } from '../helpers/status-fixture.js';

export const T0 = 1_700_000_000;
export const ALL_EVENTS: AlertPolicy = { events: ALERT_EVENT_NAMES, minIntervalSec: 300 };

export function flow(id: string, net: number, extra: Partial<FlowJson> = {}): FlowJson {
  return { ledger_id: id, refid: `R${id}`, time: T0, type: net >= 0 ? 'deposit' : 'withdrawal', subtype: '', asset: 'DOGE', amount: net, fee: 0, net, price: 0.1, doge_eq: net, applied: true, category: 'external', wallet: 'spot', ...extra };
}

/**
 * One tick's snapshot at `ts`: healthy (ok drift, fresh data, Supabase writing) unless overridden.
 * `flows` is the recent-flows list, newest first, and sets flow_count to the number of external ones.
 */
export function snap(ts: number, o: { adjusted?: 'ok' | 'warn' | 'unknown'; flows?: FlowJson[]; flowCount?: number; over?: DeepPartial<StatusPayload> } = {}): StatusPayload {
  const flows = o.flows ?? [];
  const external = flows.filter((f) => (f as { category?: string }).category !== 'income').length;
  const warn = o.adjusted === 'warn';
  const defaults: DeepPartial<StatusPayload> = {
      ts,
      price: { ts },
      balances: { ts },
      loop: { interval_sec: 30, started_ts: T0 - 3600 },
      budget: { lockouts: 0, fatal_error: null, paused_until: null },
      balance_recon: {
        adjusted_status: o.adjusted ?? 'ok',
        adjusted_drift_doge: warn ? -152.3456 : 4.2,
        adjusted_drift_pct: warn ? -1.5234 : 0.042,
        threshold_pct: 1,
      },
      persistence: { supabase: { configured: true, ok: true, pending: false, last_error: null, write_failures: 0 } },
  };
  const s = makeStatus(deepMerge(defaults, o.over ?? {}) as DeepPartial<StatusPayload>, { now: ts, flows: [] });
  s.external_flows.recent_flows = flows;
  s.external_flows.flow_count = o.flowCount ?? external;
  return s;
}

function deepMerge(a: unknown, b: unknown): unknown {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(a) || !isObj(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = deepMerge(a[k], v);
  return out;
}
