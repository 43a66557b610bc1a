import { z } from 'zod';
import { ALERT_EVENT_NAMES, ALERT_FORMATS, DEFAULT_ALERT_EVENTS, type AlertEventName } from '../alerts/types.js';
import { normalizeHostName } from '../dashboard/host-name.js';
import { CATEGORIES, withOverrides, type Category, type CategoryMap } from '../recon/categories.js';
import { POOL_WALLETS } from '../recon/pool.js';

/** Kraken's documented counter limits per verification tier (DESIGN.md section 3). */
export const TIERS = {
  starter: { max: 15, decayPerSec: 0.33 },
  intermediate: { max: 20, decayPerSec: 0.5 },
  pro: { max: 20, decayPerSec: 1 },
} as const;
export type Tier = keyof typeof TIERS;

const FLOW_TYPE_NAMES = ['deposit', 'withdrawal', 'transfer'] as const;

/** Environment values are strings; these helpers turn them into checked values with clear messages. */
const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'must be true or false',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

function num(opts: { min?: number; max?: number; int?: boolean } = {}) {
  const { min, max, int = false } = opts;
  const range = `${min ?? '-∞'}..${max ?? '∞'}`;
  return z
    .string()
    .trim()
    .refine((v) => v !== '' && Number.isFinite(Number(v)), { message: `must be a number (${range})` })
    .transform(Number)
    .refine((v) => !int || Number.isInteger(v), { message: `must be a whole number (${range})` })
    .refine((v) => (min === undefined || v >= min) && (max === undefined || v <= max), {
      message: `out of range (allowed ${range})`,
    });
}

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v), { message: 'must be an http(s) URL' });

const wsUrl = z
  .string()
  .trim()
  .refine((v) => /^wss?:\/\/[^\s]+$/.test(v) && URL.canParse(v), { message: 'must be a ws(s) URL' });

/** libpq's sslmode values, and node-postgres's own `no-verify`. */
const SSL_MODES = new Set(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify']);

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), { message: 'must be a postgres:// or postgresql:// connection string' })
  // A misspelt sslmode must not leave the operator guessing whether (and how) the connection is encrypted.
  .refine((v) => !URL.canParse(v) || SSL_MODES.has(new URL(v).searchParams.get('sslmode') ?? 'disable'), {
    message: `sslmode must be one of ${[...SSL_MODES].join(', ')}`,
  });

const base64 = z
  .string()
  .trim()
  .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && v.length % 4 === 0 && Buffer.from(v, 'base64').length > 0, {
    message: 'must be valid base64 (the "Private Key" Kraken shows once)',
  });

const flowTypes = z
  .string()
  .trim()
  .transform((v) => [...new Set(v.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== ''))])
  .refine((list) => list.length > 0 && list.every((t) => (FLOW_TYPE_NAMES as readonly string[]).includes(t)), {
    message: `must be a comma list of ${FLOW_TYPE_NAMES.join(', ')}`,
  });

