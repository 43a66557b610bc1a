import { ConfigError, loadConfig } from '../../src/bot/config.js';

/** The problem lines `loadConfig` reports for an environment (empty when it is valid). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}
