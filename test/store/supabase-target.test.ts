import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { createSupabaseTarget } from '../../src/store/supabase-target.js';
import type { RemoteTarget } from '../../src/store/supabase-target.js';
import type { StoreKey } from '../../src/store/keys.js';
import { PostgrestDouble } from '../helpers/postgrest-double.js';
import { SERVICE_KEY, closedPortUrl } from '../helpers/store-fixtures.js';

describe('supabase target', () => {
  let double: PostgrestDouble;
  let target: RemoteTarget;
  const make = (url: string, timeoutMs = 2_000): RemoteTarget =>
    createSupabaseTarget({ url, key: SERVICE_KEY, table: 'bot_state', timeoutMs, nowMs: () => 1_700_000_000_000 });

  beforeEach(async () => {
    double = await new PostgrestDouble().start();
    target = make(double.url);
  });
  afterEach(() => double.close());

  it('201 on upsert: resolves, row stored', async () => {
    await target.write('__recon_state_v1__', { saved_ts: 5 });
    expect(double.requests[0]?.outcome).toBe(201);
    expect(double.value('__recon_state_v1__')).toEqual({ saved_ts: 5 });
  });

  it('200 with a row: the value', async () => {
    double.rows.set('__equity_ts__', { key: '__equity_ts__', value: [1, 2], updated_at: null });
    await expect(target.read('__equity_ts__')).resolves.toEqual([1, 2]);
  });

  it('200 with no row: null', async () => {
    await expect(target.read('__equity_ts__')).resolves.toBeNull();
  });

  it('500 with a PostgREST JSON body: REMOTE_HTTP with status, code and message', async () => {
    double.failNext(1, 'error');
    const err = await target.read('__equity_ts__').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'REMOTE_HTTP', status: 500 });
    expect((err as Error).message).toBe('supabase read __equity_ts__ failed: HTTP 500 [XX000] scripted failure');
  });

  it('500 on upsert: REMOTE_HTTP, nothing stored', async () => {
    double.failNext(1, 'error');
    await expect(target.write('__equity_ts__', 1)).rejects.toMatchObject({ code: 'REMOTE_HTTP', status: 500 });
    expect(double.rows.size).toBe(0);
  });

  it('wrong table: REMOTE_HTTP 404 naming PostgREST\'s message', async () => {
    const other = createSupabaseTarget({ url: double.url, key: SERVICE_KEY, table: 'nope', nowMs: () => 0 });
    await expect(other.read('__equity_ts__')).rejects.toMatchObject({ code: 'REMOTE_HTTP', status: 404 });
  });

  it('connection refused: REMOTE_NETWORK with the cause, without the key', async () => {
    const refused = make(await closedPortUrl());
    const err = (await refused.write('__equity_ts__', 1).catch((e: unknown) => e)) as StoreError;
    expect(err.code).toBe('REMOTE_NETWORK');
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(err.message).not.toContain(SERVICE_KEY);
  });

  it('dropped connection: REMOTE_NETWORK', async () => {
    double.failNext(1, 'drop');
    await expect(target.read('__equity_ts__')).rejects.toMatchObject({ code: 'REMOTE_NETWORK' });
  });

  it('no answer within the timeout: REMOTE_TIMEOUT', async () => {
    const slow = make(double.url, 150);
    double.failNext(1, 'delay', { delayMs: 1_000 });
    const started = Date.now();
    await expect(slow.write('__equity_ts__', 1)).rejects.toMatchObject({ code: 'REMOTE_TIMEOUT', message: 'supabase write __equity_ts__ failed: no answer within 150 ms' });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('uses an injected fetch', async () => {
    const seen: string[] = [];
    const injected = createSupabaseTarget({
      url: double.url, key: SERVICE_KEY, table: 'bot_state', nowMs: () => 0,
      fetch: (input, init) => { seen.push(String(input)); return fetch(input, init); },
    });
    await injected.read('__equity_ts__');
    expect(seen).toEqual([`${double.url}/rest/v1/bot_state?select=value&key=eq.__equity_ts__`]);
  });

  it.each(['bot_state', 'some_bot_key', '__equity_ts__ ', ''])('refuses to write any other key (%j) without sending anything', async (key) => {
    await expect(target.write(key as StoreKey, 1)).rejects.toMatchObject({ code: 'FORBIDDEN_KEY' });
    expect(double.requests).toHaveLength(0);
  });
});
