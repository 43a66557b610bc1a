// The reports card (DESIGN 17): the last 7 report periods as a table, the open period's roll-forward as a
// waterfall, and download links for the CSV exports. It polls `GET /report` on its own, slower cadence than
// /status; a sidecar without the route (404) gets a quiet placeholder, and a failed poll keeps the last good
// report on screen. Dependencies come in through createReportsView (see page-dom.js).

const REPORT_POLL_MS = 60_000;
const REPORT_RETRY_MISSING_MS = 5 * 60_000; // 404: this sidecar has no reports
const REPORT_RETRY_WARMING_MS = 10_000; // 503: the first report is about to be published
const FETCH_TIMEOUT_MS = 8000;
const PERIODS_SHOWN = 7;

const COLUMNS = [
  ['period', 'Period'],
  ['start', 'Start'],
  ['price', 'Price effect'],
  ['flows', 'Net flows'],
  ['income', 'Income'],
  ['bot', 'Bot P&L'],
  ['unexplained', 'Unexplained'],
  ['end', 'End'],
  ['ret', 'Return ex flows'],
];

/**
 * @param {{ dom: typeof import('./page-dom.js'), waterfall: typeof import('./waterfall.js'), getQuote: () => string }} deps
 */
export function createReportsView({ dom, waterfall, getQuote }) {
  const { el, isNum, obj, arr, str } = dom;
  const signed = (v) => waterfall.formatSigned(v, 2);
  const num = (v) => waterfall.formatNumber(v, 2);
  /** @type {{ report: any, error: string, missing: boolean, warming: boolean, fetched: boolean }} */
  const state = { report: null, error: '', missing: false, warming: false, fetched: false };
  dom.onResize(() => state.report && drawCurrent(state.report));

  async function fetchReport() {
    const ctl = new window.AbortController();
    const timer = setTimeout(() => ctl.abort(), FETCH_TIMEOUT_MS);
    try {
      const res = await fetch('report', { cache: 'no-cache', signal: ctl.signal });
      state.missing = res.status === 404;
      state.warming = res.status === 503;
      if (res.status === 404) {
        state.report = null;
        state.error = '';
      } else if (!res.ok) {
        state.error =
          res.status === 401 ? 'not authorized for /report' : res.status === 503 ? 'the first report is not ready yet' : `the sidecar answered HTTP ${res.status} for /report`;
      } else {
        const body = await res.json();
        if (!obj(body) || !Array.isArray(body.periods)) throw new Error('not a report');
        state.report = body;
        state.error = '';
      }
    } catch (err) {
      state.warming = false;
      state.error = err instanceof Error && err.name === 'AbortError' ? '/report did not answer in time' : 'could not read /report';
    } finally {
      clearTimeout(timer);
      state.fetched = true;
    }
  }

  async function loop() {
    await fetchReport();
    try {
      render();
    } catch (err) {
      setTimeout(() => {
        throw err; // surface it (devtools, tests) without stopping the poll loop
      });
    }
    setTimeout(loop, state.missing ? REPORT_RETRY_MISSING_MS : state.warming && !state.report ? REPORT_RETRY_WARMING_MS : REPORT_POLL_MS);
  }

  function render() {
    const r = state.report;
    const placeholder = r
      ? ''
      : !state.fetched
        ? 'Loading the report…'
        : state.missing
          ? 'Reports are not available on this sidecar yet.'
          : `No report: ${state.error || 'no data'}.`;
    dom.byId('reports-placeholder').textContent = placeholder;
    dom.show('reports-placeholder', placeholder !== '');
    dom.show('reports-body', placeholder === '');
    dom.show('reports-downloads', r !== null);
    const note = dom.byId('reports-note');
    note.textContent = r && state.error ? `Showing the last report; ${state.error}.` : '';
    note.hidden = note.textContent === '';
    if (!r) return;
    dom.byId('reports-meta').textContent = periodText(r);
    renderSummary(r);
    renderTable(r);
    drawCurrent(r);
  }

  function periodText(r) {
    const sec = r.period_sec;
    const every = !isNum(sec) ? '' : sec === 86_400 ? 'daily' : sec === 3600 ? 'hourly' : sec % 3600 === 0 ? `every ${sec / 3600} h` : sec % 60 === 0 ? `every ${sec / 60} min` : `every ${sec} s`;
    return [every, typeof r.tz === 'string' && r.tz ? r.tz : '', getQuote()].filter(Boolean).join(' · ');
  }

  function renderSummary(r) {
    const s = obj(r.summary);
    const parts = [];
    for (const k of ['7d', '30d']) {
      const v = obj(s?.[k]);
      if (v && isNum(v.return_ex_flows_pct)) parts.push(`${k === '7d' ? '7 d' : '30 d'} return ex flows ${signed(v.return_ex_flows_pct)} %`);
    }
    dom.byId('reports-summary').textContent = parts.join(' · ');
  }

  function renderTable(r) {
    const periods = arr(r.periods).filter(obj).slice(-PERIODS_SHOWN).reverse(); // newest (the open one) first
    const box = dom.byId('reports-table');
    if (periods.length === 0) {
      box.replaceChildren(el('p', 'placeholder', 'No report periods yet.'));
      return;
    }
    const table = el('table', 'report-table');
    const head = el('tr');
    for (const [key, label] of COLUMNS) head.append(el('th', key === 'period' ? '' : 'num', label));
    table.append(el('thead'), el('tbody'));
    table.tHead?.append(head);
    for (const row of periods) {
      const incomplete = row.complete === false;
      const tr = el('tr', `${row.open ? 'is-open' : ''}${incomplete ? ' is-incomplete' : ''}`.trim());
      const flows = isNum(row.deposits_usd) && isNum(row.withdrawals_usd) ? row.deposits_usd - row.withdrawals_usd : null;
      const cells = {
        period: periodLabel(r, row),
        start: num(row.start_usd),
        price: signed(row.price_effect_usd),
        flows: signed(flows),
        income: signed(row.income_usd),
        bot: signed(row.bot_pnl_usd),
        unexplained: signed(row.unexplained_usd),
        end: num(row.end_usd),
        ret: isNum(row.return_ex_flows_pct) ? `${signed(row.return_ex_flows_pct)} %` : '—',
      };
      for (const [key, label] of COLUMNS) {
        const td = el('td', key === 'period' ? 'period' : `num col-${key}`, cells[key]);
        td.setAttribute('data-label', label);
        if (key === 'unexplained' && isNum(row.unexplained_usd) && cells[key] !== num(0)) td.classList.add('tone-warn');
        if (key === 'flows' && flows !== null) td.title = `deposits ${signed(row.deposits_usd)} · withdrawals ${signed(-row.withdrawals_usd)}`;
        if (key === 'ret' && isNum(row.return_ex_flows_pct)) td.classList.add(row.return_ex_flows_pct >= 0 ? 'tone-up' : 'tone-down');
        if (key === 'period' && (row.open || incomplete)) {
          td.append(el('span', 'muted small', row.open ? ' open' : ' balances missing'));
        }
        tr.append(td);
      }
      table.tBodies[0]?.append(tr);
    }
    box.replaceChildren(table);
  }

  function periodLabel(r, row) {
    if (!isNum(row.start_ts)) return '—';
    const daily = isNum(r.period_sec) && r.period_sec % 86_400 === 0;
    /** @type {Intl.DateTimeFormatOptions} */
    const opts = daily ? { weekday: 'short', day: 'numeric', month: 'short' } : { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    for (const zone of [{ timeZone: str(r.tz, 'UTC') }, {}]) {
      try {
        return new Intl.DateTimeFormat('en-GB', { ...opts, ...zone }).format(row.start_ts * 1000);
      } catch {
        // an unknown zone: try the reader's; a time out of range: no label
      }
    }
    return '—';
  }

  function drawCurrent(r) {
    const periods = arr(r.periods).filter(obj);
    const open = periods.find((row) => row.open === true) ?? null;
    const box = dom.byId('period-chart');
    const input = waterfall.periodInput(open);
    if (!input) {
      box.replaceChildren(
        el('p', 'placeholder', !open ? 'No open period in the report.' : 'The current period has no complete balances yet.'),
      );
      return;
    }
    const quote = getQuote();
    dom.mountSvg(box, waterfall.buildWaterfallSvg({ input, width: dom.drawWidth(box), unit: quote, title: 'This period so far' }));
  }

  function wireDownloads() {
    for (const a of Array.from(document.querySelectorAll('#reports-downloads a[data-file]'))) {
      a.setAttribute('href', a.getAttribute('data-file') ?? '');
    }
  }

  return {
    start() {
      wireDownloads();
      render();
      void loop();
    },
  };
}
