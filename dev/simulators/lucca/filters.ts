import { DAY_MS, isPlainDate, parisWallMs, parseDateTime } from '../data/dates.js';
import { badRequest } from './http-error.js';

export type FilterKind = 'date' | 'datetime' | 'number';
export type Comparable = string | number | null;
export type Predicate = (value: Comparable) => boolean;

const OPERATORS = new Set([
  'since', 'until', 'between', 'notequal', 'greaterthan', 'greaterthanorequal', 'lessthan', 'lessthanorequal', 'equals',
]);

/**
 * Compiles a v3 filter value: `X`, `X,Y` (any of), `since,X`, `until,X`, `between,A,B`, `notequal,X`,
 * `greaterthan,X`… A `null` token matches empty values (`until,2050-10-15,null` = until that day or open).
 * Dates compare on the day. Date-times compare as RestDrivenDomain compares them: on Paris wall-clock
 * time (Lucca's stored DateTimes are local); a value without offset is a Paris wall time, one with
 * an offset or `Z` is converted to it (simulators/data/dates.ts parseDateTime). `since` and `until`
 * include the bound; `between,A,B` includes both, and a B without a time means the end of that day
 * (RDD FilterParser, `ToMidnightTimeIfEmpty`). A value that does not convert → 400 "Query parameter
 * is invalid", RDD's message. `nowMs` is the clock of RDD's keywords (`now`, `today`, …).
 */
export function compileFilter(name: string, raw: string, kind: FilterKind, nowMs?: number): Predicate {
  const tokens = raw.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const first = tokens[0]?.toLowerCase();
  const op = first !== undefined && OPERATORS.has(first) ? first : 'in';
  const args = op === 'in' ? tokens : tokens.slice(1);
  const acceptsNull = args.some((t) => t.toLowerCase() === 'null');
  const values = args.filter((t) => t.toLowerCase() !== 'null').map((t) => parseValue(name, t, kind, nowMs));
  const [a, b] = values;
  const need = (n: number) => {
    if (values.length < n) throw badRequest(`${name}: "${op}" needs ${n} value(s)`);
  };
  let test: (v: string | number) => boolean;
  switch (op) {
    case 'since': case 'greaterthanorequal': need(1); test = (v) => v >= (a as string); break;
    case 'until': case 'lessthanorequal': need(1); test = (v) => v <= (a as string); break;
    case 'greaterthan': need(1); test = (v) => v > (a as string); break;
    case 'lessthan': need(1); test = (v) => v < (a as string); break;
    case 'between':
      // RDD's FilterParser: exactly two dates, else "Query parameter is invalid".
      if (values.length !== 2 || kind === 'number') throw badRequest(`Query parameter is invalid: ${name}=between,start,end`);
      {
        const end = kind === 'datetime' && (b as number) % DAY_MS === 0 ? (b as number) + DAY_MS - 1 : b;
        test = (v) => v >= (a as string) && v <= (end as string);
      }
      break;
    case 'notequal':
      if (values.length === 0 && acceptsNull) return (v) => v !== null;
      need(1);
      return (v) => v === null || !values.includes(v);
    default: {
      if (values.length === 0 && !acceptsNull) throw badRequest(`${name}: empty filter`);
      const set = new Set<string | number>(values);
      test = (v) => set.has(v);
    }
  }
  if (kind === 'datetime') return (v) => (v === null ? acceptsNull : test(parisWallMs(v as number)));
  return (v) => (v === null ? acceptsNull : test(kind === 'date' && typeof v === 'string' ? v.slice(0, 10) : v));
}

function parseValue(name: string, token: string, kind: FilterKind, nowMs?: number): string | number {
  if (kind === 'number') {
    const n = Number(token);
    if (!Number.isFinite(n)) throw badRequest(`${name}: "${token}" is not a number`);
    return n;
  }
  if (kind === 'datetime') {
    const ms = parseDateTime(token, nowMs);
    if (Number.isNaN(ms)) throw badRequest(`Query parameter is invalid: ${name} ("${token}" is not a date-time)`);
    return ms;
  }
  const day = token.slice(0, 10);
  if (!isPlainDate(day)) throw badRequest(`${name}: "${token}" is not a date`);
  return day;
}

/**
 * `paging={offset},{limit}`; absent or `1` → 0,1000 (never more than `cap`). Messages and the limit
 * check are RestDrivenDomain's (PagingParser, Page): a limit above `cap` is a 400, as Lucca documents a maximum.
 */
export function parsePaging(raw: string | undefined, cap: number): { offset: number; limit: number } {
  if (raw === undefined || raw.trim() === '' || raw.trim() === '1') return { offset: 0, limit: Math.min(1000, cap) };
  const parts = raw.split(',');
  if (parts.length !== 2) throw badRequest(`${raw} does not respect limit=start,count format`);
  const [offsetText = '', limitText = ''] = parts;
  if (!/^\s*-?\d+\s*$/.test(offsetText)) throw badRequest(`Offset value ${offsetText} not in correct format`);
  if (!/^\s*-?\d+\s*$/.test(limitText)) throw badRequest(`Limit value ${limitText} not in correct format`);
  const offset = Number(offsetText);
  const limit = Number(limitText);
  if (offset < 0) throw badRequest('Paging offset should be greater than 0');
  if (limit < 1 || limit > cap) throw badRequest(`Paging limit should be between 1 and ${cap}`);
  return { offset, limit };
}

/** Adds a compiled filter for `param` when present; `read` picks the record's value. */
export function addFilter<T>(
  preds: Array<(item: T) => boolean>, raw: string | undefined, name: string, kind: FilterKind, read: (item: T) => Comparable, nowMs?: number,
): void {
  if (raw === undefined) return;
  const test = compileFilter(name, raw, kind, nowMs);
  preds.push((item) => test(read(item)));
}

export function matchesAll<T>(item: T, preds: ReadonlyArray<(item: T) => boolean>): boolean {
  for (const pred of preds) if (!pred(item)) return false;
  return true;
}
