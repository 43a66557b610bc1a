// The one equity-chart drawing module. Pure: plain data in, an SVG string out, no DOM and no globals, so
// the page (browser) and `GET /chart.svg` (Node) draw the same picture. Every text value is escaped.

/** @typedef {readonly [number, number, number]} SparkPoint [ts, doge_eq, doge_eq excluding flows] */
/** @typedef {{ ts: number, type: 'deposit' | 'withdrawal', ledger_type: string, asset: string, amount: number, doge_eq: number, ledger_id: string }} FlowMarker */
/** @typedef {'24h' | '7d'} ChartRange */

/** Seconds covered by each range. */
export const RANGE_SECONDS = Object.freeze({ '24h': 86_400, '7d': 604_800 });

/** Colours used as SVG presentation attributes; the page's CSS overrides them through classes. */
export const LIGHT_THEME = Object.freeze({
  background: '#ffffff',
  grid: '#e4e7ec',
  axis: '#667085',
  text: '#344054',
  equity: '#2563eb',
  exFlows: '#9333ea',
  deposit: '#16a34a',
  withdrawal: '#dc2626',
});

export const DARK_THEME = Object.freeze({
  background: '#111418',
  grid: '#262b33',
  axis: '#8b949e',
  text: '#c9d1d9',
  equity: '#60a5fa',
  exFlows: '#c084fc',
  deposit: '#4ade80',
  withdrawal: '#f87171',
});

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';

/**
 * @param {unknown} value
 * @returns {value is ChartRange}
 */
export function isRange(value) {
  return value === '24h' || value === '7d';
}

/**
 * Escapes text for SVG/XML content and attribute values.
 * @param {unknown} value
 * @returns {string}
 */
export function escapeXml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * `abs` (≥ 0) with `minDecimals`..`maxDecimals` decimals and thousands separators, exactly as en-US
 * Intl.NumberFormat writes it, without Intl: the first Intl formatter of a fresh page loads ICU's data, which
 * cost about 55 ms of the dashboard's first render. Like Intl it rounds the shortest decimal that reads back as
 * the same double (1.005 → 1.01; toFixed, which rounds the binary value, writes 1.00), half away from zero.
 * @param {number} abs
 * @param {number} minDecimals
 * @param {number} maxDecimals
 * @returns {string}
 */
export function groupedDecimal(abs, minDecimals, maxDecimals) {
  const [mantissa = '0', exponent = '0'] = abs.toExponential().split('e');
  const digits = mantissa.replace('.', '');
  // abs = 0.<digits> × 10^(exponent + 1): the first `keep` digits make abs × 10^maxDecimals, rounded.
  const keep = Number(exponent) + 1 + maxDecimals;
  let scaled;
  if (keep <= 0) scaled = keep === 0 && digits.charCodeAt(0) >= 53 ? '1' : '0';
  else if (keep >= digits.length) scaled = digits + '0'.repeat(keep - digits.length);
  else scaled = digits.charCodeAt(keep) >= 53 /* '5' */ ? String(BigInt(digits.slice(0, keep)) + 1n) : digits.slice(0, keep);
  scaled = scaled.padStart(maxDecimals + 1, '0');
  const int = scaled.slice(0, scaled.length - maxDecimals);
  let frac = scaled.slice(scaled.length - maxDecimals);
  let end = frac.length;
  while (end > minDecimals && frac.charCodeAt(end - 1) === 48 /* '0' */) end--;
  frac = frac.slice(0, end);
  return int.replace(/\B(?=(\d{3})+$)/g, ',') + (frac === '' ? '' : `.${frac}`);
}

/**
 * Formats a number with fixed decimals and thousands separators; `—` for null/NaN.
 * @param {number | null | undefined} value
 * @param {number} decimals
 * @returns {string}
 */
export function formatNumber(value, decimals) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  const d = Math.max(0, Math.min(8, Math.round(decimals)));
  const text = groupedDecimal(Math.abs(value), d, d);
  // A true minus sign (U+2212) lines up with "+" in tabular figures; avoid "−0.00".
  return value < 0 && Number(text.replace(/,/g, '')) !== 0 ? `\u2212${text}` : text;
}

/**
 * Formats an asset amount: at least 2 and at most 8 decimals (Kraken's precision), trailing zeros trimmed.
 * @param {number | null | undefined} value
 * @returns {string}
 */
