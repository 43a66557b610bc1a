import { isLosslessNumber, isSafeNumber, parse } from 'lossless-json';

/**
 * One frame of the WebSocket v2 auth endpoint, reduced to what the feed acts on. Numbers are parsed losslessly
 * (a balance or connection id beyond double precision stays exact, and nothing here turns one into a float).
 */
export type FeedMessage =
  | { kind: 'status'; system: string | null }
  | { kind: 'heartbeat' }
  | { kind: 'pong'; reqId: number | null }
  | { kind: 'ack'; method: string; success: true; channel: string | null; reqId: number | null }
  | { kind: 'refusal'; method: string; error: string; reqId: number | null }
  | { kind: 'balances'; type: 'snapshot' | 'update'; sequence: number | null; entries: number }
  /** JSON of a shape we do not know (`what` names it for a once-per-kind log line, never the content). */
  | { kind: 'unknown'; what: string }
  /** Not JSON, or not a JSON object. */
  | { kind: 'garbage'; what: string };

type Obj = Record<string, unknown>;

export function parseFeedMessage(text: string): FeedMessage {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return { kind: 'garbage', what: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'garbage', what: 'not a JSON object' };
  const o = value as Obj;
  if (typeof o.method === 'string') return methodReply(o, o.method);
  if (typeof o.channel === 'string') return channelMessage(o, o.channel);
  return { kind: 'unknown', what: 'object without method or channel' };
}

function methodReply(o: Obj, method: string): FeedMessage {
  const reqId = safeInt(o.req_id);
  if (method === 'pong') return { kind: 'pong', reqId };
  if (o.success === false) {
    const error = typeof o.error === 'string' && o.error.trim() !== '' ? o.error.trim() : 'unnamed error';
    return { kind: 'refusal', method, error, reqId };
  }
  if (o.success === true) {
    const result = isObj(o.result) ? o.result : {};
    return { kind: 'ack', method, success: true, channel: typeof result.channel === 'string' ? result.channel : null, reqId };
  }
  return { kind: 'unknown', what: `${limit(method)} reply without success` };
}

function channelMessage(o: Obj, channel: string): FeedMessage {
  if (channel === 'heartbeat') return { kind: 'heartbeat' };
  if (channel === 'status') {
    const first = Array.isArray(o.data) ? (o.data[0] as unknown) : undefined;
    const system = isObj(first) && typeof first.system === 'string' ? first.system : null;
    return { kind: 'status', system };
  }
  if (channel === 'balances') {
    if ((o.type !== 'snapshot' && o.type !== 'update') || !Array.isArray(o.data)) {
      return { kind: 'unknown', what: `balances ${typeof o.type === 'string' ? limit(o.type) : 'without type'}` };
    }
    return { kind: 'balances', type: o.type, sequence: safeInt(o.sequence), entries: o.data.length };
  }
  return { kind: 'unknown', what: `channel ${limit(channel)}` };
}

/** A non-negative integer that a double holds exactly; anything else (absent, huge, fractional) is null. */
function safeInt(v: unknown): number | null {
  const text = isLosslessNumber(v) ? v.value : typeof v === 'number' ? String(v) : null;
  if (text === null || !/^\d+$/.test(text) || !isSafeNumber(text)) return null;
  return Number(text);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Names from the wire go into log lines: keep them short and printable. */
function limit(s: string): string {
  return s.replace(/[^\w.:-]/g, '?').slice(0, 40);
}
