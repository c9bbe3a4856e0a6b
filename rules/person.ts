/**
 * The canonical synced model of the HappyPal connector, and the normalisation rules used both to
 * build it and to compare values (docs/design.md §3). Pure: no I/O, no clock.
 */
import { z } from 'zod';

export const SYNCED_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'birthDate',
  'contractStart',
  'contractEnd',
] as const;
export type SyncedField = (typeof SYNCED_FIELDS)[number];

/** The synced fields under the snake_case names both HappyPal's and Reflect's APIs give them. */
export function apiFields(p: Person) {
  return {
    first_name: p.firstName,
    last_name: p.lastName,
    email: p.email,
    birth_date: p.birthDate,
    contract_start: p.contractStart,
    contract_end: p.contractEnd,
  };
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written `YYYY-MM-DD` (2023-02-30 is rejected). */
export function isValidIsoDate(s: string): boolean {
  const m = YMD.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export const IsoDateSchema = z.string().refine(isValidIsoDate, { message: 'not a valid YYYY-MM-DD date' });

export const PersonSchema = z.object({
  firstName: z.string().min(1),
  lastName: z.string().min(1),
  email: z.string().min(3),
  birthDate: IsoDateSchema.nullable(),
  contractStart: IsoDateSchema.nullable(),
  contractEnd: IsoDateSchema.nullable(),
});
export type Person = z.infer<typeof PersonSchema>;

/** Trim, Unicode NFC, lower-case (NFC again: lower-casing can decompose, e.g. U+0130). */
export function normaliseEmail(s: string): string {
  return s.trim().normalize('NFC').toLowerCase().normalize('NFC');
}

/** Trim, collapse inner whitespace to one space, Unicode NFC. Case and accents are kept. */
export function normaliseName(s: string): string {
  return s.trim().replace(/\s+/gu, ' ').normalize('NFC');
}

/**
 * Lucca dates (docs/lucca-api.md §2a, §3b): `YYYY-MM-DD`, or a date-time `YYYY-MM-DDTHH:MM[:SS[.fff]]`
 * that is either local to Europe/Paris (no offset, v3 users) or an instant (`Z` or `±hh:mm`, as the
 * expense-claim samples show), which Lucca documents as Europe/Paris days.
 */
const LUCCA_DATE = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Error raised by {@link luccaDate}. Its message never contains the offending value (it may be PII). */
export class InvalidDateError extends Error {
  constructor() {
    super('not a valid Lucca date (expected YYYY-MM-DD, or a date-time local to Paris or with Z / an offset, on a real calendar day)');
    this.name = 'InvalidDateError';
  }
}

/**
 * Lucca date or date-time → its Europe/Paris calendar day `YYYY-MM-DD`; null stays null. Without an
 * offset the date part is taken as written (Lucca sends Paris local time); with `Z` or `±hh:mm` the
 * instant is converted to the Paris day (`2024-03-31T22:30:00Z` is 1 April in Paris).
 * Throws {@link InvalidDateError} on a malformed string or an impossible date; see {@link parseLuccaDate}.
 */
export function luccaDate(s: string | null): string | null {
  const r = parseLuccaDate(s);
  if (!r.ok) throw new InvalidDateError();
  return r.value;
}

const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Non-throwing form of {@link luccaDate}. */
export function parseLuccaDate(s: string | null): { ok: true; value: string | null } | { ok: false } {
  if (s === null) return { ok: true, value: null };
  const m = LUCCA_DATE.exec(s.trim());
  const [, day, hh, mm, ss, zone] = m ?? [];
  if (day === undefined || !isValidIsoDate(day)) return { ok: false };
  if (hh !== undefined && (Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 59)) return { ok: false };
  if (zone === undefined) return { ok: true, value: day };
  const offset = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  if (Math.abs(offset) > 18 * 60 || Number(zone.slice(-2)) > 59) return { ok: false };
  const instant = new Date(Date.parse(`${day}T${hh ?? '00'}:${mm ?? '00'}:${ss ?? '00'}Z`) - offset * 60_000);
  return { ok: true, value: PARIS_DAY.format(instant) };
}

/** The normalised form of a field value, the one used for equality (dates compare exactly). */
export function normaliseField(field: SyncedField, value: string | null): string | null {
  if (value === null) return null;
  if (field === 'email') return normaliseEmail(value);
  if (field === 'firstName' || field === 'lastName') return normaliseName(value);
  return value;
}

/** Equality of two values of one field, after normalisation. Without a field: exact equality. */
export function sameValue(field: SyncedField | undefined, a: string | null, b: string | null): boolean {
  if (field === undefined) return a === b;
  return normaliseField(field, a) === normaliseField(field, b);
}
