// One row of the results table and of bench/results.json.

export interface Measure {
  readonly value: number;
  readonly unit: string;
  /** What was measured, when the name alone does not say it. */
  readonly label?: string;
}

export interface Figure {
  /** Short stable key, e.g. `status.rps`. */
  readonly id: string;
  readonly name: string;
  readonly figure: Measure;
  readonly baseline: Measure & { readonly label: string };
  /** figure / baseline (what "ratio" means is stated in `ratio_of`). */
  readonly ratio: number | null;
  readonly ratio_of?: string;
  readonly target: string;
  /** null: informational, no target. */
  readonly pass: boolean | null;
  /** Extra numbers (breakdowns, per-round values) kept in results.json, not printed. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly note?: string;
}

export interface BenchResult {
  readonly bench: string;
  readonly figures: readonly Figure[];
  readonly seconds: number;
  readonly error?: string;
}

export function fmt(v: number, unit = ''): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  const s = abs >= 10_000 ? Math.round(v).toLocaleString('en-US') : abs >= 100 ? v.toFixed(0) : abs >= 10 ? v.toFixed(1) : abs >= 1 ? v.toFixed(2) : v.toFixed(3);
  return unit === '' ? s : `${s} ${unit}`;
}

const round = (v: number, d = 4): number => Math.round(v * 10 ** d) / 10 ** d;

export function ratio(a: number, b: number): number | null {
  return b === 0 || !Number.isFinite(a) || !Number.isFinite(b) ? null : round(a / b);
}

function cell(m: Measure): string {
  return fmt(m.value, m.unit);
}

/** A plain-text table: one line per figure, widths fitted to the content. */
export function table(results: readonly BenchResult[]): string {
  const head = ['figure', 'value', 'baseline (same run)', 'ratio', 'target', 'result'];
  const rows: string[][] = [];
  for (const r of results) {
    if (r.error !== undefined) rows.push([`${r.bench}: FAILED`, r.error.slice(0, 60), '', '', '', 'ERROR']);
    for (const f of r.figures) {
      rows.push([
        f.name,
        cell(f.figure),
        `${cell(f.baseline)} (${f.baseline.label})`,
        f.ratio === null ? '—' : `${fmt(f.ratio)}×`,
        f.target,
        f.pass === null ? 'info' : f.pass ? 'PASS' : 'MISS',
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: readonly string[]): string => cols.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
