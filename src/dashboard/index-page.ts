import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import type { AuthVia } from './auth.js';

/** Local asset references in index.html (`src="dashboard.js"`, `href="dashboard.css"`). */
const ASSET_REF = /\b(src|href)="([\w./-]+\.(?:js|css))"/g;

/**
 * Adds `?token=` to the page's own asset URLs. A browser opened at `/?token=...` fetches `dashboard.js` and
 * `dashboard.css` without the query; with a token configured those requests would fail, so the page carries
 * the token it was opened with (only that one; nothing is added when the header or no token was used).
 */
export function withAssetToken(html: string, token: string): string {
  const q = `?token=${encodeURIComponent(token)}`;
  return html.replace(ASSET_REF, (_m, attr: string, url: string) => `${attr}="${url}${q}"`);
}

/** Serves index.html; the file is read once and kept. */
export function indexPage(publicDir: string): RequestHandler {
  let html: Promise<string> | undefined;
  return (req, res, next) => {
    html ??= readFile(join(publicDir, 'index.html'), 'utf8');
    html.then(
      (text) => {
        const via = res.locals['authVia'] as AuthVia | undefined;
        const token: unknown = (req.query as Record<string, unknown>)['token'];
        const body = via === 'query' && typeof token === 'string' ? withAssetToken(text, token) : text;
        res.setHeader('Cache-Control', 'no-store');
        res.type('html').send(body);
      },
      (err: unknown) => {
        html = undefined;
        next(err);
      },
    );
  };
}
