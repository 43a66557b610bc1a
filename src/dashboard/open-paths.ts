import type { RequestHandler } from 'express';

/** The probes: open to any Host and without the token (supervisors and load balancers use any name). */
export const PROBE_PATHS = ['/healthz', '/livez', '/readyz'] as const;

/**
 * Runs `guard` for every request except those to `paths`, matched the way express routes them (any case, one
 * trailing slash). Registered before any route, a guard this way also covers routes added later.
 */
export function exceptPaths(paths: readonly string[], guard: RequestHandler): RequestHandler {
  const open = new Set(paths);
  return (req, res, next) => {
    const p = req.path.toLowerCase();
    if (open.has(p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p)) {
      next();
      return;
    }
    return guard(req, res, next);
  };
}
