import { pino, type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  readonly level: string;
  /** Values that must never appear in output: the API secret and key, tokens, the Supabase key. */
  readonly secrets: ReadonlyArray<string | undefined>;
  /** Defaults to stdout; tests pass a memory stream. */
  readonly destination?: DestinationStream | undefined;
}

/**
 * pino, one JSON line per event. Known secret-bearing fields are redacted by path, and as a second line of
 * defence every line is scrubbed of the secrets' text (an error message can quote a header or a URL).
 */
export function createLogger(opts: LoggerOptions): Logger {
  const secrets = opts.secrets.filter((s): s is string => s !== undefined && s.length >= 4);
  const variants = [...new Set(secrets.flatMap((s) => [...urlParts(s), s]).flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]))]
    .sort((a, b) => b.length - a.length); // longest first, so a whole URL goes before its path
  const out = opts.destination ?? pino.destination({ dest: 1, sync: true });
  const scrubbing: DestinationStream = {
    write(line: string) {
      let safe = line;
      for (const v of variants) if (safe.includes(v)) safe = safe.split(v).join('[REDACTED]');
      out.write(safe);
    },
  };
  return pino(
    {
      level: opts.level,
      base: { service: 'kraken-balance-sidecar' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['secret', 'apiSecret', 'token', 'key', 'apiKey', 'authorization', '*.secret', '*.token', '*.authorization', 'headers.authorization', 'req.headers.authorization', '*["API-Key"]', '*["API-Sign"]'],
        censor: '[REDACTED]',
      },
    },
    scrubbing,
  );
}

/**
 * A secret URL (the alert webhook) also leaks as its normalised form or as its path alone (where Slack,
 * Discord and Telegram put the token), so both are scrubbed too.
 */
function urlParts(s: string): string[] {
  if (!/^https?:\/\//i.test(s) || !URL.canParse(s)) return [];
  const u = new URL(s);
  const path = `${u.pathname}${u.search}`;
  return [u.href, ...(path.length >= 8 ? [path] : [])];
}
