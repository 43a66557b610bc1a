import { describe, expect, it } from 'vitest';
import { makeStatus } from '../helpers/status-fixture.js';
import { startTestServer } from './harness.js';

describe('dashboard logging', () => {
  it('never writes the token into the log, whichever way it is sent or mis-sent', async () => {
    const token = 'tok_9f8e7d6c5b4a-NEVER-LOG-ME';
    const srv = await startTestServer({ token, status: makeStatus() });
    try {
      const paths = ['status', `status?token=${token}`, `?token=${token}`, `dashboard.js?token=${token}`, `chart.svg?range=7d&token=${token}`, `nope?token=${token}`, 'healthz'];
      for (const p of paths) {
        await fetch(srv.url + p);
        await fetch(srv.url + p, { headers: { Authorization: `Bearer ${token}` } });
        await fetch(srv.url + p, { headers: { Authorization: `Bearer ${token}-wrong` } });
      }
      await fetch(srv.url + `status?token=${token}x`);
    } finally {
      await srv.close();
    }
    const log = srv.sink.text();
    expect(srv.sink.lines.filter((l) => l.includes('"http request"')).length).toBeGreaterThan(20); // requests were logged
    expect(log).toContain('"path":"/status"');
    expect(log).not.toContain(token);
    expect(log).not.toContain('tok_9f8e');
    expect(log).not.toMatch(/authorization/i);
  });
});
