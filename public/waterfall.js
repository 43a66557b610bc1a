// The waterfall drawing module. Pure: plain data in, an SVG string out, no DOM and no globals, so the page
// and Node tests draw the same picture. Every text value is escaped.
//
// A waterfall is one row per term, drawn horizontally so labels never collide at any width: a start total,
// the signed steps (each starting where the previous one ended), and an end total.

import { escapeXml, formatNumber as formatChartNumber } from './chart.js';

export { escapeXml };

/** @typedef {{ key: string, label: string, value: number }} WaterfallItem */
/** @typedef {{ start: WaterfallItem, steps: WaterfallItem[], end: WaterfallItem }} WaterfallInput */
/** @typedef {'total' | 'up' | 'down' | 'zero'} BarKind */
/** @typedef {{ key: string, label: string, value: number, kind: BarKind, from: number, to: number }} WaterfallBar */

/** Colours used as SVG presentation attributes; the page's CSS overrides them through classes. */
export const WATERFALL_THEME = Object.freeze({
  text: '#344054',
  muted: '#667085',
  total: '#64748b',
  up: '#16a34a',
  down: '#dc2626',
  zero: '#98a2b3',
  link: '#98a2b3',
});

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';

/**
 * Fixed decimals with separators and a true minus (U+2212); zero, and anything that rounds to zero, has no sign.
 * The chart's own formatter, with 2 decimals unless told.
 * @param {number | null | undefined} value
 * @param {number} [decimals]
 * @returns {string}
 */
export function formatNumber(value, decimals = 2) {
  return formatChartNumber(value, decimals);
}

/**
 * Like formatNumber, with an explicit "+" on positive values (never on zero or what rounds to it).
 * @param {number | null | undefined} value
 * @param {number} [decimals]
 * @returns {string}
 */
export function formatSigned(value, decimals = 2) {
  const text = formatNumber(value, decimals);
  return typeof value === 'number' && value > 0 && !roundsToZero(text) ? `+${text}` : text;
}

function roundsToZero(text) {
  return Number(text.replace(/[^\d.]/g, '')) === 0;
}

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
/** A term the axis math can span: beyond ±1e15 sums of terms lose cents and sums of sums overflow. */
const plausible = (v) => isNum(v) && Math.abs(v) < 1e15;

/**
 * The bars of a waterfall: each step runs from the running level to level + value. `gap` is how far the end
 * total is from start + Σ steps (0 for a consistent input; the page says so when it is not).
 * @param {WaterfallInput} input
 * @param {number} [decimals] values that round to zero at this precision are `zero` bars
 * @returns {{ bars: WaterfallBar[], gap: number }}
 */
export function waterfallBars(input, decimals = 2) {
  const eps = 0.5 * 10 ** -decimals;
  /** @type {WaterfallBar[]} */
  const bars = [{ ...pick(input.start), kind: 'total', from: 0, to: input.start.value }];
  let level = input.start.value;
  for (const s of input.steps) {
    const kind = Math.abs(s.value) < eps ? 'zero' : s.value > 0 ? 'up' : 'down';
    bars.push({ ...pick(s), kind, from: level, to: level + s.value });
    level += s.value;
  }
  bars.push({ ...pick(input.end), kind: 'total', from: 0, to: input.end.value });
  return { bars, gap: input.end.value - level };
}

function pick(item) {
  return { key: String(item.key), label: String(item.label), value: item.value };
}

/**
 * The since-baseline roll-forward (`balance_recon.roll_forward`): baseline → pool changes (only when non-zero)
 * → flows → income → bot → unexplained → current. Null when the block is missing or a term is not a number.
 * @param {unknown} rf
 * @returns {WaterfallInput | null}
 */
export function rollForwardInput(rf) {
  if (rf === null || typeof rf !== 'object') return null;
  const r = /** @type {Record<string, unknown>} */ (rf);
  const terms = ['baseline', 'flows', 'income', 'bot_pnl', 'unexplained', 'current'];
  if (!terms.every((k) => plausible(r[k]))) return null;
  const pool = plausible(r['pool_changes']) ? /** @type {number} */ (r['pool_changes']) : 0;
  const n = (k) => /** @type {number} */ (r[k]);
  return {
    start: { key: 'baseline', label: 'First baseline', value: n('baseline') },
    steps: [
      ...(Math.abs(pool) > 1e-9 ? [{ key: 'pool_changes', label: 'Pool changes', value: pool }] : []),
      { key: 'flows', label: 'Flows', value: n('flows') },
      { key: 'income', label: 'Income', value: n('income') },
      { key: 'bot_pnl', label: 'Bot P&L', value: n('bot_pnl') },
      { key: 'unexplained', label: 'Unexplained', value: n('unexplained') },
    ],
    end: { key: 'current', label: 'Current', value: n('current') },
  };
}

