import { describe, expect, it } from 'vitest';
import { normalizeAsset } from '../../src/kraken/assets.js';

describe('normalizeAsset', () => {
  it.each([
    ['XXDG', 'DOGE'],
    ['XDG', 'DOGE'],
    ['DOGE', 'DOGE'],
    ['ZUSD', 'USD'],
    ['USD', 'USD'],
    ['XXBT', 'BTC'],
  ])('maps the spot code %s to %s', (code, asset) => {
    expect(normalizeAsset(code)).toEqual({ asset, wallet: 'spot' });
  });

  it.each([
    ['XDG.S', 'DOGE', 'S'],
    ['DOGE.F', 'DOGE', 'F'],
    ['USD.M', 'USD', 'M'],
    ['ETH2.S', 'ETH2', 'S'],
    ['XBT.B', 'BTC', 'B'],
    ['DOT.T', 'DOT', 'T'],
  ])('maps the earn/staking code %s to %s in wallet %s, never spot', (code, asset, wallet) => {
    expect(normalizeAsset(code)).toEqual({ asset, wallet });
  });

  it.each(['PEPE', 'USDC', 'USDT', 'XTZ', 'ZRX', 'ETH2'])('passes the unknown or non-legacy code %s through unchanged', (code) => {
    expect(normalizeAsset(code)).toEqual({ asset: code, wallet: 'spot' });
  });

  // DESIGN.md section 15: `.HOLD` is a wallet (USD.HOLD → USD in HOLD); a suffix no documentation names is still
  // a wallet of its own, never read as spot balance (the pool leaves it out and the status names it).
  it('maps HOLD and unseen suffixes to wallets, never to spot', () => {
    expect(normalizeAsset('USD.HOLD')).toEqual({ asset: 'USD', wallet: 'HOLD' });
    expect(normalizeAsset('ETH.HOLD')).toEqual({ asset: 'ETH', wallet: 'HOLD' });
    expect(normalizeAsset('XDG.Q')).toEqual({ asset: 'DOGE', wallet: 'Q' });
    expect(normalizeAsset('xxdg.f')).toEqual({ asset: 'DOGE', wallet: 'F' });
  });
});