export function formatAmount(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  const text = groupedDecimal(Math.abs(value), 2, 8);
  return value < 0 && Number(text.replace(/,/g, '')) !== 0 ? `\u2212${text}` : text;
}

/** Puts a sign before a formatted magnitude, except on zero (no "−0.00", no "+0.00"). */
function withSign(sign, text) {
  return /[1-9]/.test(text) ? `${sign}${text}` : text;
}

/**
 * Round tick values ("nice numbers": 1, 2, 2.5, 5 × 10^k) covering [min, max].
 * @param {number} min
 * @param {number} max
 * @param {number} [target] approximate number of ticks
 * @returns {{ ticks: number[], step: number, min: number, max: number }}
 */
export function niceTicks(min, max, target = 5) {
  let lo = min;
  let hi = max;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { ticks: [0, 1], step: 1, min: 0, max: 1 };
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.01 : 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  const first = Math.floor(lo / step) * step;
  const last = Math.ceil(hi / step) * step;
  /** @type {number[]} */
  const ticks = [];
  for (let i = 0, v = first; v <= last + step / 2 && i < 50; i += 1, v = first + i * step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return { ticks, step, min: first, max: last };
}

/** Decimals that make consecutive ticks of this step distinct. */
function decimalsFor(step) {
  if (!(step > 0)) return 0;
  const d = Math.ceil(-Math.log10(step) - 1e-9);
  const frac = Number((step * 10 ** Math.max(0, d)).toPrecision(12));
  return Math.max(0, Math.min(8, Number.isInteger(frac) ? d : d + 1));
}

/**
 * The time window a range shows: it ends at `end` (the payload's time or the newest point).
 * @param {ChartRange} range
 * @param {number} end
 */
export function rangeWindow(range, end) {
  return { start: end - RANGE_SECONDS[range], end };
}

/**
 * The markers drawn for a range: only those inside the window. Returns their indices in `markers`.
 * @param {readonly FlowMarker[]} markers
 * @param {ChartRange} range
 * @param {number} end
 * @returns {number[]}
 */
export function markersInRange(markers, range, end) {
  const { start } = rangeWindow(range, end);
  /** @type {number[]} */
  const out = [];
  markers.forEach((m, i) => {
    if (m && Number.isFinite(m.ts) && m.ts >= start && m.ts <= end) out.push(i);
  });
  return out;
}

/** Local (or UTC) wall-clock offset in seconds for a unix time. */
function offsetSec(ts, utc) {
  return utc ? 0 : -new Date(ts * 1000).getTimezoneOffset() * 60;
}

/** Wall-clock parts of a unix time, as the reader sees it. */
function wallClock(ts, utc) {
  const d = new Date((ts + offsetSec(ts, utc)) * 1000);
  return { h: d.getUTCHours(), m: d.getUTCMinutes(), wd: d.getUTCDay(), day: d.getUTCDate(), mon: d.getUTCMonth() };
}

const pad2 = (n) => String(n).padStart(2, '0');

/**
 * Formats a unix time for labels and tooltips: `HH:MM` or `Mon 12` or `Mon 12 Feb 14:05`.
 * @param {number} ts
 * @param {'time' | 'day' | 'full'} style
 * @param {boolean} [utc]
 * @returns {string}
 */
export function formatTime(ts, style, utc = false) {
  if (!Number.isFinite(ts)) return '—';
  const w = wallClock(ts, utc);
  const hm = `${pad2(w.h)}:${pad2(w.m)}`;
  if (style === 'time') return hm;
  const day = `${WEEKDAYS[w.wd]} ${w.day}`;
  if (style === 'day') return day;
  return `${day} ${MONTHS[w.mon]} ${hm}${utc ? ' UTC' : ''}`;
}

/** Time ticks at round wall-clock minutes or hours (HH:MM) or midnights (weekday), thinned to fit the width. */
function timeTicks(range, start, end, plotWidth, utc) {
  const minute = 60;
  const hour = 3600;
  const clockSteps = [1, 2, 5, 10, 15, 30].map((x) => x * minute).concat([1, 2, 3, 4, 6, 12].map((h) => h * hour));
  // The 7-day view uses midnights once it spans more than two days; a shorter series uses clock times.
  const days = range === '7d' && end - start > 2 * 86_400;
  const steps = days ? [1, 2].map((d) => d * 86_400) : clockSteps;
  const minGap = days ? 58 : 52; // pixels a label needs
  const span = end - start;
  const step = steps.find((s) => (plotWidth * s) / span >= minGap) ?? steps[steps.length - 1];
  const off = offsetSec(start, utc);
  /** @type {number[]} */
  const ticks = [];
  for (let t = Math.ceil((start + off) / step) * step - off; t <= end && ticks.length < 40; t += step) ticks.push(t);
  return ticks.map((t) => ({ t, label: formatTime(t, days ? 'day' : 'time', utc) }));
}

/** Path data for one series, broken where the series has a gap (the sidecar was down). */
function linePath(pts, xOf, yOf, gapSec) {
  let d = '';
  let prev = null;
  for (const p of pts) {
    const cmd = prev === null || p.ts - prev > gapSec ? 'M' : 'L';
    d += `${cmd}${xOf(p.ts).toFixed(1)},${yOf(p.v).toFixed(1)}`;
    prev = p.ts;
  }
  return d;
}

/** Equity value at a time, linearly interpolated (markers sit on the equity line). */
function valueAt(pts, ts) {
  if (pts.length === 0) return null;
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (ts <= first.ts) return first.v;
  if (ts >= last.ts) return last.v;
  for (let i = 1; i < pts.length; i += 1) {
    const a = pts[i - 1];
    const b = pts[i];
    if (ts <= b.ts) return b.ts === a.ts ? b.v : a.v + ((b.v - a.v) * (ts - a.ts)) / (b.ts - a.ts);
  }
  return last.v;
}

/**
 * The tooltip text of a marker (also used by the page's hover tooltip).
 * @param {FlowMarker} m
 * @param {string} unit base asset, e.g. DOGE
 * @param {boolean} [utc]
 * @returns {{ title: string, lines: string[] }}
 */
export function markerText(m, unit, utc = false) {
  const deposit = m.type === 'deposit';
  const sign = deposit ? '+' : '\u2212';
  const wallet = /** @type {{ wallet?: unknown }} */ (m).wallet;
  return {
    title: markerTitle(m),
    lines: [
      `\u2248 ${withSign(sign, formatNumber(Math.abs(m.doge_eq), 2))} ${unit}-eq`,
      `${formatTime(m.ts, 'full', utc)} \u00b7 ${m.ledger_type}${typeof wallet === 'string' && wallet !== '' ? ` \u00b7 ${wallet}` : ''}`,
      `ledger ${m.ledger_id}`,
    ],
  };
}

/** A marker's one-line name (its accessible label): kind, signed amount, asset. */
function markerTitle(m) {
  const deposit = m.type === 'deposit';
  // DESIGN 15: a marker may carry its category (an income row is a reward, not a deposit).
  const kind = /** @type {{ category?: unknown }} */ (m).category === 'income' ? 'Income' : deposit ? 'Deposit' : 'Withdrawal';
  return `${kind} ${withSign(deposit ? '+' : '\u2212', formatAmount(Math.abs(m.amount)))} ${m.asset}`;
}

/**
 * Builds the equity chart: equity (`doge_eq`), equity excluding flows, deposit ▲ / withdrawal ▼ markers.
 * @param {{
 *   points: readonly SparkPoint[],
 *   markers: readonly FlowMarker[],
 *   range: ChartRange,
 *   width: number,
 *   height: number,
 *   end?: number,
 *   unit?: string,
 *   theme?: Partial<typeof LIGHT_THEME>,
 *   utc?: boolean,
 *   standalone?: boolean,
 * }} opts `end`: right edge of the window (defaults to the newest point); `standalone` adds a background
 *   for serving as a file.
 * @returns {string}
 */
export function buildEquityChartSvg(opts) {
  const theme = { ...LIGHT_THEME, ...(opts.theme ?? {}) };
  const width = clamp(Math.round(opts.width), 200, 4000);
  const height = clamp(Math.round(opts.height), 120, 2000);
  const unit = opts.unit || 'DOGE';
  const utc = opts.utc === true;
  const range = isRange(opts.range) ? opts.range : '24h';
  const all = (Array.isArray(opts.points) ? opts.points : []).filter(
    (p) => Array.isArray(p) && Number.isFinite(p[0]) && plausible(p[1]),
  );
  const lastTs = all.length > 0 ? all[all.length - 1][0] : NaN;
  const end = Number.isFinite(opts.end) ? Math.max(/** @type {number} */ (opts.end), Number.isFinite(lastTs) ? lastTs : -Infinity) : lastTs;
  const label = `Equity, last ${range === '24h' ? '24 hours' : '7 days'}`;
  const open =
    `<svg xmlns="http://www.w3.org/2000/svg" class="equity-chart" viewBox="0 0 ${width} ${height}" ` +
    `width="${width}" height="${height}" role="img" aria-label="${escapeXml(label)}" font-family="${escapeXml(FONT)}" font-size="11">`;
  const bg = opts.standalone ? `<rect class="bg" width="${width}" height="${height}" fill="${escapeXml(theme.background)}"/>` : '';

  const inWindow = Number.isFinite(end) ? all.filter((p) => p[0] >= end - RANGE_SECONDS[range] && p[0] <= end) : [];
  if (inWindow.length < 2) {
    return (
      `${open}${bg}<text class="empty" x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="${escapeXml(theme.axis)}" font-size="13">` +
      `${escapeXml('Not enough equity data for this range yet')}</text></svg>`
    );
  }

  // A series shorter than the range (a fresh start) fills the plot instead of hugging its right edge.
  const markerList = Array.isArray(opts.markers) ? opts.markers : [];
  const firstMarker = Math.min(...markersInRange(markerList, range, end).map((i) => markerList[i].ts));
  const firstData = Math.min(inWindow[0][0], firstMarker);
  const start = Math.max(rangeWindow(range, end).start, end - Math.max(600, (end - firstData) * 1.03));
  const eq = inWindow.map((p) => ({ ts: p[0], v: p[1] }));
  const ex = inWindow.filter((p) => plausible(p[2])).map((p) => ({ ts: p[0], v: p[2] }));
  const values = [...eq, ...ex].map((p) => p.v);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const padV = (hi - lo) * 0.06 || Math.abs(hi) * 0.005 || 1;
  const yt = niceTicks(lo - padV, hi + padV, height < 220 ? 4 : 5);
  const decimals = decimalsFor(yt.step);
  const yLabels = yt.ticks.map((v) => formatNumber(v, decimals));

  const m = { top: 28, right: 14, bottom: 26, left: Math.max(...yLabels.map((s) => s.length)) * 6.6 + 14 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const xOf = (ts) => m.left + ((ts - start) / (end - start)) * pw;
  const yOf = (v) => m.top + ph - ((v - yt.min) / (yt.max - yt.min || 1)) * ph;

  const parts = [open, bg];
  // Legend (top-left) in the chart itself, so the served SVG explains itself.
  parts.push(
    `<g class="legend" fill="${escapeXml(theme.text)}">` +
      `<line class="line-eq" x1="${m.left}" y1="12" x2="${m.left + 18}" y2="12" stroke="${escapeXml(theme.equity)}" stroke-width="2"/>` +
      `<text x="${m.left + 23}" y="16">${escapeXml('Equity')}</text>` +
      `<line class="line-ex" x1="${m.left + 80}" y1="12" x2="${m.left + 98}" y2="12" stroke="${escapeXml(theme.exFlows)}" stroke-width="2" stroke-dasharray="5 3"/>` +
      `<text x="${m.left + 103}" y="16">${escapeXml('Excluding flows')}</text></g>`,
  );

  // Value axis: horizontal grid lines with round-number labels.
  parts.push(`<g class="axis axis-y" fill="${escapeXml(theme.axis)}">`);
  yt.ticks.forEach((v, i) => {
    const y = yOf(v).toFixed(1);
    parts.push(
      `<line class="grid" x1="${m.left}" x2="${width - m.right}" y1="${y}" y2="${y}" stroke="${escapeXml(theme.grid)}" stroke-width="1"/>` +
        `<text x="${m.left - 8}" y="${y}" dy="0.32em" text-anchor="end">${escapeXml(yLabels[i])}</text>`,
    );
  });
  parts.push('</g>');

  // Time axis: HH:MM (24 h) or weekday + date (7 d) at round wall-clock times.
  parts.push(`<g class="axis axis-x" fill="${escapeXml(theme.axis)}">`);
  const baseY = m.top + ph;
  parts.push(`<line class="axis-line" x1="${m.left}" x2="${width - m.right}" y1="${baseY}" y2="${baseY}" stroke="${escapeXml(theme.axis)}" stroke-width="1"/>`);
  for (const tick of timeTicks(range, start, end, pw, utc)) {
    const x = xOf(tick.t);
    if (x < m.left + 14 || x > width - m.right - 14) continue; // keep labels inside the plot
    const xs = x.toFixed(1);
    parts.push(
      `<line class="tick" x1="${xs}" x2="${xs}" y1="${baseY}" y2="${baseY + 4}" stroke="${escapeXml(theme.axis)}" stroke-width="1"/>` +
        `<text x="${xs}" y="${baseY + 16}" text-anchor="middle">${escapeXml(tick.label)}</text>`,
    );
  }
  parts.push('</g>');

  // Series. A gap of more than 3 typical steps breaks the line instead of drawing a false straight run.
  const steps = eq.slice(1).map((p, i) => p.ts - eq[i].ts).sort((a, b) => a - b);
  const gapSec = Math.max(3 * (steps[Math.floor(steps.length / 2)] ?? 0), range === '24h' ? 900 : 7200);
  const eqPath = linePath(eq, xOf, yOf, gapSec);
  const area = `${eqPath.replace(/M/g, 'L').replace(/^L/, 'M')}L${xOf(eq[eq.length - 1].ts).toFixed(1)},${baseY}L${xOf(eq[0].ts).toFixed(1)},${baseY}Z`;
  parts.push(`<path class="area-eq" d="${area}" fill="${escapeXml(theme.equity)}" fill-opacity="0.07" stroke="none"/>`);
  if (ex.length >= 2) {
    parts.push(
      `<path class="line line-ex" d="${linePath(ex, xOf, yOf, gapSec)}" fill="none" stroke="${escapeXml(theme.exFlows)}" stroke-width="1.6" stroke-dasharray="5 3" stroke-linejoin="round"/>`,
    );
  }
  parts.push(
    `<path class="line line-eq" d="${eqPath}" fill="none" stroke="${escapeXml(theme.equity)}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>`,
  );

  // Flow markers: a dashed guide at the flow's time and a triangle on the equity line.
  const markers = markerList;
  const shown = markersInRange(markers, range, end);
  if (shown.length > 0) parts.push('<g class="markers">');
  for (const i of shown) {
    const mk = markers[i];
    const deposit = mk.type === 'deposit';
    const colour = escapeXml(deposit ? theme.deposit : theme.withdrawal);
    const x = xOf(mk.ts);
    const yv = valueAt(eq, mk.ts);
    const y = clamp(yv === null ? baseY : yOf(yv), m.top + 8, baseY - 8);
    const s = 6;
    const tri = deposit
      ? `M${(x - s).toFixed(1)},${(y + s * 0.8).toFixed(1)}L${(x + s).toFixed(1)},${(y + s * 0.8).toFixed(1)}L${x.toFixed(1)},${(y - s).toFixed(1)}Z`
      : `M${(x - s).toFixed(1)},${(y - s * 0.8).toFixed(1)}L${(x + s).toFixed(1)},${(y - s * 0.8).toFixed(1)}L${x.toFixed(1)},${(y + s).toFixed(1)}Z`;
    // The page shows its own tooltip (titles: false): the lines are only worked out for a served file's <title>.
    const title = markerTitle(mk);
    parts.push(
      `<g class="marker marker-${deposit ? 'deposit' : 'withdrawal'}" data-i="${i}" tabindex="0" role="img" aria-label="${escapeXml(title)}">` +
        (opts.titles === false ? '' : `<title>${escapeXml([title, ...markerText(mk, unit, utc).lines].join('\n'))}</title>`) +
        `<line class="marker-guide" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.top}" y2="${baseY}" stroke="${colour}" stroke-opacity="0.35" stroke-dasharray="2 3"/>` +
        `<circle class="marker-hit" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="12" fill="transparent"/>` +
        `<path class="marker-shape" d="${tri}" fill="${colour}" stroke="${escapeXml(theme.background)}" stroke-width="1.2"/></g>`,
    );
  }
  if (shown.length > 0) parts.push('</g>');
  parts.push('</svg>');
  return parts.join('');
}

/** A value the axis math can span (beyond ±1e15 differences overflow to Infinity and the chart to NaN). */
function plausible(v) {
  return Number.isFinite(v) && Math.abs(v) < 1e15;
}

function clamp(v, lo, hi) {
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : lo;
}
