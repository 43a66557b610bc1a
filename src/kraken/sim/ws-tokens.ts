import { randomBytes } from 'node:crypto';

/** Kraken's token lifetime: it must be used within 900 s of creation. */
export const TOKEN_LIFETIME_SEC = 900;

interface TokenEntry {
  readonly key: string;
  readonly createdMs: number;
  /** The connection that subscribed with it first; from then on it is valid there (and only there) while it is open. */
  boundTo: number | null;
}

export type TokenCheck = { ok: true; key: string } | { ok: false };

/**
 * WebSocket tokens of GetWebSocketsToken: bound to the API key that asked, valid for 900 s on the sim clock until
 * used. A used token stays valid for as long as its connection is open; another connection cannot use it.
 */
export class TokenStore {
  private readonly tokens = new Map<string, TokenEntry>();
  private issuedCount = 0;

  constructor(private readonly clockMs: () => number) {}

  issue(key: string): { token: string; expires: number } {
    this.prune();
    const token = randomBytes(32).toString('base64').replace(/=+$/, '');
    this.tokens.set(token, { key, createdMs: this.clockMs(), boundTo: null });
    this.issuedCount += 1;
    return { token, expires: TOKEN_LIFETIME_SEC };
  }

  /** A subscribe with `token` on connection `connId`: valid when fresh and unused, or already bound to that connection. */
  use(token: string, connId: number): TokenCheck {
    const entry = this.tokens.get(token);
    if (entry === undefined) return { ok: false };
    if (entry.boundTo !== null) return entry.boundTo === connId ? { ok: true, key: entry.key } : { ok: false };
    if (this.clockMs() - entry.createdMs > TOKEN_LIFETIME_SEC * 1000) return { ok: false };
    entry.boundTo = connId;
    return { ok: true, key: entry.key };
  }

  /** The connection closed: its tokens are spent. */
  release(connId: number): void {
    for (const [token, entry] of this.tokens) if (entry.boundTo === connId) this.tokens.delete(token);
  }

  get issued(): number {
    return this.issuedCount;
  }

  private prune(): void {
    const now = this.clockMs();
    for (const [token, entry] of this.tokens) {
      if (entry.boundTo === null && now - entry.createdMs > TOKEN_LIFETIME_SEC * 1000) this.tokens.delete(token);
    }
  }
}
