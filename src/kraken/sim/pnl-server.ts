import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PnlSource {
  pnlUsd(): number;
  /** Clock in ms for the `ts` field. */
  nowMs(): number;
}

export interface PnlServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** The full `/pnl` URL (what BOT_PNL_URL should be). */
  pnlUrl: string;
  close(): Promise<void>;
}

/** `GET /pnl` → `{"pnl_usd": <number>, "ts": <unix s>}`: what BOT_PNL_SOURCE=http reads in the demo. */
export async function startPnlServer(
  source: PnlSource,
  opts: { host?: string | undefined; port?: number | undefined } = {},
): Promise<PnlServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://pnl.invalid').pathname;
    const ok = req.method === 'GET' && path === '/pnl';
    const body = ok
      ? JSON.stringify({ pnl_usd: source.pnlUsd(), ts: Math.floor(source.nowMs() / 1000) })
      : JSON.stringify({ error: 'not found' });
    res.writeHead(ok ? 200 : 404, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  return {
    url,
    pnlUrl: `${url}/pnl`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
