/**
 * The one table that decides what a ledger row means (DESIGN.md section 15). The classifier, the README
 * (generated from `categoryTableMarkdown`) and the tests all read it; operator overrides
 * (`LEDGER_CATEGORY_OVERRIDES`) and `FLOW_TYPES` merge into it once, at config time (`withOverrides`).
 *
 * A row's category here is its category by type and subtype alone; the refid group then refines it
 * (src/recon/groups.ts): a trading group with a leg outside the pool is external, an internal move that
 * does not net to zero inside the pool is external, a staking transfer inside the pool is internal.
 */
export const CATEGORIES = ['trading', 'internal', 'income', 'external', 'unclassified'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface CategoryRule {
  readonly type: string;
  /** `*` = any subtype not listed in its own row. */
  readonly subtype: string;
  readonly category: Category;
  readonly note: string;
}

const EARN_MOVES = ['autoallocate', 'autoallocation', 'allocation', 'deallocation', 'migration'] as const;

export const CATEGORY_TABLE: readonly CategoryRule[] = Object.freeze([
  { type: 'trade', subtype: '*', category: 'trading', note: "the bot's fills (external when a leg is on an asset outside the pair)" },
  { type: 'margin', subtype: '*', category: 'trading', note: 'margin trades and their fees' },
  { type: 'rollover', subtype: '*', category: 'trading', note: 'margin rollover fees' },
  { type: 'settled', subtype: '*', category: 'trading', note: 'margin position settlement' },
  ...EARN_MOVES.map((s) => ({ type: 'transfer', subtype: s, category: 'internal' as const, note: 'Auto Earn moving a balance between spot and an earn wallet' })),
  ...EARN_MOVES.map((s) => ({ type: 'earn', subtype: s, category: 'internal' as const, note: 'Earn moving a balance between spot and an earn wallet' })),
  { type: 'earn', subtype: '*', category: 'income', note: 'earn rewards (subtype reward, ...)' },
  { type: 'staking', subtype: '*', category: 'income', note: 'staking rewards' },
  { type: 'reward', subtype: '*', category: 'income', note: 'rewards' },
  { type: 'dividend', subtype: '*', category: 'income', note: 'dividends' },
  { type: 'credit', subtype: '*', category: 'income', note: 'credits from Kraken' },
  { type: 'invite bonus', subtype: '*', category: 'income', note: 'referral bonus' },
  { type: 'deposit', subtype: '*', category: 'external', note: 'deposits' },
  { type: 'withdrawal', subtype: '*', category: 'external', note: 'withdrawals and their reversals' },
  { type: 'transfer', subtype: '*', category: 'external', note: 'futures and staking transfers, airdrops, forks (internal when both legs are in the pool)' },
  { type: 'spend', subtype: '*', category: 'external', note: 'app purchases: what was paid' },
  { type: 'receive', subtype: '*', category: 'external', note: 'app purchases: what was received' },
  { type: 'adjustment', subtype: '*', category: 'external', note: 'delisting conversions, rounding credits' },
  { type: 'conversion', subtype: '*', category: 'external', note: 'conversions' },
  { type: 'custodytransfer', subtype: '*', category: 'external', note: 'custody transfers' },
  { type: 'sale', subtype: '*', category: 'external', note: 'sales' },
  { type: 'nfttrade', subtype: '*', category: 'external', note: 'NFT trades' },
]);

/** Types whose moves inside the pool (one asset, netting to zero) are internal whatever their subtype. */
export const MOVE_TYPES: readonly string[] = ['transfer', 'earn'];

/** The table after config: `type → subtype → category`, with `*` as the per-type fallback. */
export type CategoryMap = ReadonlyMap<string, ReadonlyMap<string, Category>>;

export function buildCategoryMap(rules: readonly CategoryRule[] = CATEGORY_TABLE): Map<string, Map<string, Category>> {
  const map = new Map<string, Map<string, Category>>();
  for (const r of rules) {
    const byType = map.get(r.type) ?? new Map<string, Category>();
    byType.set(r.subtype, r.category);
    map.set(r.type, byType);
  }
  return map;
}

/**
 * Merges operator overrides (`type → category`, every subtype) and `FLOW_TYPES` (forced external) into
 * the table. Called once when the config is loaded.
 */
export function withOverrides(overrides: Readonly<Record<string, Category>>, flowTypes: readonly string[] = []): CategoryMap {
  const map = buildCategoryMap();
  const force = (type: string, category: Category): void => {
    map.set(type, new Map([['*', category]]));
  };
  for (const t of flowTypes) force(t, 'external');
  for (const [t, c] of Object.entries(overrides)) force(t, c);
  return map;
}

export const DEFAULT_CATEGORY_MAP: CategoryMap = buildCategoryMap();

/** The category of a row by its type and subtype alone (before the refid group refines it). */
export function categoryOf(map: CategoryMap, type: string, subtype: string): Category {
  const byType = map.get(type);
  if (byType === undefined) return 'unclassified';
  return byType.get(subtype.trim().toLowerCase()) ?? byType.get('*') ?? 'unclassified';
}

/** The table as README markdown (a test keeps the README's copy equal to this). */
export function categoryTableMarkdown(rules: readonly CategoryRule[] = CATEGORY_TABLE): string {
  const lines = ['| type | subtype | category | what |', '|---|---|---|---|'];
  for (const r of rules) lines.push(`| \`${r.type}\` | ${r.subtype === '*' ? 'any other' : `\`${r.subtype}\``} | \`${r.category}\` | ${r.note} |`);
  lines.push('| any other type | | `unclassified` | stays in Unexplained, counted and named in `balance_recon.unclassified` |');
  return lines.join('\n');
}
