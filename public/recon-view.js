// The reconciliation card's accounting detail (DESIGN 15): income, unclassified ledger rows with their types,
// the ledger's trading P&L beside the bot's own figure, per-wallet balances, and the since-baseline waterfall
// (balance_recon.roll_forward). Every field may be absent (a sidecar from before they existed): then the
// metric is left out or a quiet placeholder says so; nothing throws. Dependencies come in through
// createReconView (see page-dom.js for why modules do not import each other).

/** What Kraken's wallet suffixes mean (KRAKEN-LEDGER-NOTES, "Balances and wallets"). */
const WALLET_HINTS = Object.freeze({
  spot: 'spot',
  F: 'Auto Earn',
  B: 'yield-bearing',
  S: 'staked',
  M: 'opt-in rewards',
  HOLD: 'on hold',
  T: 'tokenized',
  P: 'parachain',
});

const MAX_TYPES_INLINE = 12;

/**
 * @param {{ dom: typeof import('./page-dom.js'), waterfall: typeof import('./waterfall.js') }} deps
 */
export function createReconView({ dom, waterfall }) {
  const { el, isNum, obj, str } = dom;
  const signed = (v) => waterfall.formatSigned(v, 2);
  const num = (v, d = 2) => waterfall.formatNumber(v, d);
  /** @type {null | { p: any, unit: string }} */
  let last = null;
  dom.onResize(() => {
    if (last) drawRollForward(last.p, last.unit);
  });

  /**
   * Rows for the card's metric grid: [label, value, sub, tone]. Only the fields the payload has.
   * @param {any} p the /status payload
   * @param {string} unit base asset (DOGE)
   */
  function metrics(p, unit) {
    const br = obj(p.balance_recon);
    if (!br) return [];
    const rows = [];
    if (isNum(br.income_doge_eq)) {
      const n = isNum(br.income_count) ? br.income_count : null;
      rows.push(['Income', signed(br.income_doge_eq), `${n === null ? '' : `${n} reward row${n === 1 ? '' : 's'} · `}${unit}-eq`, br.income_doge_eq > 0 ? 'up' : '']);
    }
    const un = obj(br.unclassified);
    if (un && isNum(un.rows) && un.rows > 0) {
      rows.push(['Unclassified', signed(un.doge_eq), `${un.rows} row${un.rows === 1 ? '' : 's'} · in Unexplained`, 'warn']);
    }
    const source = obj(br.bot_pnl)?.source;
    if ((source === 'http' || source === 'supabase') && isNum(br.ledger_trading_doge_eq)) {
      const diff = isNum(br.bot_pnl_doge_eq) ? br.ledger_trading_doge_eq - br.bot_pnl_doge_eq : null;
      rows.push([
        'Ledger trading',
        signed(br.ledger_trading_doge_eq),
        `${unit}-eq from Kraken's ledger, beside the ${source} figure${diff === null ? '' : ` (${signed(diff)} apart)`}`,
        '',
      ]);
    }
    return rows;
  }

  /**
   * The detail block under the metrics: waterfall, unclassified types, wallets.
   * @param {any} p
   * @param {string} unit
   */
  function render(p, unit) {
    const br = obj(p.balance_recon);
    dom.show('recon-more', br !== null);
    if (!br) {
      last = null;
      return;
    }
    last = { p, unit };
    drawRollForward(p, unit);
    renderUnclassified(br, unit);
    renderWallets(p, unit, br);
  }

  function drawRollForward(p, unit) {
    const br = obj(p.balance_recon);
    const box = dom.byId('rf-chart');
    const note = dom.byId('rf-note');
    const input = waterfall.rollForwardInput(br?.roll_forward);
    if (!input) {
      box.replaceChildren(
        el('p', 'placeholder', br?.roll_forward === null ? 'No roll-forward yet: it starts with the first baseline.' : 'This sidecar does not report a roll-forward yet.'),
      );
      note.textContent = '';
      return;
    }
    // The card's Baseline has every flow applied to it; the roll-forward starts from the first one, before any.
    const title = 'Since the first baseline';
    dom.mountSvg(box, waterfall.buildWaterfallSvg({ input, width: dom.drawWidth(box), unit: `${unit}-eq`, title }));
    const { gap } = waterfall.waterfallBars(input);
    note.textContent =
      Math.abs(gap) >= 0.005
        ? `The terms do not add up to Current: ${signed(gap)} ${unit}-eq apart.`
        : `First baseline${input.steps.some((st) => st.key === 'pool_changes') ? ' + pool changes' : ''} + flows + income + bot P&L + unexplained = current, in ${unit}-eq at the current price.`;
    note.classList.toggle('tone-warn', Math.abs(gap) >= 0.005);
  }

  function renderUnclassified(br, unit) {
    const un = obj(br.unclassified);
    const types = obj(un?.types);
    const box = dom.byId('unclassified');
    const entries = types ? Object.entries(types).filter(([, n]) => isNum(n) && n > 0) : [];
    const rows = isNum(un?.rows) ? un.rows : 0;
    box.hidden = rows <= 0 && entries.length === 0;
    if (box.hidden) return;
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const list = el('ul', 'type-list');
    for (const [type, n] of entries.slice(0, MAX_TYPES_INLINE)) {
      const li = el('li', 'type-chip');
      li.append(el('code', '', type), el('span', 'muted', ` \u00d7${n}`));
      list.append(li);
    }
    if (entries.length > MAX_TYPES_INLINE) list.append(el('li', 'muted small', `+${entries.length - MAX_TYPES_INLINE} more types`));
    const text =
      `${rows} ledger row${rows === 1 ? '' : 's'} of a type the sidecar does not know, worth ${signed(un?.doge_eq)} ${unit}-eq, ` +
      'stay in Unexplained. Name the type in LEDGER_CATEGORY_OVERRIDES to classify it.';
    box.replaceChildren(el('p', '', text), list);
  }

  function renderWallets(p, unit, br) {
    const bal = obj(p.balances);
    const wallets = obj(bal?.wallets);
    const box = dom.byId('wallets');
    const quote = str(obj(p.pair)?.quote, 'USD');
    if (!wallets || Object.keys(wallets).length === 0) {
      box.replaceChildren(el('p', 'placeholder', 'Per-wallet balances are not in this payload.'));
      return;
    }
    const pool = Array.isArray(bal.pool) ? bal.pool.filter((w) => typeof w === 'string') : null;
    const poolText = (w) => (!pool ? '' : pool.includes(w) ? 'pool' : 'not in pool'); // no list: do not guess
    const names = Object.keys(wallets).sort((a, b) => {
      const ia = pool ? pool.indexOf(a) : -1;
      const ib = pool ? pool.indexOf(b) : -1;
      if (ia !== ib && (ia < 0 || ib < 0)) return ia < 0 ? 1 : -1;
      return ia !== ib ? ia - ib : a < b ? -1 : a > b ? 1 : 0;
    });
    const table = el('table', 'wallet-table');
    const head = el('tr');
    for (const [i, h] of ['Wallet', unit, quote, ''].entries()) head.append(el('th', i === 1 || i === 2 ? 'num' : '', h));
    table.append(el('thead'), el('tbody'));
    table.tHead?.append(head);
    for (const w of names) {
      const v = obj(wallets[w]);
      const tr = el('tr', poolText(w) === 'not in pool' ? 'out-pool' : 'in-pool');
      const name = el('td', 'wallet-name');
      name.append(el('span', 'mono', w));
      const hint = Object.prototype.hasOwnProperty.call(WALLET_HINTS, w) ? WALLET_HINTS[w] : '';
      if (hint && hint !== w) name.append(el('span', 'muted small', ` ${hint}`));
      tr.append(name, el('td', 'num', num(v?.doge)), el('td', 'num', num(v?.usd)), el('td', 'small', poolText(w)));
      table.tBodies[0]?.append(tr);
    }
    const foot = el('tr', 'pool-total');
    foot.append(el('td', '', 'Pool'), el('td', 'num', num(bal.doge)), el('td', 'num', num(bal.usd)), el('td', 'small', ''));
    table.append(el('tfoot'));
    table.tFoot?.append(foot);
    const notes = [];
    if (pool) notes.push(`The reconciliation covers ${pool.length === 0 ? 'no wallet' : pool.join(', ')} (EQUITY_WALLETS).`);
    if (isNum(br.internal_moves) && br.internal_moves > 0) {
      notes.push(`${br.internal_moves} internal move${br.internal_moves === 1 ? '' : 's'} between pool wallets (Auto Earn), no effect on the figures.`);
    }
    box.replaceChildren(table, ...(notes.length > 0 ? [el('p', 'muted small wallet-note', notes.join(' '))] : []));
  }

  return { metrics, render };
}
