import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSupabaseTarget } from '../../src/store/supabase-target.js';
import type { RemoteTarget } from '../../src/store/supabase-target.js';
import { PostgrestDouble } from '../helpers/postgrest-double.js';
import { SERVICE_KEY } from '../helpers/store-fixtures.js';

// The exact requests supabase-js 2.109.0 sends for the two operations the store uses, pinned so that an
// upgrade that changes them fails here, not against the real Supabase.
describe('PostgREST contract of supabase-js 2.109.0', () => {
  let double: PostgrestDouble;
  let target: RemoteTarget;
  const nowMs = 1_700_000_000_000;

  beforeEach(async () => {
    double = await new PostgrestDouble({ apiKey: SERVICE_KEY }).start();
    target = createSupabaseTarget({ url: double.url, key: SERVICE_KEY, table: 'bot_state', nowMs: () => nowMs });
  });
  afterEach(() => double.close());

  it('upsert: POST /rest/v1/bot_state?on_conflict=key, Prefer merge-duplicates, row as JSON body', async () => {
    await target.write('__equity_ts__', { v: 1, n: 0 });
    expect(double.requests).toHaveLength(1);
    const [req] = double.requests;
    expect(req).toMatchObject({
      method: 'POST',
      path: '/rest/v1/bot_state',
      query: { on_conflict: 'key' },
      body: { key: '__equity_ts__', value: { v: 1, n: 0 }, updated_at: '2023-11-14T22:13:20.000Z' },
      outcome: 201,
    });
    expect(req?.headers).toMatchObject({
      prefer: 'resolution=merge-duplicates',
      'content-type': 'application/json',
      'content-profile': 'public',
      apikey: SERVICE_KEY,
      authorization: `Bearer ${SERVICE_KEY}`,
    });
    expect(Object.keys(req?.query ?? {})).toEqual(['on_conflict']);
  });

  it('maybeSingle select: GET ?select=value&key=eq.<key>, array Accept (2.109 unwraps the array itself)', async () => {
    await target.read('__recon_state_v1__');
    const [req] = double.requests;
    expect(req).toMatchObject({
      method: 'GET',
      path: '/rest/v1/bot_state',
      query: { select: 'value', key: 'eq.__recon_state_v1__' },
      body: null,
    });
    expect(req?.headers).toMatchObject({ 'accept-profile': 'public', apikey: SERVICE_KEY, accept: '*/*' });
    expect(req?.headers['accept']).not.toContain('vnd.pgrst.object');
  });

  it('a second upsert of the same key replaces the row (merge-duplicates)', async () => {
    await target.write('__equity_ts__', 1);
    await target.write('__equity_ts__', 2);
    expect([...double.rows.keys()]).toEqual(['__equity_ts__']);
    expect(double.value('__equity_ts__')).toBe(2);
  });

  it('never retries a failed GET by itself (the store retries on its own schedule)', async () => {
    double.failNext(1, 'error', { status: 503 });
    await expect(target.read('__equity_ts__')).rejects.toMatchObject({ code: 'REMOTE_HTTP', status: 503 });
    expect(double.requests).toHaveLength(1);
  });
});
