import { afterEach, describe, expect, it } from 'vitest';
import { AlertSender, type RetryTiming } from '../../src/alerts/sender.js';
import { emptyAlertState, restoreAlertState, type AlertState } from '../../src/alerts/state.js';
import { alertsStatus } from '../../src/alerts/status.js';
import type { AlertFormat, PendingAlert } from '../../src/alerts/types.js';
import { restoreReconState, serializeReconState } from '../../src/recon/state-codec.js';
import { emptyReconState } from '../../src/recon/state.js';
import { memoryLogger } from '../helpers/store-fixtures.js';
import { closedPortUrl, startGarbageServer, WebhookReceiver } from '../helpers/webhook-receiver.js';

const FAST: RetryTiming = { timeoutMs: 300, minTimeoutMs: 20, maxTimeoutMs: 60, maxRetryTimeMs: 1200 };
const SECRET_PATH = '/hook/T000/B000/secret-token-abc123';

function pending(id: string, over: Partial<PendingAlert> = {}): PendingAlert {
  const now = Date.now() / 1000;
  return {
    id,
    event: 'drift_warn',
    ts: now,
    first_ts: now,
    count: 1,
    created_ts: now,
    attempts: 0,
    sending: false,
    facts: { adjusted_drift_doge: -152.3456, adjusted_drift_pct: -1.5234, threshold_pct: 1, base: 'DOGE' },
    ...over,
  };
}

