import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { isCrossSiteNavigation, sendBounce } from './cross-site-bounce.js';
import { hasValidSession } from './session.js';

/** How a request proved it knows the token; `/?token=` trades a query token for a session cookie. */
export type AuthVia = 'header' | 'query' | 'cookie' | 'none';

/**
 * Constant-time token check. Both sides are hashed to equal-length digests first, so neither the content nor
 * the length of the real token leaks through timing.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * The token a request presents: the `Authorization: Bearer` header, else `?token=` in the query string.
 * A header, when present, wins (a wrong header is not rescued by a right query).
 */
export function presentedToken(req: Request): { token: string; via: 'header' | 'query' } | null {
  const header = req.get('authorization');
  if (header !== undefined) {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    return m?.[1] !== undefined ? { token: m[1], via: 'header' } : { token: '', via: 'header' };
  }
  const q: unknown = (req.query as Record<string, unknown>)['token'];
  return typeof q === 'string' && q !== '' ? { token: q, via: 'query' } : null;
}

/**
 * Everything behind this middleware needs the token when one is configured: the Bearer header, `?token=`, or
 * the session cookie that `/?token=` hands out. The most explicit credential decides: a wrong header or query
 * token is refused even when a valid cookie comes with it.
 */
export function requireToken(expected: string | undefined, nowMs: () => number = Date.now): RequestHandler {
  return (req, res, next) => {
    if (expected === undefined || expected === '') {
      res.locals['authVia'] = 'none' satisfies AuthVia;
      next();
      return;
    }
    const presented = presentedToken(req);
    const via: AuthVia | null =
      presented !== null
        ? tokenMatches(presented.token, expected)
          ? presented.via
          : null
        : hasValidSession(req, expected, Math.floor(nowMs() / 1000))
          ? 'cookie'
          : null;
    if (via !== null) {
      res.locals['authVia'] = via;
      next();
      return;
    }
    if (presented === null && isCrossSiteNavigation(req)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="sidecar"');
      sendBounce(res);
      return;
    }
    res.setHeader('WWW-Authenticate', presented === null ? 'Bearer realm="sidecar"' : 'Bearer realm="sidecar", error="invalid_token"');
    res.setHeader('Cache-Control', 'no-store');
    res.status(401).json({ error: 'unauthorized' });
  };
}
