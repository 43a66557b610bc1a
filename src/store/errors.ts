/**
 * Why a store operation failed, by what the caller can do about it:
 * - REMOTE_HTTP: Supabase/PostgREST answered with an error (bad key, missing table, 5xx): retried on the next save.
 * - REMOTE_NETWORK: no answer (refused, reset, DNS): retried on the next save.
 * - REMOTE_TIMEOUT: no answer within the per-request timeout: retried on the next save.
 * - LOCAL_IO: the local file could not be written or read.
 * - FORBIDDEN_KEY: a programming error, a write of a key other than the two the sidecar owns.
 */
export type StoreErrorCode = 'REMOTE_HTTP' | 'REMOTE_NETWORK' | 'REMOTE_TIMEOUT' | 'LOCAL_IO' | 'FORBIDDEN_KEY';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** HTTP status for REMOTE_HTTP. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** The message of anything thrown, on one line and bounded, for logs and /status. */
export function errorText(err: unknown, maxLength = 300): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

/** Replaces every occurrence of `secret` in `text` (a last line of defence; messages are built without it). */
export function redact(text: string, secret: string): string {
  return secret.length === 0 ? text : text.split(secret).join('[redacted]');
}
