// The dashboard page. Listens to /events (Server-Sent Events; ETag polling of /status when the stream breaks),
// renders every payload value through textContent (never HTML), and draws the equity chart with chart.js (the
// same module the server uses for /chart.svg; its SVG holds payload text only escaped, in attributes). Any block may be missing
// or null in the payload: each renderer then shows a quiet placeholder instead of throwing.

import * as chart from './chart.js';
import { mountSvg } from './page-dom.js';

const POLL_MS = 4000;
const FETCH_TIMEOUT_MS = 8000;
/** After the stream breaks the page polls; it tries the stream again this long after each break. */
const STREAM_RETRY_MS = 10_000;
const WEEK_SEC = 7 * 86_400;

/**
 * One /status request with a timeout. Credentials: the session cookie `/?token=` set (sent by the browser).
 * `no-cache` revalidates: within one tick the server answers 304 and the browser reuses the body it has.
 */
function fetchStatus() {
  const ctl = new window.AbortController();
  const timer = setTimeout(() => ctl.abort(), FETCH_TIMEOUT_MS);
  return fetch('status', {
    cache: 'no-cache',
    signal: ctl.signal,
  }).finally(() => clearTimeout(timer));
}

/**
 * The payload the server inlined into the page (with its clock), taken once; null when it sent none (warming up).
 * @returns {{ payload: Record<string, any>, serverNow: number } | null}
 */
function takeInlineStatus() {
  const node = document.getElementById('status-initial');
  if (!node) return null;
  node.remove();
  try {
    const payload = JSON.parse(node.textContent ?? '');
    const serverNow = Number(node.dataset.now);
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload) && Number.isFinite(serverNow) ? { payload, serverNow } : null;
  } catch {
    return null;
  }
}
const inline = takeInlineStatus();

const state = {
  /** @type {Record<string, any> | null} last good payload */
  payload: null,
  /** client clock (ms) when the payload's ts was first seen */
  fetchedAt: 0,
  /** the payload's age (s) at that moment, measured on the server's clock (Date header) */
  ageAtFetch: 0,
  /** @type {null | { kind: 'network' | 'http' | 'auth' | 'warming', message: string }} */
  error: null,
  /** @type {'24h' | '7d'} */
  range: '24h',
  chartKey: '',
  /** @type {any[]} markers of the chart on screen, indexed by the SVG's data-i */
  chartMarkers: [],
  unit: 'DOGE',
  /** server clock − client clock (s), from the Date header of the last /status answer */
  skew: 0,
  /** @type {'stream' | 'poll'} how this page gets its updates */
  transport: 'poll',
  /** the 7-day markers fetched from /flows (null until first needed), and a counter that bumps per fetch */
  week: { markers: /** @type {any[] | null} */ (null), version: 0, loading: false },
};

// ---------- small helpers ----------

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const obj = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null);
const arr = (v) => (Array.isArray(v) ? v : []);
const str = (v, fallback = '—') => (typeof v === 'string' && v !== '' ? v : fallback);

/** @param {number | null | undefined} v @param {number} d */
const num = (v, d = 2) => chart.formatNumber(v, d);
/** Signed with an explicit "+": P&L, drift and flows read better that way. */
const signed = (v, d = 2) => (isNum(v) && v > 0 && num(v, d) !== num(0, d) ? `+${num(v, d)}` : num(v, d));
const priceText = (v) => (isNum(v) ? num(v, v < 1 ? 5 : v < 100 ? 4 : 2) : '—');

