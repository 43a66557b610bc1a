import { request } from 'node:http';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp, isLoopbackHost, startServer } from '../../src/dashboard/index.js';
import { memoryLogger } from './harness.js';

const app = createApp({ getStatus: () => null, health: () => ({ ok: true }), logger: pino({ level: 'silent' }) });

describe('startServer', () => {
  it('listens on a free port for port 0 and logs the URL', async () => {
    const sink = memoryLogger();
    const srv = await startServer(app, { host: '127.0.0.1', port: 0, logger: sink.logger, tokenSet: false });
    try {
      expect(srv.port).toBeGreaterThan(0);
      expect(srv.url).toBe(`http://127.0.0.1:${srv.port}/`);
      expect((await fetch(srv.url + 'healthz')).status).toBe(200);
      expect(sink.text()).toContain(srv.url);
      expect(sink.lines.some((l) => JSON.parse(l).level === 40)).toBe(false); // loopback: no warning
    } finally {
      await srv.close();
    }
  });

  it('warns when a non-loopback host has no token, and not when a token is set', async () => {
    const open = memoryLogger();
    const a = await startServer(app, { host: '0.0.0.0', port: 0, logger: open.logger, tokenSet: false });
    await a.close();
    const warn = open.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.level === 40);
    expect(warn?.msg).toMatch(/SECURITY/);

    const guarded = memoryLogger();
    const b = await startServer(app, { host: '0.0.0.0', port: 0, logger: guarded.logger, tokenSet: true });
    await b.close();
    expect(guarded.lines.some((l) => JSON.parse(l).level === 40)).toBe(false);
  });

  it('close() is quick even while a keep-alive connection is open', async () => {
    const srv = await startServer(app, { host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), tokenSet: false });
    const agentRes = await new Promise<number>((resolve, reject) => {
      const req = request(srv.url + 'healthz', { headers: { Connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    expect(agentRes).toBe(200);
    const started = Date.now();
    await srv.close();
    await srv.close(); // a second close is harmless
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('classifies loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
