import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's `public/` folder. Walks up from this module to the directory holding package.json, so it
 * works from `src/dashboard` (vitest, tsx) and from the compiled `dist/src/dashboard` alike.
 */
export function findPublicDir(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'public'))) return join(dir, 'public');
    const parent = dirname(dir);
    if (parent === dir) throw new Error('dashboard: no public/ folder next to a package.json above ' + fileURLToPath(from));
    dir = parent;
  }
}
