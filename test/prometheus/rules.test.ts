import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/bot/metrics.js';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';
import { ROOT } from '../helpers/process.js';

// Debian's `prometheus` package ships promtool; `.ci/run` installs it. Missing: CI fails, a laptop skips.
const PROMTOOL = process.env['PROMTOOL_PATH'] ?? '/usr/bin/promtool';
function promtoolAvailable(): boolean {
  if (existsSync(PROMTOOL)) return true;
  if (process.env['CI']) throw new Error(`${PROMTOOL} is missing in CI (apt-get install -y prometheus)`);
  console.warn(`promtool tests SKIPPED: ${PROMTOOL} not found (apt-get install -y prometheus, or set PROMTOOL_PATH)`);
  return false;
}
const available = promtoolAvailable();
const DIR = join(ROOT, 'deploy', 'prometheus');

function promtool(args: string[], input?: string): { code: number | null; out: string } {
  const r = spawnSync(PROMTOOL, args, { cwd: DIR, input, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.runIf(available)('Prometheus rules (deploy/prometheus)', () => {
  it('promtool check rules: the rule file is valid', () => {
    const r = promtool(['check', 'rules', 'alerts.yml']);
    expect(r.out).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.code).toBe(0);
  });

  it('promtool test rules: every rule fires when it should and stays quiet when it should not', () => {
    const r = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });

  it('promtool check metrics is clean for the sidecar\'s own metrics on a real /metrics, and the rules only use metrics it exports', async () => {
    h = await startHarness({ env: { FLOW_DETECTION_ENABLED: 'true', ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook' } });
    const metrics = createMetrics(() => h?.daemon ?? null);
    await h.step();
    metrics.observeTick(h.daemon.lastTickDurationMs ?? 0);
    const { body } = await metrics.render();

    // Our families (kraken_sidecar_*), whole: HELP, TYPE and samples.
    const ours = body
      .split('\n')
      .filter((l) => /^(# (HELP|TYPE) )?kraken_sidecar_/.test(l))
      .join('\n');
    expect(ours).toMatch(/kraken_sidecar_alerts_sent_total 0/);
    const r = promtool(['check', 'metrics'], `${ours}\n`);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);

    // The process defaults keep their standard names; promtool's only remarks on the whole output are about
    // prom-client's own nodejs_*_total gauges, names that stock Node.js dashboards expect as they are.
    expect(body).toMatch(/^process_resident_memory_bytes /m);
    expect(body).not.toMatch(/kraken_sidecar_(process|nodejs)_/);
    const all = promtool(['check', 'metrics'], body);
    for (const line of all.out.split('\n').filter((l) => l.trim() !== '')) expect(line).toMatch(/^nodejs_\w+ /);

    const rules = readFileSync(join(DIR, 'alerts.yml'), 'utf8');
    const used = new Set([...rules.matchAll(/\b(kraken_sidecar_\w+)/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThanOrEqual(8);
    for (const name of used) expect(body, `${name} is used by alerts.yml`).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
  });
});
