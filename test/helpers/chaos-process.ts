import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The sidecar as a real child process (`node --import tsx src/bot/main.ts`), for the chaos test: it can be
 * SIGKILLed and restarted, its JSON log lines are collected, and the dashboard port it picked (PORT=0) is read
 * from its startup line.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/bot/main.ts', import.meta.url));
/** tsx's ESM loader by absolute URL, so the child can run from a temp dir (where no `.env` is read). */
const TSX_LOADER = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface LogLine {
  /** Which start of the daemon wrote it (1-based). */
  run: number;
  stream: 'stdout' | 'stderr';
  raw: string;
  /** Parsed pino line, or null for a non-JSON line. */
  json: Record<string, unknown> | null;
}

export interface ExitInfo {
  run: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether the test itself sent the signal that ended it. */
  expected: boolean;
}

export class DaemonProcess {
  readonly lines: LogLine[] = [];
  readonly exits: ExitInfo[] = [];
  private child: ChildProcess | null = null;
  private runs = 0;
  private killing = false;
  baseUrl = '';

  constructor(
    private readonly env: Readonly<Record<string, string>>,
    private readonly cwd: string,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and resolves with the dashboard's base URL once its startup line is logged. */
  async start(timeoutMs = 30_000): Promise<string> {
    if (this.child !== null) throw new Error('daemon already running');
    const run = ++this.runs;
    // Only what the sidecar needs: no inherited KRAKEN_*/SUPABASE_* from the developer's shell.
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...this.env };
    const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN], { cwd: this.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.killing = false;
    const url = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`daemon run ${run} did not log its listen address within ${timeoutMs} ms`)), timeoutMs);
      const onLine = (line: LogLine): void => {
        const listen = line.json?.['listen'];
        if (typeof listen === 'string') {
          clearTimeout(timer);
          resolve(listen.replace(/\/$/, ''));
        }
      };
      this.collect(child, run, 'stdout', onLine);
      this.collect(child, run, 'stderr', onLine);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        this.exits.push({ run, code, signal, expected: this.killing });
        if (this.child === child) this.child = null;
        reject(new Error(`daemon run ${run} exited before listening (code ${code}, signal ${signal})`));
      });
    });
    this.baseUrl = await url;
    return this.baseUrl;
  }

  /** SIGKILL: no shutdown, no flush. Resolves when the process is gone. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL', 5000);
  }

  /** SIGTERM: the clean shutdown path. Resolves with the exit code (the sidecar must exit 0 within 10 s). */
  async terminate(timeoutMs = 12_000): Promise<ExitInfo> {
    await this.signal('SIGTERM', timeoutMs);
    const last = this.exits.at(-1);
    if (last === undefined) throw new Error('no exit recorded');
    return last;
  }

  /** Unexpected exits: any end of the process the test did not cause. */
  unexpectedExits(): ExitInfo[] {
    return this.exits.filter((e) => !e.expected);
  }

  /** Parsed log lines with `level` at or above `min` (pino: 50 error, 60 fatal). */
  linesAtLevel(min: number): LogLine[] {
    return this.lines.filter((l) => typeof l.json?.['level'] === 'number' && (l.json['level'] as number) >= min);
  }

  private async signal(sig: NodeJS.Signals, timeoutMs: number): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.killing = true;
    const gone = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`daemon did not exit within ${timeoutMs} ms of ${sig}`)), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    child.kill(sig);
    try {
      await gone;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  private collect(child: ChildProcess, run: number, stream: 'stdout' | 'stderr', onLine: (l: LogLine) => void): void {
    let buffered = '';
    const source = stream === 'stdout' ? child.stdout : child.stderr;
    source?.setEncoding('utf8');
    source?.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const raw = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (raw.trim() === '') continue;
        const line: LogLine = { run, stream, raw, json: parseJson(raw) };
        this.lines.push(line);
        onLine(line);
      }
    });
  }
}

function parseJson(raw: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** GET a JSON endpoint of the dashboard; network errors come back as status 0. */
export async function getJson(url: string, timeoutMs = 3000): Promise<{ status: number; body: unknown }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep text */
    }
    return { status: res.status, body };
  } catch {
    return { status: 0, body: null };
  }
}
