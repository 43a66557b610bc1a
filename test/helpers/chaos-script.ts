import { createRng, type Rng } from '../../src/kraken/sim/rng.js';
import type { LedgerRowInput, SimEndpoint, SimFault } from '../../src/kraken/sim/types.js';
import type { SimWsAction } from '../../src/kraken/sim/ws-faults.js';

/**
 * The chaos test's script, generated from one seed: episodes, each one fault (or a kill, or a price move)
 * plus batches of ledger rows added over wall-clock time. Nothing here touches the network; the test plays
 * the script against the simulator, the PostgREST double and the daemon process, and computes the ground
 * truth from the rows the simulator actually stored.
 */

/** A row the simulator books (moves balances); a malformed row served verbatim (never touches balances). */
export type ScriptRow =
  | { kind: 'row'; label: string; input: Omit<LedgerRowInput, 'time'> }
  | { kind: 'raw'; label: string; id: string; row: unknown }
  | { kind: 'earn'; label: string; op: EarnOp };

/**
 * Earn and the rows nobody documents (issue 10), played through the simulator's account activity so that
 * Auto Earn writes its own allocation pairs (spot −x, `.F` +x) after every later USD increase.
 */
export type EarnOp =
  | { op: 'auto-earn'; on: boolean }
  | { op: 'allocate' | 'deallocate'; amount: string }
  | { op: 'reward'; asset: 'ZUSD' | 'XXDG'; amount: string; wallet: 'F' | 'S'; type: 'earn' | 'staking' }
  | { op: 'credit'; amount: string }
  | { op: 'unknown'; type: string; asset: 'ZUSD' | 'XXDG'; amount: string };

export interface RowBatch {
  /** Wait this long before adding the batch. */
  gapMs: number;
  rows: ScriptRow[];
}

export type ScriptFault =
  | { kind: 'kraken'; label: string; fault: SimFault; endpoint: SimEndpoint | undefined; count: number }
  | { kind: 'supabase'; label: string; mode: 'error' | 'drop'; n: number; status: number }
  | { kind: 'kill'; label: string; downMs: number }
  /** The live-mode socket (WebSocket v2 `balances`): dropped, stalled, fed garbage or odd sequences. */
  | { kind: 'socket'; label: string; action: SimWsAction }
  | { kind: 'price'; label: string; price: string };

export interface Episode {
  fault: ScriptFault;
  batches: RowBatch[];
}

export interface ChaosScript {
  seed: number;
  /** Rows booked before the daemon first starts, with times in the past: never imported (before the baseline). */
  prehistory: Array<Omit<LedgerRowInput, 'time'> & { ageSec: number }>;
  episodes: Episode[];
}

export interface ScriptOptions {
  /** Kraken client timeout; timeouts are injected as delays longer than this. */
  timeoutMs: number;
  /** SIGKILL + restart episodes in the main run (the lockout phase adds one more). */
  kills: number;
  /** Extra random episodes on top of one of each kind. */
  extra: number;
}

const KRAKEN_5XX = [500, 502, 503, 504, 520] as const;

