/**
 * Kraken failures, split by what the caller should do (not by where they came from):
 * - `transient`: retry later (timeouts, 5xx, HTML error pages, malformed bodies, EService:*).
 * - `rate_limited`: back off, treat the counter as full.
 * - `locked_out`: stop private calls for ~15 minutes.
 * - `fatal`: the key itself is wrong (bad key, signature, permission, nonce): tell a human, stop the feature.
 * - `invalid_request`: Kraken rejected our arguments (EQuery:*, EGeneral:Invalid arguments): a bug or a bad pair.
 */
export type KrakenErrorKind = 'transient' | 'rate_limited' | 'locked_out' | 'fatal' | 'invalid_request';

export class KrakenError extends Error {
  constructor(
    readonly kind: KrakenErrorKind,
    /** Stable code: Kraken's own error string (e.g. `EAPI:Invalid key`) or one of ours (`HTTP:502`, `NET:timeout`, `BODY:malformed`). */
    readonly code: string,
    message: string,
    readonly endpoint: string,
  ) {
    super(message);
    this.name = 'KrakenError';
  }

  get retryable(): boolean {
    return this.kind === 'transient';
  }
}

const BY_PREFIX: ReadonlyArray<readonly [string, KrakenErrorKind]> = [
  ['EAPI:Rate limit exceeded', 'rate_limited'],
  ['EOrder:Rate limit exceeded', 'rate_limited'],
  ['EGeneral:Temporary lockout', 'locked_out'],
  ['EAPI:Invalid key', 'fatal'],
  ['EAPI:Invalid signature', 'fatal'],
  ['EAPI:Invalid nonce', 'fatal'],
  ['EGeneral:Permission denied', 'fatal'],
  ['EAPI:Bad request', 'fatal'],
  ['EService:', 'transient'],
  ['EGeneral:Internal error', 'transient'],
  ['EQuery:', 'invalid_request'],
  ['EGeneral:Invalid arguments', 'invalid_request'],
];

/** Maps one of Kraken's `error` strings (e.g. `EService:Unavailable`) to a typed error. */
export function fromKrakenErrorString(text: string, endpoint: string): KrakenError {
  const kind = BY_PREFIX.find(([prefix]) => text.startsWith(prefix))?.[1] ?? 'transient';
  // The code is the part before any free-text detail Kraken appends (`EGeneral:Invalid arguments:volume`).
  const code = text.trim() === '' ? 'EUNKNOWN' : text.split(':').slice(0, 2).join(':');
  return new KrakenError(kind, code, `${endpoint}: ${text}`, endpoint);
}
