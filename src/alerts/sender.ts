import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';
import { request, type Dispatcher } from 'undici';
import { DeliveryError, statusError, transportError } from './delivery-error.js';
import { formatBody } from './format.js';
import { renderMessage, type MessageContext } from './messages.js';
import type { AlertState } from './state.js';
import type { AlertFormat, PendingAlert } from './types.js';

export interface RetryTiming {
  /** Per request, headers and body. */
  readonly timeoutMs: number;
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
  /** From the moment an alert was queued (across restarts), then it is given up and counted as failed. */
  readonly maxRetryTimeMs: number;
}

/** DESIGN.md section 16: retried with back-off for up to 10 minutes. 5 s, 10 s, 20 s ... capped at 2 min. */
export const DEFAULT_TIMING: RetryTiming = { timeoutMs: 5000, minTimeoutMs: 5000, maxTimeoutMs: 120_000, maxRetryTimeMs: 10 * 60_000 };

export interface SenderOptions {
  readonly url: string;
  readonly format: AlertFormat;
  readonly telegramChatId?: string | undefined;
  readonly context: MessageContext;
  readonly logger: Logger;
  /** Wall clock in milliseconds. */
  readonly clock: () => number;
  /** The current alert state (it is replaced by each evaluation; always read it afresh). */
  readonly state: () => AlertState;
  /** Saves the state durably (the whole `__recon_state_v1__`); awaited before every request. */
  readonly persist: () => Promise<void>;
  readonly timing?: RetryTiming;
  readonly dispatcher?: Dispatcher;
}

/**
 * The one place alerts leave the process. Delivers the queue in order in the background (a tick never
 * waits for it), retrying each message with p-retry.
 *
 * Delivery semantics: a queued message survives restarts and is retried until delivered or 10 minutes old
 * (at-least-once for everything the receiver has not accepted). Before each request the message is saved as
 * `sending`; if the process dies during that request (SIGKILL), the restart cannot know whether the receiver
 * got it and does not resend it: it is counted as failed (at-most-once for that one request), so nothing is
 * ever sent twice across a restart. Within one process, a request that timed out is retried (the receiver may
 * see it twice then; the json body's `details.id` lets it de-duplicate).
 */
