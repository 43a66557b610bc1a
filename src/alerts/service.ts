import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { StatusPayload } from '../bot/status-types.js';
import { evaluate, type AlertPolicy } from './evaluate.js';
import { AlertSender, type RetryTiming } from './sender.js';
import { emptyAlertState, type AlertState } from './state.js';
import type { AlertEventName, AlertFormat } from './types.js';

export interface AlertsConfig {
  readonly ALERT_WEBHOOK_URL?: string | undefined;
  readonly ALERT_WEBHOOK_FORMAT: AlertFormat;
  readonly ALERT_TELEGRAM_CHAT_ID?: string | undefined;
  readonly ALERT_EVENTS: readonly AlertEventName[];
  readonly ALERT_MIN_INTERVAL_SEC: number;
  readonly KRAKEN_PAIR: string;
  readonly mode: 'live' | 'demo';
}

export interface AlertServiceOptions {
  readonly config: AlertsConfig;
  readonly logger: Logger;
  readonly clock: () => number;
  /** Where the alert state lives: the `alerts` field of the daemon's recon state. */
  readonly getState: () => AlertState | undefined;
  readonly setState: (s: AlertState) => void;
  /** Saves the recon state now. */
  readonly persist: () => Promise<void>;
  readonly timing?: RetryTiming;
  readonly dispatcher?: Dispatcher;
}

export interface AlertService {
  /** Called once per tick with the tick's snapshot: evaluates, queues, starts delivery in the background. */
  onSnapshot(snapshot: StatusPayload): void;
  /** Milliseconds the last evaluation took (the benchmark's figure). */
  readonly lastEvaluationMs: number;
  idle(): Promise<void>;
  stop(graceMs?: number): Promise<void>;
}

/** Alerting for the sidecar, or null when ALERT_WEBHOOK_URL is unset (then nothing is evaluated or kept). */
export function createAlertService(opts: AlertServiceOptions): AlertService | null {
  const cfg = opts.config;
  if (cfg.ALERT_WEBHOOK_URL === undefined) return null;
  const policy: AlertPolicy = { events: cfg.ALERT_EVENTS, minIntervalSec: cfg.ALERT_MIN_INTERVAL_SEC };
  const current = (): AlertState => {
    let s = opts.getState();
    if (s === undefined) {
      s = emptyAlertState();
      opts.setState(s);
    }
    return s;
  };
  const sender = new AlertSender({
    url: cfg.ALERT_WEBHOOK_URL,
    format: cfg.ALERT_WEBHOOK_FORMAT,
    telegramChatId: cfg.ALERT_TELEGRAM_CHAT_ID,
    context: { pair: cfg.KRAKEN_PAIR, mode: cfg.mode },
    logger: opts.logger,
    clock: opts.clock,
    state: current,
    persist: opts.persist,
    ...(opts.timing === undefined ? {} : { timing: opts.timing }),
    ...(opts.dispatcher === undefined ? {} : { dispatcher: opts.dispatcher }),
  });
  let first = true;
  let lastEvaluationMs = 0;
  return {
    onSnapshot(snapshot) {
      const t0 = performance.now();
      try {
        let state = current();
        if (first) {
          first = false;
          state = AlertSender.dropInterrupted(state, opts.logger);
        }
        const { state: next, queued } = evaluate(state, snapshot, policy);
        opts.setState(next);
        for (const q of queued) opts.logger.info({ alert: q.event, id: q.id, count: q.count }, 'alert queued');
        if (next.queue.length > 0) sender.kick();
      } catch (err) {
        // A bug here must not cost the tick its /status: say so and keep the previous alert state.
        opts.logger.error({ err }, 'alert evaluation failed');
      } finally {
        lastEvaluationMs = performance.now() - t0;
      }
    },
    get lastEvaluationMs() {
      return lastEvaluationMs;
    },
    idle: () => sender.idle(),
    stop: (graceMs) => sender.stop(graceMs),
  };
}
