import type { FlowRecord } from '../recon/types.js';
import { SPARK_VALUE_DECIMALS } from './sparkline.js';
import type { FlowMarker } from './types.js';

/**
 * Chart markers for external flows at or after `fromTs`, oldest first. Income rows (rewards, staking) stay in the
 * flow history but get no marker: Auto Earn pays them often and in small amounts, so they would bury the deposits
 * and withdrawals the markers are for. The marker's `type` follows the sign of the
 * balance effect, not the ledger type: a reversed (failed) withdrawal adds to the account, so it is drawn
 * as a deposit; a zero net counts as a deposit, as in the flow totals. Records whose net is not a finite number are skipped.
 * `doge_eq` is rounded like the chart values (SPARK_VALUE_DECIMALS): a quotient such as 343.8673961982375
 * would cost ~10 bytes per marker in /status for digits nobody draws.
 */
export function flowMarkers(flows: readonly FlowRecord[], fromTs: number): FlowMarker[] {
  const out: FlowMarker[] = [];
  for (const f of flows) {
    if (!(f.time >= fromTs) || f.category === 'income') continue;
    const amount = Number(f.net); // decimal string → number only here, at the JSON edge
    if (!Number.isFinite(amount)) continue;
    out.push({
      ts: f.time,
      type: amount >= 0 ? 'deposit' : 'withdrawal', // as the totals: a zero net is no outflow
      ledger_type: f.type,
      asset: f.asset,
      amount,
      doge_eq: roundValue(f.doge_eq),
      ledger_id: f.ledger_id,
      category: f.category,
      wallet: f.wallet,
    });
  }
  // Stable sort: records arrive in detection order, which is not always ledger-time order.
  return out.sort((a, b) => a.ts - b.ts);
}

function roundValue(v: number): number {
  const r = Number(v.toFixed(SPARK_VALUE_DECIMALS));
  return r === 0 ? 0 : r; // no "-0"
}