/** reports: the canonical name of an IANA zone `Intl` knows (`europe/berlin` → `Europe/Berlin`), else null. */
function ianaZone(v: string): string | null {
  try {
    return v === '' ? null : new Intl.DateTimeFormat('en-US', { timeZone: v }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
// real Kraken accounts (DESIGN.md section 15): the pool, category overrides, the ledger as bot-P&L source
const equityWallets = z
  .string()
  .trim()
  .transform((v) => [...new Set(v.split(',').map((w) => w.trim()).map((w) => (w.toLowerCase() === 'spot' ? 'spot' : w.toUpperCase())).filter((w) => w !== ''))])
  .refine((list) => list.length > 0 && list.every((w) => (POOL_WALLETS as readonly string[]).includes(w)), {
    message: `must be a comma list of ${POOL_WALLETS.join(', ')}`,
  });
const categoryOverrides = z
  .string()
  .trim()
  .transform((v) => v.split(',').map((p) => p.trim()).filter((p) => p !== ''))
  .refine((pairs) => pairs.every((p) => /^[a-z][a-z0-9 _-]*:[a-z]+$/i.test(p) && (CATEGORIES as readonly string[]).includes(p.slice(p.lastIndexOf(':') + 1).toLowerCase())), {
    message: `must be type:category pairs (e.g. margin:external,credit:external), category one of ${CATEGORIES.join(', ')}`,
  })
  .transform((pairs) => Object.fromEntries(pairs.map((p) => [p.slice(0, p.lastIndexOf(':')).trim().toLowerCase(), p.slice(p.lastIndexOf(':') + 1).toLowerCase() as Category])) as Record<string, Category>);
const BOT_PNL_SOURCES = ['auto', 'ledger', 'none', 'http', 'supabase'] as const;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every variable of DESIGN.md section 3 with its default. Each entry is parsed from a string. */
const schema = z.object({
  KRAKEN_API_KEY: optionalText,
  KRAKEN_API_SECRET: base64.optional(),
  KRAKEN_API_URL: url.default('https://api.kraken.com'),
  KRAKEN_PAIR: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{4,16}$/, 'must be a Kraken pair altname such as XDGUSD')
    .default('XDGUSD'),
  KRAKEN_TIER: z.enum(['starter', 'intermediate', 'pro']).default('starter'),
  KRAKEN_BUDGET_RESERVE: num({ min: 0, max: 18 }).default(0),
  PRIVATE_CALLS_PER_LOOP: num({ min: 1, max: 20 }).default(3),
  KRAKEN_TIMEOUT_MS: num({ min: 100, max: 120_000, int: true }).default(10_000),
  // live mode (DESIGN.md section 19): the WebSocket v2 `balances` channel rings the loop's bell
  KRAKEN_WS: z.enum(['auto', 'off']).default('auto'),
  KRAKEN_WS_URL: wsUrl.default('wss://ws-auth.kraken.com/v2'),
  BALANCE_SAFETY_INTERVAL_SEC: num({ min: 1, max: 86_400 }).default(300),
  LOOP_INTERVAL_SEC: num({ min: 1, max: 3600 }).default(30),
  BALANCE_RECON_DRIFT_PCT: num({ min: 0, max: 100 }).default(1.0),
  FLOW_DETECTION_ENABLED: bool.default(false),
  FLOW_POLL_INTERVAL_SEC: num({ min: 1, max: 86_400 }).default(300),
  FLOW_BASELINE_AUTO_ADJUST: bool.default(false),
  FLOW_TYPES: flowTypes.default(['deposit', 'withdrawal']),
  FLOW_LOOKBACK_SEC: num({ min: 0, max: 7 * 86_400 }).default(900),
  FLOW_MAX_PAGES_PER_POLL: num({ min: 1, max: 1000, int: true }).default(20),
  FLOW_HISTORY_MAX: num({ min: 10, max: 100_000, int: true }).default(1000),
  EQUITY_TS_ENABLED: bool.default(false),
  EQUITY_SNAPSHOT_INTERVAL_SEC: num({ min: 1, max: 86_400 }).default(300),
  EQUITY_SNAPSHOT_FLUSH_SEC: num({ min: 1, max: 86_400 }).default(900),
  EQUITY_TS_RETENTION_DAYS: num({ min: 1, max: 90 }).default(7),
  EQUITY_TS_SPARKLINE_7D_STEP: num({ min: 1, max: 1000, int: true }).default(12),
  DASHBOARD_FLOW_PANELS_ENABLED: bool.default(false),
  // reports (DESIGN.md section 17): period roll-forward rows kept in __recon_state_v1__
  REPORT_PERIOD_SEC: num({ min: 1, max: 366 * 86_400, int: true }).default(86_400),
  REPORT_TZ: z
    .string()
    .trim()
    .refine((v) => ianaZone(v) !== null, { message: 'must be an IANA time zone such as UTC, Europe/Berlin or America/New_York' })
    .transform((v) => ianaZone(v) ?? v)
    .default('UTC'),
  REPORT_RETENTION_DAYS: num({ min: 1, max: 1000, int: true }).default(90),
  BOT_PNL_SOURCE: z.enum(BOT_PNL_SOURCES).default('auto'),
  EQUITY_WALLETS: equityWallets.default(['spot', 'F']),
  LEDGER_CATEGORY_OVERRIDES: categoryOverrides.default({}),
  BOT_PNL_URL: url.optional(),
  BOT_PNL_FIELD: z.string().trim().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'must be a dotted path such as pnl_usd or stats.pnl').default('pnl_usd'),
  BOT_PNL_STATE_KEY: optionalText,
  SUPABASE_URL: url.optional(),
  SUPABASE_KEY: optionalText,
  SUPABASE_TABLE: z.string().trim().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a table name').default('bot_state'),
  // Postgres store (DESIGN.md section 19): the same bot_state keys over a direct connection; the URL holds a password
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().trim().min(1, 'must not be empty').default('logs'),
  // demo history: simulated days the demo fast-forwards through before going live (0: start empty)
  DEMO_HISTORY_DAYS: num({ min: 0, max: 7 }).default(7),
  HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  PORT: num({ min: 0, max: 65_535, int: true }).default(8787),
  STATUS_TOKEN: optionalText.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters',
  }),
  // http edge: extra Host names the dashboard answers for (any port); `*` alone turns the DNS-rebinding check off.
  ALLOWED_HOSTS: z
    .string()
    .trim()
    .transform((v, ctx): readonly string[] | '*' => {
      const items = v.split(',').map((t) => t.trim()).filter((t) => t !== '');
      if (items.includes('*')) {
        if (items.length > 1) ctx.addIssue({ code: 'custom', message: '* turns the Host check off and must stand alone' });
        return '*';
      }
      const names: string[] = [];
      for (const item of items) {
        const name = normalizeHostName(item);
        if (name === null) ctx.addIssue({ code: 'custom', message: `not a host name: ${JSON.stringify(item.slice(0, 60))} (names only, no scheme or port: any port is allowed; IPv6 in brackets)` });
        else names.push(name);
      }
      return Object.freeze([...new Set(names)]);
    })
    .default(Object.freeze([])),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  // alerts (DESIGN.md section 16): off unless ALERT_WEBHOOK_URL is set; the URL is a secret
  ALERT_WEBHOOK_URL: url.optional(),
  ALERT_WEBHOOK_FORMAT: z.enum(ALERT_FORMATS).default('json'),
  ALERT_TELEGRAM_CHAT_ID: optionalText.refine((v) => v === undefined || /^(-?\d{1,20}|@[A-Za-z0-9_]{4,64})$/.test(v), {
    message: 'must be a Telegram chat id (a number such as -1001234567890, or @channelname)',
  }),
  ALERT_EVENTS: z
    .string()
    .trim()
    .transform((v) => [...new Set(v.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== ''))])
    .refine((list) => list.every((t) => (ALERT_EVENT_NAMES as readonly string[]).includes(t)), {
      message: `must be a comma list of ${ALERT_EVENT_NAMES.join(', ')}`,
    })
    .optional()
    .transform((list) => Object.freeze([...((list as AlertEventName[] | undefined) ?? DEFAULT_ALERT_EVENTS)]) as readonly AlertEventName[]),
  ALERT_MIN_INTERVAL_SEC: num({ min: 0, max: 86_400 }).default(300),
});

