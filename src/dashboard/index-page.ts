import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import type { AuthVia } from './auth.js';
import { overHttps, SESSION_MAX_AGE_SEC, sessionSetCookie, sessionValue } from './session.js';

/**
 * Serves index.html (read once and kept). Opened as `/?token=<STATUS_TOKEN>` (already checked by
 * requireToken), it answers 303 to `/` with the session cookie instead, so the token leaves the address bar
 * and the history and the page's own requests carry the cookie.
 */
export function indexPage(publicDir: string, token: string | undefined, nowMs: () => number = Date.now): RequestHandler {
  let html: Promise<string> | undefined;
  return (req, res, next) => {
    if (res.locals['authVia'] === ('query' satisfies AuthVia) && token !== undefined) {
      const exp = Math.floor(nowMs() / 1000) + SESSION_MAX_AGE_SEC;
      res.setHeader('Set-Cookie', sessionSetCookie(sessionValue(token, exp), overHttps(req)));
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, '/');
      return;
    }
    html ??= readFile(join(publicDir, 'index.html'), 'utf8');
    html.then(
      (text) => {
        res.setHeader('Cache-Control', 'no-store');
        res.type('html').send(text);
      },
      (err: unknown) => {
        html = undefined;
        next(err);
      },
    );
  };
}
