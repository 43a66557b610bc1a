import Big from 'big.js';
import { LosslessNumber, stringify } from 'lossless-json';
import { normalizeAsset } from '../assets.js';
import { assetDecimals } from './amounts.js';
import type { LedgerRow } from './types.js';

/**
 * Frames of the WebSocket v2 auth endpoint in Kraken's documented shapes. Amounts are JSON numbers written from the
 * sim's decimal strings (LosslessNumber), so `0.10000000` goes on the wire exactly as Balance and Ledgers show it.
 */

export interface WsWallet {
  readonly type: 'spot' | 'earn';
  readonly id: string;
}

/** REST wallet suffix → WS wallet. The sim's choice: how Kraken maps them is not documented. */
const EARN_IDS: Readonly<Record<string, string>> = { F: 'flex', B: 'bonded', S: 'locked', M: 'liquid' };

/** A REST code's WS asset and wallet: XXDG → DOGE spot/main, XDG.F → DOGE earn/flex, ZUSD → USD spot/main. */
export function wsAssetOf(code: string): { asset: string; wallet: WsWallet } {
  const n = normalizeAsset(code);
  if (n.wallet === 'spot') return { asset: n.asset, wallet: { type: 'spot', id: 'main' } };
  return { asset: n.asset, wallet: { type: 'earn', id: EARN_IDS[n.wallet] ?? 'locked' } };
}

/** WS ids need not equal REST's: the sim derives its own from the REST one (same entry, different spelling). */
export function wsId(restId: string): string {
  return restId === '' ? restId : `A${restId.slice(1)}`;
}

/** Ledger type → WS `category` (open strings on Kraken's side; anything unmapped keeps its type). */
const CATEGORY: Readonly<Record<string, string>> = {
  staking: 'staking-rewards',
  reward: 'reward-bonus',
  margin: 'margin-trade',
  rollover: 'marginrollover',
  spend: 'instant',
  receive: 'instant',
  sale: 'instant',
};

export function num(decimal: string): LosslessNumber {
  return new LosslessNumber(decimal);
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

export function frame(value: unknown): string {
  return stringify(value) ?? 'null';
}

export function statusFrame(system: string, connectionId: bigint): string {
  return frame({
    channel: 'status',
    type: 'update',
    data: [{ api_version: 'v2', connection_id: num(connectionId.toString()), system, version: '2.0.0' }],
  });
}

export function heartbeatFrame(): string {
  return '{"channel":"heartbeat"}';
}

export function pongFrame(reqId: unknown, timeInMs: number, timeOutMs: number): string {
  return frame({ method: 'pong', ...withReqId(reqId), time_in: rfc3339(timeInMs), time_out: rfc3339(timeOutMs) });
}

export function ackFrame(channel: string, snapshot: boolean, reqId: unknown, timeInMs: number, timeOutMs: number): string {
  return frame({
    method: 'subscribe',
    result: { channel, snapshot },
    success: true,
    time_in: rfc3339(timeInMs),
    time_out: rfc3339(timeOutMs),
    ...withReqId(reqId),
  });
}

export function errorFrame(method: string, error: string, reqId: unknown, timeInMs: number, timeOutMs: number): string {
  return frame({ error, method, ...withReqId(reqId), success: false, time_in: rfc3339(timeInMs), time_out: rfc3339(timeOutMs) });
}

/** One entry per WS asset: `balance` the total over its wallets, `wallets[]` each REST code's balance. */
export function snapshotData(balances: Readonly<Record<string, string>>, emptyWallets: boolean): unknown[] {
  const byAsset = new Map<string, { total: Big; decimals: number; wallets: Array<{ type: string; id: string; balance: LosslessNumber }> }>();
  for (const [code, balance] of Object.entries(balances)) {
    const { asset, wallet } = wsAssetOf(code);
    const entry = byAsset.get(asset) ?? { total: new Big(0), decimals: 0, wallets: [] };
    entry.total = entry.total.plus(balance);
    entry.decimals = Math.max(entry.decimals, assetDecimals(code));
    entry.wallets.push({ type: wallet.type, id: wallet.id, balance: num(balance) });
    byAsset.set(asset, entry);
  }
  return [...byAsset].map(([asset, e]) => ({
    asset,
    asset_class: 'currency',
    balance: num(e.total.toFixed(e.decimals)),
    wallets: emptyWallets ? [] : e.wallets,
  }));
}

/** A booked ledger row as a `balances` update entry. */
export function updateEntry(row: LedgerRow): Record<string, unknown> {
  const { asset, wallet } = wsAssetOf(row.asset);
  return {
    ledger_id: wsId(row.id),
    ref_id: wsId(row.refid),
    timestamp: rfc3339(Math.round(row.time * 1000)),
    type: row.type,
    ...(row.subtype === '' ? {} : { subtype: row.subtype }),
    asset,
    asset_class: 'currency',
    category: CATEGORY[row.type] ?? row.type,
    wallet_type: wallet.type,
    wallet_id: wallet.id,
    amount: num(row.amount),
    fee: num(row.fee),
    balance: num(row.balance),
  };
}

export function balancesFrame(type: 'snapshot' | 'update', sequence: number, data: readonly unknown[]): string {
  return frame({ channel: 'balances', type, data, sequence });
}

function withReqId(reqId: unknown): Record<string, unknown> {
  return typeof reqId === 'number' && Number.isInteger(reqId) ? { req_id: reqId } : {};
}
