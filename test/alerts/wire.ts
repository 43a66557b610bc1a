import { createAlertService, type AlertService } from '../../src/alerts/service.js';
import type { Harness } from '../helpers/daemon-harness.js';

/** Retries in milliseconds, so a failing first answer is retried within the test. */
export const FAST = { timeoutMs: 1000, minTimeoutMs: 20, maxTimeoutMs: 50, maxRetryTimeMs: 5000 };

/** The service wired to the harness's daemon exactly as sidecar.ts wires it (state in the recon state, saves through the daemon). */
export function wireAlerts(h: Harness): AlertService {
  const s = createAlertService({
    config: h.config,
    logger: h.log.logger,
    clock: h.clock.now,
    getState: () => h.daemon.state.alerts,
    setState: (st) => (h.daemon.state.alerts = st),
    persist: () => h.daemon.saveNow(),
    timing: FAST,
  });
  if (s === null) throw new Error('alerts not configured');
  return s;
}
