/**
 * Why one webhook request failed, with a stable code and whether retrying can help. Messages never quote the
 * URL (it is a secret) or the receiver's body.
 */
export class DeliveryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** An HTTP answer that is not 2xx. Redirects are not followed: the body would go to another address. */
export function statusError(status: number): DeliveryError {
  if (status >= 300 && status < 400) {
    return new DeliveryError('redirect', `HTTP ${status}: redirects are not followed; set ALERT_WEBHOOK_URL to the final address`, false);
  }
  if (status === 408 || status === 429) return new DeliveryError('throttled', `HTTP ${status}: the receiver asked to retry later`, true);
  if (status >= 400 && status < 500) return new DeliveryError('rejected', `HTTP ${status}: the receiver refused the message (check the URL, format and chat id)`, false);
  return new DeliveryError('server_error', `HTTP ${status}: the receiver failed`, true);
}

/** A transport failure (no usable HTTP answer). Only the error's code is kept: messages can quote addresses. */
export function transportError(err: unknown, timeoutMs: number): DeliveryError {
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown } } | null;
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : name;
  if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new DeliveryError('timeout', `no answer within ${timeoutMs} ms`, true);
  }
  if (code === 'ECONNREFUSED') return new DeliveryError('refused', 'connection refused', true);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new DeliveryError('dns', `host name not resolved (${code})`, true);
  if (code.startsWith('HPE_') || code === 'UND_ERR_INFO') return new DeliveryError('bad_response', `the answer is not HTTP (${code})`, true);
  return new DeliveryError('network', `network error (${code})`, true);
}
