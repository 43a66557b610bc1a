import { ConfigError, loadConfig } from '../../src/bot/config.js';

/** The problem lines loadConfig refuses `env` with (empty when it loads). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}
