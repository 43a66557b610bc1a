import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import { revalidate } from './revalidation.js';

export interface JsonBytes {
  raw: Buffer;
  gzip: () => Buffer;
}

/**
 * Sends a JSON body under a strong tag for its variant (gzip and identity bytes differ, so their tags do too),
 * answering 304 when the client holds it. `body` is only called when bytes must be sent.
 */
export function sendTaggedJson(req: Request, res: Response, tag: (variant: string) => string, body: () => JsonBytes): void {
  res.setHeader('Vary', 'Accept-Encoding');
  const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
  if (revalidate(req, res, tag(gzip ? 'gzip' : ''))) return;
  const b = body();
  res.type('application/json');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.send(gzip ? b.gzip() : b.raw);
}

/** JSON bytes with their gzip form computed on first use and kept. */
export function jsonBytes(value: unknown): JsonBytes {
  const raw = Buffer.from(JSON.stringify(value), 'utf8');
  let z: Buffer | undefined;
  return { raw, gzip: () => (z ??= gzipSync(raw, { level: 6 })) };
}
