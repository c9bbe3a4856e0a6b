/**
 * The canonical synced model of the HappyPal connector, and the normalisation rules used both to
 * build it and to compare values (design.md §3). Pure: no I/O, no clock.
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

// Lucca v3: `YYYY-MM-DDTHH:MM:SS[.fff][Z]` (lucca-api.md §2a); a bare `YYYY-MM-DD` is also accepted.
const LUCCA_DATE = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,7})?Z?)?$/;

/** Error raised by {@link luccaDate}. Its message never contains the offending value (it may be PII). */
export class InvalidDateError extends Error {
  constructor() {
    super('not a valid Lucca date (expected YYYY-MM-DDT00:00:00 with a real calendar day)');
    this.name = 'InvalidDateError';
  }
}

/**
 * Lucca date-time → `YYYY-MM-DD`, null stays null. The date part is taken as written (Lucca sends
 * local midnight with no offset; the time part is only range-checked, never used to shift the day).
 * Throws {@link InvalidDateError} on a malformed string or an impossible date; see {@link parseLuccaDate}.
 */
export function luccaDate(s: string | null): string | null {
  const r = parseLuccaDate(s);
  if (!r.ok) throw new InvalidDateError();
  return r.value;
}

/** Non-throwing form of {@link luccaDate}. */
export function parseLuccaDate(s: string | null): { ok: true; value: string | null } | { ok: false } {
  if (s === null) return { ok: true, value: null };
  const m = LUCCA_DATE.exec(s.trim());
  if (!m || m[1] === undefined || !isValidIsoDate(m[1])) return { ok: false };
  if (m[2] !== undefined && (Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4]) > 59)) {
    return { ok: false };
  }
  return { ok: true, value: m[1] };
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
