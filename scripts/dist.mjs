// The compiled daemon in `dist/`: built once at install (`npm ci` runs `prepare`), rebuilt by `npm start`
// only when a source is newer than the build. Plain JavaScript: it runs before anything is compiled.
//
// `dist` is a symbolic link to one complete build in `.dist-builds/<id>/`. A build compiles into a new
// directory of its own, then swaps the link with one rename(2), so a start never sees a half-written
// build: it resolves either the old complete build or the new one (Node loads modules by their real path,
// so a running daemon keeps its own build even after the link moves). One lock per checkout makes
// concurrent starts build once: the others wait for it, then find the build fresh.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const ENTRY = join(DIST, 'src/bot/main.js');
const BUILDS = join(ROOT, '.dist-builds');
const LOCK = join(ROOT, '.dist-lock');
/** Written last into a build: its presence says the build is complete, its content when it started. */
const STAMP = 'build-info.json';
/** What the compiled output depends on. `public/` is served from the checkout as is, never compiled. */
const SOURCES = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
/** A build on this machine takes ~5 s; a lock held this long belongs to a build that hung. */
const LOCK_STALE_MS = 5 * 60_000;
/** Builds other than the current and the previous one are removed once this old (a start may be loading one). */
const OLD_BUILD_MS = 10 * 60_000;

/** The newest source file and its modification time (ms). */
export function newestSource(root = ROOT) {
  let newest = { path: '', mtimeMs: 0 };
  const visit = (path) => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined) return;
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name));
    } else if (st.mtimeMs > newest.mtimeMs) {
      newest = { path, mtimeMs: st.mtimeMs };
    }
  };
  for (const s of SOURCES) visit(join(root, s));
  return newest;
}

/** The current build's stamp (`{ started_ms, id }`), or null when there is no complete build. */
export function readStamp() {
  try {
    return JSON.parse(readFileSync(join(DIST, STAMP), 'utf8'));
  } catch {
    return null;
  }
}

/** Null when `dist` is a complete build started after every source's last change; else why not. */
export function staleReason() {
  const stamp = readStamp();
  if (stamp === null || typeof stamp.started_ms !== 'number' || !existsSync(ENTRY)) return 'no complete build in dist/';
  const newest = newestSource();
  if (newest.mtimeMs > stamp.started_ms) return `${relative(ROOT, newest.path)} is newer than the build in dist/`;
  return null;
}

/** True when the TypeScript compiler is installed (not in a production install without devDependencies). */
function compilerPath() {
  try {
    return createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return null;
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function readPid() {
  try {
    return Number.parseInt(readFileSync(join(LOCK, 'pid'), 'utf8'), 10);
  } catch {
    return NaN;
  }
}

/** Takes the checkout's build lock (a directory: mkdir is atomic), waiting for another holder. */
async function lock(log) {
  let told = false;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const holder = readPid();
    const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    // A holder that died (or hung) leaves the lock behind; a lock without a pid yet is being taken (give it 5 s).
    if ((Number.isInteger(holder) && !processAlive(holder)) || age > LOCK_STALE_MS || (!Number.isInteger(holder) && age > 5000)) {
      log(`build: removing a stale build lock${Number.isInteger(holder) ? ` (process ${holder} is gone)` : ''}`);
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (!told) log(`build: another build is running (process ${Number.isInteger(holder) ? holder : '?'}); waiting for it`);
    told = true;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Points `dist` at `buildDir` with one rename (a plain `dist/` directory from an older checkout is moved aside first). */
function swapLink(buildDir) {
  const tmp = join(ROOT, `.dist-link-${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(relative(ROOT, buildDir), tmp, 'dir');
  const current = lstatSync(DIST, { throwIfNoEntry: false });
  if (current !== undefined && !current.isSymbolicLink()) renameSync(DIST, join(BUILDS, `legacy-${Date.now()}`));
  renameSync(tmp, DIST);
}

/** Removes builds neither current nor previous once they are old enough that no start is still loading them. */
function removeOldBuilds(keep) {
  const entries = readdirSync(BUILDS)
    .map((name) => ({ name, mtimeMs: statSync(join(BUILDS, name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  let kept = 0;
  for (const e of entries) {
    if (e.name === keep) continue;
    if (kept++ < 1 || Date.now() - e.mtimeMs < OLD_BUILD_MS) continue;
    rmSync(join(BUILDS, e.name), { recursive: true, force: true });
  }
}

/** Compiles into a new build directory and swaps `dist` to it. Call with the lock held. */
function compile(tsc, log) {
  const started = Date.now();
  const id = `${started}-${process.pid}`;
  const out = join(BUILDS, id);
  mkdirSync(BUILDS, { recursive: true });
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`build: tsc failed (exit ${r.status ?? r.signal}); dist/ is unchanged`);
  }
  writeFileSync(join(out, STAMP), `${JSON.stringify({ id, started_ms: started })}\n`);
  swapLink(out);
  removeOldBuilds(id);
  log(`build: dist/ -> .dist-builds/${id} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/**
 * Makes `dist` a complete build of the current sources: nothing to do when it is fresh (a few ms: one walk of
 * src/), else builds under the lock. `force` builds even when fresh (`npm run build`). Without the compiler
 * (a production install) a stale or missing build is reported, not fatal: what to run is the caller's call.
 * Resolves with false when the build in dist/ is missing or stale and could not be rebuilt.
 */
export async function ensureBuilt({ force = false, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const reason = force ? null : staleReason();
  if (!force && reason === null) return true;
  const tsc = compilerPath();
  if (tsc === null) {
    log(`build: ${reason ?? 'build requested'}, but TypeScript is not installed (an install without devDependencies): ${existsSync(ENTRY) ? 'running the build in dist/ as it is' : 'run `npm ci` (with devDependencies) to build dist/'}`);
    return false;
  }
  if (reason !== null) log(`build: ${reason}; rebuilding`);
  const unlock = await lock(log);
  try {
    // Whoever held the lock before may have built these very sources.
    if (force || staleReason() !== null) compile(tsc, log);
    return true;
  } finally {
    unlock();
  }
}
