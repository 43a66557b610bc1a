/**
 * Kraken failures, split by what the caller should do (not by where they came from):
 * - `transient`: retry later (timeouts, 5xx, HTML error pages, malformed bodies, EService:*).
 * - `rate_limited`: back off, treat the counter as full.
 * - `throttled`: `EService:Throttled: <unix ts>`: no private call until that time (`retryAtKraken`).
 * - `locked_out`: stop private calls for ~15 minutes.
 * - `fatal`: the key or account cannot be used (bad key, signature, permission, nonce, locked user,
 *   invalid session): tell a human, stop the feature.
 * - `invalid_request`: Kraken rejected our arguments (EQuery:*, EGeneral:Invalid arguments): a bug or a bad pair.
 */
export type KrakenErrorKind = 'transient' | 'rate_limited' | 'throttled' | 'locked_out' | 'fatal' | 'invalid_request';

export class KrakenError extends Error {
  constructor(
    readonly kind: KrakenErrorKind,
    /** Stable code: Kraken's own error string (e.g. `EAPI:Invalid key`) or one of ours (`HTTP:502`, `NET:timeout`, `BODY:malformed`). */
    readonly code: string,
    message: string,
    readonly endpoint: string,
    /** `throttled` only: the unix time (Kraken's clock) Kraken named, or null when it named none we could read. */
    readonly retryAtKraken: number | null = null,
  ) {
    super(message);
    this.name = 'KrakenError';
  }

  get retryable(): boolean {
    return this.kind === 'transient';
  }
}

/** The worst first: of several errors in one answer, the one that holds the caller back longest decides. */
const SEVERITY: readonly KrakenErrorKind[] = ['fatal', 'locked_out', 'throttled', 'rate_limited', 'invalid_request', 'transient'];

/** Case-insensitive prefixes; the first match wins, so the specific ones come before their family. */
const BY_PREFIX: ReadonlyArray<readonly [string, KrakenErrorKind]> = [
  ['EGeneral:Temporary lockout', 'locked_out'],
  ['EGeneral:Too many requests', 'rate_limited'],
  ['EService:Throttled', 'throttled'],
  ['EAPI:Invalid key', 'fatal'],
  ['EAPI:Invalid signature', 'fatal'],
  ['EAPI:Invalid nonce', 'fatal'],
  ['EGeneral:Permission denied', 'fatal'],
  ['EAPI:Bad request', 'fatal'],
  ['ETrade:User Locked', 'fatal'],
  ['ESession:Invalid session', 'fatal'],
  ['EService:', 'transient'],
  ['EGeneral:Internal error', 'transient'],
  ['EQuery:', 'invalid_request'],
  ['EGeneral:Invalid arguments', 'invalid_request'],
];

/** Rate limits by suffix on any prefix (`EAPI:`, `EOrder:`, `ETrade:`, ...), as ccxt matches them. */
const RATE_LIMIT_SUFFIX = ':rate limit exceeded';

function kindOf(text: string): KrakenErrorKind {
  const t = text.trim().toLowerCase();
  if (t.endsWith(RATE_LIMIT_SUFFIX) || t.includes(`${RATE_LIMIT_SUFFIX}:`)) return 'rate_limited';
  return BY_PREFIX.find(([prefix]) => t.startsWith(prefix.toLowerCase()))?.[1] ?? 'transient';
}

/** A warning (`W...`) rides along with a result; only `E...` strings (or unknown shapes) are failures. */
export function isKrakenWarning(text: string): boolean {
  return /^W[A-Za-z]*:/.test(text.trim());
}

/** The unix time in `EService:Throttled: 1700000000`, or null when there is none or it is not a sane number. */
export function throttledUntil(text: string): number | null {
  const m = /^EService:Throttled\s*:\s*(\S+)/i.exec(text.trim());
  if (m === null) return null;
  const ts = Number(m[1]);
  return Number.isFinite(ts) && ts > 0 ? ts : null;
}

/** Maps one of Kraken's `error` strings (e.g. `EService:Unavailable`) to a typed error. */
export function fromKrakenErrorString(text: string, endpoint: string): KrakenError {
  return fromKrakenErrorStrings([text], endpoint);
}

/**
 * Maps every string of an `error` array: the most severe kind decides, its string gives the code, and the
 * message names them all. Warnings are kept in the message but never decide.
 */
export function fromKrakenErrorStrings(texts: readonly string[], endpoint: string): KrakenError {
  const errors = texts.filter((t) => !isKrakenWarning(t));
  const deciding = errors.length > 0 ? errors : texts;
  let worst = deciding[0] ?? '';
  let worstKind = kindOf(worst);
  for (const t of deciding.slice(1)) {
    const k = kindOf(t);
    if (SEVERITY.indexOf(k) < SEVERITY.indexOf(worstKind)) {
      worst = t;
      worstKind = k;
    }
  }
  // The code is the part before any free-text detail Kraken appends (`EGeneral:Invalid arguments:volume`).
  const code = worst.trim() === '' ? 'EUNKNOWN' : worst.trim().split(':').slice(0, 2).join(':').trim();
  const retryAt = worstKind === 'throttled' ? throttledUntil(worst) : null;
  const all = texts.map((t) => t.trim()).filter((t) => t !== '');
  return new KrakenError(worstKind, code, `${endpoint}: ${all.length > 0 ? all.join('; ') : 'empty error'}`, endpoint, retryAt);
}
