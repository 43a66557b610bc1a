import Big from 'big.js';
import { normalizeAsset } from '../assets.js';
import type { SimPairSpec } from './types.js';

export const DEFAULT_PAIR: SimPairSpec = {
  altname: 'XDGUSD',
  wsname: 'XDG/USD',
  base: 'XXDG',
  quote: 'ZUSD',
  pairDecimals: 7,
  lotDecimals: 8,
};

export const UNKNOWN_PAIR = 'EQuery:Unknown asset pair';

/** Names a client may use for the pair: altname, wsname, base+quote codes, plain codes (DOGEUSD). */
export function pairAliases(pair: SimPairSpec): Set<string> {
  const base = normalizeAsset(pair.base).asset;
  const quote = normalizeAsset(pair.quote).asset;
  const names = [pair.altname, pair.wsname, pair.base + pair.quote, base + quote, `${base}/${quote}`];
  return new Set(names.map((s) => s.toUpperCase()));
}

/** Pairs requested in `pair` (comma list); absent means all, i.e. the one simulated pair. */
export function resolvePairs(
  pair: SimPairSpec,
  requested: string | undefined,
): { ok: true } | { ok: false; error: string } {
  if (requested === undefined || requested.trim() === '') return { ok: true };
  const aliases = pairAliases(pair);
  const all = requested.split(',').every((p) => aliases.has(p.trim().toUpperCase()));
  return all ? { ok: true } : { ok: false, error: UNKNOWN_PAIR };
}

export interface MarketState {
  price: Big;
  open: Big;
  low: Big;
  high: Big;
}

/** Ticker entry with Kraken's field shapes; ask/bid sit one tick either side of the last price. */
export function tickerEntry(pair: SimPairSpec, m: MarketState): Record<string, unknown> {
  const d = pair.pairDecimals;
  const tick = new Big(1).div(new Big(10).pow(d));
  const fmt = (v: Big): string => v.toFixed(d, Big.roundHalfUp);
  const bid = m.price.minus(tick).gt(0) ? m.price.minus(tick) : m.price;
  const vwap = m.low.plus(m.high).div(2);
  return {
    a: [fmt(m.price.plus(tick)), '1', '1.000'],
    b: [fmt(bid), '1', '1.000'],
    c: [fmt(m.price), '100.00000000'],
    v: ['1000000.00000000', '5000000.00000000'],
    p: [fmt(vwap), fmt(vwap)],
    t: [1000, 5000],
    l: [fmt(m.low), fmt(m.low)],
    h: [fmt(m.high), fmt(m.high)],
    o: fmt(m.open),
  };
}

export function assetPairEntry(pair: SimPairSpec): Record<string, unknown> {
  const fees = [[0, 0.4], [10000, 0.35], [50000, 0.24], [100000, 0.22], [250000, 0.2], [500000, 0.18]];
  const makerFees = [[0, 0.25], [10000, 0.2], [50000, 0.14], [100000, 0.12], [250000, 0.1], [500000, 0.08]];
  return {
    altname: pair.altname,
    wsname: pair.wsname,
    aclass_base: 'currency',
    base: pair.base,
    aclass_quote: 'currency',
    quote: pair.quote,
    lot: 'unit',
    cost_decimals: 5,
    pair_decimals: pair.pairDecimals,
    lot_decimals: pair.lotDecimals,
    lot_multiplier: 1,
    leverage_buy: [],
    leverage_sell: [],
    fees,
    fees_maker: makerFees,
    fee_volume_currency: 'ZUSD',
    margin_call: 80,
    margin_stop: 40,
    ordermin: '50',
    costmin: '0.5',
    tick_size: new Big(1).div(new Big(10).pow(pair.pairDecimals)).toFixed(pair.pairDecimals),
    status: 'online',
  };
}
