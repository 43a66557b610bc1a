// Revalidation on a live server: one strong ETag per tick and representation, 304 for If-None-Match inside
// the tick (lists, `*`, weak tags compared weakly), a new tag after a new tick, gzip and identity kept apart.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ifNoneMatchHits } from '../../src/dashboard/revalidation.js';
import { makeStatus } from '../helpers/status-fixture.js';
import { rawGet } from '../helpers/raw-http.js';
import { startTestServer, type TestServer } from './harness.js';

let srv: TestServer;
const tick1 = makeStatus();
beforeAll(async () => {
  srv = await startTestServer({ status: tick1 });
});
afterAll(() => srv.close());

const STRONG = /^"[0-9a-f]{8}-\d+(-[\w-]+)?"$/;
const get = (path: string, headers: readonly string[] = []) => rawGet(srv.port, path, ['Host: 127.0.0.1', ...headers]);
const one = (h: string[] | undefined): string => h?.[0] ?? '';

describe('/status revalidation', () => {
  it('sends a strong ETag and no-cache; a second poll inside the tick gets 304 with no body', async () => {
    srv.setStatus(tick1);
    const first = await get('/status', ['Accept-Encoding: identity']);
    expect(first.status).toBe(200);
    const tag = one(first.headers['etag']);
    expect(tag).toMatch(STRONG);
    expect(first.headers['cache-control']).toEqual(['no-cache']);
    expect(first.headers['vary']).toEqual(['Accept-Encoding']);
    const again = await get('/status', ['Accept-Encoding: identity', `If-None-Match: ${tag}`]);
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['etag']).toEqual([tag]);
    expect(again.headers['cache-control']).toEqual(['no-cache']);
    expect(again.headers['vary']).toEqual(['Accept-Encoding']);
    expect(again.bytes).toBeLessThan(1000);
    expect(first.bytes).toBeGreaterThan(3 * again.bytes);
  });

  it('a new tick gets a new tag, and the old tag then gets the full new payload', async () => {
    srv.setStatus(tick1);
    const tag1 = one((await get('/status', ['Accept-Encoding: identity'])).headers['etag']);
    const tick2 = makeStatus({ ts: tick1.ts + 30 });
    srv.setStatus(tick2);
    const res = await get('/status', ['Accept-Encoding: identity', `If-None-Match: ${tag1}`]);
    expect(res.status).toBe(200);
    const tag2 = one(res.headers['etag']);
    expect(tag2).toMatch(STRONG);
    expect(tag2).not.toBe(tag1);
    expect((JSON.parse(res.body) as { ts: number }).ts).toBe(tick1.ts + 30);
    expect((await get('/status', ['Accept-Encoding: identity', `If-None-Match: ${tag2}`])).status).toBe(304);
    // Back to an older payload object: still a new tick for the server, never a stale 304.
    srv.setStatus(makeStatus({ ts: tick1.ts }));
    expect((await get('/status', ['Accept-Encoding: identity', `If-None-Match: ${tag1}`])).status).toBe(200);
  });

  it('gives gzip and identity different strong tags (different bytes), each revalidating only itself', async () => {
    srv.setStatus(makeStatus({ ts: tick1.ts + 60 }));
    const plain = await get('/status', ['Accept-Encoding: identity']);
    const gz = await rawGet(srv.port, '/status', ['Host: 127.0.0.1', 'Accept-Encoding: gzip']);
    expect(gz.headers['content-encoding']).toEqual(['gzip']);
    const tp = one(plain.headers['etag']);
    const tg = one(gz.headers['etag']);
    expect(tg).toMatch(STRONG);
    expect(tg).not.toBe(tp);
    expect(tg.replace(/-gzip"$/, '"')).toBe(tp);
    expect((await get('/status', ['Accept-Encoding: gzip', `If-None-Match: ${tg}`])).status).toBe(304);
    expect((await get('/status', ['Accept-Encoding: gzip', `If-None-Match: ${tp}`])).status).toBe(200);
    expect((await get('/status', ['Accept-Encoding: identity', `If-None-Match: ${tg}`])).status).toBe(200);
    // A cache holding both variants sends both tags: the 304 names the one the request selects.
    const both = await get('/status', ['Accept-Encoding: gzip', `If-None-Match: ${tp}, ${tg}`]);
    expect(both.status).toBe(304);
    expect(both.headers['etag']).toEqual([tg]);
  });

  it('understands lists, several lines, *, and weak tags (weak comparison for If-None-Match)', async () => {
    srv.setStatus(makeStatus({ ts: tick1.ts + 90 }));
    const tag = one((await get('/status', ['Accept-Encoding: identity'])).headers['etag']);
    const cases: [string[], number][] = [
      [[`If-None-Match: "a", ${tag}, "b"`], 304],
      [[`If-None-Match: "a"`, `If-None-Match: ${tag}`], 304],
      [[`If-None-Match: W/${tag}`], 304],
      [[`If-None-Match: "x", W/${tag}`], 304],
      [['If-None-Match: *'], 304],
      [['If-None-Match: "a", "b"'], 200],
      [[`If-None-Match: ${tag.slice(1, -1)}`], 200], // unquoted: not an entity tag
      [[`If-None-Match: "${tag}"`], 200],
      [['If-None-Match: '], 200],
      [['If-None-Match: garbage,,,"'], 200],
      [[`If-None-Match: ${tag}`, 'Cache-Control: no-cache'], 304], // a request directive for caches, not for us
    ];
    for (const [headers, status] of cases) {
      expect((await get('/status', ['Accept-Encoding: identity', ...headers])).status, headers.join(' | ')).toBe(status);
    }
  });

  it('answers HEAD with the same validators, and still 503 no-store before the first tick', async () => {
    srv.setStatus(makeStatus({ ts: tick1.ts + 120 }));
    const tag = one((await get('/status', ['Accept-Encoding: identity'])).headers['etag']);
    const head = await fetch(`${srv.url}status`, { method: 'HEAD', headers: { 'Accept-Encoding': 'identity' } });
    expect(head.headers.get('etag')).toBe(tag);
    srv.setStatus(null);
    const cold = await get('/status', ['If-None-Match: *']);
    expect(cold.status).toBe(503);
    expect(cold.headers['cache-control']).toEqual(['no-store']);
    expect(cold.headers['etag']).toBeUndefined();
  });

  it('serializes and compresses once per tick: a 304 costs no body work', async () => {
    const status = makeStatus({ ts: tick1.ts + 150 });
    srv.setStatus(status);
    const spy = vi.spyOn(JSON, 'stringify');
    const gz = await get('/status', ['Accept-Encoding: gzip']);
    expect(gz.headers['content-encoding']).toEqual(['gzip']);
    const tag = one(gz.headers['etag']);
    for (let i = 0; i < 5; i++) expect((await get('/status', ['Accept-Encoding: gzip', `If-None-Match: ${tag}`])).status).toBe(304);
    expect(spy.mock.calls.filter((c) => c[0] === status)).toHaveLength(1);
    spy.mockRestore();
  });
});

describe('/chart.svg revalidation', () => {
  it('one tag per tick, range and theme; 304 inside the tick, 200 after the next', async () => {
    srv.setStatus(tick1);
    const tags = new Set<string>();
    for (const q of ['', '?range=7d', '?range=7d&theme=dark', '?theme=dark']) {
      const res = await get(`/chart.svg${q}`);
      expect(res.status, q).toBe(200);
      expect(res.headers['cache-control'], q).toEqual(['no-cache']);
      const tag = one(res.headers['etag']);
      expect(tag, q).toMatch(STRONG);
      tags.add(tag);
      const again = await get(`/chart.svg${q}`, [`If-None-Match: ${tag}`]);
      expect(again.status, q).toBe(304);
      expect(again.body).toBe('');
    }
    expect(tags.size).toBe(4);
    const tag24 = one((await get('/chart.svg')).headers['etag']);
    expect(one((await get('/chart.svg?range=24h&theme=light')).headers['etag'])).toBe(tag24); // defaults: the same representation
    srv.setStatus(makeStatus({ ts: tick1.ts + 300 }));
    expect((await get('/chart.svg', [`If-None-Match: ${tag24}`])).status).toBe(200);
    expect((await get('/chart.svg?range=1y')).headers['cache-control']).toEqual(['no-store']);
  });
});

describe('If-None-Match matching', () => {
  it('compares weakly and ignores junk', () => {
    expect(ifNoneMatchHits('W/"a"', '"a"')).toBe(true);
    expect(ifNoneMatchHits('"a"', 'W/"a"')).toBe(true);
    expect(ifNoneMatchHits(' * ', '"a"')).toBe(true);
    expect(ifNoneMatchHits('"b", *', '"a"')).toBe(false);
    expect(ifNoneMatchHits(undefined, '"a"')).toBe(false);
    expect(ifNoneMatchHits('"a,b"', '"a"')).toBe(false);
  });
});
