import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A real HTTP server speaking the slice of PostgREST that supabase-js uses for one `key/value/updated_at`
 * table: select by key (array, or a single object with `Accept: application/vnd.pgrst.object+json`) and
 * upsert (`POST ?on_conflict=key` with `Prefer: resolution=merge-duplicates`). Rows live in memory; every
 * request is recorded; failures can be scripted. For store tests and the chaos test.
 */
export interface Row {
  key: string;
  value: unknown;
  updated_at: string | null;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/rest/v1/bot_state`. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON body, the raw text if it is not JSON, or null when empty. */
  body: unknown;
  /** How the double answered: an HTTP status, or `drop`. */
  outcome: number | 'drop';
}

/**
 * - `error`: answer with `status` (default 500) and a PostgREST-style JSON error body.
 * - `drop`: destroy the connection without an answer.
 * - `delay`: wait `delayMs` (default 1000), then answer normally (or find the client gone).
 */
export type FailMode = 'error' | 'drop' | 'delay';
export interface FailOptions {
  status?: number;
  /** `message` of the error body (default `scripted failure`). */
  message?: string;
  delayMs?: number;
}

export interface PostgrestDoubleOptions {
  table?: string;
  /** Service key the double accepts (apikey header); unset accepts any. */
  apiKey?: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export class PostgrestDouble {
  readonly table: string;
  readonly rows = new Map<string, Row>();
  readonly requests: RecordedRequest[] = [];
  private readonly apiKey: string | undefined;
  private readonly failures: { mode: FailMode; opts: FailOptions }[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  private port = 0;

  constructor(opts: PostgrestDoubleOptions = {}) {
    this.table = opts.table ?? 'bot_state';
    this.apiKey = opts.apiKey;
  }

  /** Base URL, to pass as SUPABASE_URL. */
  get url(): string {
    if (this.server === null) throw new Error('PostgrestDouble not started');
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** The next `n` requests fail the given way (queued after any failures already scripted). */
  failNext(n: number, mode: FailMode, opts: FailOptions = {}): void {
    for (let i = 0; i < n; i++) this.failures.push({ mode, opts });
  }

  /** Forget scripted failures. */
  clearFailures(): void {
    this.failures.length = 0;
  }

  /** Stored value of a key, or undefined. */
  value(key: string): unknown {
    return this.rows.get(key)?.value;
  }

  /** Keys that any upsert has tried to write, in request order. */
  writtenKeys(): string[] {
    return this.requests
      .filter((r) => r.method === 'POST')
      .flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body]))
      .map((row) => String((row as { key?: unknown } | null)?.key));
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://double');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    let body: unknown = null;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const record: RecordedRequest = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body, outcome: 0 };
    this.requests.push(record);

    const failure = this.failures.shift();
    if (failure?.mode === 'drop') {
      record.outcome = 'drop';
      req.socket.destroy();
      return;
    }
    if (failure?.mode === 'error') {
      const status = failure.opts.status ?? 500;
      record.outcome = status;
      this.send(res, status, { code: 'XX000', details: null, hint: null, message: failure.opts.message ?? 'scripted failure' });
      return;
    }
    if (failure?.mode === 'delay') {
      await new Promise((r) => setTimeout(r, failure.opts.delayMs ?? 1000));
      if (res.destroyed || req.socket.destroyed) {
        record.outcome = 'drop';
        return;
      }
    }
    const [status, payload] = this.route(record);
    record.outcome = status;
    this.send(res, status, payload);
  }

  private send(res: ServerResponse, status: number, payload: unknown): void {
    if (res.destroyed) return;
    if (payload === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'content-type': JSON_TYPE }).end(JSON.stringify(payload));
  }

  private route(r: RecordedRequest): [number, unknown] {
    if (this.apiKey !== undefined && r.headers['apikey'] !== this.apiKey) {
      return [401, { code: 'PGRST301', details: null, hint: null, message: 'Invalid API key' }];
    }
    if (r.path !== `/rest/v1/${this.table}`) {
      return [404, { code: 'PGRST205', details: null, hint: null, message: `Could not find the table 'public.${r.path.split('/').pop() ?? ''}' in the schema cache` }];
    }
    if (r.method === 'GET') return this.select(r);
    if (r.method === 'POST') return this.upsert(r);
    return [405, { code: 'PGRST000', details: null, hint: null, message: `method ${r.method} not supported by the double` }];
  }

  private select(r: RecordedRequest): [number, unknown] {
    const columns = (r.query['select'] ?? '*').split(',');
    let rows = [...this.rows.values()];
    for (const [param, filter] of Object.entries(r.query)) {
      if (param === 'select') continue;
      if (!filter.startsWith('eq.')) return [400, { code: 'PGRST100', details: null, hint: null, message: `unsupported filter ${param}=${filter}` }];
      const wanted = filter.slice(3);
      rows = rows.filter((row) => String((row as unknown as Record<string, unknown>)[param]) === wanted);
    }
    const projected = rows.map((row) => (columns.includes('*') ? row : Object.fromEntries(columns.map((c) => [c, (row as unknown as Record<string, unknown>)[c]]))));
    if ((r.headers['accept'] ?? '').includes('application/vnd.pgrst.object+json')) {
      if (projected.length !== 1) {
        return [406, { code: 'PGRST116', details: `The result contains ${projected.length} rows`, hint: null, message: 'JSON object requested, multiple (or no) rows returned' }];
      }
      return [200, projected[0]];
    }
    return [200, projected];
  }

  private upsert(r: RecordedRequest): [number, unknown] {
    const merge = (r.headers['prefer'] ?? '').includes('resolution=merge-duplicates');
    const incoming = Array.isArray(r.body) ? r.body : [r.body];
    for (const row of incoming) {
      if (typeof row !== 'object' || row === null || typeof (row as Row).key !== 'string') {
        return [400, { code: 'PGRST102', details: null, hint: null, message: 'Empty or invalid json' }];
      }
      if (!merge && this.rows.has((row as Row).key)) {
        return [409, { code: '23505', details: null, hint: null, message: 'duplicate key value violates unique constraint "bot_state_pkey"' }];
      }
    }
    for (const row of incoming as Row[]) {
      this.rows.set(row.key, { key: row.key, value: row.value ?? null, updated_at: row.updated_at ?? null });
    }
    const wantsRows = (r.headers['prefer'] ?? '').includes('return=representation');
    return wantsRows ? [201, incoming] : [201, undefined];
  }
}
