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

/** Lucca v3 date-time: `2025-09-07T10:20:06.583` (no offset; the simulator's clock is UTC). */
export function luccaDateTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().slice(0, 23);
}

/**
 * Parses a date-time sent by a client. A value without an offset is read as UTC (never as the
 * server's local time); a date alone means its midnight. Returns NaN when it does not parse.
 */
export function parseDateTime(text: string): number {
  let value = text.trim().replace(' ', '+');
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) value += 'T00:00:00';
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(value)) return NaN;
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) value += 'Z';
  return Date.parse(value);
}

export function isPlainDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}(T00:00:00(\.0+)?)?$/.test(text) && !Number.isNaN(dateToMs(text));
}
