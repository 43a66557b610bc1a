/** What the probes (`/healthz`, `/livez`, `/readyz`) read of the loop. */
export interface ProbeInput {
  readonly now: number;
  readonly lastTickTs: number | null;
  readonly startedTs: number;
  readonly ticks: number;
  readonly intervalSec: number;
  readonly hasData: boolean;
}

/** Healthy while ticks are fresh: the last one ended less than three intervals ago. */
export function health(p: ProbeInput): { ok: boolean; last_tick_ts: number | null; last_tick_age_sec: number | null; ticks: number } {
  const age = p.lastTickTs === null ? null : p.now - p.lastTickTs;
  return { ok: age !== null && age < 3 * p.intervalSec, last_tick_ts: p.lastTickTs, last_tick_age_sec: age, ticks: p.ticks };
}

/** Alive: the loop is not wedged (a tick ended within ten intervals, plus a minute for slow requests). */
export function liveness(p: ProbeInput): { ok: boolean; last_tick_age_sec: number | null } {
  const since = p.now - (p.lastTickTs ?? p.startedTs);
  return { ok: since < 10 * p.intervalSec + 60, last_tick_age_sec: p.lastTickTs === null ? null : p.now - p.lastTickTs };
}

/** Ready: ticks are fresh and the figures rest on a price, balances and a baseline. */
export function readiness(p: ProbeInput): { ok: boolean; fresh: boolean; has_data: boolean } {
  const fresh = health(p).ok;
  return { ok: fresh && p.hasData, fresh, has_data: p.hasData };
}
