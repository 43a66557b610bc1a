import type { InjectOptions, SimEndpoint, SimFault } from './types.js';

interface PendingFault {
  fault: SimFault;
  endpoint: SimEndpoint | undefined;
  remaining: number;
}

/** FIFO of injected faults; each call takes the oldest fault that matches its endpoint. */
export class FaultQueue {
  private pending: PendingFault[] = [];

  inject(fault: SimFault, options: InjectOptions = {}): void {
    validateFault(fault);
    const count = options.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`fault count must be a positive integer: ${count}`);
    this.pending.push({ fault, endpoint: options.endpoint, remaining: count });
  }

  clear(): void {
    this.pending = [];
  }

  /** Consume one use of the first fault that applies to `endpoint`, if any. */
  take(endpoint: SimEndpoint): SimFault | undefined {
    const index = this.pending.findIndex((p) => p.endpoint === undefined || p.endpoint === endpoint);
    const hit = this.pending[index];
    if (!hit) return undefined;
    hit.remaining -= 1;
    if (hit.remaining <= 0) this.pending.splice(index, 1);
    return hit.fault;
  }

  get size(): number {
    return this.pending.reduce((sum, p) => sum + p.remaining, 0);
  }
}

function validateFault(fault: SimFault): void {
  switch (fault.kind) {
    case 'error':
      if (!fault.error) throw new TypeError('error fault needs an error string');
      return;
    case 'http':
      if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) {
        throw new RangeError(`http fault status out of range: ${fault.status}`);
      }
      return;
    case 'delay':
      if (!Number.isFinite(fault.ms) || fault.ms < 0) throw new RangeError(`delay must be >= 0 ms: ${fault.ms}`);
      return;
    case 'malformed-json':
    case 'reset':
      return;
  }
}

/** What a Cloudflare-fronted origin answers when it is down. */
export function defaultHttpErrorBody(status: number): string {
  const title = `${status} ${HTTP_TITLES[status] ?? 'Error'}`;
  return (
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`
  );
}

const HTTP_TITLES: Readonly<Record<number, string>> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
  520: 'Web Server Returned an Unknown Error',
};

/** A 200 body cut off mid-object, as seen when a proxy drops the rest of the stream. */
export const MALFORMED_JSON_BODY = '{"error":[],"result":{"XXDG":"1234.5';
