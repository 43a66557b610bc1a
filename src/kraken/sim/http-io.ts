import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Form-encoded or JSON body → flat string params (Kraken accepts both for private calls). */
export function parseParams(rawBody: string, contentType: string | undefined): Record<string, string> {
  if (rawBody === '') return {};
  if (contentType?.includes('application/json')) {
    const parsed: unknown = JSON.parse(rawBody);
    const out: Record<string, string> = {};
    if (parsed !== null && typeof parsed === 'object') {
      for (const [k, v] of Object.entries(parsed)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    return out;
  }
  return Object.fromEntries(new URLSearchParams(rawBody));
}

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  sendText(res, status, JSON.stringify(payload), 'application/json; charset=utf-8');
}

export function sendText(res: ServerResponse, status: number, body: string, contentType: string): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Kraken's envelope: errors and result never together. */
export function envelope(result: unknown): { error: string[]; result: unknown } {
  return { error: [], result };
}

export function errorEnvelope(error: string): { error: string[] } {
  return { error: [error] };
}
