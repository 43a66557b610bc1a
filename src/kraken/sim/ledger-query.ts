import { normalizeAsset } from '../assets.js';
import type { StoredEntry } from './account.js';

export const LEDGER_PAGE_SIZE = 50;

/** Ledger types Kraken accepts in the `type` parameter. */
const LEDGER_TYPES = new Set([
  'all', 'trade', 'deposit', 'withdrawal', 'transfer', 'margin', 'adjustment', 'rollover', 'spend', 'receive',
  'settled', 'credit', 'staking', 'reward', 'dividend', 'sale', 'conversion', 'nfttrade', 'nftcreatorfee',
  'nftrebate', 'custodytransfer',
]);

export const INVALID_ARGUMENTS = 'EGeneral:Invalid arguments';

export interface LedgersResult {
  ledger: Record<string, Readonly<Record<string, unknown>>>;
  count?: number;
}

/**
 * Kraken's Ledgers semantics over the newest-first entries: `start` exclusive, `end` inclusive (unix
 * seconds; ledger-id cursors are not supported), `asset` a comma list or `all` matched on the normalised
 * asset and wallet (XDG = XXDG = DOGE, but not XDG.S), `type` one ledger type or `all`, `ofs` an offset
 * into the filtered list, 50 rows a page, `count` = all matching rows unless `without_count`.
 */
export function queryLedgers(
  entries: Iterable<StoredEntry>,
  params: Readonly<Record<string, string>>,
): { ok: true; result: LedgersResult } | { ok: false; error: string } {
  const start = optionalNumber(params['start']);
  const end = optionalNumber(params['end']);
  const ofsParam = optionalNumber(params['ofs']);
  const ofs = ofsParam === undefined ? 0 : ofsParam;
  if (start === null || end === null || ofs === null || !Number.isInteger(ofs) || ofs < 0) {
    return { ok: false, error: INVALID_ARGUMENTS };
  }
  const type = (params['type'] ?? 'all').trim() || 'all';
  if (!LEDGER_TYPES.has(type)) return { ok: false, error: INVALID_ARGUMENTS };
  const assets = parseAssets(params['asset']);

  const ledger: Record<string, Readonly<Record<string, unknown>>> = {};
  let count = 0;
  for (const entry of entries) {
    if (start !== undefined && !(entry.time > start)) continue;
    if (end !== undefined && !(entry.time <= end)) continue;
    if (type !== 'all' && entry.type !== type) continue;
    if (assets && !matchesAsset(entry.asset, assets)) continue;
    if (count >= ofs && count < ofs + LEDGER_PAGE_SIZE) ledger[entry.id] = entry.row;
    count++;
  }
  const withoutCount = isTrue(params['without_count']);
  return { ok: true, result: withoutCount ? { ledger } : { ledger, count } };
}

/** undefined = absent; null = present but not a number. */
function optionalNumber(value: string | undefined): number | undefined | null {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function isTrue(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}

function parseAssets(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const codes = value.split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (codes.length === 0 || codes.some((c) => c.toLowerCase() === 'all')) return undefined;
  return codes.map(assetKey);
}

function matchesAsset(asset: string | undefined, wanted: readonly string[]): boolean {
  return asset !== undefined && wanted.includes(assetKey(asset));
}

function assetKey(code: string): string {
  const n = normalizeAsset(code);
  return `${n.asset}.${n.wallet}`;
}
