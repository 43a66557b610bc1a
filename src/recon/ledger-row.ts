import { normalizeAsset } from '../kraken/assets.js';
import { isDecimalString } from './decimal.js';
import type { LedgerRow } from './types.js';

export type ParsedRow = { ok: true; row: LedgerRow } | { ok: false; kind: MalformedKind };

export type MalformedKind =
  | 'malformed_not_object'
  | 'malformed_missing_id'
  | 'malformed_time'
  | 'malformed_type'
  | 'malformed_asset'
  | 'malformed_amount'
  | 'malformed_fee';

/**
 * Validates one raw Ledgers row (Kraken sends `id → {refid,time,type,subtype,aclass,asset,amount,fee,balance}`).
 * Amounts must be decimal strings: a float here would mean the money is no longer exact.
 */
export function parseLedgerRow(id: string, raw: unknown): ParsedRow {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, kind: 'malformed_not_object' };
  if (id.trim() === '') return { ok: false, kind: 'malformed_missing_id' };
  const r = raw as Record<string, unknown>;
  const time = typeof r.time === 'number' ? r.time : typeof r.time === 'string' && isDecimalString(r.time) ? Number(r.time) : NaN;
  if (!Number.isFinite(time) || time <= 0) return { ok: false, kind: 'malformed_time' };
  if (typeof r.type !== 'string' || r.type.trim() === '') return { ok: false, kind: 'malformed_type' };
  if (typeof r.asset !== 'string' || r.asset.trim() === '') return { ok: false, kind: 'malformed_asset' };
  if (!isDecimalString(r.amount)) return { ok: false, kind: 'malformed_amount' };
  if (!isDecimalString(r.fee)) return { ok: false, kind: 'malformed_fee' };
  const { asset, wallet } = normalizeAsset(r.asset);
  return {
    ok: true,
    row: {
      id,
      refid: typeof r.refid === 'string' ? r.refid : '',
      time,
      type: r.type.trim().toLowerCase(),
      subtype: typeof r.subtype === 'string' ? r.subtype : '',
      asset,
      wallet,
      amount: r.amount.trim(),
      fee: r.fee.trim(),
      balance: isDecimalString(r.balance) ? r.balance.trim() : null,
    },
  };
}
