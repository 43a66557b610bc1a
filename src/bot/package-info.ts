import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPackageRoot } from '../dashboard/public-dir.js';

/** The package version from package.json (works from src/ and from dist/src/). */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(findPackageRoot(import.meta.url), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
