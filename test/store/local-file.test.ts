import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJsonFile, writeJsonAtomic } from '../../src/store/local-file.js';
import { memoryLogger, tempDir } from '../helpers/store-fixtures.js';
import type { MemoryLogger } from '../helpers/store-fixtures.js';

const isObject = (raw: unknown): Record<string, unknown> | null =>
  typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;

describe('local JSON files', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: MemoryLogger;
  const read = (path: string): Promise<Record<string, unknown> | null> =>
    readJsonFile(path, { validate: isObject, logger: log.logger, nowMs: () => 1234 });

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    log = memoryLogger();
  });
  afterEach(() => cleanup());

  it('writes into a directory it creates (mkdir -p) and reads it back', async () => {
    const path = join(dir, 'a', 'b', 'state.json');
    await writeJsonAtomic(path, { x: 1 });
    await expect(read(path)).resolves.toEqual({ x: 1 });
  });

  it('replaces the file whole and leaves no temp file behind', async () => {
    const path = join(dir, 'state.json');
    await writeJsonAtomic(path, { x: 1 });
    await writeJsonAtomic(path, { x: 2 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ x: 2 });
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('reads a missing file as null, quietly', async () => {
    await expect(read(join(dir, 'none.json'))).resolves.toBeNull();
    expect(log.text()).toBe('');
  });

  it('moves an unparseable file aside with a warning and reads null', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, '{"x": 1, trunc');
    await expect(read(path)).resolves.toBeNull();
    expect(await readdir(dir)).toEqual(['state.json.corrupt-1234']);
    expect(await readFile(join(dir, 'state.json.corrupt-1234'), 'utf8')).toBe('{"x": 1, trunc');
    expect(log.lines()).toEqual([expect.objectContaining({ level: 40, file: path, moved_to: `${path}.corrupt-1234` })]);
  });

  it('moves a file of the wrong shape aside', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, '[1,2,3]');
    await expect(read(path)).resolves.toBeNull();
    expect(await readdir(dir)).toEqual(['state.json.corrupt-1234']);
    expect(log.lines()[0]).toMatchObject({ reason: 'wrong shape' });
  });

  it('fails a write into an impossible place with LOCAL_IO and cleans up', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await expect(writeJsonAtomic(join(dir, 'file', 'state.json'), 1)).rejects.toMatchObject({ code: 'LOCAL_IO' });
  });
});
