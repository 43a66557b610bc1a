import { Router, type Response } from 'express';
import type { ReportExports } from '../bot/report-feed.js';
import { equityCsv, flowsCsv, reportCsv } from '../reports/exports.js';
import { cacheByIdentity } from './identity-cache.js';

/**
 * `GET /report`, `/report.csv`, `/flows.csv`, `/equity.csv` (DESIGN.md section 17). They serve what the last
 * tick published; each body is built on the first request after a tick and reused until the next one. Mounted
 * behind the token check, like /status.
 */
export function reportRoutes(getExports: () => ReportExports | null): Router {
  const router = Router();
  const reportJson = cacheByIdentity((e: ReportExports) => Buffer.from(JSON.stringify(e.report), 'utf8'));
  const reportCsvBytes = cacheByIdentity((e: ReportExports) => Buffer.from(reportCsv(e.report), 'utf8'));
  // Flows and the series keep their identity across ticks that change nothing, so these caches outlive a tick.
  const flowsCsvBytes = cacheByIdentity((flows: ReportExports['flows']) => Buffer.from(flowsCsv(flows), 'utf8'));
  const equityCsvBytes = cacheByIdentity((points: ReportExports['equity']) => Buffer.from(equityCsv(points), 'utf8'));

  const ready = (res: Response): ReportExports | null => {
    res.setHeader('Cache-Control', 'no-store');
    const e = getExports();
    if (e === null) {
      res.setHeader('Retry-After', '1');
      res.status(503).json({ error: 'warming up' });
    }
    return e;
  };
  const csv = (res: Response, name: string, body: Buffer): void => {
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    res.type('text/csv; charset=utf-8; header=present').send(body);
  };

  router.get('/report', (_req, res) => {
    const e = ready(res);
    if (e !== null) res.type('application/json').send(reportJson(e));
  });
  router.get('/report.csv', (_req, res) => {
    const e = ready(res);
    if (e !== null) csv(res, 'report.csv', reportCsvBytes(e));
  });
  router.get('/flows.csv', (_req, res) => {
    const e = ready(res);
    if (e !== null) csv(res, 'flows.csv', flowsCsvBytes(e.flows));
  });
  router.get('/equity.csv', (_req, res) => {
    const e = ready(res);
    if (e !== null) csv(res, 'equity.csv', equityCsvBytes(e.equity));
  });
  return router;
}
