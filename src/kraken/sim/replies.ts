import type { ServerResponse } from 'node:http';
import { defaultHttpErrorBody, MALFORMED_JSON_BODY } from './faults.js';
import { errorEnvelope, sendJson, sendText } from './http-io.js';
import type { RequestLogEntry, SimFault } from './types.js';

/** What to send back, decided before sending (a `delay` fault sends the same reply later). */
export type Reply =
  | { kind: 'json'; status: number; payload: unknown }
  | { kind: 'text'; status: number; body: string; contentType: string }
  | { kind: 'reset' };

export interface Handled {
  reply: Reply;
  entry: RequestLogEntry;
}

export type LogBase = Omit<RequestLogEntry, 'outcome'>;

export function okReply(payload: unknown, base: LogBase): Handled {
  return { reply: { kind: 'json', status: 200, payload }, entry: { ...base, outcome: 'ok' } };
}

/** Kraken errors travel with HTTP 200 and no result. */
export function errorReply(error: string, base: LogBase): Handled {
  return {
    reply: { kind: 'json', status: 200, payload: errorEnvelope(error) },
    entry: { ...base, outcome: 'error', error },
  };
}

export function faultReply(fault: Exclude<SimFault, { kind: 'delay' }>, base: LogBase): Handled {
  const entry: RequestLogEntry = { ...base, outcome: 'fault', fault: fault.kind };
  switch (fault.kind) {
    case 'error':
      return { ...errorReply(fault.error, base), entry: { ...entry, error: fault.error } };
    case 'http': {
      const body = fault.body ?? defaultHttpErrorBody(fault.status);
      const contentType = fault.contentType ?? 'text/html';
      return { reply: { kind: 'text', status: fault.status, body, contentType }, entry };
    }
    case 'malformed-json': {
      const contentType = 'application/json; charset=utf-8';
      return { reply: { kind: 'text', status: 200, body: MALFORMED_JSON_BODY, contentType }, entry };
    }
    case 'reset':
      return { reply: { kind: 'reset' }, entry };
  }
}

export function deliver(res: ServerResponse, reply: Reply): void {
  switch (reply.kind) {
    case 'json':
      return sendJson(res, reply.status, reply.payload);
    case 'text':
      return sendText(res, reply.status, reply.body, reply.contentType);
    case 'reset':
      res.socket?.destroy();
      return;
  }
}
