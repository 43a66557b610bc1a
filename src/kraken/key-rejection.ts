import { createHash } from 'node:crypto';

/**
 * Kraken's rejection of the API key (a `fatal` answer), saved beside the budget it paused: a restart inside
 * that pause makes no private call, so without it `/status`, `/metrics` and the alerts would forget why the
 * calls stopped, and the same rejection, seen again when the pause ends, would be alerted a second time.
 * It belongs to one key: `key` is a salted fingerprint (never the key), and a restart with another key drops
 * it together with the pause it caused.
 */
export interface SavedRejection {
  readonly error: string;
  readonly key: string;
}

export const REJECTION_ERROR_MAX = 300;

export function keyFingerprint(apiKey: string | undefined): string {
  return createHash('sha256').update(`kraken-balance-sidecar key ${apiKey ?? ''}`, 'utf8').digest('hex').slice(0, 16);
}

/** Sanitiser for the saved `budget.rejected`; null for anything else. Never throws. */
export function restoreRejection(raw: unknown): SavedRejection | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.error !== 'string' || r.error === '' || typeof r.key !== 'string' || !/^[0-9a-f]{16}$/.test(r.key)) return null;
  return { error: r.error.slice(0, REJECTION_ERROR_MAX), key: r.key };
}

type SavedBudget = { counter: number; ts: number; paused_until?: number | null; rejected?: SavedRejection | null };

/**
 * On start: the rejection still standing for this key (null if none), and the budget to resume. A saved
 * rejection of another key is dropped with its pause: the new key has not been refused.
 */
export function carryRejection<B extends SavedBudget>(budget: B | null, apiKey: string | undefined): { rejected: string | null; budget: B | null } {
  const saved = budget?.rejected ?? null;
  if (budget === null || saved === null) return { rejected: null, budget };
  if (saved.key === keyFingerprint(apiKey)) return { rejected: saved.error, budget };
  return { rejected: null, budget: { ...budget, paused_until: null, rejected: null } };
}