/** A sender over an in-memory state; `saves` holds the state as JSON at every persist (what a SIGKILL would leave). */
function rig(url: string, items: PendingAlert[], opts: { format?: AlertFormat; timing?: RetryTiming; state?: AlertState } = {}) {
  let state: AlertState = opts.state ?? { ...emptyAlertState(), queue: items };
  const saves: string[] = [];
  const log = memoryLogger();
  const sender = new AlertSender({
    url,
    format: opts.format ?? 'json',
    telegramChatId: '-1001234567890',
    context: { pair: 'XDGUSD', mode: 'live' },
    logger: log.logger,
    clock: () => Date.now(),
    state: () => state,
    persist: async () => {
      saves.push(JSON.stringify(state));
    },
    timing: opts.timing ?? FAST,
  });
  return { sender, saves, log, get state() { return state; }, set state(s: AlertState) { state = s; } };
}

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('webhook delivery against a real receiver on loopback', () => {
  it('200: delivered once, counted, removed from the queue; saved as sending before the request', async () => {
    receiver = await WebhookReceiver.start(SECRET_PATH);
    const r = rig(receiver.url, [pending('a-1')]);
    r.sender.kick();
    await r.sender.idle();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.headers['content-type']).toBe('application/json');
    expect(receiver.bodies()[0]).toMatchObject({ event: 'drift_warn', severity: 'warning', pair: 'XDGUSD', mode: 'live', details: { id: 'a-1' } });
    expect(r.state).toMatchObject({ sent: 1, failed: 0, queue: [], last_error: null });
    expect(r.state.last_sent_ts).toBeGreaterThan(0);
    expect((JSON.parse(r.saves[0] ?? '{}') as AlertState).queue[0]?.sending).toBe(true);
  });

  it('500 then 200: retried with back-off, delivered once, the error cleared', async () => {
    receiver = await WebhookReceiver.start();
    receiver.answer(500);
    const r = rig(receiver.url, [pending('a-1')]);
    r.sender.kick();
    await r.sender.idle();
    expect(receiver.received.map((x) => x.answer)).toEqual([500, 200]);
    expect(r.state).toMatchObject({ sent: 1, failed: 0, last_error: null, queue: [] });
    expect(r.log.text()).toMatch(/HTTP 500/);
  });

  it('a hanging receiver: each request times out, retried until the retry time is spent, then given up and counted; kick never waits', async () => {
    receiver = await WebhookReceiver.start();
    receiver.fallback = 'hang';
    const r = rig(receiver.url, [pending('a-1')]);
    const t0 = performance.now();
    r.sender.kick();
    expect(performance.now() - t0).toBeLessThan(20);
    await r.sender.idle();
    expect(receiver.received.length).toBeGreaterThanOrEqual(2);
    expect(r.state).toMatchObject({ sent: 0, failed: 1, queue: [] });
    expect(r.state.last_error).toMatch(/^drift_warn not delivered: no answer within 300 ms; gave up after \d+ attempts$/);
  });

  it('connection refused: retried, then given up and counted', async () => {
    const r = rig(await closedPortUrl(), [pending('a-1')]);
    r.sender.kick();
    await r.sender.idle();
    expect(r.state).toMatchObject({ sent: 0, failed: 1 });
    expect(r.state.last_error).toMatch(/connection refused; gave up after [2-9]\d* attempts/);
  });

  it('3xx: not followed and not retried (a misconfigured URL); 4xx: not retried', async () => {
    receiver = await WebhookReceiver.start();
    receiver.answer({ redirect: 301 }, 404);
    const r = rig(receiver.url, [pending('a-1'), pending('a-2')]);
    r.sender.kick();
    await r.sender.idle();
    expect(receiver.received.map((x) => x.answer)).toEqual([{ redirect: 301 }, 404]);
    expect(r.state).toMatchObject({ sent: 0, failed: 2, queue: [] });
    expect(r.log.text()).toMatch(/HTTP 301: redirects are not followed/);
    expect(r.state.last_error).toMatch(/HTTP 404/);
  });

  it('a 200 with a garbage body is delivered; an answer that is not HTTP at all is retried and given up', async () => {
    receiver = await WebhookReceiver.start();
    receiver.answer('garbage-body');
    const ok = rig(receiver.url, [pending('a-1')]);
    ok.sender.kick();
    await ok.sender.idle();
    expect(ok.state).toMatchObject({ sent: 1, failed: 0 });

    const garbage = await startGarbageServer();
    try {
      const bad = rig(garbage.url, [pending('a-2')]);
      bad.sender.kick();
      await bad.sender.idle();
      expect(garbage.connections()).toBeGreaterThanOrEqual(2);
      expect(bad.state).toMatchObject({ sent: 0, failed: 1 });
      expect(bad.state.last_error).toMatch(/not HTTP|network error/);
    } finally {
      await garbage.close();
    }
  });

  it('delivers the queue in order, each format with its exact body', async () => {
    receiver = await WebhookReceiver.start();
    for (const format of ['slack', 'discord', 'telegram'] as const) {
      const r = rig(receiver.url, [pending(`${format}-1`), pending(`${format}-2`, { event: 'drift_ok', facts: { adjusted_drift_doge: 4.2, adjusted_drift_pct: 0.042, threshold_pct: 1, base: 'DOGE' } })], { format });
      r.sender.kick();
      await r.sender.idle();
    }
    const warn = 'XDGUSD: Unexplained −152.35 DOGE-eq (−1.52%), over the ±1% threshold';
    const ok = 'XDGUSD: Unexplained back to +4.2 DOGE-eq (+0.04%), within ±1%';
    expect(receiver.received.map((x) => x.body)).toEqual([
      JSON.stringify({ text: warn }),
      JSON.stringify({ text: ok }),
      JSON.stringify({ content: warn }),
      JSON.stringify({ content: ok }),
      JSON.stringify({ chat_id: '-1001234567890', text: warn }),
      JSON.stringify({ chat_id: '-1001234567890', text: ok }),
    ]);
  });

  it('an alert older than the retry time (queued before a long outage) is given up without a request', async () => {
    receiver = await WebhookReceiver.start();
    const r = rig(receiver.url, [pending('old', { created_ts: Date.now() / 1000 - 11 * 60 })], { timing: { ...FAST, maxRetryTimeMs: 600_000 } });
    r.sender.kick();
    await r.sender.idle();
    expect(receiver.received).toHaveLength(0);
    expect(r.state).toMatchObject({ failed: 1, last_error: 'drift_warn not delivered: not delivered within 10 min' });
  });
});

