// Types for public/chart.js, so src/dashboard (Node) can use the page's drawing module type-safely.
import type { FlowMarker, SparkPoint } from '../src/equity/types.js';

export type ChartRange = '24h' | '7d';

export interface ChartTheme {
  background: string;
  grid: string;
  axis: string;
  text: string;
  equity: string;
  exFlows: string;
  deposit: string;
  withdrawal: string;
}

export interface EquityChartOptions {
  points: readonly SparkPoint[];
  markers: readonly FlowMarker[];
  range: ChartRange;
  width: number;
  height: number;
  /** Right edge of the window, unix seconds (defaults to the newest point). */
  end?: number | undefined;
  /** Base asset code used in labels (default DOGE). */
  unit?: string | undefined;
  theme?: Partial<ChartTheme> | undefined;
  /** Label times in UTC instead of the local time zone. */
  utc?: boolean | undefined;
  /** Adds a background, for serving the SVG as a file. */
  standalone?: boolean | undefined;
  /** Native <title> tooltips on markers (default true); the page draws its own and turns them off. */
  titles?: boolean | undefined;
}

export const RANGE_SECONDS: Readonly<Record<ChartRange, number>>;
export const LIGHT_THEME: Readonly<ChartTheme>;
export const DARK_THEME: Readonly<ChartTheme>;

export function isRange(value: unknown): value is ChartRange;
export function escapeXml(value: unknown): string;
export function groupedDecimal(abs: number, minDecimals: number, maxDecimals: number): string;
export function formatNumber(value: number | null | undefined, decimals: number): string;
export function formatAmount(value: number | null | undefined): string;
export function niceTicks(min: number, max: number, target?: number): { ticks: number[]; step: number; min: number; max: number };
export function rangeWindow(range: ChartRange, end: number): { start: number; end: number };
export function markersInRange(markers: readonly FlowMarker[], range: ChartRange, end: number): number[];
export function formatTime(ts: number, style: 'time' | 'day' | 'full', utc?: boolean): string;
export function markerText(m: FlowMarker, unit: string, utc?: boolean): { title: string; lines: string[] };
export function buildEquityChartSvg(opts: EquityChartOptions): string;
