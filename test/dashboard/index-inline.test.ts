import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusPayload } from '../../src/bot/status-types.js';
import { makeStatus } from '../helpers/status-fixture.js';
import { startTestServer, type TestServer } from './harness.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const BLOCK = /<script id="status-initial" type="application\/json" data-now="([0-9.]+)">([\s\S]*?)<\/script>/;

/** The page as a browser asking for gzip receives it (fetch would decode it silently). */
function getGzip(url: string): Promise<{ encoding: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('the page carries its first payload', () => {
  it('inlines the current /status payload as a JSON data block that no payload string can end, with the server clock', async () => {
    const hostile = '</script><script>alert(1)</script><!--';
    const status = makeStatus();
    (status.pair as { base: string }).base = hostile;
    srv = await startTestServer({ status });
    const before = Date.now() / 1000;
    const html = await (await fetch(srv.url)).text();
    const m = BLOCK.exec(html);
    expect(m).not.toBeNull();
    expect(html.match(/<script/g)?.length).toBe(2); // the block and dashboard.js: the hostile text made none
    expect(m?.[2]).not.toContain('<');
    const parsed = JSON.parse(m?.[2] ?? '') as StatusPayload;
    expect(parsed).toEqual(JSON.parse(await (await fetch(`${srv.url}status`)).text()));
    expect(parsed.pair.base).toBe(hostile);
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(before - 1);
    expect(Number(m?.[1])).toBeLessThanOrEqual(Date.now() / 1000 + 1);
  });

  it('sends the page gzipped when asked (it holds the payload), and no block before the first tick', async () => {
    srv = await startTestServer({ status: makeStatus() });
    const z = await getGzip(srv.url);
    expect(z.encoding).toBe('gzip');
    const html = gunzipSync(z.body).toString('utf8');
    expect(BLOCK.test(html)).toBe(true);
    expect(z.body.length).toBeLessThan(html.length / 2);
    await srv.close();

    srv = await startTestServer({ status: null });
    const warming = await fetch(srv.url);
    expect(warming.status).toBe(200);
    const text = await warming.text();
    expect(text).toContain('dashboard.js');
    expect(text).not.toContain('status-initial');
  });
});