/**
 * One report period's roll-forward (a `/report` row, USD): start → price effect → flows (deposits −
 * withdrawals) → income → bot → unexplained → now (open period) or end. Null for an incomplete row.
 * @param {unknown} row
 * @returns {WaterfallInput | null}
 */
export function periodInput(row) {
  if (row === null || typeof row !== 'object') return null;
  const r = /** @type {Record<string, unknown>} */ (row);
  if (r['complete'] === false) return null;
  const terms = ['start_usd', 'price_effect_usd', 'deposits_usd', 'withdrawals_usd', 'income_usd', 'bot_pnl_usd', 'unexplained_usd', 'end_usd'];
  if (!terms.every((k) => plausible(r[k]))) return null;
  const n = (k) => /** @type {number} */ (r[k]);
  return {
    start: { key: 'start', label: 'Start', value: n('start_usd') },
    steps: [
      { key: 'price_effect', label: 'Price effect', value: n('price_effect_usd') },
      { key: 'flows', label: 'Flows', value: n('deposits_usd') - n('withdrawals_usd') },
      { key: 'income', label: 'Income', value: n('income_usd') },
      { key: 'bot_pnl', label: 'Bot P&L', value: n('bot_pnl_usd') },
      { key: 'unexplained', label: 'Unexplained', value: n('unexplained_usd') },
    ],
    end: { key: 'end', label: r['open'] === true ? 'Now' : 'End', value: n('end_usd') },
  };
}

/**
 * The value axis. Totals are drawn from zero when zero is near enough to the data; when every level sits far
 * from zero (a 40 000 balance that moved by 300), the axis is cut so the steps stay visible, totals start at
 * the cut and carry a break mark.
 * @param {readonly WaterfallBar[]} bars
 * @returns {{ lo: number, hi: number, anchor: number, cut: boolean }}
 */
export function waterfallDomain(bars) {
  const levels = bars.flatMap((b) => (b.kind === 'total' ? [b.to] : [b.from, b.to])).filter(isNum);
  if (levels.length === 0) return { lo: 0, hi: 1, anchor: 0, cut: false };
  let lo = Math.min(...levels);
  let hi = Math.max(...levels);
  const mag = Math.max(Math.abs(lo), Math.abs(hi));
  if ((lo <= 0 && hi >= 0) || hi - lo >= 0.5 * mag || mag < 1e-6) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
    if (hi - lo < 1e-9) hi = lo + 1; // all levels at zero (or a rounding hair from it)
    return { lo, hi, anchor: 0, cut: false };
  }
  const span = Math.max(hi - lo, mag * 1e-4); // a flat account still gets an axis a float can resolve
  // The cut sits a little beyond the lowest level, at a round number (37,000 rather than 37,824).
  const unit = 10 ** (Math.floor(Math.log10(span)) - 1);
  if (lo > 0) {
    const cut = Math.floor((lo - 0.12 * span) / unit) * unit;
    return { lo: cut, hi: hi + 0.04 * span, anchor: cut, cut: true };
  }
  const cut = Math.ceil((hi + 0.12 * span) / unit) * unit;
  return { lo: lo - 0.04 * span, hi: cut, anchor: cut, cut: true };
}

const CHAR_W = 6.6; // px per character at font-size 12 (tabular figures), a safe over-estimate for layout
const ROW_H = 26;
const BAR_H = 14;
const TOP = 4;
const MIN_BAR = 2;

/**
 * Geometry of every row: label at the left, value at the right, the bar in between. Pure, so tests can check
 * that each step starts where the previous one ended and that the last one ends where the end total does.
 * @param {readonly WaterfallBar[]} bars
 * @param {{ width: number, decimals?: number }} opts
 */
export function waterfallLayout(bars, opts) {
  const decimals = opts.decimals ?? 2;
  const values = bars.map((b) => (b.kind === 'total' ? formatNumber(b.value, decimals) : formatSigned(b.value, decimals)));
  const labelW = Math.ceil(Math.max(4, ...bars.map((b) => b.label.length)) * CHAR_W + 10);
  const valueW = Math.ceil(Math.max(4, ...values.map((v) => v.length)) * CHAR_W + 10);
  // Too narrow for the text: the drawing widens and the page scales it down (viewBox), text shrinks a little.
  const asked = Math.round(isNum(opts.width) ? opts.width : 600);
  const width = Math.min(4000, Math.max(220, asked, labelW + valueW + 60));
  const plotX = labelW;
  const plotW = width - labelW - valueW;
  const domain = waterfallDomain(bars);
  const xOf = (v) => plotX + ((v - domain.lo) / (domain.hi - domain.lo)) * plotW;
  const rows = bars.map((b, i) => {
    const y = TOP + i * ROW_H + (ROW_H - BAR_H) / 2;
    const a = xOf(b.kind === 'total' ? domain.anchor : b.from);
    const z = xOf(b.to);
    let x = Math.min(a, z);
    let w = Math.abs(z - a);
    if (b.kind === 'zero') {
      x = z - 0.75;
      w = 1.5;
    } else if (w < MIN_BAR) {
      x = b.kind === 'down' ? a - MIN_BAR : a; // a tiny step still shows, pointing its way
      w = MIN_BAR;
    }
    x = Math.min(Math.max(x, plotX), plotX + plotW - w); // a minimum-width bar at an edge stays inside
    return { ...b, text: values[i], x, w, y, h: BAR_H, startX: a, endX: z, rowY: TOP + i * ROW_H };
  });
  const caption = domain.cut ? `Bars start at ${formatNumber(domain.anchor, Number.isInteger(domain.anchor) ? 0 : decimals)}, not zero` : '';
  const height = TOP + rows.length * ROW_H + (caption ? 18 : 4);
  return { width, height, plotX, plotW, labelW, valueW, domain, rows, caption };
}

