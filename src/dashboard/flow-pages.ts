import type { FlowRecord } from '../recon/types.js';
import { flowJson } from '../bot/status-builder.js';
import type { FlowJson } from '../bot/status-types.js';
import type { FlowsPage, FlowsQuery } from './route-schemas.js';

/** The stored flows as JSON, newest first by ledger time (detection order breaks ties, newest detected first). */
export function newestFirst(flows: readonly FlowRecord[]): FlowJson[] {
  const indexed = flows.map((f, i) => ({ f, i }));
  indexed.sort((a, b) => b.f.time - a.f.time || b.i - a.i);
  return indexed.map(({ f }) => flowJson(f));
}

/**
 * One page of `GET /flows`. Pages are cut by ledger time, so flows booked at one instant never straddle two
 * pages (a page boundary inside such a group would make `before` skip the rest of it): the group moves to the
 * next page, or, when it alone exceeds the limit, comes whole.
 */
export function flowsPage(all: readonly FlowJson[], q: FlowsQuery): FlowsPage {
  const match = all.filter((f) => (q.since === undefined || f.time >= q.since) && (q.category === undefined || f.category === q.category));
  const start = q.before === undefined ? 0 : lowerIndex(match, q.before);
  let end = Math.min(match.length, start + q.limit);
  const boundary = match[end - 1];
  if (end < match.length && boundary !== undefined && match[end]?.time === boundary.time) {
    let cut = end - 1;
    while (cut > start && match[cut - 1]?.time === boundary.time) cut--;
    if (cut > start) end = cut;
    else while (end < match.length && match[end]?.time === boundary.time) end++;
  }
  const page = match.slice(start, end);
  const last = page.at(-1);
  return { flows: page, next_before: end < match.length && last !== undefined ? last.time : null, total: match.length };
}

/** First index whose time is below `before` in a list sorted by time, descending. */
function lowerIndex(list: readonly FlowJson[], before: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as FlowJson).time >= before) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
