import { timingSafeEqual } from 'node:crypto';
import { signRequest } from '../signing.js';
import type { SimKey, SimPermission } from './types.js';

export const DEFAULT_PERMISSIONS: readonly SimPermission[] = ['query_funds', 'query_ledger', 'websocket'];

interface KeyEntry {
  secret: string;
  permissions: ReadonlySet<SimPermission>;
  lastNonce: bigint | undefined;
}

export interface AuthRequest {
  path: string;
  apiKey: string | undefined;
  apiSign: string | undefined;
  /** The exact body bytes as text: the signature covers them. */
  rawBody: string;
  nonce: string | undefined;
}

export type AuthResult = { ok: true; key: string } | { ok: false; error: string; key?: string };

/**
 * API keys, their permissions and nonce floors. Checks run in Kraken's order: key, signature, nonce.
 * An accepted nonce is consumed whatever happens to the call afterwards.
 */
export class KeyStore {
  private readonly keys = new Map<string, KeyEntry>();

  constructor(keys: readonly SimKey[]) {
    for (const k of keys) this.add(k);
  }

  add(key: SimKey): void {
    if (Buffer.from(key.secret, 'base64').length === 0) throw new TypeError(`secret of key ${key.key} is not base64`);
    this.keys.set(key.key, {
      secret: key.secret,
      permissions: new Set(key.permissions ?? DEFAULT_PERMISSIONS),
      lastNonce: undefined,
    });
  }

  authenticate(req: AuthRequest): AuthResult {
    const entry = req.apiKey === undefined ? undefined : this.keys.get(req.apiKey);
    if (req.apiKey === undefined || !entry) return { ok: false, error: 'EAPI:Invalid key' };
    const key = req.apiKey;
    // Nothing to sign over without a nonce; Kraken reports the nonce in that case.
    if (req.nonce === undefined || req.nonce === '') return { ok: false, error: 'EAPI:Invalid nonce', key };
    if (!req.apiSign || !signatureMatches(req, entry.secret, req.nonce)) {
      return { ok: false, error: 'EAPI:Invalid signature', key };
    }
    if (!/^\d{1,30}$/.test(req.nonce)) return { ok: false, error: 'EAPI:Invalid nonce', key };
    const nonce = BigInt(req.nonce);
    if (entry.lastNonce !== undefined && nonce <= entry.lastNonce) {
      return { ok: false, error: 'EAPI:Invalid nonce', key };
    }
    entry.lastNonce = nonce;
    return { ok: true, key };
  }

  hasPermission(key: string, permission: SimPermission): boolean {
    return this.keys.get(key)?.permissions.has(permission) ?? false;
  }

  lastNonce(key: string): string | undefined {
    return this.keys.get(key)?.lastNonce?.toString();
  }

  keyNames(): string[] {
    return [...this.keys.keys()];
  }
}

function signatureMatches(req: AuthRequest, secret: string, nonce: string): boolean {
  const expected = Buffer.from(signRequest(req.path, nonce, req.rawBody, secret), 'base64');
  const given = Buffer.from(req.apiSign ?? '', 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
