import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { cacheByIdentity } from './identity-cache.js';

/**
 * Strong entity tags per tick, without hashing bodies: the loop publishes one new payload object per tick,
 * so a counter bumped on each new object (the identity cache) names the tick. A random prefix per app makes
 * tags from an earlier process never match this one's. Each variant gets its own suffix (`-gzip`, range and
 * theme), because a strong tag promises identical bytes (RFC 9110 §8.8.1): gzip and identity must differ.
 */
export function tickTagger<K extends object>(): (key: K, variant: string) => string {
  const boot = randomBytes(4).toString('hex');
  let seq = 0;
  const tickId = cacheByIdentity((_k: K) => `${boot}-${++seq}`);
  return (key, variant) => `"${tickId(key)}${variant === '' ? '' : `-${variant}`}"`;
}

/**
 * If-None-Match against our current tag, with the weak comparison RFC 9110 §13.1.2 requires: `W/"x"` matches
 * `"x"`. Lists (several lines are joined with commas) and `*` are understood; unparseable parts never match.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  for (const m of header.matchAll(/(?:W\/)?("[^"]*")/g)) if (m[1] === opaque) return true;
  return false;
}

/**
 * Sets the validator headers and answers 304 when the client already holds this representation; returns true
 * when it did (the caller sends nothing more).
 */
export function revalidate(req: Request, res: Response, etag: string): boolean {
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'no-cache');
  if (!ifNoneMatchHits(req.get('if-none-match'), etag)) return false;
  res.status(304).end();
  return true;
}
