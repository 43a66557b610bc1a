import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LedgerRow, SimLogger } from './types.js';
import { WsFaultQueue, type SimWsAction, type SimWsFault } from './ws-faults.js';
import {
  ackFrame,
  balancesFrame,
  errorFrame,
  frame,
  heartbeatFrame,
  num,
  pongFrame,
  snapshotData,
  statusFrame,
  updateEntry,
} from './ws-messages.js';
import type { TokenStore } from './ws-tokens.js';

export const WS_PATH = '/v2';
export type SimSystem = 'online' | 'maintenance' | 'cancel_only' | 'post_only';

export interface SimWsStats {
  /** WebSocket connections opened (handshakes completed), and when (Date.now ms). */
  connections: number;
  connectionTimes: number[];
  /** Upgrade requests held without an answer (`hang-handshake`). */
  hungHandshakes: number;
  subscribes: number;
  /** Subscribes refused (invalid token or a scripted error). */
  refused: number;
  /** Connections open now. */
  open: number;
  /** Balances messages sent (snapshots and updates). */
  balancesMessages: number;
}

interface SimConn {
  readonly id: number;
  readonly ws: WebSocket;
  readonly timers: NodeJS.Timeout[];
  silent: boolean;
  subscribed: boolean;
  sequence: number;
  lastSentMs: number;
  lastBalances: string | null;
  gapBy: number;
  batch: LedgerRow[] | null;
  held: string | null;
  reorder: boolean;
  stallAfterMs: number | null;
}

interface Deps {
  readonly server: Server;
  readonly tokens: TokenStore;
  readonly balances: () => Record<string, string>;
  readonly onRow: (listener: (row: LedgerRow) => void) => void;
  readonly clock: () => number;
  readonly heartbeatMs: number;
  readonly logger: SimLogger | undefined;
}

const CONNECTION_ID_BASE = 13834774380200032777n;
const GARBAGE: ReadonlyArray<string | Buffer> = ['{"channel":"balances","type":', '[1,2,3]', '"just a string"', Buffer.from([0xff, 0xfe, 0x00]), ''];

/**
 * Kraken's WebSocket v2 auth endpoint (`balances` channel) on the sim's HTTP server: `status` on connect, subscribe
 * with a GetWebSocketsToken token, a snapshot, one `update` per ledger row the account books, heartbeats when idle,
 * pongs, and scripted faults.
 */
export class SimWsEndpoint {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly faults = new WsFaultQueue();
  private readonly conns = new Set<SimConn>();
  private readonly hung = new Set<Duplex>();
  private readonly heartbeat: NodeJS.Timeout;
  private system: SimSystem = 'online';
  private nextId = 0;
  private readonly counts = { connections: 0, hungHandshakes: 0, subscribes: 0, refused: 0, balancesMessages: 0 };
  private readonly connectionTimes: number[] = [];

  constructor(private readonly d: Deps) {
    d.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    d.onRow((row) => this.onRow(row));
    this.heartbeat = setInterval(() => this.beat(), Math.max(10, Math.floor(d.heartbeatMs / 4)));
  }

