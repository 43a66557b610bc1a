import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * One debug line per request. Logs the path only, never the URL: the query string may carry `?token=`, and
 * headers (Authorization) are never logged.
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    // Checked per request (the level can change at run time), but nothing is set up when debug is off.
    if (!log.isLevelEnabled('debug')) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.debug({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'http request');
    });
    next();
  };
}