type Parsed = z.infer<typeof schema>;

/** Demo mode's own defaults: they apply only to variables the operator left unset. */
const DEMO_DEFAULTS = {
  FLOW_DETECTION_ENABLED: 'true',
  FLOW_BASELINE_AUTO_ADJUST: 'true',
  EQUITY_TS_ENABLED: 'true',
  DASHBOARD_FLOW_PANELS_ENABLED: 'true',
  LOOP_INTERVAL_SEC: '2',
  FLOW_POLL_INTERVAL_SEC: '5',
  EQUITY_SNAPSHOT_INTERVAL_SEC: '5',
  EQUITY_SNAPSHOT_FLUSH_SEC: '30',
  BOT_PNL_SOURCE: 'http',
  // The short demo loop spends ~2 points per 2 s tick; the pro tier's decay (1/s) sustains that.
  KRAKEN_TIER: 'pro',
} as const;

export type Config = Readonly<
  Omit<Parsed, 'FLOW_TYPES' | 'BOT_PNL_SOURCE' | 'EQUITY_WALLETS'> & {
    mode: 'live' | 'demo';
    FLOW_TYPES: readonly string[];
    supabase: { url: string; key: string; table: string } | undefined;
    // real Kraken accounts: `auto` resolved (ledger when flow detection is on, else none), the table merged once
    BOT_PNL_SOURCE: 'none' | 'http' | 'supabase' | 'ledger';
    EQUITY_WALLETS: readonly string[];
    ledgerCategories: CategoryMap;
  }