  inject(fault: SimWsFault, count = 1): void {
    this.faults.inject(fault, count);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  pendingFaults(): number {
    return this.faults.size;
  }

  /** Sends a `status` update to every connection; `maintenance` then closes them all and every new one until it ends. */
  setSystem(system: SimSystem): void {
    this.system = system;
    for (const c of this.conns) this.send(c, statusFrame(system, CONNECTION_ID_BASE + BigInt(c.id)));
    if (system === 'maintenance') for (const c of this.conns) c.ws.close(1001, 'maintenance');
  }

  act(action: SimWsAction): void {
    for (const c of this.conns) this.actOn(c, action);
  }

  stats(): SimWsStats {
    return { ...this.counts, connectionTimes: [...this.connectionTimes], open: this.conns.size };
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const socket of this.hung) socket.destroy();
    for (const c of this.conns) this.end(c, () => c.ws.terminate());
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  // --- connections -------------------------------------------------------------------------------

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://sim.invalid').pathname;
    if (path !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    if (this.faults.take('upgrade') !== undefined) {
      this.counts.hungHandshakes += 1;
      this.hung.add(socket);
      socket.on('close', () => this.hung.delete(socket));
      socket.on('error', () => socket.destroy());
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  private onConnection(ws: WebSocket): void {
    const c: SimConn = {
      id: ++this.nextId,
      ws,
      timers: [],
      silent: false,
      subscribed: false,
      sequence: 0,
      lastSentMs: Date.now(),
      lastBalances: null,
      gapBy: 0,
      batch: null,
      held: null,
      reorder: false,
      stallAfterMs: null,
    };
    this.conns.add(c);
    this.counts.connections += 1;
    this.connectionTimes.push(Date.now());
    ws.on('message', (data, isBinary) => this.onMessage(c, isBinary ? null : rawText(data)));
    ws.on('close', () => this.forget(c));
    ws.on('error', () => ws.terminate());
    this.applyOpenFault(c, this.faults.take('open'));
    if (c.silent) return;
    this.send(c, statusFrame(this.system, CONNECTION_ID_BASE + BigInt(c.id)));
    if (this.system === 'maintenance') ws.close(1001, 'maintenance');
  }

  private applyOpenFault(c: SimConn, fault: SimWsFault | undefined): void {
    if (fault === undefined) return;
    if (fault.kind === 'silent') c.silent = true;
    if (fault.kind === 'close') this.later(c, fault.afterMs ?? 0, () => c.ws.close(fault.code, fault.reason ?? ''));
    if (fault.kind === 'drop') this.later(c, fault.afterMs ?? 0, () => c.ws.terminate());
    if (fault.kind === 'stall') c.stallAfterMs = fault.afterMs ?? 0;
  }

  private forget(c: SimConn): void {
    for (const t of c.timers) clearTimeout(t);
    this.conns.delete(c);
    this.d.tokens.release(c.id);
  }

  private end(c: SimConn, how: () => void): void {
    this.forget(c);
    how();
  }

  private later(c: SimConn, ms: number, fn: () => void): void {
    c.timers.push(setTimeout(fn, ms));
  }

  // --- requests ----------------------------------------------------------------------------------

  private onMessage(c: SimConn, text: string | null): void {
    if (c.silent) return;
    const timeIn = this.d.clock();
    let msg: { method?: unknown; params?: { channel?: unknown; token?: unknown; snapshot?: unknown }; req_id?: unknown };
    try {
      msg = JSON.parse(text ?? '') as typeof msg;
    } catch {
      return this.send(c, errorFrame('unknown', 'EGeneral:Invalid arguments', undefined, timeIn, this.d.clock()));
    }
    const reqId = msg.req_id;
    if (msg.method === 'ping') return this.send(c, pongFrame(reqId, timeIn, this.d.clock()));
    if (msg.method !== 'subscribe' && msg.method !== 'unsubscribe') {
      return this.send(c, errorFrame(typeof msg.method === 'string' ? msg.method : 'unknown', 'EGeneral:Invalid arguments', reqId, timeIn, this.d.clock()));
    }
    const method = msg.method;
    if (msg.params?.channel !== 'balances') {
      return this.send(c, errorFrame(method, 'EGeneral:Invalid arguments', reqId, timeIn, this.d.clock()));
    }
    if (method === 'unsubscribe') {
      c.subscribed = false;
      return this.send(c, frame({ method, result: { channel: 'balances' }, success: true, ...(typeof reqId === 'number' ? { req_id: reqId } : {}) }));
    }
    this.subscribe(c, msg.params, reqId, timeIn);
  }

  private subscribe(c: SimConn, params: { token?: unknown; snapshot?: unknown }, reqId: unknown, timeIn: number): void {
    this.counts.subscribes += 1;
    const fault = this.faults.take('subscribe');
    const refuse = (error: string): void => {
      this.counts.refused += 1;
      this.send(c, errorFrame('subscribe', error, reqId, timeIn, this.d.clock()));
    };
    if (fault?.kind === 'subscribe-error') return refuse(fault.error);
    const token = typeof params.token === 'string' ? params.token : '';
    if (token === '') return refuse('EGeneral:Invalid arguments:no token');
    if (!this.d.tokens.use(token, c.id).ok) return refuse('EAPI:Invalid token');
    const snapshot = params.snapshot !== false;
    this.send(c, ackFrame('balances', snapshot, reqId, timeIn, this.d.clock()));
    c.subscribed = true;
    c.sequence = 0;
    if (snapshot) this.sendBalances(c, 'snapshot', snapshotData(this.d.balances(), fault?.kind === 'empty-wallets'));
    if (c.stallAfterMs !== null) this.later(c, c.stallAfterMs, () => (c.silent = true));
  }

  // --- balances ----------------------------------------------------------------------------------

  private onRow(row: LedgerRow): void {
    for (const c of this.conns) {
      if (!c.subscribed || c.silent) continue;
      if (c.batch !== null) {
        if (c.batch.length === 0) queueMicrotask(() => this.flushBatch(c));
        c.batch.push(row);
      } else this.sendBalances(c, 'update', [updateEntry(row)]);
    }
  }

  private flushBatch(c: SimConn): void {
    const rows = c.batch ?? [];
    c.batch = null;
    if (rows.length > 0 && this.conns.has(c)) this.sendBalances(c, 'update', rows.map(updateEntry));
  }

  private sendBalances(c: SimConn, type: 'snapshot' | 'update', data: readonly unknown[]): void {
    c.sequence += 1 + c.gapBy;
    c.gapBy = 0;
    const text = balancesFrame(type, c.sequence, data);
    this.counts.balancesMessages += 1;
    c.lastBalances = text;
    if (c.reorder) {
      c.reorder = false;
      c.held = text;
      return;
    }
    this.send(c, text);
    if (c.held !== null) {
      const held = c.held;
      c.held = null;
      this.send(c, held);
    }
  }

  private actOn(c: SimConn, action: SimWsAction): void {
    switch (action.kind) {
      case 'drop':
        return this.end(c, () => c.ws.terminate());
      case 'stall':
        c.silent = true;
        return;
      case 'close':
        return c.ws.close(action.code, action.reason ?? '');
      case 'garbage':
        for (const g of GARBAGE) this.send(c, g);
        return;
      case 'raw':
        return this.send(c, action.text);
      case 'duplicate':
        if (c.lastBalances !== null) this.send(c, c.lastBalances);
        return;
      case 'gap':
        c.gapBy += action.by ?? 1;
        return;
      case 'reorder':
        c.reorder = true;
        return;
      case 'batch':
        c.batch = [];
        return;
      case 'unknown':
        this.send(c, frame({ channel: 'ohlc', type: 'update', data: [] }));
        this.send(c, frame({ channel: 'balances', type: 'delta', data: [], sequence: c.sequence }));
        return this.sendBalances(c, 'update', [{ ...oddEntry(c), type: 'futurething', category: 'novel-category' }]);
      case 'huge-numbers':
        return this.sendBalances(c, 'update', [
          { ...oddEntry(c), amount: num('0.123456789012345678901234567890'), balance: num('123456789012345678901234567890.12345678') },
        ]);
    }
  }

  private send(c: SimConn, data: string | Buffer): void {
    if (c.silent || c.ws.readyState !== c.ws.OPEN) return;
    c.ws.send(data, { binary: Buffer.isBuffer(data) });
    c.lastSentMs = Date.now();
  }

  /** `{"channel":"heartbeat"}` about every heartbeatMs on a subscribed connection that sent nothing else meanwhile. */
  private beat(): void {
    const now = Date.now();
    for (const c of this.conns) if (c.subscribed && now - c.lastSentMs >= this.d.heartbeatMs) this.send(c, heartbeatFrame());
  }
}

function oddEntry(c: SimConn): Record<string, unknown> {
  return {
    ledger_id: `AODD${c.id}-${c.sequence}`,
    ref_id: `AODD${c.id}-${c.sequence}`,
    timestamp: new Date().toISOString(),
    type: 'adjustment',
    asset: 'DOGE',
    asset_class: 'currency',
    category: 'credit',
    wallet_type: 'spot',
    wallet_id: 'main',
    amount: num('0'),
    fee: num('0'),
    balance: num('0'),
  };
}

function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