describe('nothing is sent twice across a restart', () => {
  it('a SIGKILL during a request: the saved state says sending, the restart drops it (at-most-once) and sends the rest once', async () => {
    receiver = await WebhookReceiver.start();
    receiver.answer('hang');
    const first = rig(receiver.url, [pending('a-1'), pending('a-2', { event: 'drift_ok' })], { timing: { ...FAST, timeoutMs: 5000 } });
    first.sender.kick();
    await receiver.waitFor(1);
    // The process dies here: what survives is the last save, taken just before the request.
    const onDisk = first.saves.at(-1) ?? '';
    await first.sender.stop(0);

    // Through the real codec, as __recon_state_v1__ carries it.
    const recon = { ...emptyReconState(), alerts: restoreAlertState(JSON.parse(onDisk)) };
    const restored = restoreReconState(JSON.parse(JSON.stringify(serializeReconState(recon, 1))), 1000).state.alerts;
    expect(restored?.queue.map((q) => [q.id, q.sending])).toEqual([['a-1', true], ['a-2', false]]);

    const log = memoryLogger();
    const after = AlertSender.dropInterrupted(restored ?? emptyAlertState(), log.logger);
    expect(after.queue.map((q) => q.id)).toEqual(['a-2']);
    expect(after.failed).toBe(1);
    const second = rig(receiver.url, [], { state: after });
    second.sender.kick();
    await second.sender.idle();
    const ids = receiver.bodies().map((b) => (b as { details: { id: string } }).details.id);
    expect(ids).toEqual(['a-1', 'a-2']); // a-1 once (the cut request), a-2 once, after the restart
    expect(second.state).toMatchObject({ sent: 1, failed: 1, queue: [] });
  });

  it('a restart during the back-off after a failed attempt resends (the receiver said it failed)', async () => {
    receiver = await WebhookReceiver.start();
    receiver.answer(503);
    const first = rig(receiver.url, [pending('a-1')], { timing: { ...FAST, minTimeoutMs: 5000, maxTimeoutMs: 5000, maxRetryTimeMs: 60_000 } });
    first.sender.kick();
    await receiver.waitFor(1);
    await new Promise((r) => setTimeout(r, 50));
    const onDisk = first.saves.at(-1) ?? '';
    await first.sender.stop(0);
    const restored = AlertSender.dropInterrupted(restoreAlertState(JSON.parse(onDisk)), memoryLogger().logger);
    expect(restored.queue.map((q) => [q.id, q.sending, q.attempts])).toEqual([['a-1', false, 1]]);
    const second = rig(receiver.url, [], { state: restored });
    second.sender.kick();
    await second.sender.idle();
    expect(receiver.received.map((x) => x.answer)).toEqual([503, 200]);
    expect(second.state.sent).toBe(1);
  });
});

describe('the webhook URL is a secret', () => {
  it('never appears in logs, /status.alerts or errors, whatever fails', async () => {
    receiver = await WebhookReceiver.start(SECRET_PATH);
    receiver.answer(500, 'hang', { redirect: 302 }, 404);
    const r = rig(receiver.url, [pending('a-1'), pending('a-2')]);
    r.sender.kick();
    await r.sender.idle();
    const refused = rig(`${await closedPortUrl()}${SECRET_PATH}`, [pending('a-3')]);
    refused.sender.kick();
    await refused.sender.idle();
    const everything = [r.log.text(), refused.log.text(), JSON.stringify(alertsStatus(true, 'json', r.state)), JSON.stringify(r.state), JSON.stringify(refused.state)].join('\n');
    expect(receiver.received.length).toBeGreaterThanOrEqual(3);
    expect(everything).not.toContain('secret-token-abc123');
    expect(everything).not.toContain(receiver.url);
    expect(everything).toMatch(/HTTP 500/);
  });
});
