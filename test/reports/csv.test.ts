import { describe, expect, it } from 'vitest';
import { cell, textCell, toCsv, type Column } from '../../src/reports/csv.js';
import { equityCsv, flowsCsv, reportCsv } from '../../src/reports/index.js';
import type { FlowRecord } from '../../src/recon/types.js';
import { parseCsv } from '../helpers/csv-parse.js';

const flow = (over: Partial<FlowRecord> = {}): FlowRecord => ({
    ledger_id: 'LABC-123',
    refid: 'RXYZ',
    time: 1_764_806_400.25,
    type: 'deposit',
    subtype: '',
    asset: 'USD',
    side: 'quote',
    amount: '100.0000',
    fee: '0.5000',
    net: '99.5000',
    price: 0.1,
    doge_eq: 995,
    detected_ts: 1_764_806_500,
    applied: true,
    category: 'external',
    wallet: 'spot',
    ...over,
  });

describe('CSV exports', () => {
  it('RFC 4180: header row, CRLF records, quotes doubled, commas and line breaks quoted', () => {
    const cols: Column<{ a: string; n: number }>[] = [
      { name: 'a', kind: 'text', get: (r) => r.a },
      { name: 'n', kind: 'number', get: (r) => r.n },
    ];
    const text = toCsv(cols, [
      { a: 'say "hi", then\r\nleave', n: 1 },
      { a: 'plain', n: 2 },
    ]);
    expect(text).toBe('a,n\r\n"say ""hi"", then\r\nleave",1\r\nplain,2\r\n');
    expect(parseCsv(text)).toEqual([
      ['a', 'n'],
      ['say "hi", then\r\nleave', '1'],
      ['plain', '2'],
    ]);
  });

  it('text that a spreadsheet would run as a formula is neutralised with a leading quote', () => {
    for (const evil of ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '=cmd|"/C calc"!A0']) {
      const out = textCell(evil);
      const [[parsed]] = parseCsv(`${out}\r\n`) as [[string]];
      expect(parsed, evil).toBe(`'${evil}`);
    }
    expect(textCell('deposit')).toBe('deposit');
    expect(textCell('a=b')).toBe('a=b'); // only the first character can start a formula
  });

  it('numbers stay numbers, negatives included; a number column never passes text through as a number', () => {
    expect(cell('number', -5)).toBe('-5');
    expect(cell('number', '-5.25')).toBe('-5.25');
    expect(cell('number', 1e-7)).toBe('0.0000001');
    expect(cell('number', 1.5e21)).toBe('1500000000000000000000');
    expect(cell('number', -0)).toBe('0');
    expect(cell('number', null)).toBe('');
    expect(cell('number', Number.NaN)).toBe(''); // not finite: no figure
    expect(cell('number', Number.POSITIVE_INFINITY)).toBe('');
    expect(cell('number', '-2+3')).toBe(`"'-2+3"`); // not a plain decimal: text, neutralised
    expect(cell('number', '=1+1')).toBe(`"'=1+1"`);
    expect(cell('bool', true)).toBe('true');
  });

  it('flows.csv: every field in order, with each row\'s category and wallet', () => {
    const text = flowsCsv([
      flow(),
      flow({ ledger_id: '=EVIL()', refid: '-1+1', type: 'withdrawal', net: '-50.0000', amount: '-49.5', doge_eq: -500, applied: false, category: 'income', wallet: 'F' }),
    ]);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['time', 'unix_time', 'ledger_id', 'refid', 'type', 'subtype', 'category', 'asset', 'wallet', 'amount', 'fee', 'net', 'doge_eq', 'applied']);
    expect(rows[1]).toEqual(['2025-12-04T00:00:00.250Z', '1764806400.25', 'LABC-123', 'RXYZ', 'deposit', '', 'external', 'USD', 'spot', '100.0000', '0.5000', '99.5000', '995', 'true']);
    expect(rows[2]).toEqual(['2025-12-04T00:00:00.250Z', '1764806400.25', "'=EVIL()", "'-1+1", 'withdrawal', '', 'income', 'USD', 'F', '-49.5', '0.5000', '-50.0000', '-500', 'false']);
  });

  it('equity.csv and report.csv have a header and one line per point or period', () => {
    const eq = parseCsv(equityCsv([{ ts: 1_764_806_400, doge_eq: 30000.5, usd: 1000, doge: 20000, price: 0.1, bot_pnl_usd: -3.25, flows_cumulative_doge_eq: 0 }]));
    expect(eq[0]).toEqual(['time', 'unix_time', 'doge_eq', 'usd', 'doge', 'price', 'bot_pnl_usd', 'flows_cumulative_doge_eq']);
    expect(eq[1]).toEqual(['2025-12-04T00:00:00.000Z', '1764806400', '30000.5', '1000', '20000', '0.1', '-3.25', '0']);
    const empty = { deposits_usd: 0, withdrawals_usd: 0, income_usd: 0, bot_pnl_usd: 0, unexplained_usd: 0, price_effect_usd: 0, periods: 0, return_ex_flows_pct: null };
    const rep = parseCsv(
      reportCsv({
        period_sec: 86400,
        tz: 'Europe/Berlin',
        periods: [
          { start_ts: 1_764_802_800, end_ts: 1_764_889_200, open: true, complete: false, start_price: null, end_price: null, start_usd: null, end_usd: null, start_doge_eq: null, end_doge_eq: null, deposits_usd: null, withdrawals_usd: null, income_usd: null, bot_pnl_usd: null, unexplained_usd: null, price_effect_usd: null, return_ex_flows_pct: null, bot_return_pct: null },
        ],
        summary: { '7d': empty, '30d': empty },
      }),
    );
    expect(rep[0]?.slice(0, 8)).toEqual(['start', 'end', 'start_local', 'start_ts', 'end_ts', 'open', 'complete', 'start_price']);
    expect(rep[0]?.length).toBe(21);
    expect(rep[1]?.slice(0, 7)).toEqual(['2025-12-03T23:00:00.000Z', '2025-12-04T23:00:00.000Z', '2025-12-04T00:00:00+01:00', '1764802800', '1764889200', 'true', 'false']);
    expect(rep[1]?.slice(7).every((c) => c === '')).toBe(true); // an incomplete row: empty cells, never a made-up 0
  });
});