export class AlertSender {
  private readonly timing: RetryTiming;
  private readonly stopRetries = new AbortController();
  private readonly cutRequests = new AbortController();
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: SenderOptions) {
    this.timing = opts.timing ?? DEFAULT_TIMING;
  }

  /** Messages a previous process was sending when it died: not resent (see the class comment). */
  static dropInterrupted(state: AlertState, logger: Logger): AlertState {
    const cut = state.queue.filter((q) => q.sending);
    if (cut.length === 0) return state;
    for (const q of cut) logger.warn({ alert: q.event, id: q.id }, 'alert delivery was cut by a restart; not resent (at-most-once), counted as failed');
    return {
      ...state,
      queue: state.queue.filter((q) => !q.sending),
      failed: state.failed + cut.length,
      last_error: `${cut.length} alert${cut.length === 1 ? ' was' : 's were'} being sent when the process stopped; not resent`,
    };
  }

  /** Starts delivering if there is anything to deliver; returns at once. */
  kick(): void {
    if (this.running !== null || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (!this.stopped && this.opts.state().queue.some((q) => !q.sending)) this.kick();
    });
  }

  /** Resolves when the queue is empty or the sender stopped (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  /**
   * Shutdown: no new attempts or back-off waits; a request on the wire gets `graceMs` to finish, then is cut
   * (and stays `sending`, so it is not resent). Queued messages are sent after the restart.
   */
  async stop(graceMs = 1500): Promise<void> {
    this.stopped = true;
    this.stopRetries.abort();
    const running = this.running;
    if (running === null) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.cutRequests.abort();
        resolve();
      }, graceMs);
    });
    await Promise.race([running, late]);
    clearTimeout(timer);
    await running.catch(() => undefined);
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const item = this.opts.state().queue.find((q) => !q.sending);
      if (item === undefined) return;
      await this.deliver(item);
    }
  }

  private nowSec(): number {
    return this.opts.clock() / 1000;
  }

  private async deliver(item: PendingAlert): Promise<void> {
    const log = this.opts.logger;
    const left = this.timing.maxRetryTimeMs - (this.nowSec() - item.created_ts) * 1000;
    if (left <= 0) {
      await this.giveUp(item, `not delivered within ${Math.round(this.timing.maxRetryTimeMs / 60_000)} min`);
      return;
    }
    const body = JSON.stringify(formatBody(this.opts.format, renderMessage(item, this.opts.context), this.opts.telegramChatId));
    try {
      await pRetry(
        async () => {
          item.sending = true;
          item.attempts++;
          await this.opts.persist();
          if (this.stopped) {
            item.sending = false;
            throw new AbortError('stopped');
          }
          await this.post(body);
          this.delivered(item);
        },
        {
          retries: Number.POSITIVE_INFINITY,
          factor: 2,
          minTimeout: this.timing.minTimeoutMs,
          maxTimeout: this.timing.maxTimeoutMs,
          maxRetryTime: left,
          signal: this.stopRetries.signal,
          onFailedAttempt: async ({ error, attemptNumber }) => {
            item.sending = false;
            const e = error instanceof DeliveryError ? error : transportError(error, this.timing.timeoutMs);
            this.opts.state().last_error = `${item.event}: ${e.message}`;
            log.warn({ alert: item.event, id: item.id, attempt: attemptNumber, code: e.code, retry: e.retryable }, `alert delivery failed: ${e.message}`);
            await this.opts.persist(); // a crash during the back-off must not look like a cut request
          },
          shouldRetry: ({ error }) => !(error instanceof DeliveryError) || error.retryable,
        },
      );
      await this.opts.persist();
    } catch (err) {
      if (this.stopped && !(err instanceof DeliveryError)) return; // shutdown: the queue is sent after the restart
      const e = err instanceof DeliveryError ? err : transportError(err, this.timing.timeoutMs);
      await this.giveUp(item, e.retryable ? `${e.message}; gave up after ${item.attempts} attempts` : e.message);
    }
  }

  /** One POST. Resolves on 2xx (the body is read and ignored, whatever it holds); throws DeliveryError. */
  private async post(body: string): Promise<void> {
    const signal = AbortSignal.any([this.cutRequests.signal, AbortSignal.timeout(this.timing.timeoutMs)]);
    let status: number;
    try {
      const res = await request(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'kraken-balance-sidecar' },
        body,
        signal,
        headersTimeout: this.timing.timeoutMs,
        bodyTimeout: this.timing.timeoutMs,
        ...(this.opts.dispatcher === undefined ? {} : { dispatcher: this.opts.dispatcher }),
      });
      status = res.statusCode;
      await res.body.dump({ limit: 64 * 1024 });
    } catch (err) {
      if (this.cutRequests.signal.aborted) throw new AbortError('stopped');
      throw transportError(err, this.timing.timeoutMs);
    }
    if (status < 200 || status >= 300) throw statusError(status);
  }

  private delivered(item: PendingAlert): void {
    const st = this.opts.state();
    st.queue = st.queue.filter((q) => q.id !== item.id);
    st.sent++;
    st.last_sent_ts = this.nowSec();
    st.last_error = null;
    this.opts.logger.info({ alert: item.event, id: item.id, attempts: item.attempts }, 'alert sent');
  }

  private async giveUp(item: PendingAlert, why: string): Promise<void> {
    const st = this.opts.state();
    st.queue = st.queue.filter((q) => q.id !== item.id);
    st.failed++;
    st.last_error = `${item.event} not delivered: ${why}`;
    this.opts.logger.error({ alert: item.event, id: item.id, attempts: item.attempts }, `alert given up: ${why}`);
    await this.opts.persist();
  }
}
