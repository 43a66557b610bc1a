// Types for public/waterfall.js, so Node tests (and any server code) can use the page's waterfall module.

export interface WaterfallItem {
  key: string;
  label: string;
  value: number;
}

export interface WaterfallInput {
  start: WaterfallItem;
  steps: WaterfallItem[];
  end: WaterfallItem;
}

export type BarKind = 'total' | 'up' | 'down' | 'zero';

export interface WaterfallBar extends WaterfallItem {
  kind: BarKind;
  from: number;
  to: number;
}

export interface WaterfallTheme {
  text: string;
  muted: string;
  total: string;
  up: string;
  down: string;
  zero: string;
  link: string;
}

export interface WaterfallRow extends WaterfallBar {
  text: string;
  x: number;
  w: number;
  y: number;
  h: number;
  /** Where the bar starts and ends on the value axis (before the minimum-width rule). */
  startX: number;
  endX: number;
  rowY: number;
}

export interface WaterfallLayout {
  width: number;
  height: number;
  plotX: number;
  plotW: number;
  labelW: number;
  valueW: number;
  domain: { lo: number; hi: number; anchor: number; cut: boolean };
  rows: WaterfallRow[];
  caption: string;
}

export const WATERFALL_THEME: Readonly<WaterfallTheme>;
export function escapeXml(value: unknown): string;
export function formatNumber(value: number | null | undefined, decimals?: number): string;
export function formatSigned(value: number | null | undefined, decimals?: number): string;
export function waterfallBars(input: WaterfallInput, decimals?: number): { bars: WaterfallBar[]; gap: number };
export function rollForwardInput(rf: unknown): WaterfallInput | null;
export function periodInput(row: unknown): WaterfallInput | null;
export function waterfallDomain(bars: readonly WaterfallBar[]): { lo: number; hi: number; anchor: number; cut: boolean };
export function waterfallLayout(bars: readonly WaterfallBar[], opts: { width: number; decimals?: number }): WaterfallLayout;
export function buildWaterfallSvg(opts: {
  input: WaterfallInput;
  width: number;
  decimals?: number;
  unit?: string;
  title?: string;
  theme?: Partial<WaterfallTheme>;
}): string;