>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The variables this module knows; anything else in the environment is ignored. */
export const CONFIG_VARIABLES = Object.keys(schema.shape) as readonly (keyof Parsed)[];

/**
 * Parses and validates the environment once. Throws ConfigError with one line per problem, each naming the
 * variable; `main` turns that into exit code 2.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const hasKey = nonEmpty(env.KRAKEN_API_KEY);
  const hasSecret = nonEmpty(env.KRAKEN_API_SECRET);
  const problems: string[] = [];
  if (hasKey !== hasSecret) {
    problems.push(
      hasKey
        ? 'KRAKEN_API_SECRET: missing (KRAKEN_API_KEY is set; set both for live mode or neither for the demo)'
        : 'KRAKEN_API_KEY: missing (KRAKEN_API_SECRET is set; set both for live mode or neither for the demo)',
    );
  }
  const mode = hasKey && hasSecret ? 'live' : 'demo';

  const input: Record<string, string> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') input[name] = value;
    else if (mode === 'demo' && name in DEMO_DEFAULTS) input[name] = DEMO_DEFAULTS[name as keyof typeof DEMO_DEFAULTS];
  }

  const result = schema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? 'config');
      problems.push(`${name}: ${describeIssue(issue)} (got ${quoteValue(name, input[name])})`);
    }
  }
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  const c = result.data;

  const crossProblems: string[] = [];
  if (c.BOT_PNL_SOURCE === 'http' && c.BOT_PNL_URL === undefined && mode === 'live') {
    crossProblems.push('BOT_PNL_URL: required when BOT_PNL_SOURCE=http');
  }
  if (c.BOT_PNL_SOURCE === 'supabase' && c.BOT_PNL_STATE_KEY === undefined) {
    crossProblems.push('BOT_PNL_STATE_KEY: required when BOT_PNL_SOURCE=supabase');
  }
  if ((c.SUPABASE_URL === undefined) !== (c.SUPABASE_KEY === undefined)) {
    crossProblems.push(
      c.SUPABASE_URL === undefined ? 'SUPABASE_URL: missing (SUPABASE_KEY is set)' : 'SUPABASE_KEY: missing (SUPABASE_URL is set)',
    );
  }
  if (c.BOT_PNL_SOURCE === 'supabase' && c.SUPABASE_URL === undefined) {
    crossProblems.push('BOT_PNL_SOURCE: supabase needs SUPABASE_URL and SUPABASE_KEY');
  }
  if (c.BOT_PNL_STATE_KEY !== undefined && ['__equity_ts__', '__recon_state_v1__'].includes(c.BOT_PNL_STATE_KEY)) {
    crossProblems.push('BOT_PNL_STATE_KEY: must name the bot\'s own row, not one of the sidecar\'s keys');
  }
  if (c.BOT_PNL_SOURCE === 'ledger' && !c.FLOW_DETECTION_ENABLED) {
    crossProblems.push('BOT_PNL_SOURCE: ledger needs FLOW_DETECTION_ENABLED=true (the P&L comes from the ledger rows)');
  }
  if (c.FLOW_DETECTION_ENABLED && c.PRIVATE_CALLS_PER_LOOP < 2) {
    crossProblems.push('PRIVATE_CALLS_PER_LOOP: must be at least 2 with FLOW_DETECTION_ENABLED (a Ledgers page costs 2)');
  }
  // reports: a period shorter than a tick would be all gaps
  if (c.REPORT_PERIOD_SEC < c.LOOP_INTERVAL_SEC) {
    crossProblems.push(`REPORT_PERIOD_SEC: must be at least LOOP_INTERVAL_SEC (${c.LOOP_INTERVAL_SEC}); a period needs a tick to close it`);
  }
  const tierMax = TIERS[c.KRAKEN_TIER].max;
  if (c.KRAKEN_BUDGET_RESERVE + 2 > tierMax) {
    crossProblems.push(`KRAKEN_BUDGET_RESERVE: leaves no room for a Ledgers call (tier max ${tierMax}, reserve must be ≤ ${tierMax - 2})`);
  }
  // alerts
  if (c.ALERT_WEBHOOK_FORMAT === 'telegram' && c.ALERT_WEBHOOK_URL !== undefined && c.ALERT_TELEGRAM_CHAT_ID === undefined) {
    crossProblems.push('ALERT_TELEGRAM_CHAT_ID: required when ALERT_WEBHOOK_FORMAT=telegram');
  }
  if (crossProblems.length > 0) throw new ConfigError(crossProblems);

  const supabase =
    c.SUPABASE_URL !== undefined && c.SUPABASE_KEY !== undefined
      ? { url: c.SUPABASE_URL, key: c.SUPABASE_KEY, table: c.SUPABASE_TABLE }
      : undefined;
  // real Kraken accounts (DESIGN.md section 15)
  const botPnlSource = c.BOT_PNL_SOURCE === 'auto' ? (c.FLOW_DETECTION_ENABLED ? 'ledger' : 'none') : c.BOT_PNL_SOURCE;
  const ledgerCategories = withOverrides(c.LEDGER_CATEGORY_OVERRIDES, c.FLOW_TYPES);
  return Object.freeze({
    ...c,
    mode,
    supabase,
    FLOW_TYPES: Object.freeze([...c.FLOW_TYPES]),
    BOT_PNL_SOURCE: botPnlSource,
    EQUITY_WALLETS: Object.freeze([...c.EQUITY_WALLETS]),
    LEDGER_CATEGORY_OVERRIDES: Object.freeze({ ...c.LEDGER_CATEGORY_OVERRIDES }),
    ledgerCategories,
  });
}

function nonEmpty(v: string | undefined): boolean {
  return v !== undefined && v.trim() !== '';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return `must be one of ${issue.values.map(String).join(', ')}`;
  }
  return issue.message;
}

/** Secrets and tokens are never echoed back, even in an error line. */
function quoteValue(name: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if ((/SECRET|KEY|TOKEN/.test(name) && name !== 'BOT_PNL_STATE_KEY') || name === 'ALERT_WEBHOOK_URL' || name === 'DATABASE_URL') return '<hidden>';
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** Rollout stage: the largest k such that the first k flags are all on (DESIGN.md section 13). */
export function rolloutStage(c: Pick<Config, 'FLOW_DETECTION_ENABLED' | 'FLOW_BASELINE_AUTO_ADJUST' | 'EQUITY_TS_ENABLED' | 'DASHBOARD_FLOW_PANELS_ENABLED'>): 0 | 1 | 2 | 3 | 4 {
  const flags = [c.FLOW_DETECTION_ENABLED, c.FLOW_BASELINE_AUTO_ADJUST, c.EQUITY_TS_ENABLED, c.DASHBOARD_FLOW_PANELS_ENABLED];
  let stage = 0;
  while (stage < flags.length && flags[stage] === true) stage++;
  return stage as 0 | 1 | 2 | 3 | 4;
}
