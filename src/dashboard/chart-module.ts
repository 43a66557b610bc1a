import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as ChartModuleNs from '../../public/chart.js';

/** The exports of public/chart.js. */
export type ChartModule = typeof ChartModuleNs;

const loaded = new Map<string, Promise<ChartModule>>();

/**
 * Loads `public/chart.js`, the page's own drawing module, so `/chart.svg` and the page draw the same chart.
 * Imported at run time from the located public folder (a static import would point into `dist/` after a build,
 * where no copy of public/ exists); `public/chart.d.ts` types it.
 */
export function loadChartModule(publicDir: string): Promise<ChartModule> {
  let p = loaded.get(publicDir);
  if (p === undefined) {
    p = import(pathToFileURL(join(publicDir, 'chart.js')).href) as Promise<ChartModule>;
    p.catch(() => loaded.delete(publicDir)); // a failed load is retried by the next request
    loaded.set(publicDir, p);
  }
  return p;
}