/**
 * The waterfall as an SVG string.
 * @param {{ input: WaterfallInput, width: number, decimals?: number, unit?: string, title?: string, theme?: Partial<typeof WATERFALL_THEME> }} opts
 * @returns {string}
 */
export function buildWaterfallSvg(opts) {
  const theme = { ...WATERFALL_THEME, ...(opts.theme ?? {}) };
  const decimals = opts.decimals ?? 2;
  const { bars, gap } = waterfallBars(opts.input, decimals);
  const L = waterfallLayout(bars, { width: opts.width, decimals });
  const unit = opts.unit ? ` ${opts.unit}` : '';
  const summary = L.rows.map((r) => `${r.label} ${r.text}`).join(', ');
  const label = `${opts.title ?? 'Roll-forward'}${unit ? ` (${unit.trim()})` : ''}: ${summary}`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="waterfall" viewBox="0 0 ${L.width} ${L.height}" width="${L.width}" height="${L.height}" ` +
      `role="img" aria-label="${escapeXml(label)}" font-family="${escapeXml(FONT)}" font-size="12" data-gap="${escapeXml(gap)}">`,
  ];
  // Connectors: a dashed line from each bar's end down to the next bar, at the running level.
  parts.push(`<g class="wf-links" stroke="${escapeXml(theme.link)}" stroke-width="1" stroke-dasharray="2 2">`);
  for (let i = 0; i + 1 < L.rows.length; i += 1) {
    const r = L.rows[i];
    const x = r.endX.toFixed(2);
    parts.push(`<line x1="${x}" x2="${x}" y1="${(r.y + r.h).toFixed(1)}" y2="${L.rows[i + 1].y.toFixed(1)}"/>`);
  }
  parts.push('</g>');
  for (const r of L.rows) {
    const fill = escapeXml(theme[r.kind]);
    const down = r.kind === 'down';
    const tone = r.kind === 'total' ? theme.text : r.kind === 'zero' ? theme.muted : theme[r.kind];
    const ty = (r.rowY + ROW_H / 2).toFixed(1);
    parts.push(
      `<g class="wf-row wf-${r.kind}" data-key="${escapeXml(r.key)}" data-value="${escapeXml(r.value)}">` +
        `<text class="wf-label" x="0" y="${ty}" dy="0.35em" fill="${escapeXml(theme.text)}">${escapeXml(r.label)}</text>` +
        // Negative steps: a pale fill with a solid outline, so they differ from rises without colour too.
        `<rect class="wf-bar" x="${r.x.toFixed(2)}" y="${r.y.toFixed(1)}" width="${r.w.toFixed(2)}" height="${r.h}" rx="2" fill="${fill}"` +
        (down ? ` fill-opacity="0.28" stroke="${fill}" stroke-width="1.2"` : '') +
        '/>' +
        (r.kind === 'total' && L.domain.cut ? breakMark(r, L.domain.anchor > r.to) : '') +
        `<text class="wf-value" x="${L.width}" y="${ty}" dy="0.35em" text-anchor="end" fill="${escapeXml(tone)}">${escapeXml(r.text)}</text></g>`,
    );
  }
  if (L.caption) {
    parts.push(`<text class="wf-caption" x="${L.plotX}" y="${L.height - 5}" font-size="10.5" fill="${escapeXml(theme.muted)}">${escapeXml(L.caption)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Two slanted strokes across a total bar near the cut end of the axis: "this bar does not start at zero". */
function breakMark(r, fromRight) {
  const x = fromRight ? r.x + r.w - 7 : r.x + 5;
  const y0 = r.y - 2;
  const y1 = r.y + r.h + 2;
  return (
    `<path class="wf-break" d="M${x.toFixed(1)},${y1}L${(x + 3).toFixed(1)},${y0}M${(x + 4).toFixed(1)},${y1}L${(x + 7).toFixed(1)},${y0}" ` +
    'stroke="#ffffff" stroke-width="1.6" fill="none"/>'
  );
}
