import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { listenHostName, parseAuthority } from './host-name.js';

/** Names every sidecar answers for, at any port. */
export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

/** `any`: the check is off (`ALLOWED_HOSTS=*`); otherwise the normalized names allowed, at any port. */
export type HostPolicy = { readonly any: true } | { readonly any: false; readonly names: ReadonlySet<string> };

/** The loopback names, the listen address itself and the operator's ALLOWED_HOSTS (already normalized). */
export function hostPolicy(listenHost: string | undefined, allowed: readonly string[] | '*' = []): HostPolicy {
  if (allowed === '*') return { any: true };
  const names = new Set<string>(LOOPBACK_NAMES);
  const own = listenHost === undefined ? null : listenHostName(listenHost);
  if (own !== null) names.add(own);
  for (const n of allowed) names.add(n);
  return { any: false, names };
}

export function describeHostPolicy(p: HostPolicy): string[] | '*' {
  return p.any ? '*' : [...p.names];
}

/** What the request addresses, per RFC 9112 §3.2.2 and §3.3. */
export type TargetHost =
  | { kind: 'ok'; host: string }
  | { kind: 'missing' }
  | { kind: 'malformed'; why: string };

/**
 * The host a request is for. An absolute-form target (`GET http://x/status`) wins over the Host header, which
 * an origin server MUST then ignore (RFC 9112 §3.2.2). A request with more than one Host line, or with an
 * invalid one, is malformed (RFC 9112 §3.2: 400). No Host (HTTP/1.0) or an empty one names no host at all.
 */
export function targetHost(req: IncomingMessage): TargetHost {
  let hostLines = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === 'host') hostLines++;
  if (hostLines > 1) return { kind: 'malformed', why: 'more than one Host header' };
  const url = req.url ?? '/';
  if (!url.startsWith('/') && url !== '*') {
    const m = /^https?:\/\/([^/?#]*)/i.exec(url);
    if (m?.[1] === undefined) return { kind: 'malformed', why: 'unsupported request target' };
    const a = parseAuthority(m[1]);
    return a === null ? { kind: 'malformed', why: 'invalid host in the request target' } : { kind: 'ok', host: a.host };
  }
  const header = req.headers.host;
  if (header === undefined || header === '') return { kind: 'missing' };
  const a = parseAuthority(header);
  return a === null ? { kind: 'malformed', why: 'invalid Host header' } : { kind: 'ok', host: a.host };
}

/** Distinct refused Host values logged (the rest are counted silently: a scanner must not flood the log). */
const MAX_LOGGED = 32;

/**
 * DNS-rebinding guard for every route registered after it: a page on a name the attacker controls can point
 * that name at 127.0.0.1, but its requests still carry the attacker's name in Host. Those get 421.
 * Malformed Host headers get 400 even when the check is off.
 */
export function hostGuard(policy: HostPolicy, log: Logger): RequestHandler {
  const logged = new Set<string>();
  const refuse = (res: Response, status: 400 | 421, body: { error: string; detail: string }): void => {
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).json(body);
  };
  return (req: Request, res, next) => {
    const t = targetHost(req);
    if (t.kind === 'malformed') {
      refuse(res, 400, { error: 'bad request', detail: t.why });
      return;
    }
    if (policy.any || (t.kind === 'ok' && policy.names.has(t.host))) {
      next();
      return;
    }
    const shown = t.kind === 'ok' ? t.host.slice(0, 100) : '(none)';
    if (logged.size < MAX_LOGGED && !logged.has(shown)) {
      logged.add(shown);
      log.warn({ host: shown, path: req.path, security: true }, 'refused a request for a Host that is not allowed (DNS rebinding guard); add the name to ALLOWED_HOSTS if it is yours');
    }
    refuse(res, 421, {
      error: 'misdirected request',
      detail: t.kind === 'missing' ? 'a Host header is required' : 'this server does not answer for that host name (see ALLOWED_HOSTS)',
    });
  };
}
