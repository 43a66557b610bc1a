import { Router } from 'express';
import type { FlowRecord } from '../recon/types.js';
import type { FlowJson } from '../bot/status-types.js';
import { newestFirst, flowsPage } from './flow-pages.js';
import { cacheByIdentity } from './identity-cache.js';
import { jsonBytes, sendTaggedJson, type JsonBytes } from './json-body.js';
import { tickTagger } from './revalidation.js';
import { flowsQuerySchema, parseQuery } from './route-schemas.js';

/** Distinct pages kept per flow list: the page asks for a handful; a scan of many queries must not grow memory. */
const PAGE_CACHE_MAX = 64;

/**
 * `GET /flows?before=&limit=&since=&category=`: the whole flow and income list, newest first, paged (DESIGN.md
 * section 19). Served from the flow list the last tick published; the list keeps its identity across ticks that
 * add nothing, so its tag (and clients' 304s) outlive a tick. Behind the Host and token guards like /status.
 */
export function flowRoutes(getFlows: () => readonly FlowRecord[] | null): Router {
  const router = Router();
  const sorted = cacheByIdentity((flows: readonly FlowRecord[]) => ({ list: newestFirst(flows), pages: new Map<string, JsonBytes>() }));
  const tag = tickTagger<{ list: FlowJson[] }>();

  router.get('/flows', (req, res) => {
    const q = parseQuery(flowsQuerySchema, req.query, ['before', 'limit', 'since']);
    if (!q.ok) {
      res.setHeader('Cache-Control', 'no-store');
      res.status(400).json({ error: q.error });
      return;
    }
    const flows = getFlows();
    if (flows === null) {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Retry-After', '1');
      res.status(503).json({ error: 'warming up' });
      return;
    }
    const index = sorted(flows);
    const { before, limit, since, category } = q.value;
    const key = `b${before ?? ''}-l${limit}-s${since ?? ''}-c${category ?? ''}`;
    sendTaggedJson(req, res, (variant) => tag(index, variant === '' ? key : `${key}-${variant}`), () => {
      let page = index.pages.get(key);
      if (page === undefined) {
        page = jsonBytes(flowsPage(index.list, q.value));
        if (index.pages.size >= PAGE_CACHE_MAX) index.pages.clear();
        index.pages.set(key, page);
      }
      return page;
    });
  });
  return router;
}