export function generateScript(seed: number, opts: ScriptOptions): ChaosScript {
  const rng = createRng(seed);
  const rows = new RowFactory(rng);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
  const int = (lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
  const endpoint = (): SimEndpoint | undefined => pick<SimEndpoint | undefined>(['Balance', 'Ledgers', 'Ledgers', 'Ticker', undefined]);

  const faultMakers: Array<() => ScriptFault> = [
    () => ({ kind: 'kraken', label: 'kraken timeout', fault: { kind: 'delay', ms: opts.timeoutMs + int(200, 600) }, endpoint: endpoint(), count: int(1, 3) }),
    () => {
      const status = pick(KRAKEN_5XX);
      return { kind: 'kraken', label: `kraken HTTP ${status} HTML`, fault: { kind: 'http', status }, endpoint: endpoint(), count: int(1, 3) };
    },
    () => ({ kind: 'kraken', label: 'EService:Unavailable', fault: { kind: 'error', error: 'EService:Unavailable' }, endpoint: endpoint(), count: int(1, 3) }),
    () => ({ kind: 'kraken', label: 'malformed JSON page', fault: { kind: 'malformed-json' }, endpoint: 'Ledgers', count: int(1, 2) }),
    () => ({
      kind: 'kraken',
      label: 'ledger of the wrong type',
      fault: { kind: 'http', status: 200, contentType: 'application/json', body: JSON.stringify({ error: [], result: { ledger: [1, 'two', { three: 3 }], count: 'NaN' } }) },
      endpoint: 'Ledgers',
      count: 1,
    }),
    () => ({ kind: 'kraken', label: 'connection reset', fault: { kind: 'reset' }, endpoint: endpoint(), count: int(1, 2) }),
    () => ({ kind: 'supabase', label: 'supabase 500', mode: 'error', n: int(1, 4), status: pick([500, 502, 503]) }),
    () => ({ kind: 'supabase', label: 'supabase dropped connection', mode: 'drop', n: int(1, 4), status: 0 }),
    () => ({ kind: 'price', label: 'price move', price: (0.05 + rng() * 0.2).toFixed(7) }),
    () => ({ kind: 'socket', label: 'socket dropped', action: { kind: 'drop' } }),
    () => {
      const action = pick<SimWsAction>([{ kind: 'stall' }, { kind: 'garbage' }, { kind: 'duplicate' }, { kind: 'gap', by: 2 }, { kind: 'reorder' }, { kind: 'unknown' }, { kind: 'huge-numbers' }, { kind: 'close', code: 1011, reason: 'internal error' }]);
      return { kind: 'socket', label: `socket ${action.kind}`, action };
    },
  ];
  // Exactly one rate-limit answer: its back-off (5 s, doubling when repeated) and lowered ceiling are slow to clear.
  const rateLimit = (): ScriptFault => ({ kind: 'kraken', label: 'EAPI:Rate limit exceeded', fault: { kind: 'error', error: 'EAPI:Rate limit exceeded' }, endpoint: pick(['Balance', 'Ledgers'] as const), count: 1 });
  const kill = (): ScriptFault => ({ kind: 'kill', label: 'SIGKILL + restart', downMs: int(200, 1500) });

  const faults: ScriptFault[] = [...faultMakers.map((make) => make()), rateLimit()];
  for (let i = 0; i < opts.extra; i++) faults.push(pick(faultMakers)());
  shuffle(faults, rng);
  // Kills go between the other faults, never first, never back to back.
  for (let k = 0; k < opts.kills; k++) {
    const slot = Math.round(((k + 1) * faults.length) / (opts.kills + 1)) + k;
    faults.splice(slot, 0, kill());
  }

  const episodes: Episode[] = faults.map((fault) => ({ fault, batches: [] }));
  for (const ep of episodes) {
    const n = int(1, 3);
    for (let b = 0; b < n; b++) ep.batches.push({ gapMs: int(150, 700), rows: [] });
  }
  // Rows into random batches; a failed withdrawal's reversal always lands in a later batch.
  const allBatches = episodes.flatMap((e) => e.batches);
  const rowCount = int(45, 70);
  for (let i = 0; i < rowCount; i++) {
    const at = int(0, allBatches.length - 1);
    const made = rows.random();
    allBatches[at]?.rows.push(...made.now);
    if (made.later.length > 0) {
      const later = allBatches[Math.min(allBatches.length - 1, at + int(1, 3))];
      if (later === allBatches[at]) allBatches.push({ gapMs: 300, rows: made.later });
      else later?.rows.push(...made.later);
    }
  }
  // An appended batch belongs to the last episode.
  const last = episodes.at(-1);
  if (last !== undefined) for (const b of allBatches.slice(episodes.reduce((s, e) => s + e.batches.length, 0))) last.batches.push(b);

  const prehistory = Array.from({ length: int(3, 6) }, () => {
    const r = rows.flow(pick(['deposit', 'withdrawal']), pick(['XXDG', 'ZUSD']));
    return { ...r, ageSec: int(5, 60) };
  });
  addEarnRows(allBatches, rows, rng);
  return { seed, prehistory, episodes };
}

const UNKNOWN_TYPES = ['giftcard', 'nftairdrop', 'sweepstake', 'promo'] as const;

/**
 * Auto Earn on USD a quarter of the way in (with a USD deposit it moves into USD.F at once) and an explicit
 * allocation; later a deallocation, rewards into USD.F and a staking reward outside the pool, a credit, rows
 * of undocumented types, and sometimes Auto Earn off again. Drawn after everything else, so a seed keeps
 * the rest of its script.
 */
function addEarnRows(batches: RowBatch[], rows: RowFactory, rng: Rng): void {
  if (batches.length === 0) return;
  const int = (lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
  const at = (lo: number): RowBatch => batches[int(Math.min(lo, batches.length - 1), batches.length - 1)] as RowBatch;
  const earn = (label: string, op: EarnOp): ScriptRow => ({ kind: 'earn', label, op });
  const on = Math.floor(batches.length / 4);
  batches[on]?.rows.push(
    earn('Auto Earn on for USD', { op: 'auto-earn', on: true }),
    { kind: 'row', label: 'USD deposit (auto-allocated)', input: rows.flow('deposit', 'ZUSD') },
    earn('earn allocation', { op: 'allocate', amount: rows.decimal(300, 800, 4) }),
  );
  at(on + 1).rows.push(earn('earn deallocation', { op: 'deallocate', amount: rows.decimal(10, 200, 4) }));
  for (let i = int(2, 3); i > 0; i--) at(on).rows.push(earn('earn reward into USD.F', { op: 'reward', asset: 'ZUSD', amount: rows.decimal(0, 2, 4), wallet: 'F', type: 'earn' }));
  at(0).rows.push(earn('staking reward outside the pool', { op: 'reward', asset: 'XXDG', amount: rows.decimal(0, 5, 8), wallet: 'S', type: 'staking' }));
  at(0).rows.push(earn('credit', { op: 'credit', amount: rows.decimal(0, 3, 4) }));
  for (let i = int(1, 2); i > 0; i--) {
    const asset = rng() < 0.5 ? 'XXDG' : 'ZUSD';
    const type = UNKNOWN_TYPES[Math.floor(rng() * UNKNOWN_TYPES.length)] as string;
    at(0).rows.push(earn(`undocumented ${type}`, { op: 'unknown', type, asset, amount: rows.decimal(0, asset === 'XXDG' ? 50 : 5, asset === 'XXDG' ? 8 : 4) }));
  }
  if (rng() < 0.5) at(Math.floor((3 * batches.length) / 4)).rows.push(earn('Auto Earn off for USD', { op: 'auto-earn', on: false }));
}

function shuffle<T>(items: T[], rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}

/** Random ledger rows, valid and malformed, with exact decimal amounts. */
class RowFactory {
  private raws = 0;
  private refs = 0;

  constructor(private readonly rng: Rng) {}

  random(): { now: ScriptRow[]; later: ScriptRow[] } {
    const r = this.rng();
    const row = (input: Omit<LedgerRowInput, 'time'>, label: string): ScriptRow => ({ kind: 'row', label, input });
    if (r < 0.22) return { now: [row(this.flow('deposit', 'XXDG'), 'DOGE deposit')], later: [] };
    if (r < 0.34) return { now: [row(this.flow('withdrawal', 'XXDG'), 'DOGE withdrawal')], later: [] };
    if (r < 0.46) return { now: [row(this.flow('deposit', 'ZUSD'), 'USD deposit')], later: [] };
    if (r < 0.54) return { now: [row(this.flow('withdrawal', 'ZUSD'), 'USD withdrawal')], later: [] };
    if (r < 0.66) return { now: this.trade(), later: [] };
    if (r < 0.74) return this.failedWithdrawal();
    if (r < 0.82) return { now: [row(this.otherAsset(), 'other asset')], later: [] };
    return { now: [this.malformed()], later: [] };
  }

  flow(type: 'deposit' | 'withdrawal', asset: 'XXDG' | 'ZUSD'): Omit<LedgerRowInput, 'time'> {
    const doge = asset === 'XXDG';
    const amount = this.decimal(doge ? 1 : 1, doge ? 3000 : 400, doge ? 8 : 4);
    const fee = type === 'withdrawal' ? this.decimal(0, doge ? 5 : 2, doge ? 8 : 4) : this.rng() < 0.8 ? '0' : this.decimal(0, 1, doge ? 8 : 4);
    return { type, asset, amount: type === 'withdrawal' ? `-${amount}` : amount, fee };
  }

  private trade(): ScriptRow[] {
    const refid = `TCHAOS-${String(++this.refs).padStart(5, '0')}-TRADE0`;
    const qty = this.decimal(10, 900, 8);
    const usd = this.decimal(1, 90, 4);
    const buy = this.rng() < 0.5;
    return [
      { kind: 'row', label: 'trade (DOGE leg)', input: { type: 'trade', asset: 'XXDG', amount: buy ? qty : `-${qty}`, fee: '0', refid } },
      { kind: 'row', label: 'trade (USD leg)', input: { type: 'trade', asset: 'ZUSD', amount: buy ? `-${usd}` : usd, fee: this.decimal(0, 0.2, 4), refid } },
    ];
  }

  /** A withdrawal that fails: reversed later by a row with the opposite amount and fee, same refid. */
  private failedWithdrawal(): { now: ScriptRow[]; later: ScriptRow[] } {
    const asset = this.rng() < 0.6 ? 'XXDG' : 'ZUSD';
    const w = this.flow('withdrawal', asset);
    const refid = `QCHAOS-${String(++this.refs).padStart(5, '0')}-FAILED`;
    const reverse = (v: string): string => (v.startsWith('-') ? v.slice(1) : v === '0' ? '0' : `-${v}`);
    return {
      now: [{ kind: 'row', label: 'failed withdrawal', input: { ...w, refid, subtype: '' } }],
      later: [{ kind: 'row', label: 'withdrawal reversal', input: { type: 'withdrawal', asset, amount: reverse(w.amount), fee: reverse(w.fee ?? '0'), refid, subtype: '' } }],
    };
  }

  private otherAsset(): Omit<LedgerRowInput, 'time'> {
    const choices: Array<Omit<LedgerRowInput, 'time'>> = [
      { type: 'deposit', asset: 'XXBT', amount: this.decimal(0, 1, 8), fee: '0' },
      { type: 'withdrawal', asset: 'XETH', amount: `-${this.decimal(0, 2, 8)}`, fee: '0.00100000' },
      { type: 'deposit', asset: 'XDG.S', amount: this.decimal(1, 500, 8), fee: '0' },
      { type: 'transfer', asset: 'XXDG', amount: this.decimal(1, 100, 8), fee: '0' },
      { type: 'staking', asset: 'XDG.S', amount: this.decimal(0, 3, 8), fee: '0' },
      { type: 'deposit', asset: 'ZEUR', amount: this.decimal(1, 100, 4), fee: '0' },
    ];
    return choices[Math.floor(this.rng() * choices.length)] as Omit<LedgerRowInput, 'time'>;
  }

  /** Rows that must be skipped: each one fails ledger-row validation in a different way. */
  private malformed(): ScriptRow {
    const id = `LRAW${String(++this.raws).padStart(2, '0')}-CHAOS-${Math.floor(this.rng() * 1e6).toString(36).toUpperCase()}`;
    const good = { refid: 'QJUNK', time: 0, type: 'deposit', subtype: '', aclass: 'currency', asset: 'XXDG', amount: '100.00000000', fee: '0.00000000', balance: '1' };
    const variants: Array<[string, unknown]> = [
      ['amount as a float', { ...good, amount: 100.5 }],
      ['amount not numeric', { ...good, amount: 'abc' }],
      ['amount in exponent form', { ...good, amount: '1e3' }],
      ['amount with a plus sign', { ...good, amount: '+100.00000000' }],
      ['amount with spaces', { ...good, asset: 'ZUSD', amount: ' 25.0000 ' }],
      ['amount NaN', { ...good, amount: 'NaN' }],
      ['amount Infinity', { ...good, asset: 'ZUSD', amount: 'Infinity' }],
      ['huge amount string', { ...good, amount: '9'.repeat(200) }],
      ['fee missing', { ...good, fee: undefined }],
      ['fee as null', { ...good, fee: null }],
      ['time missing', { ...good, time: undefined }],
      ['time not numeric', { ...good, time: 'soon' }],
      ['time negative', { ...good, time: -5 }],
      ['type a number', { ...good, type: 7 }],
      ['asset null', { ...good, asset: null }],
      ['asset nested junk', { ...good, asset: { nested: [1, { deeper: null }] } }],
      ['prototype keys', JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"type":"deposit","asset":"XXDG","amount":"x1","fee":"0"}')],
      ['array row', [1, 2, 3]],
    ];
    const [label, row] = variants[Math.floor(this.rng() * variants.length)] as [string, unknown];
    return { kind: 'raw', label: `malformed: ${label}`, id, row };
  }

  decimal(lo: number, hi: number, decimals: number): string {
    const scale = 10 ** decimals;
    const units = Math.floor(lo * scale + this.rng() * (hi - lo) * scale);
    const whole = Math.floor(units / scale);
    const frac = String(units - whole * scale).padStart(decimals, '0');
    return `${whole}.${frac}`;
  }
}
