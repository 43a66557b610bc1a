import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RequestHandler } from 'express';
import type { AuthVia } from './auth.js';
import { overHttps, SESSION_MAX_AGE_SEC, sessionSetCookie, sessionValue } from './session.js';

/**
 * The payload to draw first, as a JSON data block (not script: the CSP stays `script-src 'self'`). `<` is written
 * `\u003c`, so no string in the payload can end the element; `data-now` is the server's clock, for the page's
 * data age.
 */
function initialStatusBlock(json: string, nowSec: number): string {
  return `<script id="status-initial" type="application/json" data-now="${nowSec}">${json.replace(/</g, '\\u003c')}</script>`;
}

/**
 * Serves index.html (read once and kept), with the current /status payload inlined when there is one: the
 * first render needs no second round trip. Opened as `/?token=<STATUS_TOKEN>` (already checked by
 * requireToken), it answers 303 to `/` with the session cookie instead, so the token leaves the address bar
 * and the history and the page's own requests carry the cookie.
 */
export function indexPage(publicDir: string, token: string | undefined, nowMs: () => number = Date.now, statusJson: () => string | null = () => null): RequestHandler {
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
        res.setHeader('Vary', 'Accept-Encoding');
        const json = statusJson();
        const page = json === null ? text : text.replace('</head>', `${initialStatusBlock(json, nowMs() / 1000)}\n</head>`);
        res.type('html');
        if (json !== null && req.acceptsEncodings('gzip', 'identity') === 'gzip') {
          res.setHeader('Content-Encoding', 'gzip');
          res.send(gzipSync(page, { level: 6 }));
        } else res.send(page);
      },
      (err: unknown) => {
        html = undefined;
        next(err);
      },
    );
  };
}
