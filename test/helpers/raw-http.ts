// Requests written byte for byte on a socket (node:net), for what fetch cannot send: odd or duplicate Host
// headers, HTTP/1.0 without Host, absolute-form targets. Reads until the server closes (Connection: close).
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string[]>;
  body: string;
  /** Every byte the server sent (status line, headers, body). */
  bytes: number;
}

export function rawRequest(port: number, head: string, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('raw request timed out')));
    socket.on('connect', () => socket.write(head.endsWith('\r\n\r\n') ? head : `${head}\r\n\r\n`));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const text = all.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const lines = (end < 0 ? text : text.slice(0, end)).split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
      const headers: Record<string, string[]> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) (headers[l.slice(0, i).toLowerCase()] ??= []).push(l.slice(i + 1).trim());
      }
      resolve({ status, headers, body: end < 0 ? '' : all.subarray(end + 4).toString('utf8'), bytes: all.length });
    });
  });
}

/** `GET <target> HTTP/1.1` with the given header lines and Connection: close. */
export function rawGet(port: number, target: string, headerLines: readonly string[]): Promise<RawResponse> {
  return rawRequest(port, [`GET ${target} HTTP/1.1`, ...headerLines, 'Connection: close'].join('\r\n'));
}
