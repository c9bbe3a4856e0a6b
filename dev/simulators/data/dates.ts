/** Date helpers shared by the generator and the Lucca simulator. Plain dates are `YYYY-MM-DD` strings (UTC). */
export const DAY_MS = 86_400_000;

// Generating a year of half-day leaves converts dates constantly: both directions are memoised
// (a few thousand distinct days in practice; the caches stop growing at CACHE_LIMIT).
const CACHE_LIMIT = 100_000;
const msByDate = new Map<string, number>();
const dateByDay = new Map<number, string>();

export function dateToMs(date: string): number {
  const key = date.length === 10 ? date : date.slice(0, 10);
  let ms = msByDate.get(key);
  if (ms === undefined) {
    ms = Date.parse(`${key}T00:00:00Z`);
    if (msByDate.size < CACHE_LIMIT) msByDate.set(key, ms);
  }
  return ms;
}

export function msToDate(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let date = dateByDay.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dateByDay.size < CACHE_LIMIT) dateByDay.set(day, date);
  }
  return date;
}

export function addDays(date: string, days: number): string {
  return msToDate(dateToMs(date) + days * DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return (((Math.floor(dateToMs(date) / DAY_MS) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export function isWeekend(date: string): boolean {
  const d = weekday(date);
  return d === 0 || d === 6;
}

/** Lucca v3 plain date: `2014-09-01T00:00:00`. */
export function luccaDate(date: string | null): string | null {
  return date === null ? null : `${date.slice(0, 10)}T00:00:00`;
}

/**
 * The tenant's time zone. Lucca stores and writes v3 date-times as Europe/Paris wall-clock time
 * without an offset (expense claims say so in their field docs; `modifiedAt` samples carry no
 * offset), and its filters (RestDrivenDomain) compare a value without offset with that wall time.
 */
export const LUCCA_TIME_ZONE = 'Europe/Paris';

const OFFSET_FORMAT = new Intl.DateTimeFormat('en-US', {
  timeZone: LUCCA_TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
});
// Offsets change on the hour at most: memoised per UTC hour (a 100,000-user filter would otherwise format 100,000 dates).
const offsetByHour = new Map<number, number>();

/** Europe/Paris's offset from UTC (ms) at an instant: 3,600,000 in winter, 7,200,000 in summer. */
export function parisOffsetMs(instantMs: number): number {
  const hour = Math.floor(instantMs / 3_600_000);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const at = hour * 3_600_000;
    const p = Object.fromEntries(OFFSET_FORMAT.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
    offset = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - at;
    if (offsetByHour.size < CACHE_LIMIT) offsetByHour.set(hour, offset);
  }
  return offset;
}

/**
 * An instant as Paris wall-clock time, as a number: the wall time's fields read as if they were UTC.
 * Two wall times compare as Lucca compares them (as local DateTimes): across the autumn change,
 * 02:30 of the second pass is *before* 02:45 of the first, although it happened later.
 */
export function parisWallMs(instantMs: number): number {
  return instantMs + parisOffsetMs(instantMs);
}

/** Lucca v3 date-time: `2025-09-07T10:20:06.583`, Paris wall-clock time, no offset. */
export function luccaDateTime(ms: number | null): string | null {
  return ms === null ? null : new Date(parisWallMs(ms)).toISOString().slice(0, 23);
}

/**
 * Parses a date-time filter value the way RestDrivenDomain's StringConverter does (.NET
 * `DateTime` with the invariant culture) and returns it as Paris wall time (see parisWallMs):
 * - no offset (`2025-01-01T08:45:23`, `2025-01-01 08:45`, `2025-01-01`): wall time as written
 *   (a date alone is its midnight);
 * - an offset or `Z`: that instant, converted to the server's local (Paris) time;
 * - `now`, `today`, `tomorrow`, `yesterday` (RDD's keywords), by `nowMs`.
 * NaN when it does not parse (the caller answers 400 "Query parameter is invalid").
 */
export function parseDateTime(text: string, nowMs: number = Date.now()): number {
  const raw = text.trim();
  const keyword = raw.toLowerCase();
  if (['now', 'today', 'tomorrow', 'yesterday'].includes(keyword)) {
    const wall = parisWallMs(nowMs);
    if (keyword === 'now') return wall;
    const midnight = Math.floor(wall / DAY_MS) * DAY_MS;
    return midnight + (keyword === 'tomorrow' ? DAY_MS : keyword === 'yesterday' ? -DAY_MS : 0);
  }
  // A space between date and time is a separator; after the time it is a `+` the query string decoded.
  let value = raw.replace(/^(\d{4}-\d{2}-\d{2}) (\d)/, '$1T$2').replace(' ', '+');
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) value += 'T00:00:00';
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const fields = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)] as const;
  const wall = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], ms);
  // Impossible dates (2025-02-30, 25:00) do not parse in .NET either.
  const back = new Date(wall);
  if (back.getUTCFullYear() !== fields[0] || back.getUTCMonth() !== fields[1] - 1 || back.getUTCDate() !== fields[2] ||
      back.getUTCHours() !== fields[3] || back.getUTCMinutes() !== fields[4] || back.getUTCSeconds() !== fields[5]) return NaN;
  if (!zone) return wall;
  const sign = zone.toUpperCase() === 'Z' ? 0 : zone.startsWith('-') ? -1 : 1;
  const digits = zone.replace(/[^0-9]/g, '');
  const offset = sign === 0 ? 0 : sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  return parisWallMs(wall - offset);
}

export function isPlainDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}(T00:00:00(\.0+)?)?$/.test(text) && !Number.isNaN(dateToMs(text));
}
