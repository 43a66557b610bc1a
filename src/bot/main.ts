import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from './config.js';

/** SIGTERM/SIGINT must end the process within 10 s even if a remote store hangs. */
const SHUTDOWN_DEADLINE_MS = 9500;

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of err.problems) process.stderr.write(`config error: ${line}\n`);
      process.exit(2);
    }
    throw err;
  }
  // Loaded only once the configuration is valid: a bad variable exits 2 without paying for the HTTP server,
  // the Kraken client and the stores (most of the start-up's module loading).
  const [{ createLogger }, { startSidecar }] = await Promise.all([import('./logger.js'), import('./sidecar.js')]);
  const logger = createLogger({
    level: config.LOG_LEVEL,
    secrets: [config.KRAKEN_API_SECRET, config.KRAKEN_API_KEY, config.STATUS_TOKEN, config.supabase?.key, config.ALERT_WEBHOOK_URL, config.DATABASE_URL, databasePassword(config.DATABASE_URL)],
  });
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection (kept running)'));

  const sidecar = await startSidecar(config, logger);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    // npm and supervisors may deliver the signal to the whole process group: a repeat is harmless.
    if (signals++ > 0) return;
    logger.info({ signal }, 'shutting down: finishing the tick, flushing state');
    setTimeout(() => {
      logger.error('shutdown deadline reached; exiting (local copies are written before remote ones)');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    sidecar.stop().then(
      () => {
        logger.info('stopped cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

/** The password inside DATABASE_URL, scrubbed from every log line like the URL itself. */
function databasePassword(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const password = decodeURIComponent(new URL(url).password);
  return password === '' ? undefined : password;
}
