import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/process.js';

// `npm start` as users run it, in a checkout of its own (a copy of the sources sharing this node_modules), so
// its builds never touch this checkout's dist/.
let checkout = '';

interface Run {
  readonly code: number | null;
  readonly out: string;
}

function npmStart(env: Record<string, string>, timeoutMs = 60_000): { done: Promise<Run>; kill(): void; output(): string } {
  const child = spawn('npm', ['start'], {
    cwd: checkout,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm, its shell and the daemon end together
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const kill = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const guard = setTimeout(() => kill('SIGKILL'), timeoutMs);
  // npm can exit before the daemon it started has finished its last save: done waits for the whole group.
  const groupGone = async (): Promise<void> => {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 0);
      } catch {
        return;
      }
    }
    kill('SIGKILL');
  };
  const done = new Promise<Run>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(guard);
      void groupGone().then(() => resolve({ code, out }));
    }),
  );
  return { done, kill: () => kill(), output: () => out };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)));
  return out.sort();
}

/** Every build that `dist` points at while `during` runs, with the files it held at that moment. */
async function watchDist<T>(during: Promise<T>): Promise<{ result: T; seen: Map<string, string[]> }> {
  const seen = new Map<string, string[]>();
  let running = true;
  const watcher = (async () => {
    while (running) {
      const target = await readlink(join(checkout, 'dist')).catch(() => 'missing');
      if (!seen.has(target)) seen.set(target, target === 'missing' ? [] : await filesUnder(join(checkout, target)).catch(() => []));
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const result = await during;
  running = false;
  await watcher;
  return { result, seen };
}

const BAD = { KRAKEN_API_KEY: 'k', KRAKEN_API_SECRET: 's', LOOP_INTERVAL_SEC: 'often' };

beforeAll(async () => {
  checkout = await mkdtemp(join(tmpdir(), 'sidecar-checkout-'));
  for (const p of ['src', 'public', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) await cp(join(ROOT, p), join(checkout, p), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(checkout, 'node_modules'), 'dir');
}, 60_000);
afterAll(async () => {
  await rm(checkout, { recursive: true, force: true });
});

describe('npm start in one checkout', () => {
  it('builds a fresh checkout once, with every start waiting for that one build, never for a half-written dist/', async () => {
    const starts = Array.from({ length: 5 }, () => npmStart(BAD));
    const { result, seen } = await watchDist(Promise.all(starts.map((s) => s.done)));
    for (const r of result) {
      expect(r.code, r.out).toBe(2);
      expect(r.out).toContain('config error: LOOP_INTERVAL_SEC');
    }
    const all = result.map((r) => r.out).join('\n');
    expect(all.match(/build: dist\/ -> /g)?.length).toBe(1);
    expect(all).toContain('no complete build in dist/; rebuilding');
    // Either no build yet, or a complete one: the same full file list whenever dist/ resolved to a build.
    const builds = [...seen].filter(([t]) => t !== 'missing');
    expect(builds.length).toBe(1);
    const [, files] = builds[0] as [string, string[]];
    expect(files).toContain('src/bot/main.js');
    expect(files).toContain('build-info.json');
    expect(files).toEqual(await filesUnder(join(checkout, 'dist/')));
  }, 120_000);

  it('runs a fresh build directly; a source newer than the build is rebuilt once, swapped in whole', async () => {
    const fresh = await npmStart(BAD).done;
    expect(fresh.code).toBe(2);
    expect(fresh.out).not.toContain('build:');

    const before = await readlink(join(checkout, 'dist'));
    const expected = await filesUnder(join(checkout, before));
    const later = new Date(); // an edit made now, after the build started
    await utimes(join(checkout, 'src/bot/config.ts'), later, later);
    const starts = Array.from({ length: 5 }, () => npmStart(BAD));
    const { result, seen } = await watchDist(Promise.all(starts.map((s) => s.done)));
    for (const r of result) expect(r.code, r.out).toBe(2);
    const all = result.map((r) => r.out).join('\n');
    expect(all).toContain('src/bot/config.ts is newer than the build in dist/; rebuilding');
    expect(all.match(/build: dist\/ -> /g)?.length).toBe(1);
    // dist/ only ever pointed at the old build or the new one, each complete with the same files.
    expect(seen.has('missing')).toBe(false);
    const after = await readlink(join(checkout, 'dist'));
    expect(after).not.toBe(before);
    expect([...seen.keys()].every((t) => t === before || t === after)).toBe(true);
    for (const files of seen.values()) expect(files).toEqual(expected);
    // The previous build stays for starts still loading it.
    expect((await stat(join(checkout, before))).isDirectory()).toBe(true);
    const stamp = JSON.parse(await readFile(join(checkout, 'dist/build-info.json'), 'utf8')) as { started_ms: number };
    expect(stamp.started_ms).toBeGreaterThan(0);
  }, 120_000);

  it('serves two demos started at once from the one checkout', async () => {
    const dirs = [await mkdtemp(join(tmpdir(), 'sidecar-demo-a-')), await mkdtemp(join(tmpdir(), 'sidecar-demo-b-'))];
    const demos = dirs.map((d) => npmStart({ PORT: '0', DATA_DIR: d }));
    try {
      const urls = await Promise.all(
        demos.map(async (p) => {
          const deadline = Date.now() + 45_000;
          while (Date.now() < deadline) {
            const m = /"listen":"(http:\/\/[^"]+)"/.exec(p.output());
            if (m?.[1] !== undefined) return m[1];
            await new Promise((r) => setTimeout(r, 50));
          }
          throw new Error(`demo did not start:\n${p.output()}`);
        }),
      );
      expect(new Set(urls).size).toBe(2);
      for (const url of urls) {
        const res = await fetch(`${url}status`);
        expect(res.status).toBe(200);
        const s = (await res.json()) as { equity_history: { points: number } };
        expect(s.equity_history.points).toBeGreaterThan(0);
      }
    } finally {
      for (const d of demos) d.kill();
      const ends = await Promise.all(demos.map((d) => d.done));
      for (const d of dirs) await rm(d, { recursive: true, force: true });
      for (const e of ends) expect(e.out).not.toContain('build:');
    }
  }, 120_000);
});
