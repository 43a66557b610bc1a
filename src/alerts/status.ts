import type { AlertState } from './state.js';
import type { AlertFormat, AlertsStatus } from './types.js';

/** `/status.alerts` from the remembered state. Pure; never includes the URL. */
export function alertsStatus(configured: boolean, format: AlertFormat, state: AlertState | undefined): AlertsStatus {
  return {
    configured,
    format,
    sent: state?.sent ?? 0,
    failed: state?.failed ?? 0,
    pending: state?.queue.length ?? 0,
    last_sent_ts: state?.last_sent_ts ?? null,
    last_error: state?.last_error ?? null,
  };
}
