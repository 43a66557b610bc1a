import { request, type Dispatcher } from 'undici';

/** Where the bot's own P&L (quote currency) comes from. `read` returns the source's current value. */
export interface PnlSource {
  readonly kind: 'http' | 'supabase';
  read(signal?: AbortSignal): Promise<number>;
}

/** Picks the number at a dotted path (`stats.pnl_usd`); numeric strings are accepted. */
export function numberAtPath(value: unknown, path: string): number {
  let node: unknown = value;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) throw new Error(`no field "${path}" in the bot's answer`);
    node = (node as Record<string, unknown>)[part];
  }
  const n = typeof node === 'number' ? node : typeof node === 'string' && node.trim() !== '' ? Number(node) : NaN;
  if (!Number.isFinite(n)) throw new Error(`field "${path}" is not a number`);
  return n;
}

export function httpPnlSource(url: string, field: string, timeoutMs: number, dispatcher?: Dispatcher): PnlSource {
  return {
    kind: 'http',
    async read(signal) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const res = await request(url, {
        method: 'GET',
        headers: { Accept: 'application/json' },
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
        ...(dispatcher !== undefined ? { dispatcher } : {}),
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`bot P&L endpoint answered HTTP ${res.statusCode}`);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error('bot P&L endpoint answered malformed JSON');
      }
      return numberAtPath(body, field);
    },
  };
}

/** Reads the bot's own row (never written by the sidecar) from the shared state table. */
export function storedPnlSource(readRow: (signal?: AbortSignal) => Promise<unknown>, field: string): PnlSource {
  return {
    kind: 'supabase',
    async read(signal) {
      const row = await readRow(signal);
      if (row === null || row === undefined) throw new Error('bot P&L row not found');
      return numberAtPath(row, field);
    },
  };
}

/** The last good value and the source's health, shown in `/status.balance_recon.bot_pnl`. */
export class PnlTracker {
  value: number | null = null;
  okTs: number | null = null;
  ok = false;
  lastError: string | null = null;

  constructor(readonly source: PnlSource | null) {}

  async refresh(nowSec: () => number, signal?: AbortSignal): Promise<void> {
    if (this.source === null) return;
    try {
      this.value = await this.source.read(signal);
      this.okTs = nowSec();
      this.ok = true;
      this.lastError = null;
    } catch (err) {
      this.ok = false;
      this.lastError = err instanceof Error ? err.message : String(err);
    }
  }
}
