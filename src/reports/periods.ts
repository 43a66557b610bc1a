/**
 * Report period boundaries (DESIGN.md section 17). `REPORT_PERIOD_SEC` = 86400 means calendar days that start
 * at local midnight in `REPORT_TZ` (an IANA zone, read through `Intl` only), so a day is 23 or 25 hours long
 * when the zone changes to or from summer time. Any other length cuts time into multiples of the period since
 * the epoch. Pure: no clock; results are memoised per zone because `Intl` calls cost microseconds each.
 */

export interface PeriodSpec {
  readonly periodSec: number;
  /** IANA zone; only used when periodSec is 86400. */
  readonly tz: string;
}

const DAY_SEC = 86_400;
/** Bound on each memo table; cleared (not evicted one by one) when full, it only costs recomputation. */
const MEMO_MAX = 4096;

/** True when the zone name is one `Intl` knows (`UTC`, `Europe/Berlin`, ...). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.trim() !== '';
  } catch {
    return false;
  }
}

/** The zone's canonical spelling (`europe/berlin` → `Europe/Berlin`); throws RangeError for an unknown zone. */
export function canonicalTimeZone(tz: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
}

function isCalendarDays(spec: PeriodSpec): boolean {
  return spec.periodSec === DAY_SEC && !isUtc(spec.tz);
}

function isUtc(tz: string): boolean {
  return tz === 'UTC' || tz === 'Etc/UTC' || tz === 'Etc/GMT' || tz === 'GMT';
}

/** Start (unix seconds) of the period containing `ts`. */
export function periodStart(spec: PeriodSpec, ts: number): number {
  if (!isCalendarDays(spec)) return Math.floor(ts / spec.periodSec) * spec.periodSec;
  return zoneOf(spec.tz).dayStart(Math.floor(ts));
}

/** Start of the period after the one that starts at `start` (= that period's end). */
export function periodEnd(spec: PeriodSpec, start: number): number {
  if (!isCalendarDays(spec)) return periodStart(spec, start) + spec.periodSec;
  return zoneOf(spec.tz).nextStart(Math.floor(start));
}

/** `2026-03-29T00:00:00+02:00`: the instant as wall time in the zone with its offset (for CSV readers). */
export function isoInZone(tz: string, ts: number): string {
  const t = Math.floor(ts);
  const zone = zoneOf(tz);
  const p = zone.parts(t);
  const off = zone.offset(t);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const oh = Math.floor(abs / 3600);
  const om = Math.floor((abs % 3600) / 60);
  return `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${sign}${pad(oh)}:${pad(om)}`;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

interface WallParts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

/** One zone's wall-clock arithmetic, with its `Intl` formatter and memo tables. */
class Zone {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly starts = new Map<number, number>();
  private readonly nexts = new Map<number, number>();

  constructor(tz: string) {
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  parts(t: number): WallParts {
    const out: WallParts = { y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0 };
    for (const p of this.fmt.formatToParts(t * 1000)) {
      const v = Number(p.value);
      if (p.type === 'year') out.y = v;
      else if (p.type === 'month') out.mo = v;
      else if (p.type === 'day') out.d = v;
      else if (p.type === 'hour') out.h = v === 24 ? 0 : v;
      else if (p.type === 'minute') out.mi = v;
      else if (p.type === 'second') out.s = v;
    }
    return out;
  }

  /** Wall time minus UTC at instant t, in seconds. */
  offset(t: number): number {
    const p = this.parts(t);
    return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) / 1000 - t;
  }

  /** The local calendar day of instant t, as days since 1970-01-01 (a plain day number, no zone). */
  dayOf(t: number): number {
    const p = this.parts(t);
    return Math.floor(Date.UTC(p.y, p.mo - 1, p.d) / 1000 / DAY_SEC);
  }

  /** Days [start, end) looked up lately (a tick asks about today and the retention horizon): no Intl call needed. */
  private readonly recent: Array<{ start: number; end: number }> = [];

  /** Start of the local day containing t. */
  dayStart(t: number): number {
    for (const r of this.recent) if (t >= r.start && t < r.end) return r.start;
    const day = this.dayOf(t);
    const start = this.startOfDay(day);
    this.recent.unshift({ start, end: this.startOfDay(day + 1) });
    if (this.recent.length > 4) this.recent.pop();
    return start;
  }

  /** Start of the local day after the one containing t (memoised: reports walk the same days every tick). */
  nextStart(t: number): number {
    const memo = this.nexts.get(t);
    if (memo !== undefined) return memo;
    const next = this.startOfDay(this.dayOf(t) + 1);
    if (this.nexts.size >= MEMO_MAX) this.nexts.clear();
    this.nexts.set(t, next);
    return next;
  }

  /** First instant whose local date is `day` (local midnight, or the first second after a skipped one). */
  startOfDay(day: number): number {
    const memo = this.starts.get(day);
    if (memo !== undefined) return memo;
    const wall = day * DAY_SEC;
    // Two passes of "wall − offset" land on local midnight in every zone with an ordinary day.
    let t = wall - this.offset(wall);
    t = wall - this.offset(t);
    if (!(this.dayOf(t) === day && this.dayOf(t - 1) < day)) t = this.search(day, wall);
    if (this.starts.size >= MEMO_MAX) this.starts.clear();
    this.starts.set(day, t);
    return t;
  }

  /** Midnight skipped or doubled by a transition: the smallest t with dayOf(t) ≥ day, by bisection. */
  private search(day: number, wall: number): number {
    let lo = wall - 2 * DAY_SEC; // dayOf(lo) < day: no zone is more than 26 h from UTC
    let hi = wall + 2 * DAY_SEC; // dayOf(hi) ≥ day
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.dayOf(mid) >= day) hi = mid;
      else lo = mid;
    }
    return hi;
  }
}

const zones = new Map<string, Zone>();

function zoneOf(tz: string): Zone {
  let z = zones.get(tz);
  if (z === undefined) {
    z = new Zone(tz);
    if (zones.size >= 64) zones.clear();
    zones.set(tz, z);
  }
  return z;
}
