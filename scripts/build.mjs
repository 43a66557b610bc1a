// `npm run build` and `prepare` (run by `npm ci`): compiles the daemon into dist/ (see dist.mjs). `--if-stale`
// (prepare) skips a build whose sources have not changed since it started.
import { ensureBuilt } from './dist.mjs';

const ifStale = process.argv.includes('--if-stale');
try {
  await ensureBuilt({ force: !ifStale });
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
