import { Big } from '../recon/decimal.js';

/**
 * RFC 4180 CSV with spreadsheet formula injection neutralised by column type, not by first character alone:
 *
 * - `number` columns hold our own figures. A JS number is written as a plain decimal (never `1e-7`); a decimal
 *   string is written only if it is strictly `-?digits[.digits]`. Such a cell can be negative (`-5`) and stays a
 *   number in every spreadsheet, because a bare signed number is not a formula. Anything else in a number
 *   column is treated as text.
 * - `text` columns hold strings that came from elsewhere (Kraken's ids, types, assets). One that begins with
 *   `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's advice), so `=HYPERLINK(...)` or
 *   `-2+3` shows as text instead of running. Text is never turned into a number.
 *
 * Cells containing a comma, a quote, CR or LF are quoted with quotes doubled; records end with CRLF.
 */
export type ColumnKind = 'number' | 'text' | 'bool';

export interface Column<T> {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly get: (row: T) => unknown;
}

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function toCsv<T>(columns: readonly Column<T>[], rows: Iterable<T>): string {
  const lines: string[] = [columns.map((c) => textCell(c.name)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(c.kind, c.get(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function cell(kind: ColumnKind, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (kind === 'number') {
    if (typeof v === 'number' && !Number.isFinite(v)) return ''; // no figure, never a made-up one
    const n = numberCell(v);
    if (n !== null) return n;
  }
  if (kind === 'bool' && typeof v === 'boolean') return v ? 'true' : 'false';
  return textCell(typeof v === 'string' ? v : String(v));
}

/** A plain decimal for a finite number or a strict decimal string; null for anything else. */
export function numberCell(v: unknown): string | null {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return null;
    if (v === 0) return '0';
    const plain = String(v); // shortest round-trip form; exponent forms (1e-7, 1e+21) go through big.js
    return plain.includes('e') ? new Big(v).toString() : plain;
  }
  if (typeof v === 'string' && PLAIN_NUMBER.test(v)) return v;
  return null;
}

export function textCell(s: string): string {
  const safe = FORMULA_START.test(s) ? `'${s}` : s;
  return NEEDS_QUOTES.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}
