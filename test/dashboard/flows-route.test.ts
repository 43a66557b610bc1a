// GET /flows: newest first, paged by ledger time without losing or repeating a flow, filtered, revalidated,
// guarded like /status; bad query values get a 400 naming the parameter.
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../src/recon/types.js';
import type { FlowsPage } from '../../src/dashboard/route-schemas.js';
import { rawRequest } from '../helpers/raw-http.js';
import { makeStatus } from '../helpers/status-fixture.js';
import { startTestServer, type TestServer } from './harness.js';

function flow(i: number, time: number, category: 'external' | 'income' = 'external'): FlowRecord {
  const net = i % 3 === 2 ? '-10' : '25';
  return { ledger_id: `L${String(i).padStart(4, '0')}`, refid: `R${i}`, time, type: category === 'income' ? 'staking' : Number(net) < 0 ? 'withdrawal' : 'deposit', subtype: '', asset: 'XXDG', category, wallet: 'spot', side: 'base', amount: net, fee: '0', net, price: 0.2, doge_eq: Number(net), detected_ts: time + 1, applied: true };
}

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

async function page(path: string, init?: RequestInit): Promise<{ res: Response; body: FlowsPage }> {
  const res = await fetch(new URL(path, srv?.url), init);
  return { res, body: (await res.json()) as FlowsPage };
}

describe('GET /flows', () => {
  it('walks the whole list newest first with before/limit, ties at one ledger time never split', async () => {
    // 7 flows, three of them at one instant; stored in detection order (not time order).
    const flows = [flow(0, 100), flow(1, 300), flow(2, 200), flow(3, 200), flow(4, 200), flow(5, 400), flow(6, 50, 'income')];
    srv = await startTestServer({ status: makeStatus(), flows: () => flows });
    const first = await page('/flows');
    expect(first.body.flows.map((f) => f.ledger_id)).toEqual(['L0005', 'L0001', 'L0004', 'L0003', 'L0002', 'L0000', 'L0006']);
    expect(first.body).toMatchObject({ next_before: null, total: 7 });

    const seen: string[] = [];
    const sizes: number[] = [];
    let before: number | null = null;
    for (let i = 0; i < 10; i++) {
      const { body } = await page(`/flows?limit=3${before === null ? '' : `&before=${before}`}`);
      seen.push(...body.flows.map((f) => f.ledger_id));
      sizes.push(body.flows.length);
      before = body.next_before;
      if (before === null) break;
    }
    expect(seen).toEqual(first.body.flows.map((f) => f.ledger_id)); // nothing lost, nothing twice
    expect(sizes).toEqual([2, 3, 2]); // the 200 group moved whole to the second page

    // A group larger than the limit comes whole rather than being cut.
    const tied = await page('/flows?limit=2&before=300');
    expect(tied.body.flows.map((f) => f.time)).toEqual([200, 200, 200]);
    expect(tied.body.next_before).toBe(200);
  });

  it('filters by category and since (the page fetches the week of external flows this way)', async () => {
    const flows = [flow(0, 100), flow(1, 300), flow(2, 200, 'income'), flow(3, 250)];
    srv = await startTestServer({ status: makeStatus(), flows: () => flows });
    const { body } = await page('/flows?category=external&since=200');
    expect(body.flows.map((f) => f.ledger_id)).toEqual(['L0001', 'L0003']);
    expect(body.total).toBe(2);
    expect((await page('/flows?category=income')).body.flows.map((f) => f.ledger_id)).toEqual(['L0002']);
    // Decimals stay exact up to the JSON edge, as in /status.
    expect(body.flows[0]).toMatchObject({ net: 25, amount: 25, fee: 0, category: 'external', time: 300 });
  });

  it('answers 400 with the parameter named for bad values', async () => {
    srv = await startTestServer({ status: makeStatus(), flows: () => [] });
    const cases: Array<[string, RegExp]> = [
      ['limit=0', /limit/],
      ['limit=501', /limit/],
      ['limit=2.5', /limit/],
      ['limit=ten', /limit/],
      ['before=', /before/],
      ['before=1e9', /before/],
      ['since=-', /since/],
      ['category=deposit', /category/],
      ['page=2', /page|unrecognized/i],
      ['limit=5&limit=6', /limit/],
    ];
    for (const [q, re] of cases) {
      const res = await fetch(new URL(`/flows?${q}`, srv.url));
      expect(res.status, q).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const err = ((await res.json()) as { error: string }).error;
      expect(err, q).toMatch(/^bad query: /);
      expect(err, q).toMatch(re);
    }
  });

  it('revalidates: the same list answers 304 to its tag, a new list gets a new tag; 503 before the first tick', async () => {
    let flows: FlowRecord[] | null = null;
    srv = await startTestServer({ status: makeStatus(), flows: () => flows });
    const warming = await fetch(new URL('/flows', srv.url));
    expect(warming.status).toBe(503);
    expect(warming.headers.get('retry-after')).toBe('1');
    flows = [flow(0, 100)];
    const a = await fetch(new URL('/flows?limit=10', srv.url));
    const tag = a.headers.get('etag') ?? '';
    expect(a.headers.get('cache-control')).toBe('no-cache');
    expect(tag).toMatch(/^"[0-9a-f]+-\d+-.+"$/);
    const again = await fetch(new URL('/flows?limit=10', srv.url), { headers: { 'if-none-match': tag } });
    expect(again.status).toBe(304);
    // Another query is another representation.
    expect((await fetch(new URL('/flows?limit=11', srv.url), { headers: { 'if-none-match': tag } })).status).toBe(200);
    flows = [...flows, flow(1, 200)];
    const changed = await fetch(new URL('/flows?limit=10', srv.url), { headers: { 'if-none-match': tag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(tag);
  });

  it('is guarded like /status: the token and the Host allow-list', async () => {
    srv = await startTestServer({ status: makeStatus(), flows: () => [flow(0, 1)], token: 'flows-T0ken-value' });
    expect((await fetch(new URL('/flows', srv.url))).status).toBe(401);
    expect((await fetch(new URL('/flows?token=flows-T0ken-value', srv.url))).status).toBe(200);
    expect((await fetch(new URL('/flows', srv.url), { headers: { authorization: 'Bearer flows-T0ken-value' } })).status).toBe(200);
    const res = await rawRequest(srv.port, 'GET /flows HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer flows-T0ken-value\r\nConnection: close');
    expect(res.status).toBe(421);
  });
});
