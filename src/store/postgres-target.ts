import pg from 'pg';
import { StoreError, errorText, redact } from './errors.js';
import { assertStoreKey, type StoreKey } from './keys.js';
import type { RemoteTarget } from './supabase-target.js';

export interface PostgresTargetOptions {
  /** `postgres://user:password@host:port/db?sslmode=...`: a secret (it holds the password). */
  url: string;
  table: string;
  /** Per-statement timeout (server side) and per-query timeout (client side). Default 10 s. */
  timeoutMs?: number | undefined;
  nowMs: () => number;
}

/** A remote target whose lease is a real compare-and-set: the row is locked while the lease is checked. */
export interface LeasedTarget extends RemoteTarget {
  /**
   * In one transaction: locks `key`'s row, asks `decide` whether the current value lets us write, and writes
   * `value` only then. Returns whether it wrote. Throws StoreError.
   */
  writeLeased(key: StoreKey, value: unknown, decide: (current: unknown) => boolean): Promise<boolean>;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const JSON_TYPES = new Set(['jsonb', 'json']);

/** What in a connection string must never be shown: the password, and the string itself. */
function secretsOf(url: string): string[] {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return [url, password, encodeURIComponent(password)].filter((s) => s.length > 0);
  } catch {
    return [url];
  }
}

/**
 * The `bot_state` table over a direct Postgres connection (DESIGN.md section 19): the same keys and encoded
 * values as the Supabase target, so a deployment moves between the two without losing history. Safe behind
 * transaction-mode poolers (Supabase's port 6543): no session state, no named prepared statements.
 */
export function createPostgresTarget(opts: PostgresTargetOptions): LeasedTarget {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secrets = secretsOf(opts.url);
  const scrub = (text: string): string => secrets.reduce((t, s) => redact(t, s), text);
  const table = pg.escapeIdentifier(opts.table);
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: 2,
    connectionTimeoutMillis: timeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 1000,
    idle_in_transaction_session_timeout: timeoutMs * 2,
    application_name: 'kraken-balance-sidecar',
  });
  // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  let ready: Promise<void> | null = null;

  function failure(op: string, key: string, err: unknown): StoreError {
    if (err instanceof StoreError) return err;
    const code = (err as { code?: unknown }).code;
    const text = errorText(err, 200);
    const timedOut = code === '57014' || /timeout|timed out/i.test(text);
    const network = typeof code === 'string' && /^(ECONN|ENOTFOUND|EPIPE|ETIMEDOUT|EHOSTUNREACH|57P0|08)/.test(code);
    const kind = timedOut ? 'REMOTE_TIMEOUT' : network || /terminat|connect/i.test(text) ? 'REMOTE_NETWORK' : 'REMOTE_HTTP';
    const detail = timedOut ? `no answer within ${timeoutMs} ms` : `${text}${typeof code === 'string' ? ` [${code}]` : ''}`;
    return new StoreError(kind, scrub(`postgres ${op} ${key} failed: ${detail}`));
  }

  /** Creates the table on first use and checks a hand-made one has the columns the store needs. */
  async function ensureTable(): Promise<void> {
    await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (key text PRIMARY KEY, value jsonb, updated_at timestamptz)`);
    const { rows } = await pool.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND table_schema = ANY (current_schemas(false))`,
      [opts.table],
    );
    const types = new Map(rows.map((r) => [r.column_name, r.data_type]));
    const value = types.get('value');
    if (types.get('key') !== 'text' || value === undefined || !JSON_TYPES.has(value)) {
      throw new StoreError('REMOTE_HTTP', `postgres table ${opts.table} has the wrong columns (need key text primary key, value jsonb, updated_at timestamptz; found ${[...types].map(([c, t]) => `${c} ${t}`).join(', ') || 'none'})`);
    }
  }

  async function withTable<T>(op: string, key: string, job: () => Promise<T>): Promise<T> {
    try {
      ready ??= ensureTable().catch((err: unknown) => {
        ready = null; // tried again at the next operation
        throw err;
      });
      await ready;
      return await job();
    } catch (err) {
      throw failure(op, key, err);
    }
  }

  const upsert = `INSERT INTO ${table} (key, value, updated_at) VALUES ($1, $2::jsonb, $3) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`;
  const now = (): string => new Date(opts.nowMs()).toISOString();

  return {
    table: opts.table,

    read: (key) =>
      withTable('read', key, async () => {
        const { rows } = await pool.query<{ value: unknown }>(`SELECT value FROM ${table} WHERE key = $1`, [key]);
        return rows[0]?.value ?? null;
      }),

    write: (key, value) => {
      assertStoreKey(key);
      return withTable('write', key, async () => {
        await pool.query(upsert, [key, JSON.stringify(value), now()]);
      });
    },

    writeLeased: (key, value, decide) => {
      assertStoreKey(key);
      return withTable('write', key, async () => {
        const client = await pool.connect();
        let broken: Error | undefined;
        try {
          await client.query('BEGIN');
          // A row to lock even on the first save: two first writers then queue on it instead of both writing.
          await client.query(`INSERT INTO ${table} (key, value, updated_at) VALUES ($1, 'null'::jsonb, $2) ON CONFLICT (key) DO NOTHING`, [key, now()]);
          const { rows } = await client.query<{ value: unknown }>(`SELECT value FROM ${table} WHERE key = $1 FOR UPDATE`, [key]);
          if (!decide(rows[0]?.value ?? null)) {
            await client.query('ROLLBACK');
            return false;
          }
          await client.query(upsert, [key, JSON.stringify(value), now()]);
          await client.query('COMMIT');
          return true;
        } catch (err) {
          await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
          throw err;
        } finally {
          client.release(broken); // a connection that cannot even roll back is closed, not pooled
        }
      });
    },

    close: () => pool.end(),
  };
}
