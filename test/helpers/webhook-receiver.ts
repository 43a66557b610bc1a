import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';

/** What the receiver does with one request. */
export type Answer = number | 'hang' | 'garbage-body' | { redirect: number };

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** What it answered. */
  answer: Answer;
}

/**
 * A real webhook receiver on 127.0.0.1:0. Answers are scripted in order (`script`), then `fallback` (200).
 * Every request is recorded with its raw body.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly script: Answer[] = [];
  private readonly hanging: ServerResponse[] = [];
  private server: Server | null = null;
  fallback: Answer = 200;
  url = '';

  static async start(path = '/hook/T000/B000/secret-token-abc123'): Promise<WebhookReceiver> {
    const r = new WebhookReceiver();
    r.server = createServer((req, res) => r.handle(req, res));
    await new Promise<void>((resolve) => r.server?.listen(0, '127.0.0.1', () => resolve()));
    r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}${path}`;
    return r;
  }

  answer(...answers: Answer[]): this {
    this.script.push(...answers);
    return this;
  }

  /** Resolves once `n` requests have arrived. */
  async waitFor(n: number, timeoutMs = 10_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (Date.now() > deadline) throw new Error(`receiver got ${this.received.length} of ${n} requests`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received;
  }

  bodies(): unknown[] {
    return this.received.map((r) => JSON.parse(r.body) as unknown);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const answer = this.script.shift() ?? this.fallback;
      this.received.push({ path: req.url ?? '', headers: req.headers, body, answer });
      if (answer === 'hang') {
        this.hanging.push(res);
        return;
      }
      if (answer === 'garbage-body') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>\u0000\u00ff not json {{{');
        return;
      }
      if (typeof answer === 'object') {
        res.writeHead(answer.redirect, { location: 'http://127.0.0.1:9/elsewhere' }).end();
        return;
      }
      res.writeHead(answer, { 'content-type': 'application/json' }).end(answer < 300 ? '{"ok":true}' : '{"error":"nope"}');
    });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** A TCP server that answers every connection with bytes that are not HTTP, then closes it. */
export async function startGarbageServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets: Socket[] = [];
  const server = createTcpServer((s) => {
    n++;
    sockets.push(s);
    s.on('data', () => s.end('SSH-2.0-OpenSSH_9.2 garbage\r\n\r\n'));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    connections: () => n,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening (bound then released). */
export async function closedPortUrl(): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}
