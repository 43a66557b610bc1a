// `npm start`: runs the compiled daemon in this process, rebuilding dist/ first only when a source is newer
// than the build (see dist.mjs). The daemon itself is dist/src/bot/main.js, which a supervisor runs directly.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { pathToFileURL } from 'node:url';
import { ENTRY, ensureBuilt } from './dist.mjs';

// Node 22.1+: V8's compiled code for the daemon and its dependencies is cached on disk (most of a start's CPU).
module.enableCompileCache?.();
try {
  await ensureBuilt();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
if (!existsSync(ENTRY)) process.exit(1); // ensureBuilt said why
// The link resolves to one complete build; Node loads every module of it by its real path.
await import(pathToFileURL(ENTRY).href);
