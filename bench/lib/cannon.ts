// autocannon in a CHILD process: run in-process it would share the server's event loop and measure itself.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

export interface CannonResult {
  /** Mean requests per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  /** Mean latency, ms. */
  mean: number;
  requests: number;
  errors: number;
  non2xx: number;
  bytesPerSec: number;
}

const cli = createRequire(import.meta.url).resolve('autocannon');

export function cannon(url: string, opts: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<CannonResult> {
  const headerArgs = Object.entries(opts.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '-c', String(opts.connections), '-d', String(opts.seconds), ...headerArgs, '-j', url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err.slice(-300)}`));
      try {
        const j = JSON.parse(out) as {
          requests: { average: number; total: number };
          latency: { p50: number; p99: number; average: number };
          throughput: { average: number };
          errors: number;
          non2xx: number;
        };
        resolve({
          rps: j.requests.average,
          p50: j.latency.p50,
          p99: j.latency.p99,
          mean: j.latency.average,
          requests: j.requests.total,
          errors: j.errors,
          non2xx: j.non2xx,
          bytesPerSec: j.throughput.average,
        });
      } catch (e) {
        reject(new Error(`autocannon output not JSON: ${String(e)}: ${out.slice(0, 200)}`));
      }
    });
  });
}
