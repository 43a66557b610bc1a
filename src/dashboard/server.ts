import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';
import { isLoopbackHost } from './loopback.js';

export interface StartServerOptions {
  host: string;
  /** 0 picks a free port; the chosen one is returned and logged. */
  port: number;
  logger: Logger;
  /** Whether STATUS_TOKEN is set (only for the exposure warning). */
  tokenSet: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops listening and closes keep-alive sockets, so shutdown does not wait for browsers to hang up. */
  close(): Promise<void>;
}

/** In-flight responses get this long to finish before their sockets are cut. */
const CLOSE_GRACE_MS = 1000;

export async function startServer(app: RequestListener, opts: StartServerOptions): Promise<RunningServer> {
  const log = opts.logger.child({ component: 'dashboard' });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'dashboard server error'));

  const port = (server.address() as AddressInfo).port;
  const hostPart = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
  const url = `http://${hostPart}:${port}/`;
  log.info({ url, host: opts.host, port, auth: opts.tokenSet ? 'token' : 'none' }, 'dashboard listening');
  if (!isLoopbackHost(opts.host) && !opts.tokenSet) {
    log.warn(
      { host: opts.host, security: true },
      'SECURITY: dashboard listens on a non-loopback address without STATUS_TOKEN; anyone who can reach it can read balances',
    );
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      cut.unref();
      server.close((err) => {
        clearTimeout(cut);
        if (err !== undefined) reject(err);
        else resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return { url, port, close };
}
