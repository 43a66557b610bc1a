import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpPnlSource, numberAtPath, PnlTracker, storedPnlSource } from '../../src/bot/pnl-source.js';
import { createSupabaseTarget } from '../../src/store/supabase-target.js';
import { PostgrestDouble } from '../helpers/postgrest-double.js';

let server: Server | undefined;
let double: PostgrestDouble | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await double?.close();
  server = undefined;
  double = undefined;
});

/** A bot's HTTP endpoint answering whatever the test sets. */
async function botServer(answer: { status: number; body: string }): Promise<string> {
  server = createServer((_req, res) => {
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/pnl`;
}

describe('numberAtPath', () => {
  it('reads numbers and numeric strings at a dotted path, and names the path when it cannot', () => {
    expect(numberAtPath({ stats: { pnl: 12.5 } }, 'stats.pnl')).toBe(12.5);
    expect(numberAtPath({ pnl_usd: '-3.25' }, 'pnl_usd')).toBe(-3.25);
    expect(() => numberAtPath({ stats: {} }, 'stats.pnl')).toThrow(/stats\.pnl/);
    expect(() => numberAtPath({ pnl_usd: 'n/a' }, 'pnl_usd')).toThrow(/not a number/);
    expect(() => numberAtPath(null, 'pnl_usd')).toThrow(/pnl_usd/);
  });
});

describe('BOT_PNL_SOURCE=http', () => {
  it('reads the number from the bot over HTTP', async () => {
    const url = await botServer({ status: 200, body: '{"stats":{"pnl_usd":41.5}}' });
    expect(await httpPnlSource(url, 'stats.pnl_usd', 2000).read()).toBe(41.5);
  });

  it('keeps the last good value, marked stale, when the bot fails, and recovers', async () => {
    const answer = { status: 200, body: '{"pnl_usd":10}' };
    const url = await botServer(answer);
    const tracker = new PnlTracker(httpPnlSource(url, 'pnl_usd', 2000));
    let now = 1000;
    await tracker.refresh(() => now);
    expect(tracker).toMatchObject({ value: 10, ok: true, lastError: null });
    answer.status = 500;
    answer.body = '<html>oops</html>';
    now = 1030;
    await tracker.refresh(() => now);
    expect(tracker).toMatchObject({ value: 10, ok: false, okTs: 1000, lastError: 'bot P&L endpoint answered HTTP 500' });
    answer.status = 200;
    answer.body = 'not json';
    await tracker.refresh(() => now);
    expect(tracker.lastError).toBe('bot P&L endpoint answered malformed JSON');
    answer.body = '{"pnl_usd":12}';
    await tracker.refresh(() => now);
    expect(tracker).toMatchObject({ value: 12, ok: true, okTs: 1030 });
  });

  it('times out a bot that does not answer', async () => {
    server = createServer(() => undefined); // never answers
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pnl`;
    const started = Date.now();
    await expect(httpPnlSource(url, 'pnl_usd', 300).read()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
    server.closeAllConnections();
  });
});

describe('BOT_PNL_SOURCE=supabase', () => {
  it("reads the bot's own row of the shared table through PostgREST, and never writes it", async () => {
    double = await new PostgrestDouble().start();
    double.rows.set('bot_runtime', { key: 'bot_runtime', value: { totals: { pnl_usd: 77.25 } }, updated_at: null });
    const target = createSupabaseTarget({ url: double.url, key: 'service-key', table: 'bot_state', nowMs: () => 0, timeoutMs: 2000 });
    const source = storedPnlSource(() => target.read('bot_runtime'), 'totals.pnl_usd');
    expect(await source.read()).toBe(77.25);
    double.rows.delete('bot_runtime');
    await expect(source.read()).rejects.toThrow(/not found/);
    expect(double.requests.every((r) => r.method === 'GET')).toBe(true);
  });
});
