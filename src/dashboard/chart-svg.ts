import type { FlowMarker } from '../equity/types.js';
import type { StatusPayload } from '../bot/status-types.js';
import type { ChartModule } from './chart-module.js';
import { cacheByIdentity } from './identity-cache.js';

export type ChartRange = '24h' | '7d';
export type ChartThemeName = 'light' | 'dark';

/** Server-side size of `/chart.svg`; the page sizes its own copy to its container. */
const WIDTH = 960;
const HEIGHT = 320;

/** Draws the payload's equity history with the page's own module. Missing blocks draw the empty chart. */
export function renderStatusChart(chart: ChartModule, status: StatusPayload, range: ChartRange, theme: ChartThemeName, markers?: readonly FlowMarker[]): string {
  const history = status.equity_history as Partial<StatusPayload['equity_history']> | null | undefined;
  const points = (range === '24h' ? history?.sparkline_24h : history?.sparkline_7d) ?? [];
  return chart.buildEquityChartSvg({
    points,
    markers: markers ?? history?.flow_markers ?? [],
    range,
    width: WIDTH,
    height: HEIGHT,
    end: status.ts,
    unit: status.pair?.base ?? 'DOGE',
    theme: theme === 'dark' ? chart.DARK_THEME : chart.LIGHT_THEME,
    utc: true, // a server has no idea of the reader's time zone
    standalone: true,
  });
}

/** One identity cache per (range, theme): each tick's payload is drawn at most once per variant. */
export function createChartCache(chart: ChartModule): (status: StatusPayload, range: ChartRange, theme: ChartThemeName, markers?: readonly FlowMarker[]) => string {
  const caches = new Map<string, (s: StatusPayload) => string>();
  return (status, range, theme, markers) => {
    const key = `${range}:${theme}`;
    let cached = caches.get(key);
    if (cached === undefined) {
      cached = cacheByIdentity((s: StatusPayload) => renderStatusChart(chart, s, range, theme, markers));
      caches.set(key, cached);
    }
    return cached(status);
  };
}
