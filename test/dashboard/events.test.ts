// GET /events over real HTTP: a full snapshot first (also on resume with Last-Event-ID), then per publish the
// changed sections under the snapshot's /status ETag; heartbeats; a cap on streams; guards; a clean end.
import { request, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusPayload } from '../../src/bot/status-types.js';
import { makeStatus } from '../helpers/status-fixture.js';
import { startTestServer, type TestServer } from './harness.js';

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** An open stream that parses frames as they arrive. */
interface Stream {
  res: IncomingMessage;
  events: SseEvent[];
  ended: Promise<void>;
  next(n?: number, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

function openStream(srv: TestServer, headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path: '/events', headers }, (res) => {
      const events: SseEvent[] = [];
      let buf = '';
      let waiters: Array<() => void> = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: SseEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) e.comment = line.slice(1).trim();
            else {
              const c = line.indexOf(':');
              const k = line.slice(0, c);
              const v = line.slice(c + 1).replace(/^ /, '');
              if (k === 'id' || k === 'event' || k === 'data') e[k] = v;
            }
          }
          events.push(e);
        }
        for (const w of waiters) w();
        waiters = [];
      });
      const ended = new Promise<void>((r) => res.on('end', r));
      let read = 0; // events before this index were returned by next()
      const named = (): SseEvent[] => events.slice(read).filter((e) => e.event !== undefined);
      const next = async (n = 1, timeoutMs = 3000): Promise<SseEvent[]> => {
        const deadline = Date.now() + timeoutMs;
        while (named().length < n) {
          if (Date.now() > deadline) throw new Error(`no event within ${timeoutMs} ms`);
          await new Promise<void>((r) => {
            waiters.push(r);
            setTimeout(r, 50);
          });
        }
        const out = named().slice(0, n);
        read = events.indexOf(out[out.length - 1] as SseEvent) + 1;
        return out;
      };
      resolve({ res, events, ended, next, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

let srv: TestServer | undefined;
const streams: Stream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await srv?.close();
  srv = undefined;
});

async function statusTag(s: TestServer): Promise<string> {
  return (await fetch(new URL('/status', s.url), { headers: { 'accept-encoding': 'identity' } })).headers.get('etag') ?? '';
}

describe('GET /events', () => {
  it('starts with a full snapshot, then sends the changed sections with the /status ETag as id', async () => {
    const first = makeStatus();
    srv = await startTestServer({ status: first });
    const s = await openStream(srv);
    streams.push(s);
    expect(s.res.statusCode).toBe(200);
    expect(s.res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(s.res.headers['cache-control']).toBe('no-store');
    const [snap] = await s.next();
    expect(snap?.event).toBe('snapshot');
    expect(JSON.parse(snap?.data ?? '')).toEqual(JSON.parse(JSON.stringify(first)));
    expect(snap?.id).toBe(await statusTag(srv));
    expect(s.events.some((e) => e.data === undefined && e.event === undefined)).toBe(true); // the `retry:` frame

    // A tick that moves the price and the loop only.
    const second: StatusPayload = { ...first, ts: first.ts + 30, price: { ...first.price, last: 0.25 }, loop: { ...first.loop, ticks: first.loop.ticks + 1 } };
    srv.setStatus(second);
    const [delta] = await s.next();
    expect(delta?.event).toBe('status');
    expect(delta?.id).toBe(await statusTag(srv));
    expect(delta?.id).not.toBe(snap?.id);
    const body = JSON.parse(delta?.data ?? '') as { changed: string[]; sections: Record<string, unknown> };
    expect(body.changed.sort()).toEqual(['loop', 'price', 'ts']);
    expect(body.sections).toEqual({ ts: second.ts, price: second.price, loop: second.loop });
    // Applying the sections to the snapshot gives the new payload exactly.
    expect({ ...(JSON.parse(snap?.data ?? '') as object), ...body.sections }).toEqual(JSON.parse(JSON.stringify(second)));

    // The same object published again sends nothing.
    srv.setStatus(second);
    await expect(s.next(1, 300)).rejects.toThrow(/no event/);
  });

  it('resumes with Last-Event-ID with one full snapshot, and waits for the first tick when there is none', async () => {
    srv = await startTestServer({ status: null });
    const early = await openStream(srv);
    streams.push(early);
    await expect(early.next(1, 300)).rejects.toThrow(/no event/);
    const s1 = makeStatus();
    srv.setStatus(s1);
    const [first] = await early.next();
    expect(first?.event).toBe('snapshot');

    const resumed = await openStream(srv, { 'last-event-id': first?.id ?? '' });
    streams.push(resumed);
    const [again] = await resumed.next();
    expect(again).toMatchObject({ event: 'snapshot', id: first?.id });
    expect(JSON.parse(again?.data ?? '')).toEqual(JSON.parse(JSON.stringify(s1)));
  });

  it('sends heartbeat comments while nothing changes', async () => {
    srv = await startTestServer({ status: makeStatus(), eventsHeartbeatMs: 100 });
    const s = await openStream(srv);
    streams.push(s);
    await s.next();
    await new Promise((r) => setTimeout(r, 450));
    expect(s.events.filter((e) => e.comment === 'keep-alive').length).toBeGreaterThanOrEqual(2);
  });

  it('caps concurrent streams (503 with a JSON error) and frees a slot when a client leaves', async () => {
    srv = await startTestServer({ status: makeStatus(), eventsMaxStreams: 2 });
    const a = await openStream(srv);
    const b = await openStream(srv);
    streams.push(a, b);
    await Promise.all([a.next(), b.next()]);
    const refused = await fetch(new URL('/events', srv.url));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: string }).error).toMatch(/too many event streams/);
    a.close();
    await expect.poll(async () => {
      const c = await openStream(srv as TestServer);
      streams.push(c);
      return c.res.statusCode;
    }, { timeout: 3000 }).toBe(200);
  });

  it('is guarded like /status (token, cookie-less 401) and ends every stream cleanly on shutdown', async () => {
    srv = await startTestServer({ status: makeStatus(), token: 'events-T0ken-value' });
    expect((await fetch(new URL('/events', srv.url))).status).toBe(401);
    const s = await openStream(srv, { authorization: 'Bearer events-T0ken-value' });
    streams.push(s);
    await s.next();
    srv.feed.close();
    await s.ended; // the server ended the response: a clean end, not a reset
    expect(s.res.complete).toBe(true);
    expect((await fetch(new URL('/events', srv.url), { headers: { authorization: 'Bearer events-T0ken-value' } })).status).toBe(503);
  });
});
