import { describe, expect, it } from 'vitest';
import { flowMarkers } from '../../src/equity/flow-markers.js';
import { toSparkline } from '../../src/equity/sparkline.js';
import { flow, point, T0 } from './fixtures.js';

describe('toSparkline', () => {
  it('gives [ts, doge_eq, doge_eq − flows] with 4 decimals', () => {
    const p = point({ doge_eq: 12_345.678912345, flows_cumulative_doge_eq: 100.00004 });
    expect(toSparkline([p])).toEqual([[T0, 12_345.6789, 12_245.6789]]);
  });
  it('keeps absolute resolution on a large account (no significant-digit cut)', () => {
    const p = point({ doge_eq: 98_765_432.123456, flows_cumulative_doge_eq: 0 });
    expect(toSparkline([p])[0]?.[1]).toBe(98_765_432.1235);
  });
  it('writes no -0', () => {
    const p = point({ doge_eq: -0.00001, flows_cumulative_doge_eq: 0 });
    expect(Object.is(toSparkline([p])[0]?.[1], 0)).toBe(true);
  });
});

describe('flowMarkers', () => {
  it('marks a deposit, and a withdrawal with its negative amount', () => {
    const markers = flowMarkers([
      flow({ ledger_id: 'D', time: T0 + 10, net: '250.5', doge_eq: 250.5 }),
      flow({ ledger_id: 'W', time: T0 + 20, type: 'withdrawal', asset: 'USD', side: 'quote', net: '-10.25', doge_eq: -102.5 }),
    ], T0);
    expect(markers).toEqual([
      { ts: T0 + 10, type: 'deposit', ledger_type: 'deposit', asset: 'DOGE', amount: 250.5, doge_eq: 250.5, ledger_id: 'D', category: 'external', wallet: 'spot' },
      { ts: T0 + 20, type: 'withdrawal', ledger_type: 'withdrawal', asset: 'USD', amount: -10.25, doge_eq: -102.5, ledger_id: 'W', category: 'external', wallet: 'spot' },
    ]);
  });
  it('draws a reversed failed withdrawal (positive net, ledger type withdrawal) as an inflow', () => {
    const [m] = flowMarkers([flow({ type: 'withdrawal', net: '40' })], T0);
    expect(m?.type).toBe('deposit');
    expect(m?.ledger_type).toBe('withdrawal');
  });
  it('marks external flows only: income rows stay in the flow history', () => {
    const markers = flowMarkers([
      flow({ ledger_id: 'D', time: T0 + 1 }),
      flow({ ledger_id: 'R', time: T0 + 2, type: 'earn', subtype: 'reward', wallet: 'F', category: 'income' }),
    ], T0);
    expect(markers.map((m) => m.ledger_id)).toEqual(['D']);
  });
  it('keeps flows at fromTs and later, oldest first', () => {
    const markers = flowMarkers([
      flow({ ledger_id: 'late', time: T0 + 5 }),
      flow({ ledger_id: 'edge', time: T0 }),
      flow({ ledger_id: 'old', time: T0 - 1 }),
    ], T0);
    expect(markers.map((m) => m.ledger_id)).toEqual(['edge', 'late']);
  });
});
