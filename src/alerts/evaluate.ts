import type { StatusPayload } from '../bot/status-types.js';
import { detect, observe } from './detect.js';
import { FLOW_FACTS_MAX, QUEUE_MAX, type AlertState } from './state.js';
import type { AlertEventName, AlertItem, PendingAlert } from './types.js';

export interface AlertPolicy {
  /** ALERT_EVENTS: kinds that are sent; others are observed and forgotten. */
  readonly events: readonly AlertEventName[];
  /** ALERT_MIN_INTERVAL_SEC: one message per kind per window; more are merged into the next one. */
  readonly minIntervalSec: number;
}

export interface Evaluation {
  state: AlertState;
  /** Messages added to the delivery queue by this snapshot (already in `state.queue`). */
  queued: PendingAlert[];
}

/**
 * The alerting core: the remembered state and this tick's snapshot in, the next state and the messages to
 * send out. Pure (time is the snapshot's `ts`); the caller stores the state and hands the queue to the sender.
 */
export function evaluate(prev: AlertState, snapshot: StatusPayload, policy: AlertPolicy): Evaluation {
  const now = snapshot.ts;
  const seen = observe(snapshot, prev.seen);
  const events = detect(prev.seen, seen, snapshot).filter((e) => policy.events.includes(e.event));
  const lastQueued = { ...prev.last_queued };
  let held = prev.held.map((h) => ({ ...h }));
  const ready: AlertItem[] = [];
  const inWindow = (kind: AlertEventName): boolean => {
    const last = lastQueued[kind];
    return last !== undefined && now - last < policy.minIntervalSec && now >= last;
  };

  for (const e of events) {
    const i = held.findIndex((h) => h.event === e.event);
    if (i >= 0) held[i] = merge(held[i] as AlertItem, e);
    else if (inWindow(e.event)) held.push(e);
    else ready.push(e); // detect gives at most one event per kind and snapshot
  }
  // Windows that ended release their merged event; a clock step back (now < last) ends the window too.
  const released = held.filter((h) => !inWindow(h.event));
  held = held.filter((h) => inWindow(h.event));
  const toQueue = [...released, ...ready].sort((a, b) => a.ts - b.ts);

  let nextId = prev.next_id;
  const queued: PendingAlert[] = toQueue.map((item) => {
    lastQueued[item.event] = now;
    return { ...item, id: `${Math.floor(now)}-${nextId++}`, created_ts: now, attempts: 0, sending: false };
  });
  let queue = [...prev.queue, ...queued];
  let failed = prev.failed;
  let lastError = prev.last_error;
  if (queue.length > QUEUE_MAX) {
    // A webhook down for long: keep the newest, count the dropped as failed.
    const drop = queue.length - QUEUE_MAX;
    queue = queue.slice(drop);
    failed += drop;
    lastError = `queue full: ${drop} oldest alert${drop === 1 ? '' : 's'} dropped`;
  }
  return {
    state: { ...prev, seen, last_queued: lastQueued, held, queue, next_id: nextId, failed, last_error: lastError },
    queued: queued.filter((q) => queue.includes(q)),
  };
}

/** Two events of one kind as one message: counted, latest figures, every flow named once. */
export function merge(a: AlertItem, b: AlertItem): AlertItem {
  const facts = { ...b.facts };
  if (a.facts.flows !== undefined || b.facts.flows !== undefined) {
    const byId = new Map<string, NonNullable<typeof facts.flows>[number]>();
    for (const f of [...(a.facts.flows ?? []), ...(b.facts.flows ?? [])]) byId.set(f.ledger_id, f);
    const all = [...byId.values()];
    facts.flows = all.slice(0, FLOW_FACTS_MAX);
    facts.unlisted = (a.facts.unlisted ?? 0) + (b.facts.unlisted ?? 0) + Math.max(0, all.length - FLOW_FACTS_MAX);
  }
  return { event: b.event, ts: Math.max(a.ts, b.ts), first_ts: Math.min(a.first_ts, b.first_ts), count: a.count + b.count, facts };
}
