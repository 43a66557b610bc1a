import type { Logger } from 'pino';
import { MAX_THROTTLE_SEC, type ThrottleNote } from '../kraken/budget.js';

/** One log line for an `EService:Throttled` answer: how long private calls pause, and whether the time was capped. */
export function logThrottle(log: Logger, note: ThrottleNote | null, endpoint: string, message: string): void {
  const fields = { code: 'EService:Throttled', endpoint, requested_until: note?.requested ?? null, paused_until: note?.until ?? null };
  if (note?.capped === true) {
    log.warn(fields, `${message}: the time Kraken named is more than ${MAX_THROTTLE_SEC} s away; private calls pause ${MAX_THROTTLE_SEC} s instead`);
  } else if (note?.requested === null) {
    log.warn(fields, `${message}: no readable time in the answer; private calls pause briefly`);
  } else if (note?.until === null) {
    log.warn(fields, `${message}: the time Kraken named has passed; private calls go on`);
  } else {
    log.warn(fields, `${message}: private calls pause until the time Kraken named`);
  }
}
