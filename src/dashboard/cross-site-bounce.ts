import type { Request, Response } from 'express';

/**
 * A SameSite=Strict cookie is not sent on a navigation that another site started: a `/?token=` link clicked
 * in a chat or a wiki logs in (303 + cookie), but the redirected `/` arrives without the cookie, and so does
 * a reload. For such navigations the 401 carries a page that reloads itself once: that second navigation is
 * started by our own page, so the browser sends the cookie. Without a cookie it is a plain 401 (no loop).
 */
export function isCrossSiteNavigation(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && req.get('sec-fetch-site') === 'cross-site' && req.get('sec-fetch-mode') === 'navigate';
}

const BOUNCE = '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0"><title>Balance sidecar</title><p>Signing in…</p>\n';

export function sendBounce(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.status(401).type('html').send(BOUNCE);
}
