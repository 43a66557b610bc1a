import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStatus, markersInWindow } from '../helpers/status-fixture.js';
import { startTestServer, type TestServer } from './harness.js';

let srv: TestServer;
const status = makeStatus();
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.close());

describe('GET /chart.svg', () => {
  it('is 503 before the first tick', async () => {
    srv.setStatus(null);
    expect((await fetch(srv.url + 'chart.svg')).status).toBe(503);
  });

  it('draws 24h and 7d with the markers of each range', async () => {
    srv.setStatus(status);
    for (const [q, span] of [['', 86_400], ['?range=24h', 86_400], ['?range=7d', 604_800], ['?range=7d&theme=dark', 604_800]] as const) {
      const res = await fetch(srv.url + 'chart.svg' + q);
      expect(res.status, q).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache'); // revalidated by its per-tick ETag
      const svg = await res.text();
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg).toContain('class="line line-eq"');
      expect((svg.match(/<g class="marker /g) ?? []).length).toBe(markersInWindow(status.equity_history.flow_markers, span, status.ts));
      expect(svg).not.toContain('style='); // the CSP (style-src 'self') would block inline styles
    }
  });

  it('rejects an unknown range or theme with 400', async () => {
    srv.setStatus(status);
    for (const q of ['?range=1y', '?range=', '?range=24h&range=7d', '?theme=neon']) {
      expect((await fetch(srv.url + 'chart.svg' + q)).status, q).toBe(400);
    }
  });

  it('copes with a payload without equity_history', async () => {
    const partial = { ...status } as Partial<typeof status>;
    delete partial.equity_history;
    srv.setStatus(partial as typeof status);
    const res = await fetch(srv.url + 'chart.svg?range=7d');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Not enough equity data');
  });
});
