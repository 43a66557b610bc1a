import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from 'pino';

/** A pino logger writing JSON lines into memory, so tests can search what was logged. */
export interface MemoryLogger {
  logger: Logger;
  /** Everything written so far, raw. */
  text(): string;
  /** Parsed lines. */
  lines(): Record<string, unknown>[];
}

export function memoryLogger(): MemoryLogger {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  return {
    logger,
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A fresh temp directory; remove it with the returned cleanup. */
export async function tempDir(prefix = 'store-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A URL on which nothing listens: a port the OS just handed out and took back. */
export async function closedPortUrl(): Promise<string> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A manual clock in milliseconds. */
export function manualClock(startMs = 1_700_000_000_000): { nowMs: () => number; advance: (ms: number) => void } {
  let now = startMs;
  return { nowMs: () => now, advance: (ms) => void (now += ms) };
}

/** The service key used by store tests; tests search logs and status for it. */
export const SERVICE_KEY = 'sb-service-key-5f1c2e9d-DO-NOT-LOG';
