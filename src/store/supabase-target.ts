import { createClient } from '@supabase/supabase-js';
import type { SupabaseClientOptions } from '@supabase/supabase-js';
import { WebSocket } from 'undici';
import { StoreError, errorText, redact } from './errors.js';
import { assertStoreKey } from './keys.js';
import type { StoreKey } from './keys.js';

export interface SupabaseTargetOptions {
  url: string;
  /** Service key. Sent as headers only; never put in a message, a log line or /status. */
  key: string;
  table: string;
  /** Injected transport (tests); default global fetch. */
  fetch?: typeof fetch | undefined;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number | undefined;
  nowMs: () => number;
}

/** One row per key of SUPABASE_TABLE: `key text primary key, value jsonb, updated_at timestamptz`. */
export interface RemoteTarget {
  readonly table: string;
  /**
   * The row's value; null when there is no row (or its value is JSON null). Throws StoreError. Any key may be
   * read (the bot-P&L source reads the bot's own row); only writes are limited to the two keys.
   */
  read(key: string): Promise<unknown>;
  /** Upserts the row. Throws StoreError; FORBIDDEN_KEY for any key but the two. */
  write(key: StoreKey, value: unknown): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

// undici's WebSocket differs from realtime-js's structural type only in event-handler typings.
type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

/** Adds a per-request timeout to every call, keeping any signal the caller passed. */
function withTimeout(base: typeof fetch, timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return base(input, { ...init, signal });
  };
}

interface PostgrestFailure {
  message?: unknown;
  code?: unknown;
  hint?: unknown;
  details?: unknown;
}

/** postgrest-js puts a transport error's cause ("connect ECONNREFUSED ...") in `details`, after the stack. */
function causeOf(error: PostgrestFailure): string {
  if (typeof error.details !== 'string') return '';
  const m = /Caused by: ([^\n]*)/.exec(error.details);
  return m?.[1] ? ` (${m[1].trim()})` : '';
}

export function createSupabaseTarget(opts: SupabaseTargetOptions): RemoteTarget {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = createClient(opts.url, opts.key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // supabase-js >= 2.105.2 throws on Node 20 without a WebSocket transport; realtime is never used here.
    realtime: { transport: WebSocket as unknown as RealtimeTransport },
    global: { fetch: withTimeout(opts.fetch ?? globalThis.fetch, timeoutMs) },
  });

  /** A StoreError from a supabase-js `{ error, status }` result. postgrest-js reports transport failures with status 0. */
  function failure(op: string, key: string, error: PostgrestFailure, status: number): StoreError {
    const msg = typeof error.message === 'string' ? error.message : 'unknown error';
    const code = typeof error.code === 'string' && error.code !== '' ? ` [${error.code}]` : '';
    if (status === 0) {
      const timedOut = /abort|timeout/i.test(msg) || (typeof error.hint === 'string' && /abort/i.test(error.hint));
      const text = timedOut ? `no answer within ${timeoutMs} ms` : errorText(`${msg}${causeOf(error)}`, 200);
      return new StoreError(timedOut ? 'REMOTE_TIMEOUT' : 'REMOTE_NETWORK', redact(`supabase ${op} ${key} failed: ${text}`, opts.key));
    }
    return new StoreError('REMOTE_HTTP', redact(`supabase ${op} ${key} failed: HTTP ${status}${code} ${errorText(msg, 200)}`, opts.key), status);
  }

  /** supabase-js should report failures as results, but a transport may still throw: map that too. */
  function thrown(op: string, key: string, err: unknown): StoreError {
    if (err instanceof StoreError) return err;
    const name = err instanceof Error ? err.name : '';
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    return new StoreError(timedOut ? 'REMOTE_TIMEOUT' : 'REMOTE_NETWORK', redact(`supabase ${op} ${key} failed: ${timedOut ? `no answer within ${timeoutMs} ms` : errorText(err, 200)}`, opts.key));
  }

  return {
    table: opts.table,

    async read(key) {
      try {
        // retry(false): postgrest-js would otherwise retry a GET for up to 7 s; the store retries on its own schedule.
        const { data, error, status } = await client.from(opts.table).select('value').eq('key', key).maybeSingle().retry(false);
        if (error) throw failure('read', key, error, status);
        if (data === null || typeof data !== 'object') return null;
        return (data as { value?: unknown }).value ?? null;
      } catch (err) {
        throw thrown('read', key, err);
      }
    },

    async write(key, value) {
      assertStoreKey(key);
      try {
        const row = { key, value, updated_at: new Date(opts.nowMs()).toISOString() };
        const { error, status } = await client.from(opts.table).upsert(row, { onConflict: 'key' });
        if (error) throw failure('write', key, error, status);
      } catch (err) {
        throw thrown('write', key, err);
      }
    },
  };
}
