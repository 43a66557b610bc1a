import { STALE_INTERVALS, type AlertItem, type AlertMessage, type FlowFact, type Severity } from './types.js';

export interface MessageContext {
  readonly pair: string;
  readonly mode: 'live' | 'demo';
}

/** Flows named in one line of text; the json body's `details.flows` lists up to 50. */
const FLOWS_IN_TEXT = 10;

/**
 * The message for an event (or several coalesced): a title, one line a person reads on a phone with the
 * figures, and the figures again as `details`. Pure.
 */
export function renderMessage(item: AlertItem & { id?: string }, ctx: MessageContext): AlertMessage {
  const { severity, title, line } = describe(item);
  const times = item.count > 1 ? ` (${item.count}× since ${clock(item.first_ts)})` : '';
  const prefix = ctx.mode === 'demo' ? `${ctx.pair} demo` : ctx.pair;
  return {
    event: item.event,
    severity,
    title,
    text: `${prefix}: ${line}${times}`,
    ts: item.ts,
    pair: ctx.pair,
    mode: ctx.mode,
    details: { ...(item.id === undefined ? {} : { id: item.id }), count: item.count, first_ts: item.first_ts, ...item.facts },
  };
}

function describe(item: AlertItem): { severity: Severity; title: string; line: string } {
  const f = item.facts;
  const base = f.base ?? 'base';
  switch (item.event) {
    case 'drift_warn':
      return {
        severity: 'warning',
        title: 'Unexplained drift over threshold',
        line: `Unexplained ${signed(f.adjusted_drift_doge, 2)} ${base}-eq (${signed(f.adjusted_drift_pct, 2)}%), over the ±${fmt(f.threshold_pct, 2)}% threshold`,
      };
    case 'drift_ok':
      return {
        severity: 'info',
        title: 'Unexplained drift back within threshold',
        line: `Unexplained back to ${signed(f.adjusted_drift_doge, 2)} ${base}-eq (${signed(f.adjusted_drift_pct, 2)}%), within ±${fmt(f.threshold_pct, 2)}%`,
      };
    case 'flow':
    case 'income': {
      const flows = f.flows ?? [];
      const n = flows.length + (f.unlisted ?? 0);
      const kind = item.event === 'flow' ? 'external flow' : 'income row';
      const listed = flows.slice(0, FLOWS_IN_TEXT).map(flowText);
      const more = n - listed.length;
      const net = flows.reduce((s, x) => s + x.doge_eq, 0);
      return {
        severity: 'info',
        title: item.event === 'flow' ? 'External flow detected' : 'Income received',
        line: `${n} ${kind}${n === 1 ? '' : 's'}: ${listed.join(', ')}${more > 0 ? `, +${more} more` : ''}; net ${signed(net, 2)} ${base}-eq`,
      };
    }
    case 'kraken_key':
      return {
        severity: 'critical',
        title: 'Kraken rejected the API key',
        line: `Kraken rejected the key or a permission (${f.error ?? 'unknown error'}); private calls stopped until it is fixed`,
      };
    case 'lockout':
      return {
        severity: 'warning',
        title: 'Kraken temporary lockout',
        line: `Kraken locked the key out; private calls paused${f.paused_until === null || f.paused_until === undefined ? '' : ` until ${clock(f.paused_until)}`} (lockout ${f.lockouts ?? 1} since start)`,
      };
    case 'stale':
      return {
        severity: 'warning',
        title: 'No fresh data',
        line: `no fresh balances or price for ${Math.round(STALE_INTERVALS * (f.interval_sec ?? 0))} s or more (price ${age(f.price_age_sec)}, balances ${age(f.balances_age_sec)}; ticks every ${fmt(f.interval_sec, 0)} s)`,
      };
    case 'store_down':
      return {
        severity: 'warning',
        title: 'Supabase writes failing',
        line: `Supabase writes failing (${f.error ?? 'unknown error'}; ${f.failures ?? 0} failed so far); local copies are kept and retried`,
      };
    case 'store_up':
      return { severity: 'info', title: 'Supabase writes recovered', line: 'Supabase writes recovered; pending values delivered' };
  }
}

function flowText(x: FlowFact): string {
  return `${x.type || 'flow'} ${signed(x.net, 8)} ${x.asset} (${x.ledger_id})`;
}

function age(sec: number | null | undefined): string {
  return sec === null || sec === undefined ? 'never' : `${Math.round(sec)} s ago`;
}

/** `HH:MM UTC`: short enough for a phone, unambiguous. */
function clock(ts: number): string {
  return `${new Date(ts * 1000).toISOString().slice(11, 16)} UTC`;
}

function fmt(v: number | null | undefined, decimals: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  return v.toLocaleString('en-US', { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
}

function signed(v: number | null | undefined, decimals: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const s = fmt(Math.abs(v), decimals);
  return v > 0 ? `+${s}` : v < 0 ? `−${s}` : s;
}
