import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding package.json above `from` (works from `src/` and from the compiled `dist/src/`). */
export function findPackageRoot(from: string = import.meta.url, also?: string): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && (also === undefined || existsSync(join(dir, also)))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json${also === undefined ? '' : ` with ${also}/`} above ${fileURLToPath(from)}`);
    dir = parent;
  }
}

/** The repository's `public/` folder, next to package.json. */
export function findPublicDir(from: string = import.meta.url): string {
  return join(findPackageRoot(from, 'public'), 'public');
}
