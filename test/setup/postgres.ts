// The Postgres store's tests need a running PostgreSQL. This global setup gives them one: PG_TEST_URL when it is
// set, else a throwaway cluster on loopback from Debian's postgresql package (scripts/pg-test-cluster.sh), stopped
// after the run. Without a server the tests say they were skipped and why; in CI (CI=true) they fail instead.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/pg-test-cluster.sh', import.meta.url));

declare module 'vitest' {
  export interface ProvidedContext {
    pg: { url: string | null; why: string | null };
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.PG_TEST_URL;
  if (given !== undefined && given !== '') {
    project.provide('pg', { url: given, why: null });
    return undefined;
  }
  try {
    const { stdout } = await run('bash', [SCRIPT, 'start'], { timeout: 60_000 });
    project.provide('pg', { url: stdout.trim().split('\n').at(-1) ?? '', why: null });
    return async () => {
      await run('bash', [SCRIPT, 'stop'], { timeout: 30_000 }).catch(() => undefined);
    };
  } catch (err) {
    const why = (err as { stderr?: string }).stderr?.trim() || (err instanceof Error ? err.message : String(err));
    project.provide('pg', { url: null, why: `no PostgreSQL server: ${why}` });
    return undefined;
  }
}
