import { z } from 'zod';
import type { KrakenSim } from './server.js';
import { activityBody, runActivity } from './scripting-activity.js';
import type { SimWsAction, SimWsFault } from './ws-faults.js';

/** JSON bodies of the /_sim/ routes, for chaos scripts running in another process. */
const decimal = z.union([z.string(), z.number()]).transform(String);
const endpoint = z.enum(['Balance', 'BalanceEx', 'Ledgers', 'GetWebSocketsToken', 'Ticker', 'AssetPairs', 'Assets', 'Time']);

const ledgerRowBody = z.object({
  type: z.string().min(1),
  asset: z.string().min(1),
  amount: decimal,
  fee: decimal.optional(),
  time: z.number().optional(),
  subtype: z.string().optional(),
  refid: z.string().optional(),
  id: z.string().optional(),
});

const rawRowBody = z.object({ id: z.string().min(1), row: z.unknown(), time: z.number().optional() });
const priceBody = z.object({ price: decimal });
const balanceBody = z.object({ code: z.string().min(1), amount: decimal });
const holdBody = z.object({ code: z.string().min(1), amount: decimal });
const lagBody = z.object({ ms: z.number().nonnegative() });

const faultBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('error'), error: z.string().min(1) }),
  z.object({
    kind: z.literal('http'),
    status: z.number().int(),
    body: z.string().optional(),
    contentType: z.string().optional(),
  }),
  z.object({ kind: z.literal('delay'), ms: z.number().nonnegative() }),
  z.object({ kind: z.literal('malformed-json') }),
  z.object({ kind: z.literal('reset') }),
]);
const injectBody = z.object({
  fault: faultBody,
  endpoint: endpoint.optional(),
  count: z.number().int().positive().optional(),
});

/** WebSocket faults and actions: the kind is checked here, the fields by the endpoint (it throws on bad ones). */
const wsInjectBody = z.object({
  fault: z.looseObject({ kind: z.enum(['hang-handshake', 'silent', 'close', 'drop', 'stall', 'subscribe-error', 'empty-wallets']) }),
  count: z.number().int().positive().optional(),
});
const wsActBody = z.looseObject({
  kind: z.enum(['drop', 'stall', 'close', 'garbage', 'raw', 'duplicate', 'gap', 'reorder', 'batch', 'unknown', 'huge-numbers']),
});
const wsSystemBody = z.object({ system: z.enum(['online', 'maintenance', 'cancel_only', 'post_only']) });

export interface ScriptingReply {
  status: number;
  payload: unknown;
}

/**
 * POST /_sim/ledger, /_sim/ledger/raw, /_sim/price, /_sim/balance, /_sim/hold, /_sim/ledger-lag, /_sim/activity, /_sim/inject,
 * /_sim/clear-faults; GET /_sim/stats, /_sim/balances, /_sim/price, /_sim/auto-earn. Replies are plain JSON
 * (not Kraken's envelope).
 */
export function handleScripting(sim: KrakenSim, method: string, path: string, rawBody: string): ScriptingReply {
  try {
    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /_sim/stats':
        return done(sim.stats());
      case 'GET /_sim/balances':
        return done(sim.getBalances());
      case 'GET /_sim/price':
        return done({ price: sim.getPrice() });
      case 'GET /_sim/auto-earn':
        return done(sim.activity.autoEarnStatus());
      case 'POST /_sim/activity':
        return done(runActivity(sim, activityBody.parse(json(rawBody))));
      case 'POST /_sim/ledger-lag': {
        const { ms } = lagBody.parse(json(rawBody));
        sim.setLedgerLag(ms);
        return done({ ms });
      }
      case 'POST /_sim/hold': {
        const body = holdBody.parse(json(rawBody));
        sim.setHoldTrade(body.code, body.amount);
        return done({ code: body.code });
      }
      case 'POST /_sim/ledger':
        return done(sim.addLedgerRow(ledgerRowBody.parse(json(rawBody))));
      case 'POST /_sim/ledger/raw': {
        const body = rawRowBody.parse(json(rawBody));
        sim.addRawLedgerRow(body.id, body.row, body.time);
        return done({ id: body.id });
      }
      case 'POST /_sim/price':
        sim.setPrice(priceBody.parse(json(rawBody)).price);
        return done({ price: sim.getPrice() });
      case 'POST /_sim/balance': {
        const body = balanceBody.parse(json(rawBody));
        sim.setBalance(body.code, body.amount);
        return done(sim.getBalances());
      }
      case 'POST /_sim/inject': {
        const body = injectBody.parse(json(rawBody));
        sim.inject(body.fault, { endpoint: body.endpoint, count: body.count });
        return done({ pending: sim.pendingFaults() });
      }
      case 'GET /_sim/ws/stats':
        return done(sim.ws.stats());
      case 'POST /_sim/ws/inject': {
        const body = wsInjectBody.parse(json(rawBody));
        sim.ws.inject(body.fault as SimWsFault, body.count);
        return done({ pending: sim.ws.pendingFaults() });
      }
      case 'POST /_sim/ws/act':
        sim.ws.act(wsActBody.parse(json(rawBody)) as SimWsAction);
        return done({ open: sim.ws.stats().open });
      case 'POST /_sim/ws/system': {
        const { system } = wsSystemBody.parse(json(rawBody));
        sim.ws.setSystem(system);
        return done({ system });
      }
      case 'POST /_sim/clear-faults':
        sim.clearFaults();
        sim.ws.clearFaults();
        return done({ pending: 0 });
      default:
        return { status: 404, payload: { error: `no scripting route ${route}` } };
    }
  } catch (err) {
    const message = err instanceof z.ZodError ? z.prettifyError(err) : err instanceof Error ? err.message : String(err);
    return { status: 400, payload: { error: message } };
  }
}

function done(payload: unknown): ScriptingReply {
  return { status: 200, payload };
}

function json(rawBody: string): unknown {
  return rawBody.trim() === '' ? {} : (JSON.parse(rawBody) as unknown);
}