function ago(sec) {
  if (!isNum(sec)) return '—';
  const s = Math.max(0, sec);
  if (s < 1.5) return 'just now';
  if (s < 90) return `${Math.round(s)} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** Age of a payload time, in the server's frame (payload ts + data age), so browser clock skew cannot distort it. */
function secondsSince(ts) {
  if (!isNum(ts)) return NaN;
  const p = state.payload;
  return p && isNum(p.ts) ? p.ts - ts + dataAge() : Date.now() / 1000 - ts;
}

/** Creates an element whose text is set with textContent. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** Fills a <dl> with rows: [label, value, tone?, title?]. */
function fillKv(dl, rows) {
  dl.replaceChildren(
    ...rows.map(([label, value, tone, title]) => {
      const row = el('div', 'kv');
      const dd = el('dd', `num${tone ? ` tone-${tone}` : ''}`, value);
      if (title) dd.title = String(title);
      row.append(el('dt', '', label), dd);
      return row;
    }),
  );
}

function show(id, visible) {
  $(id).hidden = !visible;
}

// ---------- liveness: data age, health, stale banner ----------

function dataAge() {
  return state.payload ? state.ageAtFetch + (Date.now() - state.fetchedAt) / 1000 : NaN;
}

/** Stale after three loop intervals without a new tick (as /healthz), plus one poll of slack. */
function staleAfter(p) {
  const interval = isNum(obj(p?.loop)?.interval_sec) ? Math.max(1, p.loop.interval_sec) : 30;
  return 3 * interval + POLL_MS / 1000 + 1;
}

function problemsOf(p) {
  const out = [];
  const budget = obj(p.budget);
  const flows = obj(p.external_flows);
  const history = obj(p.equity_history);
  const persistence = obj(p.persistence);
  if (budget?.fatal_error) out.push(`API key rejected: ${budget.fatal_error}`);
  const staleNote = lastKnownNote(p);
  if (staleNote) out.push(staleNote);
  if (isNum(budget?.paused_until) && budget.paused_until > (state.payload?.ts ?? Date.now() / 1000)) out.push('private calls paused (rate limit)');
  if (obj(p.price)?.ok === false) out.push(`price feed failing${p.price.last_error ? `: ${p.price.last_error}` : ''}`);
  if (obj(p.balances)?.ok === false) out.push(`balances failing${p.balances.last_error ? `: ${p.balances.last_error}` : ''}`);
  if (flows?.enabled && flows.flow_poll_ok === false) out.push(`ledger poll failing${flows.last_error ? `: ${flows.last_error}` : ''}`);
  if (history?.enabled && history.last_flush_ok === false) out.push('equity series flush failing');
  if (obj(persistence?.local)?.ok === false) out.push('local state file write failing');
  if (obj(persistence?.supabase)?.configured && persistence.supabase.ok === false) out.push('Supabase write failing');
  return out;
}

/** After a restart, before Kraken answers, /status shows the last known figures marked `stale` with `age_sec`. */
function lastKnownNote(p) {
  const block = [p.balance_recon, p.balances, p.price].map(obj).find((b) => b?.stale === true);
  if (!block) return null;
  const age = isNum(block.age_sec) ? Math.round(block.age_sec + Math.max(0, dataAge() || 0)) : null;
  return `last known figures from before the restart: stale${age === null ? '' : `, ${age} s old`}`;
}

function renderLiveness() {
  const p = state.payload;
  const age = dataAge();
  const stale = p !== null && age > staleAfter(p);
  const err = state.error;
  $('age').textContent = p ? ago(age) : '—';

  /** @type {[string, string, string]} pill text, tone, title */
  let health;
  let banner = null;
  if (err && (err.kind === 'auth' || !p)) {
    health = err.kind === 'warming' ? ['warming up', 'muted', err.message] : [err.kind === 'auth' ? 'unauthorized' : 'offline', 'bad', err.message];
    banner = { tone: err.kind === 'warming' ? 'info' : 'bad', text: err.message };
  } else if (err) {
    health = ['offline', 'bad', err.message];
    banner = { tone: 'bad', text: `${err.message}. Showing data from ${ago(age)}; retrying every ${POLL_MS / 1000} s.` };
  } else if (!p) {
    health = ['connecting', 'muted', ''];
  } else if (stale) {
    const interval = obj(p.loop)?.interval_sec;
    health = ['stale', 'bad', 'no new tick'];
    banner = {
      tone: 'bad',
      text: `Data is stale: the last tick was ${ago(age)}${isNum(interval) ? ` (expected every ${interval} s)` : ''}. The numbers below are not current.`,
    };
  } else {
    const problems = problemsOf(p);
    health = problems.length > 0 ? ['degraded', 'warn', problems.join('; ')] : ['healthy', 'ok', 'ticks are fresh'];
    if (problems.length > 0) banner = { tone: 'warn', text: problems.join(' · ') };
  }

  const pill = $('health');
  pill.textContent = health[0];
  pill.className = `pill pill-${health[1]}`;
  pill.title = health[2];
  const b = $('banner');
  if (banner) {
    b.textContent = banner.text;
    b.className = `banner banner-${banner.tone}`;
    b.hidden = false;
  } else {
    b.hidden = true;
  }
  const isStale = stale || (err !== null && err.kind !== 'warming');
  document.body.classList.toggle('is-stale', isStale && p !== null);
  const pair = p ? pairLabel(p) : '';
  document.title = `${isStale ? 'STALE · ' : ''}${pair ? `${pair} · ` : ''}Balance sidecar`;
}

// ---------- header ----------

function pairLabel(p) {
  const pair = obj(p.pair);
  if (!pair) return '';
  return pair.base && pair.quote ? `${pair.base}/${pair.quote}` : str(pair.altname, '');
}

function renderHeader(p) {
  const mode = p.mode === 'live' || p.mode === 'demo' ? p.mode : null;
  const badge = $('mode');
  badge.textContent = mode ? mode.toUpperCase() : '—';
  badge.className = `badge badge-${mode ?? 'muted'}`;
  badge.title = mode === 'live' ? 'Watching the real Kraken account' : mode === 'demo' ? 'Simulated account (no Kraken keys configured)' : '';
  $('pair').textContent = pairLabel(p) || '—';
  const price = obj(p.price);
  const quote = str(obj(p.pair)?.quote, '');
  $('price').textContent = isNum(price?.last) ? `${priceText(price.last)}${quote ? ` ${quote}` : ''}` : '—';
  $('price').classList.toggle('tone-bad', price?.ok === false);
  renderTransport(p);
}

/** `/status.live` (Kraken push or REST polling, and why) and how this page itself gets its updates. */
function renderTransport(p) {
  const live = obj(p?.live);
  const dd = $('live');
  const kraken = live ? (live.mode === 'push' ? 'push' : `poll${live.reason ? ` · ${live.reason}` : ''}`) : '—';
  dd.textContent = kraken;
  dd.dataset.transport = state.transport;
  const details = live
    ? [`Kraken: ${live.mode === 'push' ? 'WebSocket push' : 'REST polling'}${live.reason ? ` (${live.reason})` : ''}`, `${num(live.reconnects, 0)} reconnects`, live.system ? `engine ${live.system}` : '']
    : ['Kraken: —'];
  dd.title = [...details, `this page: ${state.transport === 'stream' ? 'live stream' : 'polling'}`].filter(Boolean).join(' · ');
}

// ---------- reconciliation ----------

function renderRecon(p) {
  const br = obj(p.balance_recon);
  const ef = obj(p.external_flows);
  show('recon-placeholder', !br);
  document.querySelector('.recon-body')?.toggleAttribute('hidden', !br);
  if (!br) return;
  const unit = `${state.unit}-eq`;
  const quote = str(obj(p.pair)?.quote, 'USD');
  const flowsOn = ef?.enabled === true;
  const thr = isNum(br.threshold_pct) ? br.threshold_pct : null;

  // Headline: adjusted drift when flows are detected, else the legacy drift (which still contains flows).
  const value = flowsOn ? br.adjusted_drift_doge : br.drift_doge;
  const pct = flowsOn ? br.adjusted_drift_pct : br.drift_pct;
  const status = ['ok', 'warn', 'unknown'].includes(flowsOn ? br.adjusted_status : br.status) ? (flowsOn ? br.adjusted_status : br.status) : 'unknown';
  $('hero-label').textContent = flowsOn ? 'Unexplained' : 'Drift';
  $('hero').className = `hero hero-${status}`;
  $('hero-status').textContent = status.toUpperCase();
  $('hero-value').textContent = signed(value);
  $('hero-unit').textContent = unit;
  $('hero-pct').textContent = isNum(pct) ? `${signed(pct, 2)} %` : '—';
  $('hero-note').textContent = [
    thr !== null ? `warn above ±${num(thr, 2)} %` : null,
    flowsOn ? (isNum(br.income_doge_eq) ? 'deposits, withdrawals and income removed' : 'deposits and withdrawals removed') : 'flow detection off: includes deposits and withdrawals',
  ]
    .filter(Boolean)
    .join(' · ');
  $('recon-mode').textContent = !ef ? '' : !flowsOn ? 'flow detection off' : ef.auto_adjust ? 'flows adjust the baseline' : 'flows observed only';

  const baseline = obj(br.baseline);
  const pnl = obj(br.bot_pnl);
  const flowsSub = !ef ? 'no flow data' : flowsOn ? null : 'detection off';
  const metrics = [
    ['Baseline', num(br.baseline_doge_eq), baseline ? `${num(baseline.doge, 2)} ${state.unit} + ${num(baseline.usd, 2)} ${quote} · since ${chart.formatTime(baseline.ts, 'full')}` : 'not set yet'],
    ['Current', num(br.current_doge_eq), isNum(obj(p.price)?.last) ? `valued at ${priceText(p.price.last)} ${quote}` : ''],
    [
      'Bot P&L',
      `${signed(br.bot_pnl_usd)} ${quote}`,
      `${signed(br.bot_pnl_doge_eq)} ${unit}${pnl ? ` · source ${str(pnl.source)}${pnl.stale ? ' (stale)' : ''}` : ''}`,
      pnl?.ok === false ? 'warn' : '',
    ],
    [flowsOn ? 'Drift (raw)' : 'Drift', signed(br.drift_doge), `${isNum(br.drift_pct) ? `${signed(br.drift_pct)} %` : '—'} · ${str(br.status, 'unknown')}`, flowsOn ? '' : toneOf(br.status)],
    // Signed magnitudes; a zero total reads "0.00" (never "−0.00" or "+0.00").
    ['Deposits', ef ? signed(Math.abs(ef.deposits_doge_eq)) : '—', flowsSub ?? unit, ef ? 'up' : ''],
    ['Withdrawals', ef ? signed(-Math.abs(ef.withdrawals_doge_eq)) : '—', flowsSub ?? unit, ef ? 'down' : ''],
    ['Net flows', ef ? signed(ef.cumulative_doge_eq) : '—', ef ? `${isNum(ef.flow_count) ? ef.flow_count : 0} flows since baseline` : 'no flow data'],
    ...(views ? views.recon.metrics(p, state.unit) : []), // income, unclassified, the ledger's P&L
  ];
  $('recon-metrics').replaceChildren(
    ...metrics.map(([label, v, sub, tone]) => {
      const row = el('div', 'metric');
      row.append(el('dt', '', label), el('dd', `value num${tone ? ` tone-${tone}` : ''}`, v), el('dd', 'sub', sub));
      return row;
    }),
  );
}

function toneOf(status) {
  return status === 'ok' ? 'ok' : status === 'warn' ? 'warn' : '';
}

// ---------- equity chart ----------

function panelsEnabled(p) {
  return obj(obj(p.rollout)?.flags)?.DASHBOARD_FLOW_PANELS_ENABLED === true;
}

function renderChart(p, force = false) {
  const history = obj(p.equity_history);
  const on = panelsEnabled(p);
  const placeholder = !on
    ? 'The equity chart appears at rollout stage 4 (DASHBOARD_FLOW_PANELS_ENABLED).'
    : !history
      ? 'No equity history in the status payload.'
      : '';
  $('chart-placeholder').textContent = placeholder;
  show('chart-placeholder', placeholder !== '');
  show('chart-wrap', placeholder === '');
  show('chart-note', placeholder === '');
  document.querySelector('.chart-card .seg')?.toggleAttribute('hidden', placeholder !== '');
  if (placeholder) {
    $('chart').replaceChildren();
    state.chartKey = '';
    return;
  }

  const box = $('chart');
  const width = Math.max(280, Math.floor(box.clientWidth || 640));
  const height = width < 520 ? 230 : 290;
  const key = `${p.ts}|${state.range}|${width}|${state.week.version}`;
  if (!force && key === state.chartKey) return;
  state.chartKey = key;

  const points = arr(state.range === '24h' ? history.sparkline_24h : history.sparkline_7d);
  const end = isNum(p.ts) ? p.ts : undefined;
  const markers = state.range === '7d' ? weekMarkers(history, end) : arr(history.flow_markers);
  const svgText = chart.buildEquityChartSvg({ points, markers, range: state.range, width, height, end, unit: state.unit, titles: false });
  hideTip();
  if (!mountSvg(box, svgText)) return;
  state.chartMarkers = markers;

  const shown = isNum(end) || points.length > 0 ? box.querySelectorAll('.marker').length : 0;
  $('chart-note').textContent =
    `Equity in ${state.unit}-eq (both balances at the current price); the dashed line excludes deposits and withdrawals. ` +
    `${shown} flow${shown === 1 ? '' : 's'} in range.`;
}

/** True when the payload's markers cover the 7-day range (a server before the /flows split sent them all). */
function payloadCoversWeek(history, end) {
  const from = history.flow_markers_from;
  return !isNum(from) || !isNum(end) || from <= end - WEEK_SEC;
}

/** The 7-day markers: the fetched week merged with the payload's latest (newer flows arrive with each tick). */
function weekMarkers(history, end) {
  const own = arr(history.flow_markers);
  const week = state.week.markers;
  if (payloadCoversWeek(history, end) || !week) return own;
  const seen = new Set(own.map((m) => m.ledger_id));
  const older = week.filter((m) => !seen.has(m.ledger_id));
  return older.length === 0 ? own : [...older, ...own].sort((a, b) => a.ts - b.ts);
}

/** A /flows row as a chart marker (the shape of /status's flow_markers; the sign decides deposit or withdrawal). */
function flowToMarker(f) {
  return { ts: f.time, type: f.net >= 0 ? 'deposit' : 'withdrawal', ledger_type: f.type, asset: f.asset, amount: f.net, doge_eq: f.doge_eq, ledger_id: f.ledger_id, category: f.category, wallet: f.wallet };
}

/** Fetches the week's external flows from /flows, page by page (revalidated: unchanged pages are 304s). */
async function loadWeek(end) {
  if (state.week.loading) return;
  state.week.loading = true;
  try {
    const out = [];
    let before = null;
    // `since` on the hour: the same query all hour long, so a later toggle revalidates (304) instead of
    // downloading again; the chart clips the extra hour to its window.
    const since = Math.floor((end - WEEK_SEC) / 3600) * 3600;
    for (let pages = 0; pages < 50; pages++) {
      const q = new window.URLSearchParams({ category: 'external', since: String(since), limit: '500' });
      if (before !== null) q.set('before', String(before));
      const res = await fetch(`flows?${q}`, { cache: 'no-cache' });
      if (!res.ok) throw new Error(`/flows answered HTTP ${res.status}`);
      const page = await res.json();
      for (const f of arr(page?.flows)) if (obj(f) && isNum(f.time) && isNum(f.net)) out.push(flowToMarker(f));
      if (!isNum(page?.next_before)) break;
      before = page.next_before;
    }
    state.week.markers = out.sort((a, b) => a.ts - b.ts);
    state.week.version++;
    if (state.payload && state.range === '7d') renderChart(state.payload, true);
  } catch (err) {
    setTimeout(() => {
      throw err; // the chart keeps the markers it has
    });
  } finally {
    state.week.loading = false;
  }
}

function setRange(range) {
  if (range !== '24h' && range !== '7d') return;
  state.range = range;
  for (const b of Array.from(document.querySelectorAll('.seg button'))) b.setAttribute('aria-pressed', String(b.dataset.range === range));
  const p = state.payload;
  if (!p) return;
  renderChart(p, true); // at once with the markers at hand; the week's arrive from /flows
  const history = obj(p.equity_history);
  if (range === '7d' && history && isNum(p.ts) && !payloadCoversWeek(history, p.ts)) void loadWeek(p.ts);
}

// ---------- chart tooltip ----------

function markerOf(target) {
  return target instanceof window.Element ? target.closest('.marker') : null;
}

function showTip(g) {
  const m = state.chartMarkers[Number(g.getAttribute('data-i'))];
  if (!obj(m)) return;
  const text = chart.markerText(m, state.unit);
  const tip = $('chart-tip');
  tip.replaceChildren(el('strong', '', text.title), ...text.lines.map((line) => el('div', '', line)));
  tip.className = `tip tip-${m.type === 'deposit' ? 'deposit' : 'withdrawal'}`;
  tip.hidden = false;
  const wrap = $('chart-wrap').getBoundingClientRect();
  const shape = (g.querySelector('.marker-shape') ?? g).getBoundingClientRect();
  const tw = tip.offsetWidth;
  const th = tip.offsetHeight;
  const cx = shape.left + shape.width / 2 - wrap.left;
  const left = Math.min(Math.max(4, cx - tw / 2), Math.max(4, wrap.width - tw - 4));
  let top = shape.top - wrap.top - th - 10;
  if (top < 0) top = shape.bottom - wrap.top + 10;
  tip.style.left = `${Math.round(left)}px`; // CSSOM, which the CSP allows (unlike style attributes)
  tip.style.top = `${Math.round(top)}px`;
  g.classList.add('is-active');
}

function hideTip() {
  const tip = $('chart-tip');
  tip.hidden = true;
  for (const g of Array.from(document.querySelectorAll('.marker.is-active'))) g.classList.remove('is-active');
}

function wireChart() {
  const wrap = $('chart-wrap');
  wrap.addEventListener('pointerover', (e) => {
    const g = markerOf(e.target);
    if (g) showTip(g);
  });
  wrap.addEventListener('pointerout', (e) => {
    const g = markerOf(e.target);
    if (g && !g.contains(/** @type {Node | null} */ (e.relatedTarget))) hideTip();
  });
  wrap.addEventListener('focusin', (e) => {
    const g = markerOf(e.target);
    if (g) showTip(g);
  });
  wrap.addEventListener('focusout', hideTip);
  // Touch: a tap shows the tooltip, a tap elsewhere hides it.
  document.addEventListener('click', (e) => {
    const g = markerOf(e.target);
    if (g) showTip(g);
    else hideTip();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') hideTip();
  });
  for (const b of Array.from(document.querySelectorAll('.seg button'))) b.addEventListener('click', () => setRange(b.dataset.range));
  let pending = 0;
  window.addEventListener('resize', () => {
    clearTimeout(pending);
    pending = setTimeout(() => state.payload && renderChart(state.payload), 150);
  });
}

// ---------- flow history ----------

const FLOW_COLUMNS = ['Time', 'Type', 'Category', 'Asset', 'Wallet', 'Amount', 'Fee', `Value`, 'Baseline', 'Ledger id'];
/** Column indices: numbers are right-aligned; the value column is labelled with the base asset. */
const FLOW_COL = { type: 1, category: 2, wallet: 4, amount: 5, fee: 6, value: 7, ledger: 9 };
const isNumCol = (i) => i >= FLOW_COL.amount && i <= FLOW_COL.value;

function renderFlows(p) {
  const ef = obj(p.external_flows);
  const placeholder = !panelsEnabled(p)
    ? 'The flow history appears at rollout stage 4 (DASHBOARD_FLOW_PANELS_ENABLED).'
    : !ef
      ? 'No flow data in the status payload.'
      : '';
  $('flows-placeholder-text').textContent = placeholder;
  show('flows-placeholder', placeholder !== '');
  show('flows', placeholder === '');
  if (placeholder) return;

  const flows = arr(ef.recent_flows).filter(obj).slice().sort((a, b) => (isNum(b.time) ? b.time : 0) - (isNum(a.time) ? a.time : 0));
  // The list holds income rows too; flow_count counts external flows only: say which is which.
  const withIncome = flows.some((f) => f.category === 'income');
  $('flow-count').textContent = `${flows.length} recent${withIncome ? ' (flows and income)' : ''}${isNum(ef.flow_count) ? ` · ${ef.flow_count} ${withIncome ? 'external flows' : 'flows'} since baseline` : ''}${ef.enabled ? '' : ' · detection off'}`;
  const list = $('flow-list');
  if (flows.length === 0) {
    list.replaceChildren(el('p', 'placeholder', 'No deposits, withdrawals or income since the baseline.'));
    return;
  }
  const table = el('table', 'flow-table');
  const head = el('tr');
  // An older sidecar sends neither category nor wallet: leave out two columns of dashes.
  const skip = new Set(flows.some((f) => 'category' in f || 'wallet' in f) ? [] : [FLOW_COL.category, FLOW_COL.wallet]);
  FLOW_COLUMNS.forEach((c, i) => skip.has(i) || head.append(el('th', isNumCol(i) ? 'num' : '', c === 'Value' ? `${state.unit}-eq` : c)));
  table.append(el('thead'), el('tbody'));
  table.tHead?.append(head);
  for (const f of flows) {
    const inflow = isNum(f.net) ? f.net >= 0 : true;
    const tr = el('tr', inflow ? 'flow-in' : 'flow-out');
    const cells = [
      chart.formatTime(f.time, 'full'),
      `${inflow ? '\u25B2' : '\u25BC'} ${str(f.type)}${f.subtype ? ` / ${f.subtype}` : ''}`,
      str(f.category), // external (the owner's money) or income (rewards); absent from older sidecars
      str(f.asset),
      str(f.wallet),
      isNum(f.amount) && f.amount > 0 && chart.formatAmount(f.amount) !== chart.formatAmount(0) ? `+${chart.formatAmount(f.amount)}` : chart.formatAmount(f.amount),
      chart.formatAmount(f.fee),
      signed(f.doge_eq, 2),
      f.applied ? 'applied' : 'observed',
      str(f.ledger_id),
    ];
    cells.forEach((text, i) => {
      if (skip.has(i)) return;
      const td = el('td', i === FLOW_COL.ledger ? 'mono' : isNumCol(i) ? 'num' : '', text);
      td.setAttribute('data-label', i === FLOW_COL.value ? `${state.unit}-eq` : FLOW_COLUMNS[i]);
      if (i === FLOW_COL.type) td.classList.add(inflow ? 'tone-up' : 'tone-down');
      if (i === FLOW_COL.category) td.classList.add('flow-cat', f.category === 'income' ? 'cat-income' : 'cat-external');
      if (i === FLOW_COL.fee && f.fee === 0) td.classList.add('is-zero'); // hidden on phones to keep each flow compact
      tr.append(td);
    });
    table.tBodies[0]?.append(tr);
  }
  list.replaceChildren(table);
}

// ---------- side cards ----------

function renderSide(p) {
  const quote = str(obj(p.pair)?.quote, 'USD');
  const bal = obj(p.balances);
  const price = obj(p.price);
  fillKv($('acct'), [
    [`${state.unit} balance`, bal ? num(bal.doge, 2) : '—'],
    [`${quote} balance`, bal ? num(bal.usd, 2) : '—'],
    ['Balances read', bal ? `${ago(secondsSince(bal.ts))}${bal.ok === false ? ' · failing' : ''}` : '—', bal?.ok === false ? 'bad' : '', bal?.last_error],
    ['Price read', price ? `${ago(secondsSince(price.ts))}${price.ok === false ? ' · failing' : ''}` : '—', price?.ok === false ? 'bad' : '', price?.last_error],
  ]);

  const loop = obj(p.loop);
  const budget = obj(p.budget);
  fillKv($('loop'), [
    ['Tick every', isNum(loop?.interval_sec) ? `${loop.interval_sec} s` : '—'],
    ['Ticks', loop ? num(loop.ticks, 0) : '—'],
    ['Last tick took', isNum(loop?.last_tick_duration_ms) ? `${num(loop.last_tick_duration_ms, 0)} ms` : '—'],
    ['Tick errors', loop ? num(loop.tick_errors, 0) : '—', loop?.tick_errors > 0 ? 'warn' : '', loop?.last_error],
    ['Rate counter', budget ? `${num(budget.counter, 1)} / ${num(budget.max, 0)} (${str(budget.tier)})` : '—'],
    ['Deferred calls', budget ? num(budget.deferrals, 0) : '—'],
    ['Rate-limit errors', budget ? `${num(budget.rate_limit_errors, 0)} · lockouts ${num(budget.lockouts, 0)}` : '—', budget?.rate_limit_errors > 0 ? 'warn' : ''],
    ...(budget?.fatal_error ? [['API key', String(budget.fatal_error), 'bad']] : []),
  ]);

  const ef = obj(p.external_flows);
  const eh = obj(p.equity_history);
  const per = obj(p.persistence);
  const skipped = obj(ef?.skipped_rows);
  const skippedTotal = skipped ? Object.values(skipped).reduce((s, v) => s + (isNum(v) ? v : 0), 0) : 0;
  fillKv($('store'), [
    ['Flow detection', !ef ? '—' : ef.enabled ? (ef.auto_adjust ? 'on · auto-adjust' : 'on · observe only') : 'off'],
    ['Last ledger poll', ef?.enabled ? `${ago(ef.last_poll_age_sec)}${ef.flow_poll_ok === false ? ' · failing' : ''}` : '—', ef?.flow_poll_ok === false ? 'bad' : '', ef?.last_error],
    ['Skipped ledger rows', ef ? num(skippedTotal, 0) : '—', '', skipped ? Object.entries(skipped).map(([k, v]) => `${k}: ${v}`).join(', ') : ''],
    ['Equity points', eh ? `${num(eh.points, 0)}${eh.enabled ? ' · persisted' : ' · memory only'}` : '—'],
    ['Last series flush', eh?.enabled ? `${ago(secondsSince(eh.last_flush_ts))}${eh.last_flush_ok === false ? ' · failing' : ''}` : '—', eh?.last_flush_ok === false ? 'bad' : '', eh?.last_error],
    ['Local state', storeText(per?.local), per?.local?.ok === false ? 'bad' : '', per?.local?.last_error],
    ['Supabase', storeText(per?.supabase), per?.supabase?.ok === false ? 'bad' : per?.supabase?.read_only ? 'warn' : '', per?.supabase?.last_error],
    // Another sidecar holds the write lease on the shared rows: this one only reads.
    ...(per?.supabase?.read_only ? [['Supabase lease', `read-only · held by ${str(obj(per.supabase.lease)?.owner, 'another instance')}`, 'warn']] : []),
  ]);
}

function storeText(target) {
  const t = obj(target);
  if (!t) return '—';
  if (!t.configured) return 'not configured';
  const state = t.ok === false ? 'failing' : t.ok ? 'ok' : 'pending';
  return `${state}${isNum(t.last_write_ts) ? ` · ${ago(secondsSince(t.last_write_ts))}` : ''}${t.pending ? ' · retry queued' : ''}`;
}

function renderFooter(p) {
  const rollout = obj(p.rollout);
  $('footer-version').textContent = `v${str(p.version, '?')} · running since ${isNum(obj(p.loop)?.started_ts) ? chart.formatTime(p.loop.started_ts, 'full') : '—'}`;
  $('footer-stage').textContent = `rollout stage ${isNum(rollout?.stage) ? rollout.stage : '—'} of 4`;
}

// ---------- polling ----------

function renderAll(p) {
  state.unit = str(obj(p.pair)?.base, 'DOGE');
  // Each block renders on its own: one bad block must not blank the rest of the page.
  for (const render of [renderHeader, renderRecon, renderReconMore, renderChart, renderFlows, renderSide, renderFooter]) {
    try {
      render(p);
    } catch (err) {
      setTimeout(() => {
        throw err; // surface it (devtools, tests) without stopping the poll loop
      });
    }
  }
}

/** A new payload from /status or the stream; `serverNow` is the server's clock when it was current. */
function accept(p, serverNow) {
  // Age = the server's view of it when this ts was first seen + time elapsed here since: immune to clock
  // skew between browser and server, and it keeps growing while the server repeats the same tick.
  if (!state.payload || p.ts !== state.payload.ts) {
    state.fetchedAt = Date.now();
    state.ageAtFetch = isNum(p.ts) ? Math.max(0, serverNow - p.ts) : 0;
  }
  state.payload = p;
  state.error = null;
  renderAll(p);
  renderLiveness();
}

let pollTimer = 0;
/** Whether the poll loop has run or been scheduled (it then keeps itself going while the page polls). */
let pollStarted = false;
function schedulePoll(ms) {
  pollStarted = true;
  clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, ms);
}

async function poll() {
  pollStarted = true;
  try {
    const res = await fetchStatus();
    if (res.status === 401) {
      state.error = { kind: 'auth', message: 'Unauthorized: open the dashboard as /?token=<STATUS_TOKEN>' };
    } else if (res.status === 503) {
      state.error = { kind: 'warming', message: 'Warming up: waiting for the first tick' };
    } else if (!res.ok) {
      state.error = { kind: 'http', message: `The sidecar answered HTTP ${res.status}` };
    } else {
      const p = await res.json();
      if (!obj(p)) throw new Error('not a status object');
      const serverNow = Date.parse(res.headers.get('date') ?? '') / 1000;
      if (Number.isFinite(serverNow)) state.skew = serverNow - Date.now() / 1000;
      accept(p, Number.isFinite(serverNow) ? serverNow : Date.now() / 1000);
    }
  } catch (err) {
    const aborted = err instanceof Error && err.name === 'AbortError';
    state.error = { kind: 'network', message: aborted ? 'The sidecar did not answer in time' : 'Cannot reach the sidecar' };
  } finally {
    renderLiveness();
    if (state.transport === 'poll') schedulePoll(POLL_MS);
  }
}

// ---------- the event stream ----------

/** @type {EventSource | null} */
let stream = null;
let streamRetry = 0;
let lastStreamEvent = 0;

// Heartbeat comments never reach script: a stream silent for as long as ticks take to go stale may be a dead
// connection (a NAT or proxy dropped it without a word), so the page treats it as broken and polls.
setInterval(() => {
  if (stream && state.transport === 'stream' && Date.now() - lastStreamEvent > staleAfter(state.payload) * 1000) stream.onerror?.(new window.Event('error'));
}, 5000);

/** Opens /events; each snapshot or change is applied as it comes, and polling stops while it holds. */
function openStream() {
  clearTimeout(streamRetry);
  if (stream || typeof window.EventSource !== 'function') return;
  const es = new window.EventSource('events');
  stream = es;
  const now = () => Date.now() / 1000 + state.skew;
  const onEvent = (apply) => (/** @type {MessageEvent} */ e) => {
    try {
      lastStreamEvent = Date.now();
      const p = apply(JSON.parse(e.data));
      if (!obj(p)) return;
      if (state.transport !== 'stream') {
        state.transport = 'stream';
        clearTimeout(pollTimer);
      }
      accept(p, now());
    } catch (err) {
      setTimeout(() => {
        throw err;
      });
    }
  };
  es.addEventListener('snapshot', onEvent((snap) => snap));
  // A change event holds only the sections that changed: the rest stay as they were.
  es.addEventListener('status', onEvent((d) => (state.payload && obj(d?.sections) ? { ...state.payload, ...d.sections } : null)));
  es.onerror = () => {
    // Broken (server gone, refused, cut by a proxy): poll /status, and try the stream again later.
    es.close();
    if (stream === es) stream = null;
    const wasStreaming = state.transport === 'stream';
    state.transport = 'poll';
    renderTransport(state.payload);
    // A stream that was delivering may have missed a change: poll at once. One refused from the start (the page
    // drew its inlined payload) starts the polls; else they go on as scheduled.
    if (wasStreaming) schedulePoll(0);
    else if (!pollStarted) schedulePoll(POLL_MS);
    streamRetry = setTimeout(openStream, STREAM_RETRY_MS);
  };
}

// ---------- view modules (recon detail, reports) ----------

/** The detail views; null if one failed to load (the page then works without them). */
async function loadViews() {
  try {
    const [dom, waterfall, reconView, reportsView] = await Promise.all(['./page-dom.js', './waterfall.js', './recon-view.js', './reports-view.js'].map((m) => import(m)));
    const getQuote = () => str(obj(state.payload?.pair)?.quote, 'USD');
    return {
      recon: reconView.createReconView({ dom, waterfall }),
      reports: reportsView.createReportsView({ dom, waterfall, getQuote }),
    };
  } catch (err) {
    setTimeout(() => {
      throw err;
    });
    return null;
  }
}

function renderReconMore(p) {
  if (views) views.recon.render(p, state.unit);
}

// The first paint comes from the payload inlined in the page (else from a first /status request) and does not
// wait for the detail views: they load meanwhile and fill in their part as soon as they are there.
/** @type {Awaited<ReturnType<typeof loadViews>>} */
let views = null;
const viewsLoading = loadViews();
wireChart();
setInterval(renderLiveness, 1000);
if (inline) {
  state.skew = inline.serverNow - Date.now() / 1000;
  accept(inline.payload, inline.serverNow);
} else await poll();
views = await viewsLoading;
try {
  if (state.payload) renderReconMore(state.payload);
} catch (err) {
  setTimeout(() => {
    throw err; // as renderAll does: surfaced, and the stream still opens
  });
}
openStream();
// No stream (no EventSource here): the inlined payload was the first answer, so polling starts now.
if (!stream && !pollStarted) schedulePoll(POLL_MS);
views?.reports.start();
