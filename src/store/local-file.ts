import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { StoreError, errorText } from './errors.js';

/**
 * Writes `value` as JSON so that a reader sees either the old file or the new one, never half of one: a
 * temp file in the same directory (same filesystem, so rename is atomic), fsync, rename over the target,
 * then fsync the directory so the rename itself survives a power cut. Creates the directory if needed.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify(value));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new StoreError('LOCAL_IO', `writing ${path} failed: ${errorText(err)}`);
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  // Best effort: some filesystems refuse fsync on a directory; the data itself is already synced.
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* ignored */
  }
}

export interface ReadJsonOptions<T> {
  /** The value in its expected shape, or null when the shape is wrong. */
  validate: (raw: unknown) => T | null;
  logger: Logger;
  /** For the name of a file moved aside. */
  nowMs: () => number;
}

/**
 * Reads a JSON file written by writeJsonAtomic. A missing file is null (first start). A file that does not
 * parse, or parses to the wrong shape, is moved aside to `<name>.corrupt-<ms>` with a warning and read as
 * null, so the other copy is used and the next save writes a good file; the bad one is kept for a human.
 * Other read errors (permissions, I/O) throw LOCAL_IO: the file may be fine, so it is left alone.
 */
export async function readJsonFile<T>(path: string, opts: ReadJsonOptions<T>): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StoreError('LOCAL_IO', `reading ${path} failed: ${errorText(err)}`);
  }
  let reason: string;
  try {
    const value = opts.validate(JSON.parse(text) as unknown);
    if (value !== null) return value;
    reason = 'wrong shape';
  } catch (err) {
    reason = `not JSON (${errorText(err, 120)})`;
  }
  const aside = `${path}.corrupt-${opts.nowMs()}`;
  try {
    await rename(path, aside);
    opts.logger.warn({ file: path, moved_to: aside, reason }, 'local state file is corrupt; moved aside, using the other copy');
  } catch (err) {
    opts.logger.warn({ file: path, reason, err: errorText(err) }, 'local state file is corrupt and could not be moved aside; ignoring it');
  }
  return null;
}
